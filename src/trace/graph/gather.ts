import type { PodManager } from '../../pod/manager.js';
import { PodctlError } from '../../util/errors.js';
import { isMissingProgram, runCommand } from '../../util/run-command.js';
import { podInfo } from '../index.js';
import { serviceInfo } from '../services.js';
import type { IpLink } from '../types.js';
import { buildGraph, type NetGraph } from './model.js';

/** The graph of the running pods of one namespace (or all): four commands and one pod list, whatever the number of pods. */
export async function gatherGraph(pods: PodManager, namespace: string | undefined): Promise<NetGraph> {
  const [views, services, links, netns, json, text] = await Promise.all([
    pods.list(namespace === undefined ? {} : { namespace }),
    pods.services.list(namespace),
    runCommand('ip', ['-j', '-d', 'addr', 'show']),
    runCommand('ip', ['-j', 'netns', 'list']),
    runCommand('nft', ['-j', 'list', 'ruleset']),
    runCommand('nft', ['-a', 'list', 'ruleset']),
  ]);
  return buildGraph({
    hostLinks: JSON.parse(links.stdout) as IpLink[],
    netnsIds: netns.stdout.trim() ? (JSON.parse(netns.stdout) as Array<{ name: string; id?: number }>) : [],
    pods: views.filter((v) => v.state === 'running' || v.state === 'degraded').map(podInfo),
    ruleset: { json: JSON.parse(json.stdout), text: text.stdout },
    services: services.map(serviceInfo),
  });
}

/** SVG from dot text with Graphviz's own layout engine (Debian's graphviz package). */
export async function renderSvg(dot: string): Promise<string> {
  try {
    return (await runCommand('dot', ['-Tsvg'], { input: dot })).stdout + '\n';
  } catch (err) {
    const missing = isMissingProgram(err);
    throw new PodctlError(missing ? 'NOT_FOUND' : 'INTERNAL', missing ? "Graphviz's dot is not installed" : `dot failed: ${(err as Error).message}`, {
      hint: missing ? 'apt-get install graphviz (scripts/setup.sh does), or use -o dot' : 'run with -o dot and check the output',
      cause: err,
    });
  }
}
