import { invalidArgument } from '../util/errors.js';

/**
 * kubectl's resource arguments, as its resource builder reads them for get, describe, delete,
 * scale, rollout and wait, and with the same errors for the forms it refuses:
 *
 *   TYPE                      every object of the type          get pods
 *   TYPE1,TYPE2               every object of each              get pods,deploy
 *   TYPE NAME...              those objects                     delete pod a b
 *   TYPE1,TYPE2 NAME...       each type with each name          get deploy,svc web
 *   TYPE/NAME...              what `-o name` prints             delete pod/a deployment.apps/web
 *
 * The result keeps the arguments' order; consecutive TYPE/NAME of one type are one group.
 * Which types exist is each verb's business: this knows only the shapes.
 */
export interface ResourceGroup {
  resource: string;
  /** Empty: every object of the type. */
  names: string[];
}

/** `verb` (get, delete, ...) is for the messages, which quote the command as kubectl's do. */
export function parseResourceArgs(args: string[], verb: string): ResourceGroup[] {
  const slashed = args.filter((a) => a.includes('/')).length;
  if (slashed > 0 && slashed !== args.length) {
    throw invalidArgument(
      `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'podctl ${verb} resource/<resource_name>' instead of 'podctl ${verb} resource resource/<resource_name>')`,
      `give either TYPE NAME... or TYPE/NAME..., e.g. podctl ${verb} ${exampleOf(args)}`,
    );
  }
  if (slashed > 0) {
    const groups: ResourceGroup[] = [];
    for (const arg of args) {
      const parts = arg.split('/');
      if (parts.length !== 2) throw invalidArgument(`arguments in resource/name form may not have more than one slash: "${arg}"`, 'give TYPE/NAME, e.g. deployment/web');
      const [resource, name] = parts as [string, string];
      if (resource === '' || name === '' || resource.includes(',')) throw invalidArgument(`arguments in resource/name form must have a single resource and name: "${arg}"`, 'give TYPE/NAME, e.g. deployment/web');
      const last = groups.at(-1);
      if (last?.resource === resource) last.names.push(name);
      else groups.push({ resource, names: [name] });
    }
    return groups;
  }
  if (args.length === 0) return [];
  const resources = args[0]!.split(',').filter((r) => r !== '');
  if (resources.length === 0) throw invalidArgument(`"${args[0]}" names no resource type`, `e.g. podctl ${verb} pods`);
  return resources.map((resource) => ({ resource, names: args.slice(1) }));
}

/** The same objects in TYPE/NAME form, for the hint. */
function exampleOf(args: string[]): string {
  const type = args.find((a) => !a.includes('/')) ?? 'pod';
  const names = args.filter((a) => a.includes('/')).map((a) => a.slice(a.indexOf('/') + 1));
  return names.map((n) => `${type}/${n}`).join(' ') || `${type}/NAME`;
}

/**
 * The one object a verb such as `scale` or `rollout` acts on: TYPE NAME or TYPE/NAME, one of
 * each only where kubectl would act on several (`scale` takes several; `rollout status` one).
 */
export function namedObjects(args: string[], verb: string): Array<{ resource: string; name: string }> {
  const groups = parseResourceArgs(args, verb);
  if (groups.length === 0) throw invalidArgument(`${verb}: you must provide one or more resources by argument`, `e.g. podctl ${verb} deployment/web`);
  const out = groups.flatMap((g) => g.names.map((name) => ({ resource: g.resource, name })));
  if (out.length === 0) throw invalidArgument(`${verb}: resource(s) were provided, but no name was specified`, `e.g. podctl ${verb} ${groups[0]!.resource} NAME or ${groups[0]!.resource}/NAME`);
  return out;
}
