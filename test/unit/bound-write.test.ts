// boundWrite runs a drizzle write with the same SQL and the same values drizzle's own prepared run() would bind:
// placeholders by name, column encoders applied (boolean columns stored as 0/1), constants of the query kept, and a
// missing value refused rather than bound as NULL.
import { afterEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { openStore, type Store } from '../../node/store/database.js';
import { boundWrite } from '../../node/store/bound-write.js';
import { statusListState } from '../../node/store/schema.js';

describe('boundWrite', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  const row = (s: Store, listId: string) =>
    s.sqlite.prepare('SELECT list_id, issuer_key, purpose, size, next_index, encoded_list, dirty, updated_at FROM status_list_state WHERE list_id = ?').get(listId);

  it('stores what drizzle prepared run() stores, constants and encoders included', () => {
    const s = (store = openStore(':memory:'));
    const p = (n: string) => sql.placeholder(n);
    const insert = () =>
      s.db.insert(statusListState).values({
        listId: p('listId'),
        issuerKey: p('issuerKey'),
        purpose: 'revocation', // a constant of the query
        size: p('size'),
        nextIndex: 0,
        encodedList: p('encodedList'),
        dirty: p('dirty'), // boolean column: encoded by the column
        updatedAt: p('ts'),
      });
    const fast = boundWrite(s.sqlite, insert());
    const slow = insert().prepare();
    const v = (listId: string) => ({ listId, issuerKey: null, size: 8, encodedList: 'AAA', dirty: true, ts: '2026-01-01T00:00:00.000Z' });
    expect(fast(v('a')).changes).toBe(1);
    slow.run(v('b'));
    const a = row(s, 'a') as Record<string, unknown>;
    const b = row(s, 'b') as Record<string, unknown>;
    expect(a).toEqual({ ...b, list_id: 'a' });
    expect(a).toMatchObject({ purpose: 'revocation', dirty: 1, next_index: 0, issuer_key: null });

    const clean = boundWrite(s.sqlite, s.db.update(statusListState).set({ dirty: false }).where(eq(statusListState.listId, p('listId'))));
    expect(clean({ listId: 'a' }).changes).toBe(1);
    expect(row(s, 'a')).toMatchObject({ dirty: 0 });
  });

  it('refuses a call without a value for one of its placeholders', () => {
    const s = (store = openStore(':memory:'));
    const del = boundWrite(s.sqlite, s.db.delete(statusListState).where(eq(statusListState.listId, sql.placeholder('listId'))));
    expect(() => del({})).toThrow(/listId/);
    expect(del({ listId: 'none' }).changes).toBe(0);
  });
});
