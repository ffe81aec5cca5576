import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPodctlError } from '../util/errors.js';
import { CONTINUE_LIFETIME_MS, encodeContinue, pageOf, type ListPage } from './paging.js';
import type { ReadResult } from './read.js';
import type { Status } from './status.js';

const list = (names: string[]): ReadResult => ({ metadata: names.map((name) => ({ name, namespace: 'default' })), objects: names.map((name) => ({ name })) });
const names = (p: ListPage | Status) => (p as ListPage).result.metadata.map((m) => m.name);

describe('pageOf', () => {
  it('without limit: the whole list in key order', () => {
    const page = pageOf(list(['c', 'a', 'b']), null, null) as ListPage;
    assert.deepEqual(names(page), ['a', 'b', 'c']);
    assert.deepEqual(page.result.objects, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    assert.equal(page.continue, undefined);
  });

  it('pages of `limit` items, each token resuming after the last key given', () => {
    const all = list(['d', 'b', 'a', 'c', 'e']);
    const first = pageOf(all, '2', null, 1000) as ListPage;
    assert.deepEqual(names(first), ['a', 'b']);
    assert.equal(first.remainingItemCount, 3);
    const second = pageOf(all, '2', first.continue!, 2000) as ListPage;
    assert.deepEqual(names(second), ['c', 'd']);
    const last = pageOf(all, '2', second.continue!, 3000) as ListPage;
    assert.deepEqual(names(last), ['e']);
    assert.equal(last.continue, undefined);
  });

  it('an object removed meanwhile is skipped, not repeated', () => {
    const first = pageOf(list(['a', 'b', 'c']), '1', null, 0) as ListPage;
    assert.deepEqual(names(pageOf(list(['c']), '1', first.continue!, 1)), ['c']);
  });

  it('Table rows page with their metadata', () => {
    const table: ReadResult = { metadata: [{ name: 'b' }, { name: 'a' }], table: { columns: [{ header: 'NAME', wide: false }], rows: [['b'], ['a']] } };
    assert.deepEqual((pageOf(table, '1', null) as ListPage).result.table!.rows, [['a']]);
  });

  it('a token older than the API server keeps its revisions: 410 Expired, with a token to go on', () => {
    const old = encodeContinue({ after: 'default/a', at: 0 });
    const status = pageOf(list(['a', 'b']), '1', old, CONTINUE_LIFETIME_MS + 1) as Status;
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /^The provided continue parameter is too old/);
    const resumed = pageOf(list(['a', 'b']), '1', (status.metadata as unknown as { continue: string }).continue, CONTINUE_LIFETIME_MS + 2);
    assert.deepEqual(names(resumed), ['b']);
  });

  it('a token it did not make, and a bad limit: 400', () => {
    assert.throws(() => pageOf(list(['a']), '1', 'garbage!'), (e) => isPodctlError(e, 'INVALID_ARGUMENT') && /^invalid continue token/.test(e.message));
    assert.throws(() => pageOf(list(['a']), '1', Buffer.from('{"v":2}').toString('base64url')), (e) => isPodctlError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => pageOf(list(['a']), '-1', null), (e) => isPodctlError(e, 'INVALID_ARGUMENT'));
  });
});
