import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetworkConfig } from './parse-network.js';
import { isPodctlError } from '../../util/errors.js';

const F = '/etc/cni/net.d/10-x.conflist';
const list = (extra: Record<string, unknown> = {}, plugin: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: 'bridge', ...plugin }], ...extra });

/** Asserts an INVALID_CONFIG error with exactly this message. */
function rejects(text: string, message: string, file: string | undefined = F): void {
  assert.throws(() => parseNetworkConfig(text, file), (e: unknown) => {
    assert.ok(isPodctlError(e, 'INVALID_CONFIG'), String(e));
    assert.equal(e.message, message);
    return true;
  });
}

test('a conflist parses with its fields; unknown fields pass through', () => {
  const net = parseNetworkConfig(list({ extraTop: 1 }, { bridge: 'br0', whatever: { a: 1 } }), F);
  assert.equal(net.name, 'x');
  assert.equal(net.cniVersion, '1.0.0');
  assert.equal(net.disableCheck, false);
  assert.equal(net.disableGC, false);
  assert.deepEqual(net.plugins, [{ type: 'bridge', bridge: 'br0', whatever: { a: 1 } }]);
  assert.equal(net.file, F);
  assert.equal(net.bytes, list({ extraTop: 1 }, { bridge: 'br0', whatever: { a: 1 } }));
});

test('a single-plugin conf becomes a list of one', () => {
  const text = JSON.stringify({ cniVersion: '0.2.0', name: 'demo_br', type: 'bridge', ipam: { type: 'host-local', subnet: '10.0.10.0/24' } });
  const net = parseNetworkConfig(text, '/d/00-demo.conf');
  assert.equal(net.plugins.length, 1);
  assert.equal(net.plugins[0]!.type, 'bridge');
  assert.equal(net.cniVersion, '0.2.0');
});

test('disableCheck and disableGC accept booleans and "true"/"false" strings', () => {
  assert.equal(parseNetworkConfig(list({ disableCheck: true })).disableCheck, true);
  assert.equal(parseNetworkConfig(list({ disableCheck: 'true' })).disableCheck, true);
  assert.equal(parseNetworkConfig(list({ disableCheck: 'False' })).disableCheck, false);
  assert.equal(parseNetworkConfig(list({ disableGC: 'TRUE' })).disableGC, true);
  rejects(list({ disableCheck: 'yes' }), `invalid CNI config ${F}: disableCheck: "yes" must be true or false`);
  rejects(list({ disableGC: 1 }), `invalid CNI config ${F}: disableGC: 1 must be true or false`);
});

test('version selection: cniVersion, cniVersions negotiation, the implicit 0.1.0', () => {
  assert.equal(parseNetworkConfig(list({ cniVersion: '0.3.1' })).cniVersion, '0.3.1');
  assert.equal(parseNetworkConfig(list({ cniVersions: ['0.4.0', '1.1.0', '2.0.0'] })).cniVersion, '1.1.0');
  assert.equal(parseNetworkConfig(list({ cniVersion: '1.0.0', cniVersions: ['0.4.0'] })).cniVersion, '1.0.0');
  assert.equal(parseNetworkConfig(list({ cniVersion: undefined })).cniVersion, '0.1.0');
  rejects(list({ cniVersion: '0.5.0' }), `invalid CNI config ${F}: cniVersion: "0.5.0" is not supported (podctl supports 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)`);
  rejects(list({ cniVersion: 1 }), `invalid CNI config ${F}: cniVersion: 1 must be a string`);
  rejects(list({ cniVersion: undefined, cniVersions: ['2.0.0'] }), `invalid CNI config ${F}: cniVersions: none of ["2.0.0"] is supported (podctl supports 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)`);
  rejects(list({ cniVersions: ['1.0'] }), `invalid CNI config ${F}: cniVersions[0]: "1.0" is not a version`);
  rejects(list({ cniVersions: '1.0.0' }), `invalid CNI config ${F}: cniVersions: must be a list of versions`);
});

test('invalid JSON names the line and column', () => {
  rejects('{\n  "name": "x",\n  "type": "bridge"\n  "bridge": "br0"\n}', `invalid CNI config ${F}: invalid JSON at line 4, column 3: Expected ',' or '}' after property value`);
  rejects('{"name": "x", "type": ', `invalid CNI config ${F}: invalid JSON at line 1, column 23: Unexpected end of JSON input`);
  rejects('[1]', `invalid CNI config ${F}: the top level must be a JSON object`);
});

test('name and type errors', () => {
  rejects(list({ name: undefined }), `invalid CNI config ${F}: name: is missing`);
  rejects(list({ name: 'bad name' }), `invalid CNI config ${F}: name: "bad name" is not a valid network name (letters, digits, '_', '.', '-'; starting with a letter or digit)`);
  rejects(list({ name: '_x' }), `invalid CNI config ${F}: name: "_x" is not a valid network name (letters, digits, '_', '.', '-'; starting with a letter or digit)`);
  rejects(list({}, { type: undefined }), `invalid CNI config ${F}: plugins[0].type: is missing`);
  rejects(list({}, { type: '../bin/evil' }), `invalid CNI config ${F}: plugins[0].type: "../bin/evil" must be a plain executable name without a path separator`);
  rejects(list({}, { type: '/usr/lib/cni/bridge' }), `invalid CNI config ${F}: plugins[0].type: "/usr/lib/cni/bridge" must be a plain executable name without a path separator`);
  rejects(list({}, { type: 3 }), `invalid CNI config ${F}: plugins[0].type: 3 is not a plugin name`);
  rejects(list({}, { capabilities: ['portMappings'] }), `invalid CNI config ${F}: plugins[0].capabilities: must be an object of capability: true, got ["portMappings"]`);
  rejects(JSON.stringify({ name: 'x', cniVersion: '0.3.1' }), 'invalid CNI config /d/x.conf: type: is missing', '/d/x.conf');
});

test('plugins errors', () => {
  rejects(list({ plugins: [] }), `invalid CNI config ${F}: plugins: is empty: a network needs at least one plugin`);
  rejects(list({ plugins: {} }), `invalid CNI config ${F}: plugins: must be a list`);
  rejects(list({ plugins: ['bridge'] }), `invalid CNI config ${F}: plugins[0]: must be a JSON object, got "bridge"`);
  rejects(JSON.stringify({ cniVersion: '1.0.0', name: 'x', type: 'bridge' }), `invalid CNI config ${F}: plugins: is missing`);
});

test('IPAM addresses are checked with their field path and value', () => {
  const ipam = (i: Record<string, unknown>) => list({}, { ipam: { type: 'host-local', ...i } });
  assert.doesNotThrow(() => parseNetworkConfig(ipam({ subnet: '10.0.10.0/24', gateway: '10.0.10.1', rangeStart: '10.0.10.10', rangeEnd: '10.0.10.20', routes: [{ dst: '0.0.0.0/0' }, { dst: '1.1.1.1/32', gw: '10.0.10.1' }] })));
  assert.doesNotThrow(() => parseNetworkConfig(ipam({ ranges: [[{ subnet: 'fd00::/64' }], [{ subnet: '10.1.0.0/16', gateway: '10.1.0.1' }]] })));
  rejects(ipam({ subnet: '10.0.0.0/33' }), `invalid CNI config ${F}: plugins[0].ipam.subnet: "10.0.0.0/33" is not a valid subnet (CIDR)`);
  rejects(ipam({ subnet: '10.0.10.0/24', gateway: '10.0.11.1' }), `invalid CNI config ${F}: plugins[0].ipam.gateway: 10.0.11.1 is not inside subnet 10.0.10.0/24`);
  rejects(ipam({ subnet: '10.0.10.0/24', rangeStart: 'x' }), `invalid CNI config ${F}: plugins[0].ipam.rangeStart: "x" is not an IP address`);
  rejects(ipam({ ranges: [[{ subnet: '10.1.0.0/16', rangeEnd: '10.2.0.1' }]] }), `invalid CNI config ${F}: plugins[0].ipam.ranges[0][0].rangeEnd: 10.2.0.1 is not inside subnet 10.1.0.0/16`);
  rejects(ipam({ ranges: [[{ gateway: '10.1.0.1' }]] }), `invalid CNI config ${F}: plugins[0].ipam.ranges[0][0].subnet: is missing`);
  rejects(ipam({ ranges: [{ subnet: '10.1.0.0/16' }] }), `invalid CNI config ${F}: plugins[0].ipam.ranges[0]: must be a list, got {"subnet":"10.1.0.0/16"}`);
  rejects(ipam({ routes: [{ dst: '1.1.1.1' }] }), `invalid CNI config ${F}: plugins[0].ipam.routes[0].dst: "1.1.1.1" is not a CIDR`);
  rejects(ipam({ routes: [{ dst: '0.0.0.0/0', gw: 'fd00::1' }] }), `invalid CNI config ${F}: plugins[0].ipam.routes[0].gw: "fd00::1" is not an IPv4 address`);
  rejects(ipam({ type: 'static', addresses: [{ address: '10.0.0.5' }] }), `invalid CNI config ${F}: plugins[0].ipam.addresses[0].address: "10.0.0.5" is not a CIDR`);
  rejects(JSON.stringify({ cniVersion: '0.2.0', name: 'd', type: 'bridge', ipam: { subnet: 'abc' } }), 'invalid CNI config /d/00.conf: ipam.subnet: "abc" is not a valid subnet (CIDR)', '/d/00.conf');
});
