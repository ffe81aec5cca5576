import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from './apply/read-manifests.js';
import { podFromManifest } from './parse-pod.js';
import type { ObjectLookup } from './object-lookup.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const objects: ObjectLookup = {
  configMap: (ns, name) => (ns === 'default' && name === 'web' ? new Map([['index.html', b64('<h1>hi</h1>')], ['MODE', b64('prod')], ['bad key', b64('x')]]) : undefined),
  secret: (ns, name) => (name === 'db' ? new Map([['password', b64('s3cret')]]) : undefined),
  claimVolume: (ns, name) => (name === 'data' ? `podctl-pvc-${ns}-data` : undefined),
};
const defaults = { namespace: 'default', defaultNetwork: 'podctl', pauseImage: 'pause', objects };
const parse = (text: string) => podFromManifest(parseManifestText(text, 't')[0]!.value, defaults);

test('env: envFrom with prefix, then env entries from ConfigMaps, Secrets, the pod and resources', () => {
  const { parsed, issues } = parse(`
apiVersion: v1
kind: Pod
metadata: { name: p, labels: { app: web } }
spec:
  containers:
    - name: c
      image: busybox
      resources: { limits: { memory: 64Mi } }
      envFrom: [{ prefix: CM_, configMapRef: { name: web } }, { secretRef: { name: nope, optional: true } }]
      env:
        - { name: PASS, valueFrom: { secretKeyRef: { name: db, key: password } } }
        - { name: MODE, valueFrom: { configMapKeyRef: { name: web, key: MODE } } }
        - { name: GONE, valueFrom: { configMapKeyRef: { name: web, key: nokey, optional: true } } }
        - { name: POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
        - { name: APP, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }
        - { name: IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: MEM_MI, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
        - { name: URL, value: "http://$(IP):80/$(MODE)" }
`);
  assert.deepEqual(issues.errors, []);
  const c = parsed!.spec.containers[0]!;
  assert.deepEqual(c.env, { 'CM_index.html': '<h1>hi</h1>', CM_MODE: 'prod', PASS: 's3cret', MODE: 'prod', POD: 'p', APP: 'web', IP: '', MEM_MI: '64', URL: 'http://$(IP):80/$(MODE)' });
  assert.deepEqual(c.podIPEnv, ['IP']);
  assert.equal(c.expandVars, true);
});

test('volumes: configMap items and modes, secret on tmpfs, downwardAPI, claim, hostPath', () => {
  const { parsed, issues } = parse(`
apiVersion: v1
kind: Pod
metadata: { name: p, labels: { app: web } }
spec:
  volumes:
    - { name: html, configMap: { name: web, items: [{ key: index.html, path: site/index.html, mode: 0600 }] } }
    - { name: creds, secret: { secretName: db, defaultMode: 0400 } }
    - { name: info, downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }] } }
    - { name: data, persistentVolumeClaim: { claimName: data } }
    - { name: host, hostPath: { path: /tmp, type: Directory } }
    - { name: scratch, emptyDir: { medium: Memory } }
  containers:
    - name: c
      image: busybox
      volumeMounts: [{ name: html, mountPath: /usr/share/nginx/html, readOnly: true }, { name: data, mountPath: /data, subPath: web }]
`);
  assert.deepEqual(issues.errors, []);
  const v = Object.fromEntries(parsed!.spec.volumes!.map((x) => [x.name, x.source]));
  assert.deepEqual(v.html, { kind: 'files', medium: 'disk', files: [{ path: 'site/index.html', contentBase64: b64('<h1>hi</h1>'), mode: 0o600 }], from: 'configmap "web"' });
  assert.deepEqual(v.creds, { kind: 'files', medium: 'memory', files: [{ path: 'password', contentBase64: b64('s3cret'), mode: 0o400 }], from: 'secret "db"' });
  assert.deepEqual(v.info, { kind: 'files', medium: 'disk', files: [{ path: 'labels', contentBase64: b64('app="web"'), mode: 0o644 }], from: 'downwardAPI' });
  assert.deepEqual(v.data, { kind: 'named', volume: 'podctl-pvc-default-data' });
  assert.deepEqual(v.host, { kind: 'hostPath', path: '/tmp', type: 'Directory' });
  assert.deepEqual(v.scratch, { kind: 'emptyDir', medium: 'memory' });
  assert.deepEqual(parsed!.spec.containers[0]!.mounts, [{ volume: 'html', mountPath: '/usr/share/nginx/html', readOnly: true }, { volume: 'data', mountPath: '/data', subPath: 'web' }]);
});

test('missing ConfigMap, Secret, key or claim and a mount naming no volume: errors with their paths', () => {
  const { issues } = parse(`
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  volumes:
    - { name: a, configMap: { name: nope } }
    - { name: b, secret: { secretName: db, items: [{ key: user, path: u }] } }
    - { name: c, persistentVolumeClaim: { claimName: nope } }
  containers:
    - name: c
      image: busybox
      volumeMounts: [{ name: zzz, mountPath: /z }]
      env: [{ name: X, valueFrom: { configMapKeyRef: { name: web, key: nokey } } }]
`);
  assert.deepEqual(issues.errors.map((e) => `${e.path}: ${e.reason}`), [
    'spec.volumes[0].configMap.name: configmap "nope" not found in namespace default (set optional: true to start without it)',
    'spec.volumes[1].secret.items[0].key: secret "db" has no key "user"',
    'spec.volumes[2].persistentVolumeClaim.claimName: persistentvolumeclaim "nope" not found in namespace default',
    'spec.containers[0].env[0].valueFrom.configMapKeyRef.key: configmap "web" has no key "nokey"',
    'spec.containers[0].volumeMounts[0].name: names no volume of this pod ("zzz")',
  ]);
});
