/**
 * Admin API tokens: created once (shown once), stored only as a SHA-256 hash, compared in constant time.
 * Local state, never replicated. Must never store or log a token in clear.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../core/canonical.js';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Store } from './database.js';
import { adminTokens } from './schema.js';

export class AdminTokens {
  /** Checked on every admin request: prepared once. */
  private readonly byId;

  constructor(private readonly store: Store) {
    this.byId = store.db
      .select({ hash: adminTokens.hash })
      .from(adminTokens)
      .where(and(eq(adminTokens.id, sql.placeholder('id')), isNull(adminTokens.revokedAt)))
      .prepare();
  }

  create(label: string, now: Date = new Date()): { id: string; token: string } {
    const id = randomBytes(6).toString('hex');
    const token = `mch_${id}_${randomBytes(24).toString('base64url')}`;
    this.store.db.insert(adminTokens).values({ id, hash: sha256Hex(token), label, createdAt: now.toISOString() }).run();
    return { id, token };
  }

  verify(token: string): boolean {
    const m = /^mch_([0-9a-f]{12})_[A-Za-z0-9_-]{20,64}$/.exec(token);
    if (!m) return false;
    const row = this.byId.get({ id: m[1] });
    const expected = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
    const got = Buffer.from(sha256Hex(token), 'hex');
    return timingSafeEqual(expected, got) && !!row;
  }

  revokeAll(now: Date = new Date()): number {
    return this.store.db.update(adminTokens).set({ revokedAt: now.toISOString() }).where(isNull(adminTokens.revokedAt)).run().changes;
  }
}
