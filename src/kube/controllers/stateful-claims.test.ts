import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fields, ManifestIssues } from '../fields.js';
import { readWorkload } from '../kinds/workloads.js';
import { NO_OBJECTS } from '../object-lookup.js';
import { claimsOf, lookupWithClaims, readClaimTemplates, setClaims, templateWithClaims } from './stateful-claims.js';

const DEFAULTS = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'p' };

const sts = (extra: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'] } }],
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], ...podSpec } },
    ...extra,
  },
});

function read(doc: unknown) {
  const issues = new ManifestIssues();
  const w = readWorkload(Fields.of(doc, '', issues)!, 'StatefulSet', 'default', DEFAULTS);
  return { w, errors: issues.errors.map((e) => `${e.path}: ${e.reason}`), unsupported: issues.unsupported };
}

test('claim N of template T is T-<set>-N, labelled with the template labels and the selector, as Kubernetes names and labels it', () => {
  const { templates } = readClaimTemplates(Fields.of(sts().spec, 'spec', new ManifestIssues())!, 'web', 2);
  assert.deepEqual(claimsOf(templates, 'web', 'ns1', 1, { app: 'web' }), [
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-web-1', namespace: 'ns1', labels: { tier: 'db', app: 'web' } }, spec: { accessModes: ['ReadWriteOnce'] } },
  ]);
});

test('the pod of ordinal N mounts its own claim as the volume named by the template', () => {
  const { templates } = readClaimTemplates(Fields.of(sts().spec, 'spec', new ManifestIssues())!, 'web', 2);
  const t = templateWithClaims({ spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } }, templates, 'web', 3);
  assert.deepEqual(t.spec.volumes, [{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data-web-3' } }]);
  const lookup = lookupWithClaims(NO_OBJECTS, templates, 'web', 'default', 3);
  assert.equal(lookup.claimVolume('default', 'data-web-3'), 'podctl-pvc-default-data-web-3');
  assert.equal(lookup.claimVolume('default', 'data-web-2'), undefined, 'another ordinal\'s claim is not made by this pod');
  assert.equal(lookup.claimVolume('other', 'data-web-3'), undefined);
});

test('a StatefulSet with claim templates reads clean; its mounts of the template name resolve', () => {
  const { w, errors, unsupported } = read(sts());
  assert.deepEqual(errors, []);
  assert.deepEqual(unsupported, []);
  assert.equal(w?.claims?.templates[0]?.name, 'data');
  // Without the template the mount names nothing.
  assert.match(read(sts({ volumeClaimTemplates: undefined })).errors.join('\n'), /volumeMounts\[0\]\.name: names no volume of this pod \("data"\)/);
});

test('bad claim templates: a pod volume of the same name, duplicates, bad names, names too long, bad policy', () => {
  assert.ok(read(sts({}, { volumes: [{ name: 'data', emptyDir: {} }] })).errors.some((e) => e.startsWith('spec.volumeClaimTemplates[0].metadata.name: "data" is also a volume of spec.template.spec.volumes')));
  const dup = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: 'data' } }] });
  assert.ok(read(dup).errors.includes('spec.volumeClaimTemplates[1].metadata.name: "data" is used by another volumeClaimTemplate'));
  assert.ok(read(sts({ volumeClaimTemplates: [{ metadata: { name: 'Data' } }] })).errors.includes('spec.volumeClaimTemplates[0].metadata.name: must be a DNS-1123 label'));
  assert.ok(read(sts({ volumeClaimTemplates: [{ metadata: {} }] })).errors.includes('spec.volumeClaimTemplates[0].metadata.name: is required'));
  const long = 'd'.repeat(60);
  assert.match(read(sts({ volumeClaimTemplates: [{ metadata: { name: long } }] })).errors.join('\n'), /makes claim names like "d+-web-1", longer than a 63-character DNS-1123 label/);
  assert.ok(read(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } })).errors.some((e) => e.startsWith('spec.persistentVolumeClaimRetentionPolicy.whenDeleted:')));
});

test('the retention policy: Retain unless it says Delete', () => {
  assert.deepEqual(read(sts()).w?.claims?.retention, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.deepEqual(read(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } })).w?.claims?.retention, { whenDeleted: 'Delete', whenScaled: 'Delete' });
});

test('the set\'s claims are found by name, with their ordinals; others are not', () => {
  const { templates } = readClaimTemplates(Fields.of(sts().spec, 'spec', new ManifestIssues())!, 'web', 2);
  assert.deepEqual(setClaims(templates, 'web', ['data-web-0', 'data-web-12', 'data-web-01', 'data-webby-1', 'logs-web-0', 'data-web-x']), [
    { name: 'data-web-0', ordinal: 0 },
    { name: 'data-web-12', ordinal: 12 },
  ]);
});
