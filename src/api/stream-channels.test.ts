import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodctlError } from '../util/errors.js';
import { CHANNEL, chooseProtocol, decodeMessage, encodeMessage, outcomeStatus, parseExecQuery, parseResize, statusMessage } from './stream-channels.js';

const v5 = chooseProtocol(['v5.channel.k8s.io'])!;
const v4 = chooseProtocol(['v4.channel.k8s.io'])!;
const v4b64 = chooseProtocol(['v4.base64.channel.k8s.io'])!;
const v1 = chooseProtocol(['channel.k8s.io'])!;
const v1b64 = chooseProtocol(['base64.channel.k8s.io'])!;

const invalid = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof PodctlError && e.code === 'INVALID_ARGUMENT');

test('the client picks among the served protocols in its own order; none offered is channel.k8s.io, none served is refused', () => {
  assert.equal(chooseProtocol(['SPDY/3.1', 'v4.channel.k8s.io', 'v5.channel.k8s.io'])!.name, 'v4.channel.k8s.io');
  assert.equal(chooseProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'])!.name, 'v5.channel.k8s.io');
  assert.equal(chooseProtocol([])!.name, 'channel.k8s.io');
  assert.equal(chooseProtocol(['v6.channel.k8s.io']), undefined);
});

test('binary frames start with the channel byte; base64 ones with the channel digit', () => {
  assert.deepEqual(encodeMessage(v5, CHANNEL.stdout, Buffer.from('hi')), Buffer.from([1, 0x68, 0x69]));
  assert.deepEqual(encodeMessage(v1, CHANNEL.stderr, Buffer.alloc(0)), Buffer.from([2]));
  assert.equal(encodeMessage(v4b64, CHANNEL.stdout, Buffer.from('hi\n')), '1aGkK');
  assert.equal(encodeMessage(v1b64, CHANNEL.error, Buffer.from([0xff, 0])), '3/wA=');
});

test('client messages: stdin and resize by channel, base64 decoded, empty ones ignored', () => {
  assert.deepEqual(decodeMessage(v4, Buffer.from([0, 1, 2, 3])), { channel: 0, data: Buffer.from([1, 2, 3]) });
  assert.deepEqual(decodeMessage(v4b64, Buffer.from('0aGkK')), { channel: 0, data: Buffer.from('hi\n') });
  assert.deepEqual(decodeMessage(v1b64, Buffer.from('4')), { channel: 4, data: Buffer.alloc(0) });
  assert.equal(decodeMessage(v5, Buffer.alloc(0)), undefined);
  invalid(() => decodeMessage(v4b64, Buffer.from('xaGk=')));
});

test('v5 closes a stream with 255 CHANNEL; before v5, 255 is just a channel number', () => {
  assert.deepEqual(decodeMessage(v5, Buffer.from([255, 0])), { closed: 0 });
  invalid(() => decodeMessage(v5, Buffer.from([255, 0, 1])));
  assert.deepEqual(decodeMessage(v4, Buffer.from([255, 0])), { channel: 255, data: Buffer.from([0]) });
});

test('a resize is {"Width":W,"Height":H}', () => {
  assert.deepEqual(parseResize(Buffer.from('{"Width":132,"Height":43}')), { width: 132, height: 43 });
  invalid(() => parseResize(Buffer.from('{"Width":-1,"Height":43}')));
  invalid(() => parseResize(Buffer.from('{"width":80}')));
  invalid(() => parseResize(Buffer.from('80x24')));
});

test('v4 and later: the outcome as a Status, an exit code as the ExitCode cause of NonZeroExitCode', () => {
  assert.deepEqual(JSON.parse(statusMessage(v5, { exitCode: 0, command: ['true'] })!.toString()), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
  const failed = JSON.parse(statusMessage(v4, { exitCode: 3, command: ['sh', '-c', 'exit 3'] })!.toString()) as Record<string, unknown>;
  assert.equal(failed.status, 'Failure');
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
  assert.match(String(failed.message), /^command terminated with non-zero exit code: .*exit code 3$/);
  const notRunning = { status: 'Failure', message: 'container web is not running', reason: 'Conflict', code: 409 };
  assert.deepEqual(JSON.parse(statusMessage(v4b64, { failure: notRunning })!.toString()), { kind: 'Status', apiVersion: 'v1', metadata: {}, ...notRunning });
});

test('before v4: nothing on success, the message text on failure', () => {
  assert.equal(statusMessage(v1, { exitCode: 0, command: ['true'] }), undefined);
  assert.equal(statusMessage(v1b64, { exitCode: 2, command: ['false'] })!.toString(), outcomeStatus({ exitCode: 2, command: ['false'] }).message);
});

test("an exec's query: one command argument per parameter, flags true or 1, a TTY without stderr apart", () => {
  const q = (s: string) => parseExecQuery(new URLSearchParams(s));
  assert.deepEqual(q('command=sh&command=-c&command=echo+a+b&stdout=true&stderr=1&container=web'), { verb: 'exec', command: ['sh', '-c', 'echo a b'], container: 'web', stdin: false, stdout: true, stderr: true, tty: false });
  assert.deepEqual(q('command=sh&stdin=True&stdout=true&stderr=true&tty=true'), { verb: 'exec', command: ['sh'], stdin: true, stdout: true, stderr: false, tty: true });
  invalid(() => q('stdout=true'));
  invalid(() => q('command=ls'));
  // attach takes no command: it joins the container's own process.
  assert.deepEqual(parseExecQuery(new URLSearchParams('stdout=true&stderr=true&container=web'), 'attach'), { verb: 'attach', command: [], container: 'web', stdin: false, stdout: true, stderr: true, tty: false });
  invalid(() => parseExecQuery(new URLSearchParams('container=web'), 'attach'));
});
