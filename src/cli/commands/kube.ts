import type { Command } from 'commander';
import { collect, wholeNumber } from './collect.js';

/**
 * Kubernetes Pod manifests in and out: apply, delete, get, kube generate. Definitions only:
 * each action loads ../actions/kube.js when it runs.
 */

const actions = () => import('../actions/kube.js');

export function registerKubeCommands(program: Command): void {
  program
    .command('apply')
    .description('run the Pods of Kubernetes manifests: create new pods, keep unchanged ones, replace changed ones')
    .requiredOption('-f, --filename <file|dir|->', 'a YAML/JSON manifest, a directory of them, or - for stdin (repeatable)', collect)
    .option('--strict', 'fail on fields podctl cannot honour instead of warning')
    .option('--wait', "wait until each pod's startup and readiness probes pass")
    .option('--timeout <seconds>', 'how long --wait may take per pod (default 60)', wholeNumber('--timeout', { max: 3600 }))
    .option('-n, --namespace <ns>', 'namespace for manifests that name none (a manifest naming another is an error)')
    .option('--session <id>', 'tag the pods with a session id, for podctl gc --session')
    .addHelpText('after', '\nExamples:\n  podctl apply -f pod.yaml --wait\n  cat pods.yaml | podctl apply -f -\n  podctl apply -f manifests/ -n staging')
    .action(async (_o, cmd: Command) => (await actions()).applyAction(cmd));

  program
    .command('delete')
    .description('delete the Pods named in Kubernetes manifests (graceful stop, then remove)')
    .requiredOption('-f, --filename <file|dir|->', 'a YAML/JSON manifest, a directory of them, or - for stdin (repeatable)', collect)
    .option('--grace-period <seconds>', "seconds the containers get to stop (default: the pod's terminationGracePeriodSeconds)", wholeNumber('--grace-period', { min: 0, max: 3600 }))
    .option('--ignore-not-found', 'a pod that does not exist is not an error')
    .option('-n, --namespace <ns>', 'namespace for manifests that name none')
    .addHelpText('after', '\nExample:\n  podctl delete -f pod.yaml')
    .action(async (_o, cmd: Command) => (await actions()).deleteAction(cmd));

  program
    .command('get')
    .description('list pods, services or endpoints, or print them as manifests with status (-o yaml|json)')
    .argument('<resource>', 'pods, svc (services) or endpoints (ep)')
    .argument('[names...]', 'names (default: all in the namespace)')
    .option('-o, --output <format>', 'output: table, wide, name, json or yaml', 'table')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .addHelpText('after', '\nExamples:\n  podctl get pods\n  podctl get pod web -o yaml')
    .action(async (resource: string, names: string[], _o, cmd: Command) => (await actions()).getAction(cmd, resource, names));

  const kube = program.command('kube').description('Kubernetes manifests from podctl pods');
  kube
    .command('generate')
    .description('print a Pod manifest that reproduces each pod (for podctl apply or a Kubernetes cluster)')
    .argument('<pod...>', 'pod names')
    .option('-o, --output <format>', 'output: yaml or json', 'yaml')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl kube generate web > web.yaml\n  podctl kube generate web | kubectl apply -f -')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).generateAction(cmd, pods));
}
