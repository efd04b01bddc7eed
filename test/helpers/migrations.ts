/**
 * Test helper for migration tests: a database file migrated with the project's migrations up to (not including) the
 * one whose tag starts with `prefix`, as a node of the version before would have left it. Returns the open raw
 * connection (the test writes the old shapes through it and closes it) and the file.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_DIR } from '../../node/store/database.js';

export function databaseBefore(dir: string, prefix: string): { raw: Database.Database; file: string; index: number } {
  const old = path.join(dir, 'migrations');
  cpSync(MIGRATIONS_DIR, old, { recursive: true });
  const journalFile = path.join(old, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const index = journal.entries.findIndex((e) => e.tag.startsWith(prefix));
  if (index < 0) throw new Error(`no migration ${prefix}`);
  for (const e of journal.entries.slice(index)) rmSync(path.join(old, `${e.tag}.sql`));
  journal.entries = journal.entries.slice(0, index);
  writeFileSync(journalFile, JSON.stringify(journal));
  const file = path.join(dir, 'registry.db');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  migrate(drizzle(raw), { migrationsFolder: old });
  return { raw, file, index };
}
