import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { ProtobufBodyError, decodeProtobufBody } from './protobuf-body.js';

const { Writer } = protobuf;
type Writer = protobuf.Writer;

// Bodies built by hand with protobufjs' Writer, field by field as client-go writes them
// (generated.proto's numbers), so the decoder is checked against the wire format, not itself.
const str = (w: Writer, field: number, value: string) => w.uint32((field << 3) | 2).string(value);
const bytes = (w: Writer, field: number, value: Uint8Array) => w.uint32((field << 3) | 2).bytes(value);
const message = (w: Writer, field: number, inner: (w: Writer) => void) => {
  w.uint32((field << 3) | 2).fork();
  inner(w);
  return w.ldelim();
};
const mapEntry = (w: Writer, field: number, key: string, value: (w: Writer) => void) => message(w, field, (e) => { str(e, 1, key); value(e); });
const envelope = (apiVersion: string, kind: string, raw: Uint8Array) => {
  const w = Writer.create();
  message(w, 1, (t) => { str(t, 1, apiVersion); str(t, 2, kind); });
  bytes(w, 2, raw);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), w.finish()]);
};

describe('decodeProtobufBody', () => {
  it('reads a Secret as helm stores a release: labels, data in base64, type, a creation time', () => {
    const w = Writer.create();
    message(w, 1, (m) => {
      str(m, 1, 'sh.helm.release.v1.web.v1');
      str(m, 3, 'default');
      message(m, 8, (t) => t.uint32(8).int64(1_700_000_000));
      mapEntry(m, 11, 'owner', (e) => str(e, 2, 'helm'));
      mapEntry(m, 11, 'status', (e) => str(e, 2, 'deployed'));
    });
    mapEntry(w, 2, 'release', (e) => bytes(e, 2, Buffer.from('H4sI')));
    str(w, 3, 'helm.sh/release.v1');
    assert.deepEqual(decodeProtobufBody(envelope('v1', 'Secret', w.finish())), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sh.helm.release.v1.web.v1', namespace: 'default', creationTimestamp: '2023-11-14T22:13:20Z', labels: { owner: 'helm', status: 'deployed' } },
      data: { release: Buffer.from('H4sI').toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });

  it('reads a ConfigMap and DeleteOptions', () => {
    const cm = Writer.create();
    message(cm, 1, (m) => str(m, 1, 'settings'));
    mapEntry(cm, 2, 'k', (e) => str(e, 2, 'v'));
    assert.deepEqual(decodeProtobufBody(envelope('v1', 'ConfigMap', cm.finish())), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { k: 'v' } });
    const del = Writer.create();
    del.uint32(1 << 3).int64(0);
    str(del, 4, 'Foreground');
    assert.deepEqual(decodeProtobufBody(envelope('meta.k8s.io/v1', 'DeleteOptions', del.finish())), { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
  });

  it('skips fields it does not know (managedFields, a newer field), as proto readers do', () => {
    const w = Writer.create();
    message(w, 1, (m) => {
      str(m, 1, 'cm');
      message(m, 17, (f) => str(f, 1, 'kubectl'));
    });
    w.uint32((9 << 3) | 1).fixed64(7);
    w.uint32((10 << 3) | 0).uint32(1);
    assert.deepEqual(decodeProtobufBody(envelope('v1', 'ConfigMap', w.finish())), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
  });

  it('refuses other kinds, a body without the magic and a broken message, saying which', () => {
    assert.throws(() => decodeProtobufBody(envelope('apps/v1', 'Deployment', new Uint8Array())), (e: unknown) => e instanceof ProtobufBodyError && /only, not of Deployment/.test(e.message));
    assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Secret"}')), (e: unknown) => e instanceof ProtobufBodyError && /magic/.test(e.message));
    assert.throws(() => decodeProtobufBody(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x20, 0x01])])), ProtobufBodyError);
  });
});
