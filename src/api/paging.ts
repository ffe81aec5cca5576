import { failure, badRequest, type Status } from './status.js';
import type { ReadResult } from './read.js';

/**
 * `limit` and `continue` on lists, as the API server pages them: items in key order (namespace,
 * then name), at most `limit` per answer, and an opaque token that resumes after the last key
 * given. podctl keeps no snapshot of a list, so a later page shows the objects as they are then
 * (an object created behind the last key appears, one removed before it was reached does not);
 * a token lives as long as the API server's etcd keeps a compacted revision (5 minutes), and
 * an older one gets its answer: 410 Expired.
 */
export const CONTINUE_LIFETIME_MS = 5 * 60 * 1000;

interface Token {
  /** The key of the last item given. */
  after: string;
  /** When the first page was made (ms). */
  at: number;
}

export const encodeContinue = (t: Token): string => Buffer.from(JSON.stringify({ v: 1, ...t })).toString('base64url');

function decodeContinue(text: string): Token {
  let t: { v?: unknown; after?: unknown; at?: unknown };
  try {
    t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as typeof t;
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: not a token this server made');
  }
  if (t?.v !== 1 || typeof t.after !== 'string' || typeof t.at !== 'number') throw badRequest('invalid continue token: continue key is not valid: not a token this server made');
  return { after: t.after, at: t.at };
}

/** The API server's answer to a token too old to continue; its own token resumes after the same key. */
export function expired(after: string, now: number): Status {
  const status = failure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  return { ...status, metadata: { continue: encodeContinue({ after, at: now }) } as unknown as Status['metadata'] };
}

export interface ListPage {
  result: ReadResult;
  /** For the list's metadata. */
  continue?: string;
  remainingItemCount?: number;
}

const keyOf = (m: ReadResult['metadata'][number]) => `${m.namespace ?? ''}/${m.name}`;

/** The page `limit` and `continue` ask for (the whole list, in key order, without them), or the 410 for an expired token. */
export function pageOf(result: ReadResult, limitText: string | null, continueText: string | null, now = Date.now()): ListPage | Status {
  const limit = limitText ? Number(limitText) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
  const token = continueText ? decodeContinue(continueText) : undefined;
  if (token && now - token.at > CONTINUE_LIFETIME_MS) return expired(token.after, now);
  const order = result.metadata.map((m, i) => ({ key: keyOf(m), i })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = token ? order.filter((o) => o.key > token.after) : order;
  const taken = limit > 0 ? after.slice(0, limit) : after;
  const pick = <T>(items: T[] | undefined) => items && taken.map((o) => items[o.i]!);
  const page: ReadResult = {
    metadata: pick(result.metadata)!,
    ...(result.objects ? { objects: pick(result.objects) } : {}),
    ...(result.table ? { table: { ...result.table, rows: pick(result.table.rows)! } } : {}),
  };
  const remaining = after.length - taken.length;
  if (remaining === 0) return { result: page };
  return { result: page, continue: encodeContinue({ after: taken.at(-1)!.key, at: token?.at ?? now }), remainingItemCount: remaining };
}
