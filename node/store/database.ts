/**
 * Opens the SQLite database (better-sqlite3 + drizzle), applies migrations, and refuses a database written by a
 * newer version of the software. The only place that creates a database connection; must never hold domain logic.
 */
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { RegistryError } from '../core/errors.js';
import * as schema from './schema.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Db = BetterSQLite3Database<typeof schema>;

/** WAL pages before a connection checkpoints by itself (the node's does not while its WalCheckpointer runs). */
export const AUTO_CHECKPOINT_PAGES = 8192;

/**
 * A shared prepared statement that can only be run: no pluck / raw / expand / bind / iterate, so no caller can change
 * what it returns for another caller with the same SQL, and none can leave it busy mid-iteration.
 */
export interface PlainStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): Database.RunResult;
}

/** How many SQL texts `statement()` keeps prepared per connection (least recently used dropped first). */
export const STATEMENT_CACHE_SIZE = 500;

export interface Store {
  /** The connection. `sqlite.prepare` is better-sqlite3's own (never patched): each call prepares a new statement. */
  readonly sqlite: Database.Database;
  readonly db: Db;
  readonly path: string;
  /** Runs fn in one IMMEDIATE transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T;
  /**
   * The statement for `sql`, prepared on first use and cached (bounded, least recently used dropped): for queries a
   * service runs inline, next to their code. Hot paths prepare their own statements once instead (fields of the
   * service, `sqlite.prepare`), and so does any code that needs pluck / raw / iterate.
   */
  statement(sql: string): PlainStatement;
  close(): void;
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function latestMigration(): { count: number; when: number; tag: string } {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as Journal;
  const last = journal.entries[journal.entries.length - 1];
  if (!last) throw new RegistryError('internal', 'no migrations found');
  return { count: journal.entries.length, when: last.when, tag: last.tag };
}

export function openStore(file: string, opts: { readonly?: boolean } = {}): Store {
  const sqlite = new Database(file, { readonly: opts.readonly ?? false });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // 64 MiB page cache and a 32 MiB WAL before checkpointing: catch-up of 100k entries was checkpoint-bound
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    refuseNewerSchema(sqlite, file);
    const db = drizzle(sqlite, { schema });
    if (!opts.readonly) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const tx = <T>(fn: () => T): T => {
      if (sqlite.inTransaction) return fn();
      return sqlite.transaction(fn).immediate();
    };
    const statement = statementCache(sqlite);
    return { sqlite, db, path: file, tx, statement, close: () => sqlite.open && sqlite.close() };
  } catch (e) {
    sqlite.close();
    throw e;
  }
}

/**
 * Store.statement: one prepared statement per SQL text (a prepare costs more than many of the queries), handed out
 * only through a frozen run-only wrapper, so sharing it is safe whatever callers do with what they get. The
 * connection's own `prepare` is left alone (no patched globals).
 */
function statementCache(sqlite: Database.Database): (sql: string) => PlainStatement {
  const cache = new LRUCache<string, PlainStatement>({ max: STATEMENT_CACHE_SIZE });
  return (sql) => {
    let plain = cache.get(sql);
    if (plain) return plain;
    const st = sqlite.prepare(sql);
    plain = Object.freeze({
      get: (...params: unknown[]) => st.get(...params),
      all: (...params: unknown[]) => st.all(...params),
      run: (...params: unknown[]) => st.run(...params),
    });
    cache.set(sql, plain);
    return plain;
  };
}

function refuseNewerSchema(sqlite: Database.Database, file: string): void {
  const has = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'")
    .get() as { name: string } | undefined;
  if (!has) return;
  const row = sqlite.prepare('SELECT COUNT(*) AS n, MAX(created_at) AS w FROM __drizzle_migrations').get() as {
    n: number;
    w: number | null;
  };
  const latest = latestMigration();
  if ((row.w ?? 0) > latest.when || row.n > latest.count) {
    throw new RegistryError(
      'schema_too_new',
      `the database ${file} was written by a newer version of mochila (schema has ${row.n} migrations, this version knows ${latest.count}). ` +
        'Upgrade mochila to the newer version, or restore a backup made with this version; do not edit the database by hand.',
      { databaseMigrations: row.n, knownMigrations: latest.count },
    );
  }
}
