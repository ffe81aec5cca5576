// The CLI bundle's stand-in for a module podctl never uses (see scripts/bundle-cli.mjs).
// Loading it is harmless (dockerode requires these at start-up); using anything from it
// throws one clear PodctlError instead of a confusing TypeError deep inside dockerode.
const { PodctlError } = require('../../src/util/errors.ts');

exports.leftOut = function leftOut(moduleName, usedFor) {
  const fail = () => {
    throw new PodctlError('FAILED_PRECONDITION', `the podctl CLI bundle does not include ${moduleName}, which only ${usedFor} need`, {
      hint: 'use a unix:// or tcp:// DOCKER_HOST (an ssh tunnel to the remote socket works); the library build (dist/src) loads the real module',
    });
  };
  const handler = {
    get: (_target, key) => (key === '__esModule' || typeof key === 'symbol' ? undefined : stub),
    apply: fail,
    construct: fail,
  };
  const stub = new Proxy(function leftOutModule() {}, handler);
  return stub;
};
