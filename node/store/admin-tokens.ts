/**
 * Admin API tokens: created once (shown once), stored only as a SHA-256 hash, compared in constant time.
 * Local state, never replicated. Must never store or log a token in clear.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../core/canonical.js';
import type { Statement } from 'better-sqlite3';
import type { Store } from './database.js';

export class AdminTokens {
  /** Checked on every admin request: prepared once. */
  private readonly byId: Statement;

  constructor(private readonly store: Store) {
    this.byId = store.sqlite.prepare('SELECT hash FROM admin_tokens WHERE id = ? AND revoked_at IS NULL');
  }

  create(label: string, now: Date = new Date()): { id: string; token: string } {
    const id = randomBytes(6).toString('hex');
    const token = `mch_${id}_${randomBytes(24).toString('base64url')}`;
    this.store
      .statement('INSERT INTO admin_tokens (id, hash, label, created_at) VALUES (?, ?, ?, ?)')
      .run(id, sha256Hex(token), label, now.toISOString());
    return { id, token };
  }

  verify(token: string): boolean {
    const m = /^mch_([0-9a-f]{12})_[A-Za-z0-9_-]{20,64}$/.exec(token);
    if (!m) return false;
    const row = this.byId.get(m[1]) as
      | { hash: string }
      | undefined;
    const expected = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
    const got = Buffer.from(sha256Hex(token), 'hex');
    return timingSafeEqual(expected, got) && !!row;
  }

  revokeAll(now: Date = new Date()): number {
    return this.store.statement('UPDATE admin_tokens SET revoked_at = ? WHERE revoked_at IS NULL').run(now.toISOString()).changes;
  }
}
