// Prepared statements are never shared in a way one caller can change for another: the connection's `prepare` is
// better-sqlite3's own (a `.pluck()` or `.raw()` on one statement leaves every other statement with the same SQL as
// it was), and Store.statement() hands out cached statements that can only be run.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore, STATEMENT_CACHE_SIZE, type Store } from '../../node/store/database.js';

describe('prepared statements', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  const open = (): Store => {
    store = openStore(':memory:');
    store.sqlite.prepare("INSERT INTO meta (key, value) VALUES ('network', 'mochila-test'), ('created_at', '2026-01-01')").run();
    return store;
  };
  const SQL = "SELECT key, value FROM meta WHERE key = 'network'";

  it('a .pluck() or .raw() on one statement does not change another caller’s statement with the same SQL', () => {
    const s = open();
    expect(s.sqlite.prepare).toBe(Database.prototype.prepare);
    const mine = s.sqlite.prepare(SQL).pluck();
    const theirs = s.sqlite.prepare(SQL);
    expect(mine.get()).toBe('network');
    expect(theirs.get()).toEqual({ key: 'network', value: 'mochila-test' });
    const raw = s.sqlite.prepare(SQL).raw();
    expect(raw.get()).toEqual(['network', 'mochila-test']);
    expect(theirs.get()).toEqual({ key: 'network', value: 'mochila-test' });
    // nor the shared one from the store's cache
    expect(s.statement(SQL).get()).toEqual({ key: 'network', value: 'mochila-test' });
  });

  it('Store.statement() shares one statement per SQL that can only be run', () => {
    const s = open();
    const a = s.statement(SQL);
    expect(s.statement(SQL)).toBe(a);
    for (const m of ['pluck', 'raw', 'expand', 'bind', 'iterate', 'safeIntegers', 'columns']) expect(m in a, m).toBe(false);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as unknown as { pluck: unknown }).pluck = () => a;
    }).toThrow(TypeError);
    expect(a.get()).toEqual({ key: 'network', value: 'mochila-test' });
    expect(a.all()).toEqual([{ key: 'network', value: 'mochila-test' }]);
    expect(s.statement("UPDATE meta SET value = ? WHERE key = 'created_at'").run('2026-02-02').changes).toBe(1);
    expect(s.statement('SELECT value FROM meta WHERE key = ?').get('created_at')).toEqual({ value: '2026-02-02' });
  });

  it('keeps a bounded cache, dropping the least recently used SQL first', () => {
    const s = open();
    const first = s.statement('SELECT 0 AS n');
    const second = s.statement('SELECT 1 AS n');
    for (let i = 2; i < STATEMENT_CACHE_SIZE; i++) s.statement(`SELECT ${i} AS n`);
    expect(s.statement('SELECT 0 AS n')).toBe(first); // used again: now the most recent
    s.statement(`SELECT ${STATEMENT_CACHE_SIZE} AS n`); // one over: drops 'SELECT 1', the least recently used
    expect(s.statement('SELECT 0 AS n')).toBe(first);
    const again = s.statement('SELECT 1 AS n');
    expect(again).not.toBe(second);
    expect(again.get()).toEqual({ n: 1 });
  });
});
