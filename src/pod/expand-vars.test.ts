import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandContainer, expandVars } from './expand-vars.js';

const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', VAR_C: 'C', VAR_EMPTY: '' };
const lookup = (n: string) => vars[n];

// The cases of Kubernetes' expansion tests (third_party/forked/golang/expansion).
const cases: Array<[string, string]> = [
  ['$(VAR_A)', 'A'],
  ['___$(VAR_B)___', '___B___'],
  ['$(VAR_A)-$(VAR_A)', 'A-A'],
  ['$(VAR_A)$(VAR_B)$(VAR_C)', 'ABC'],
  ['$(VAR_EMPTY)', ''],
  ['$(VAR_DOES_NOT_EXIST)', '$(VAR_DOES_NOT_EXIST)'],
  ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
  ['$$(VAR_DOES_NOT_EXIST)', '$(VAR_DOES_NOT_EXIST)'],
  ['$$$(VAR_A)', '$A'],
  ['$$', '$'],
  ['$$$$', '$$'],
  ['$', '$'],
  ['f000-$$VAR_A', 'f000-$VAR_A'],
  ['$VAR_A', '$VAR_A'],
  ['$(VAR_A', '$(VAR_A'],
  ['foo$()bar', 'foo$()bar'],
  ['$(VAR_A)$', 'A$'],
  ['$)', '$)'],
  ['(VAR_A)', '(VAR_A)'],
  ['$($(VAR_A))', '$($(VAR_A))'],
];

for (const [input, want] of cases) {
  test(`expandVars ${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(expandVars(input, lookup), want));
}

test("the docs' dependent environment variables: earlier ones only, $$ escapes, unknown kept", () => {
  // kubernetes.io: "Define Dependent Environment Variables".
  const { env } = expandContainer(
    {
      SERVICE_PORT: '80',
      SERVICE_IP: '172.17.0.1',
      UNCHANGED_REFERENCE: '$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)',
      PROTOCOL: 'https',
      SERVICE_ADDRESS: '$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)',
      ESCAPED_REFERENCE: '$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)',
    },
    undefined,
    undefined,
  );
  assert.equal(env.UNCHANGED_REFERENCE, '$(PROTOCOL)://172.17.0.1:80');
  assert.equal(env.SERVICE_ADDRESS, 'https://172.17.0.1:80');
  assert.equal(env.ESCAPED_REFERENCE, '$(PROTOCOL)://172.17.0.1:80');
});

test("the docs' greeting: args see every variable", () => {
  // kubernetes.io: "Define an environment variable for a container", "Using environment variables inside of your config".
  const out = expandContainer({ GREETING: 'Warm greetings to', HONORIFIC: 'The Most Honorable', NAME: 'Kubernetes' }, ['echo'], ['$(GREETING) $(HONORIFIC) $(NAME)']);
  assert.deepEqual(out.command, ['echo']);
  assert.deepEqual(out.args, ['Warm greetings to The Most Honorable Kubernetes']);
});
