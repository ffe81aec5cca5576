import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPodctlError } from '../util/errors.js';
import { parsePortArg } from './port-forward-args.js';

test('port arguments in the forms kubectl takes', () => {
  assert.deepEqual(parsePortArg('8080:80'), { local: 8080, remote: 80 });
  assert.deepEqual(parsePortArg('5000'), { local: 5000, remote: 5000 });
  assert.deepEqual(parsePortArg(':80'), { local: 0, remote: 80 });
  assert.deepEqual(parsePortArg('8443:https'), { local: 8443, remote: 'https' });
  assert.deepEqual(parsePortArg('127.0.0.2:8080:80'), { address: '127.0.0.2', local: 8080, remote: 80 });
  assert.deepEqual(parsePortArg('[::1]:8080:80'), { address: '::1', local: 8080, remote: 80 });
  assert.deepEqual(parsePortArg('127.0.0.1::80'), { address: '127.0.0.1', local: 0, remote: 80 });
});

test('bad port arguments are refused with what to give', () => {
  for (const bad of ['', '0:80', '8080:', '70000:80', 'web', '8080:80:90', 'host:8080:80', '-1:80', '8080:Bad_Name', '[::1]:80']) {
    assert.throws(() => parsePortArg(bad), (e: unknown) => isPodctlError(e, 'INVALID_ARGUMENT') && /not a port to forward/.test(e.message), bad);
  }
});
