import { Option, type Command } from 'commander';
import { collect, wholeNumber } from './collect.js';

/**
 * The pod commands. Definitions only: each action loads ../actions/pods.js when it runs.
 */

const actions = () => import('../actions/pods.js');

function addSpecOptions(cmd: Command): Command {
  return cmd
    .option('--image <image>', 'an app container from this image (repeatable)', collect)
    .option('--container <name=image>', 'an app container with its own name (repeatable)', collect)
    .option('--command <name=command>', 'command of one named container: NAME=\'["sh","-c","..."]\' (JSON) or NAME=words split on spaces (repeatable)', collect)
    .option('--name <name>', 'pod name, a DNS-1123 label (default: generated)')
    .option('--network <name>', 'attach to this CNI network: eth0, then net1, ... (repeatable; default: the first in the conf dir)', collect)
    .option('-p, --publish <[hostIP:]hostPort:containerPort[/proto]>', 'publish a pod port on the host via the portMappings capability (repeatable)', collect)
    .option('-e, --env <KEY=VALUE>', 'environment variable for the app containers (repeatable)', collect)
    .option('--label <key=value>', 'label the pod (repeatable)', collect)
    .option('--hostname <name>', "the pod's hostname (default: the pod name)")
    .option('--dns <ip>', 'nameserver for the pod (repeatable)', collect)
    .option('--dns-search <domain>', 'DNS search domain for the pod (repeatable)', collect)
    .option('--dns-option <option>', 'resolv.conf option for the pod (repeatable)', collect)
    .option('--bandwidth-ingress <rate>', 'limit traffic into the pod, bits/s with k/M/G (needs the bandwidth plugin in the network)')
    .option('--bandwidth-egress <rate>', 'limit traffic out of the pod, bits/s with k/M/G (needs the bandwidth plugin in the network)')
    .option('--share-pid', 'containers share one PID namespace (the pause process is PID 1)')
    .addOption(new Option('--restart <policy>', 'restart policy of the app containers').choices(['no', 'always', 'on-failure', 'unless-stopped']).default('no'))
    .option('--pause-image <image>', "pause image (default: podctl's own, built locally when absent)")
    .option('--stop-timeout <seconds>', 'seconds between SIGTERM and SIGKILL when stopping (default 10)', wholeNumber('--stop-timeout', { min: 0, max: 3600 }))
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .option('--session <id>', 'tag the pod with a session id, for podctl gc --session')
    .option('--volume <src:dst[:ro]>', 'mount a host path (absolute SRC) or a Docker named volume into the app containers (repeatable; -v is podctl\'s --verbose)', collect)
    .option('--tmpfs <path[:options]>', 'a tmpfs at PATH in each app container, e.g. /run:size=64m (repeatable)', collect)
    .option('--env-file <file>', 'KEY=VALUE lines for the app containers\' environment (repeatable; -e wins)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the app containers')
    .option('-u, --user <uid[:gid]>', 'user the app containers run as')
    .option('--entrypoint <command>', "replace the image's ENTRYPOINT (\"\" clears it)")
    .option('--memory <size>', 'memory limit per app container: 512m, 1g')
    .option('--cpus <n>', 'CPU limit per app container, e.g. 0.5')
    .option('--cap-add <cap>', 'add a Linux capability, e.g. NET_ADMIN (repeatable)', collect)
    .option('--cap-drop <cap>', 'drop a Linux capability, e.g. ALL (repeatable)', collect)
    .option('--privileged', 'give the app containers every capability and device')
    .option('--read-only', "mount the app containers' root filesystems read-only")
    .option('--init', 'run an init (docker-init) as PID 1 that reaps zombies and forwards signals')
    .argument('[command...]', 'command and arguments for the (single) app container, after --');
}

function addWaitOptions(cmd: Command): Command {
  return cmd
    .option('--wait', 'wait until every app container runs')
    .option('--wait-http <:port/path>', 'wait until the pod IP answers HTTP 2xx/3xx here, e.g. :80/')
    .option('--wait-tcp <port>', 'wait until the pod IP accepts TCP connections on this port', wholeNumber('--wait-tcp', { max: 65535 }))
    .option('--timeout <seconds>', 'how long --wait* may take (default 60)', wholeNumber('--timeout', { max: 3600 }));
}

export function registerPodCommands(program: Command): void {
  addWaitOptions(addSpecOptions(program.command('run')))
    .description('create and start a pod: pause container, CNI networks, app containers')
    .option('-d, --detach', 'run in the background (always the case; accepted for docker compatibility)')
    .option('-o, --output <format>', 'output: table, name, json or yaml', 'table')
    .option('-q, --quiet', 'print only the pod name')
    .addHelpText('after', '\nExamples:\n  podctl run --image nginx --name web --wait-http :80/\n  podctl run --image nginx --image busybox -p 127.0.0.1:8080:80 --name shop -- \n  podctl run --image busybox --name once -- sh -c "ip addr; sleep 3600"')
    .action(async (command: string[], _o, cmd: Command) => (await actions()).runAction(cmd, command, true));

  addSpecOptions(program.command('create'))
    .description('create a pod without starting it (start it with podctl start)')
    .option('-o, --output <format>', 'output: table, name, json or yaml', 'table')
    .option('-q, --quiet', 'print only the pod name')
    .addHelpText('after', '\nExample:\n  podctl create --image nginx --name web && podctl start web')
    .action(async (command: string[], _o, cmd: Command) => (await actions()).runAction(cmd, command, false));

  addWaitOptions(program.command('start'))
    .description('start created or stopped pods (wires the network again; the IP may change)')
    .argument('<pod...>', 'pod names')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExample:\n  podctl start web')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).startAction(cmd, pods));

  program
    .command('stop')
    .description('stop pods: CNI DEL while the namespace lives, then the apps, then the pause')
    .argument('<pod...>', 'pod names')
    .option('-t, --time <seconds>', 'seconds to wait before killing the containers', wholeNumber('--time', { min: 0, max: 3600 }))
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExample:\n  podctl stop web')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).stopAction(cmd, pods));

  addWaitOptions(program.command('restart'))
    .description('stop, then start pods')
    .argument('<pod...>', 'pod names')
    .option('-t, --time <seconds>', 'seconds to wait before killing the containers', wholeNumber('--time', { min: 0, max: 3600 }))
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExample:\n  podctl restart web')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).restartAction(cmd, pods));

  program
    .command('rm')
    .description('remove pods and everything podctl set up for them')
    .argument('[pod...]', 'pod names')
    .option('-f, --force', 'remove running pods too, and ignore pods that do not exist')
    .option('-a, --all', 'remove every pod')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl rm -f web\n  podctl rm -a -f')
    .action(async (pods: string[], _o, cmd: Command) => (await actions()).rmAction(cmd, pods));

  program
    .command('ps')
    .description('list pods (one Docker API call, whatever the number of pods)')
    .option('-a, --all', 'include stopped and created pods')
    .option('-q, --quiet', 'print only pod names')
    .option('-o, --output <format>', 'output: table, wide, json or yaml', 'table')
    .option('--filter <filter>', 'label=key=value, name=NAME or state=STATE (repeatable)', collect)
    .option('-n, --namespace <ns>', 'only this namespace (default: default)')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .addHelpText('after', '\nExamples:\n  podctl ps\n  podctl ps -a --filter label=app=web -o wide')
    .action(async (_o, cmd: Command) => (await actions()).psAction(cmd));

  program
    .command('inspect')
    .description('show everything about a pod: state, IPs, netns, networks with CNI results, containers')
    .argument('<pod>', 'pod name')
    .option('-o, --output <format>', 'output: json or yaml', 'json')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExample:\n  podctl inspect web -o yaml')
    .action(async (pod: string, _o, cmd: Command) => (await actions()).inspectAction(cmd, pod));

  program
    .command('logs')
    .description("print a pod's container logs (all containers, prefixed by name, unless -c)")
    .argument('<pod>', 'pod name, or deploy/NAME, job/NAME, rs/NAME, ds/NAME')
    .option('-c, --container <name>', 'only this container (init or app)')
    .option('-f, --follow', 'keep printing new output')
    .option('--tail <n>', 'only the last n lines of each container', wholeNumber('--tail', { min: 0 }))
    .option('--timestamps', 'show timestamps')
    .option('--prefix', 'start each line with [pod/NAME/CONTAINER], as kubectl does')
    .option('--all-pods', "with deploy/NAME, job/NAME...: every pod of the workload, not only the newest (implies --prefix)")
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl logs web\n  podctl logs web -c nginx -f --tail 20\n  podctl logs deploy/web --all-pods --prefix')
    .action(async (pod: string, _o, cmd: Command) => (await actions()).logsAction(cmd, pod));

  program
    .command('exec')
    .description('run a command in a container of a pod; its exit status becomes podctl\'s')
    .argument('<pod>', 'pod name')
    .argument('<command...>', 'command and arguments, after --')
    .option('-c, --container <name>', "app container (default: the pod's first app container, in declared order)")
    .option('-i, --interactive', 'keep stdin open')
    .option('-t, --tty', 'allocate a terminal')
    .option('-n, --namespace <ns>', 'pod namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl exec web -- cat /etc/resolv.conf\n  podctl exec -it web -c sidecar -- sh')
    .action(async (pod: string, command: string[], _o, cmd: Command) => (await actions()).execAction(cmd, pod, command));

  program
    .command('port-forward')
    .description('forward local ports to a pod (to localhost inside it), until Ctrl-C')
    .argument('<target>', 'pod name, pod/NAME, svc/NAME (a ready endpoint) or deploy/NAME, job/NAME, rs/NAME, ds/NAME (its newest pod)')
    .argument('<ports...>', 'LOCAL:REMOTE, :REMOTE (a free local port), PORT, or ADDR:LOCAL:REMOTE; REMOTE may be a port name')
    .option('--address <addresses>', 'local addresses to listen on, comma-separated (default 127.0.0.1)')
    .option('-n, --namespace <ns>', 'namespace (default: default)')
    .addHelpText('after', '\nExamples:\n  podctl port-forward web 8080:80\n  podctl port-forward svc/web :80\n  podctl port-forward deploy/api 9000:http --address 127.0.0.1,::1')
    .action(async (target: string, ports: string[], _o, cmd: Command) => (await import('../actions/port-forward.js')).portForwardAction(cmd, target, ports));

  program
    .command('gc')
    .description('find and remove what podctl left anywhere: containers, namespaces, pins, IP files, CNI cache, iptables')
    .option('--dry-run', 'only report what would be removed')
    .option('--session <id>', 'also remove every pod of this session (a crashed test run)')
    .option('-o, --output <format>', 'output: table or json', 'table')
    .addHelpText('after', '\nExamples:\n  podctl gc --dry-run\n  podctl gc --session ci-1234 -o json')
    .action(async (_o, cmd: Command) => (await actions()).gcAction(cmd));
}
