import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, latestMigration } from '../../node/store/database.js';

describe('store', () => {
  it('applies migrations and refuses a database written by a newer version', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-store-'));
    const file = path.join(dir, 'registry.db');
    const s = openStore(file);
    const n = (s.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    expect(n).toBe(latestMigration().count);
    // reopening is idempotent
    s.close();
    openStore(file).close();
    // a newer version added a migration
    const s2 = openStore(file);
    s2.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', latestMigration().when + 1000);
    s2.close();
    expect(() => openStore(file)).toThrowError(/newer version of mochila/);
    rmSync(dir, { recursive: true, force: true });
  });
});
