/**
 * Kubernetes' `$(VAR)` references in env values, command and args, with the kubelet's rules:
 * `$(NAME)` becomes the variable's value when it is defined, and stays as written when it is
 * not; `$$` is one literal `$`; a `$` that starts neither stays as it is; an unclosed `$(` is
 * kept. Env values see only the variables defined before them (in order), command and args
 * see them all. The image's own ENV is not consulted, as in Kubernetes.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i += 1;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

/** A container's env (in declaration order) expanded, then its command and args against the result. */
export function expandContainer(env: Record<string, string>, command: string[] | undefined, args: string[] | undefined) {
  const resolved: Record<string, string> = {};
  const lookup = (name: string) => (Object.hasOwn(resolved, name) ? resolved[name] : undefined);
  for (const [name, value] of Object.entries(env)) resolved[name] = expandVars(value, lookup);
  return {
    env: resolved,
    command: command?.map((s) => expandVars(s, lookup)),
    args: args?.map((s) => expandVars(s, lookup)),
  };
}
