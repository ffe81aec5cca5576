import type { Command } from 'commander';
import { invalidArgument } from '../../util/errors.js';
import { validateDnsLabel } from '../../util/validate.js';
import { openPods } from '../context.js';
import { parseOutputFormat, write } from '../output.js';

export async function netGraphAction(cmd: Command, opts: { namespace?: string; allNamespaces?: boolean; output?: string }): Promise<void> {
  const format = parseOutputFormat(opts.output, ['text', 'dot', 'svg']);
  if (opts.allNamespaces && opts.namespace) throw invalidArgument('-n and -A do not go together', 'give one namespace with -n, or -A for all');
  if (opts.namespace) validateDnsLabel(opts.namespace, 'namespace');
  const pods = await openPods(cmd);
  const [{ gatherGraph, renderSvg }, { renderGraphText, renderGraphDot }] = await Promise.all([import('../../trace/graph/gather.js'), import('../../trace/graph/render.js')]);
  const graph = await gatherGraph(pods, opts.allNamespaces ? undefined : (opts.namespace ?? 'default'));
  if (format === 'text') write(renderGraphText(graph));
  else if (format === 'dot') write(renderGraphDot(graph));
  else write(await renderSvg(renderGraphDot(graph)));
}
