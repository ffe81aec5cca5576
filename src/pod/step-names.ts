/**
 * The names of the steps pod operations run through StepRunner, in the order they run: what
 * PODCTL_FAULT_STEP can name. `cni-add-<network>` is one step per network of the pod. The
 * reliability tests (e2e/reliability-*.test.ts) inject a failure and a SIGKILL at each of them,
 * and check this list against the `steps.run(...)` calls in src/pod, so a new step cannot go
 * untested.
 */
export const RUN_STEPS = [
  'load-networks',
  'check-ports',
  'pull-policies',
  'check-volumes',
  'check-users',
  'check-name',
  'write-checkpoint',
  'create-pause',
  'materialize-volumes',
  'create-containers',
  // Runs only when creating a container finds its image missing (tests use an unpullable image).
  'ensure-images',
  'start-pause',
  'pin-netns',
  // Runs only for a pod that publishes ports on a portmap network (route_localnet recorded and guarded).
  'guard-route-localnet',
  'cni-add-<network>',
  'write-pod-files',
  'run-init-containers',
  'start-containers',
] as const;

