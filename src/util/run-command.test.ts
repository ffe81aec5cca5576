import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from './errors.js';
import { isMissingProgram, runCommand, runProgram } from './run-command.js';

test('a non-zero exit is a result with the output, not a throw', async () => {
  const r = await runProgram('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello' });
  assert.deepEqual(r, { exitCode: 3, stdout: 'hello', stderr: 'oops\n' });
});

test('a program past its deadline is killed: exit status -1 and why', async () => {
  const r = await runProgram('sleep', ['5'], { timeoutMs: 100 });
  assert.equal(r.exitCode, -1);
  assert.match(r.stderr, /timed out after 100 ms/);
});

test('a missing program is one line naming the package to install', async () => {
  await assert.rejects(runProgram('/nonexistent/nft', [], { neededFor: 'Services' }), (err) => {
    assert.ok(isPodctlError(err, 'FAILED_PRECONDITION'));
    assert.equal(err.message, 'nft is not installed: podctl needs it for Services');
    assert.equal(err.hint, 'install it (apt-get install nftables) or run scripts/setup.sh');
    assert.ok(isMissingProgram(err));
    return true;
  });
});

test('runCommand throws on failure with the first words of stderr', async () => {
  await assert.rejects(runCommand('sh', ['-c', 'echo bad thing >&2; exit 1']), /sh -c .* failed: bad thing/);
  assert.equal((await runCommand('echo', ['hi'])).stdout, 'hi');
});
