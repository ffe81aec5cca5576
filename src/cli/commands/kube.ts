import type { Command } from 'commander';
import { cascadePolicy, collect, gracePeriod, wholeNumber } from './collect.js';
import { serviceKindOf } from '../resource-names.js';

/**
 * Kubernetes Pod manifests in and out: apply, delete, get, kube generate. Definitions only:
 * each action loads ../actions/kube.js when it runs.
 */

const actions = () => import('../actions/kube.js');
const objects = () => import('../actions/objects.js');

export function registerKubeCommands(program: Command): void {
  program
    .command('apply')
    .description('apply Kubernetes manifests (Pods, Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, ConfigMaps, Secrets, PersistentVolumeClaims, Namespaces): create what is new, keep what is unchanged, roll out what changed')
    .requiredOption('-f, --filename <file|dir|->', 'a YAML/JSON manifest, a directory of them, or - for stdin (repeatable)', collect)
    .option('--strict', 'fail on fields podctl cannot honour instead of warning')
    .option('--wait', "wait until each pod's startup and readiness probes pass, and each workload's replicas are ready (else exit 1 naming what is missing)")
    .option('--timeout <seconds>', 'how long --wait may take (default 60)', wholeNumber('--timeout', { max: 3600 }))
    .option('-n, --namespace <ns>', 'namespace for manifests that name none (a manifest naming another is an error)')
    .option('--session <id>', 'tag the pods with a session id, for podctl gc --session')
    .addHelpText('after', '\nExamples:\n  podctl apply -f pod.yaml --wait\n  cat pods.yaml | podctl apply -f -\n  podctl apply -f manifests/ -n staging')
    .action(async (_o, cmd: Command) => (await actions()).applyAction(cmd));

  program
    .command('delete')
    .description('delete what Kubernetes manifests name, or KIND NAME (a workload with its pods; a claim with its volume)')
    .argument('[resources...]', 'TYPE NAME..., TYPE/NAME... or TYPE1,TYPE2 NAME: pod, deployment, replicaset, daemonset, statefulset, job, service, configmap, secret, pvc, namespace')
    .option('-f, --filename <file|dir|->', 'a YAML/JSON manifest, a directory of them, or - for stdin (repeatable)', collect)
    .option('--grace-period <seconds>', "seconds the pods' containers get to stop, 0 at once (default -1: each pod's terminationGracePeriodSeconds)", gracePeriod)
    .option('--cascade <policy>', "what happens to the dependents of a workload: background (deleted after it), foreground (deleted before it; it shows a deletionTimestamp meanwhile) or orphan (kept, without their owner)", cascadePolicy, 'Background')
    .option('--ignore-not-found', 'something that does not exist is not an error')
    .option('--force', 'delete a PersistentVolumeClaim that pods still use, with those pods')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl delete -f app.yaml\n  podctl delete deployment web\n  podctl delete deployment web --cascade=orphan\n  podctl delete job migrate --cascade=foreground --grace-period 0\n  podctl delete pod/a pod/b service/web\n  podctl delete pvc data --force')
    .action(async (args: string[], _o, cmd: Command) => (await actions()).deleteAction(cmd, args));

  program
    .command('get')
    .description('list pods, services and other objects, or print them as manifests with status (-o yaml|json)')
    .argument('[resources...]', 'TYPE [NAME...], TYPE/NAME... or TYPE1,TYPE2 [NAME...]: pods, svc, endpoints, deploy, rs, ds, sts, jobs, cm, secrets, pvc, ns (default: all of a type in the namespace)')
    .option('-o, --output <format>', 'output: table, wide, name, json or yaml', 'table')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <selector>', 'only objects whose labels match: app=web, tier!=db, env in (a,b), !key')
    .option('--show-labels', 'add a LABELS column')
    .addHelpText('after', '\nExamples:\n  podctl get pods\n  podctl get pod web -o yaml\n  podctl get pod/web deployment.apps/api\n  podctl get pods,deploy,rs,jobs,cm,secrets,pvc -l app=web')
    .action(async (args: string[], _o, cmd: Command) => (await actions()).getAction(cmd, args));

  program
    .command('describe')
    .description('show one object in detail: its fields, its pods and their states')
    .argument('<resources...>', 'TYPE NAME... or TYPE/NAME...: svc, deployment, replicaset, daemonset, statefulset, job, configmap, secret, pvc, namespace')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .action(async (args: string[], _o, cmd: Command) => {
      const { namedObjects } = await import('../resource-args.js');
      for (const { resource, name } of namedObjects(args, 'describe')) {
        if (serviceKindOf(resource) === 'Service') await (await import('../actions/services.js')).describeAction(cmd, resource, name);
        else await (await objects()).describeAction(cmd, resource, name);
      }
    });

  program
    .command('scale')
    .description('set the replicas of a Deployment, ReplicaSet or StatefulSet and make it so')
    .argument('<resources...>', 'TYPE NAME... or TYPE/NAME...: deployment, replicaset, statefulset')
    .requiredOption('--replicas <n>', 'the number of pods')
    .option('--wait', 'wait until the replicas are ready (else exit 1 naming what is missing); a later change by another command ends the wait')
    .option('--timeout <seconds>', 'how long --wait may take (default 60)', wholeNumber('--timeout', { max: 3600 }))
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl scale deployment web --replicas 3\n  podctl scale --replicas 0 deploy/web rs/cache\n  podctl scale deployment web --replicas 3 --wait --timeout 120')
    .action(async (args: string[], _o, cmd: Command) => (await objects()).scaleAction(cmd, args));

  program
    .command('rollout')
    .description("restart a Deployment's pods in a rolling way, or wait until its rollout is done (every replica of the current template ready; exit 1 at the timeout)")
    .argument('<verb>', 'restart or status')
    .argument('<resources...>', 'TYPE NAME... or TYPE/NAME...: deployment, statefulset')
    .option('--timeout <seconds>', 'how long status waits (default 60)', wholeNumber('--timeout', { max: 3600 }))
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl rollout restart deployment web\n  podctl rollout status deployment/web')
    .action(async (verb: string, args: string[], _o, cmd: Command) => (await objects()).rolloutAction(cmd, verb, args));

  program
    .command('wait')
    .description('wait for a condition of a Job (complete, failed) or of a Deployment, StatefulSet, ReplicaSet or DaemonSet (available: replicas - maxUnavailable ready; ready: every replica ready), for any condition its status records, a jsonpath value, or its deletion')
    .argument('<resources...>', 'TYPE/NAME... or TYPE NAME...: job, deployment, statefulset, replicaset, daemonset')
    .requiredOption('--for <condition>', "condition=complete|failed|available|ready|progressing (or condition=TYPE=False), jsonpath='{.status.readyReplicas}'=3, or delete")
    .option('--timeout <duration>', 'give up after this long: 60s, 2m (default 30s)')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', "\nExamples:\n  podctl wait --for=condition=complete job/migrate --timeout 60s\n  podctl wait --for=jsonpath='{.status.readyReplicas}'=3 deployment/web\n  podctl wait --for=delete deployment/web --timeout 30s")
    .action(async (args: string[], _o, cmd: Command) => (await objects()).waitAction(cmd, args));

  const kube = program.command('kube').description('Kubernetes manifests from podctl pods');
  kube
    .command('generate')
    .description('print a manifest that reproduces each pod, or a Deployment (from a Deployment podctl keeps, or from a pod as its template)')
    .argument('<names...>', 'pod names, or deployment NAME... (deploy/NAME)')
    .option('-o, --output <format>', 'output: yaml or json', 'yaml')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl kube generate web > web.yaml\n  podctl kube generate web | kubectl apply -f -\n  podctl kube generate deployment web > web-deploy.yaml')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).generateAction(cmd, pods));
}
