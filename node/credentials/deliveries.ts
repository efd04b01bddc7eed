/**
 * The e-mail deliveries of claim links (issue 15 item 3), as stored: one row per message with its state — queued
 * (due at `nextAttemptAt`; after a temporary failure with the server's answer in `lastError`), sending, sent,
 * failed (a permanent refusal, or every attempt used) or bounced (reported afterwards) — queued in the transaction
 * that stores the credential, read and moved on by the Mailer (node/credentials/mailer.ts), shown to the unit by the
 * admin API. Must never hold a claim token or link (the mailer derives it), and never decide when to send: the
 * Mailer does, on the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Store } from '../store/database.js';
import { mailDeliveries } from '../store/schema.js';

export const DELIVERY_LANGUAGES = ['es', 'en', 'pt'] as const;
export type DeliveryLanguage = (typeof DELIVERY_LANGUAGES)[number];
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'bounced';

/** What the admin API shows of a delivery (the address is the unit's own data; no token, no link). */
export interface Delivery {
  id: string;
  credentialId: string;
  email: string;
  language: DeliveryLanguage;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A message due for sending, with what the mailer needs to write it. */
export interface DueDelivery {
  id: string;
  credentialId: string;
  claimId: string;
  email: string;
  language: DeliveryLanguage;
  attempts: number;
}

/** The language of a message from what a request or a CSV cell says (es / en, or their names); null if unknown. */
export function deliveryLanguage(v: unknown): DeliveryLanguage | null {
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (['es', 'es-es', 'es-cl', 'es-419', 'español', 'espanol', 'spanish', 'castellano'].includes(s)) return 'es';
  if (['en', 'en-gb', 'en-us', 'english', 'inglés', 'ingles'].includes(s)) return 'en';
  if (['pt', 'pt-br', 'pt-pt', 'português', 'portugues', 'portugués', 'portuguese'].includes(s)) return 'pt';
  return null;
}

const d = mailDeliveries;
const PUBLIC_COLUMNS = {
  id: d.id,
  credentialId: d.credentialId,
  email: d.email,
  language: d.language,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  lastError: d.lastError,
  sentAt: d.sentAt,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
};

export class DeliveryQueue {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** Queues a message (inside the credential's transaction); due at once. */
  queue(m: { credentialId: string; claimId: string; email: string; language: DeliveryLanguage }): string {
    const id = randomUUID();
    const now = this.now();
    this.deps.store.db
      .insert(d)
      .values({
        id,
        credentialId: m.credentialId,
        claimId: m.claimId,
        email: m.email,
        language: m.language,
        status: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .run();
    return id;
  }

  /** Messages due now (queued, their time come), oldest first; each is marked sending as it is taken. */
  take(limit: number): DueDelivery[] {
    const now = this.now();
    return this.deps.store.tx(() => {
      const rows = this.deps.store.db
        .select({ id: d.id, credentialId: d.credentialId, claimId: d.claimId, email: d.email, language: d.language, attempts: d.attempts })
        .from(d)
        .where(and(eq(d.status, 'queued'), lte(d.nextAttemptAt, now)))
        .orderBy(asc(d.nextAttemptAt), asc(d.id))
        .limit(limit)
        .all();
      if (rows.length)
        this.deps.store.db
          .update(d)
          .set({ status: 'sending', updatedAt: now })
          .where(
            inArray(
              d.id,
              rows.map((r) => r.id),
            ),
          )
          .run();
      return rows.map((r) => ({ ...r, language: deliveryLanguage(r.language) ?? 'es' }));
    });
  }

  /** The earliest time a queued message is due, or null. */
  nextDue(): string | null {
    const r = this.deps.store.db
      .select({ t: d.nextAttemptAt })
      .from(d)
      .where(and(eq(d.status, 'queued'), isNotNull(d.nextAttemptAt)))
      .orderBy(asc(d.nextAttemptAt))
      .limit(1)
      .get();
    return r?.t ?? null;
  }

  sent(id: string, messageId: string | null): void {
    const now = this.now();
    this.deps.store.db
      .update(d)
      .set({ status: 'sent', attempts: sqlInc(), messageId, lastError: null, nextAttemptAt: null, sentAt: now, updatedAt: now })
      .where(eq(d.id, id))
      .run();
  }

  /** A failed attempt: queued again at `retryAt`, or failed for good when `retryAt` is null. */
  attemptFailed(id: string, error: string, retryAt: Date | null): void {
    this.deps.store.db
      .update(d)
      .set({
        status: retryAt ? 'queued' : 'failed',
        attempts: sqlInc(),
        lastError: error.slice(0, 1000),
        nextAttemptAt: retryAt ? retryAt.toISOString() : null,
        updatedAt: this.now(),
      })
      .where(eq(d.id, id))
      .run();
  }

  /** Messages left `sending` by a stop or a crash are due again (the server may or may not have taken them). */
  recover(): number {
    const now = this.now();
    return this.deps.store.db.update(d).set({ status: 'queued', nextAttemptAt: now, updatedAt: now }).where(eq(d.status, 'sending')).run()
      .changes;
  }

  /** Sends again the failed or bounced messages of a credential (the unit's retry); returns how many. */
  retry(credentialId: string): number {
    const now = this.now();
    return this.deps.store.db
      .update(d)
      .set({ status: 'queued', nextAttemptAt: now, updatedAt: now })
      .where(and(eq(d.credentialId, credentialId), or(eq(d.status, 'failed'), eq(d.status, 'bounced'))))
      .run().changes;
  }

  /** A bounce reported for a credential's last sent message (by the operator or a bounce processor). */
  bounced(credentialId: string, reason: string): Delivery {
    const last = this.forCredential(credentialId).find((x) => x.status === 'sent');
    if (!last) throw new RegistryError('not_found', `no sent message for credential ${credentialId}`);
    this.deps.store.db
      .update(d)
      .set({ status: 'bounced', lastError: reason.slice(0, 1000), updatedAt: this.now() })
      .where(eq(d.id, last.id))
      .run();
    return this.forCredential(credentialId).find((x) => x.id === last.id)!;
  }

  /** Deliveries of a credential, newest first. */
  forCredential(credentialId: string): Delivery[] {
    return (this.deps.store.db.select(PUBLIC_COLUMNS).from(d).where(eq(d.credentialId, credentialId)).all() as Delivery[]).sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
    );
  }

  /** The newest delivery of each of these credentials (the admin list shows it per row). */
  latest(credentialIds: string[]): Map<string, Delivery> {
    const out = new Map<string, Delivery>();
    if (!credentialIds.length) return out;
    const rows = this.deps.store.db
      .select(PUBLIC_COLUMNS)
      .from(d)
      .where(inArray(d.credentialId, credentialIds))
      .orderBy(asc(d.createdAt), asc(sql`rowid`)) // a tie: the last inserted (the admin list's delivery filter agrees)
      .all() as Delivery[];
    for (const r of rows) out.set(r.credentialId, r);
    return out;
  }

  /** How many messages are in each state. */
  counts(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, bounced: 0 };
    for (const r of this.deps.store.db.select({ status: d.status, n: count() }).from(d).groupBy(d.status).all())
      if (r.status in out) out[r.status as DeliveryStatus] = r.n;
    return out;
  }
}

function sqlInc() {
  return sql`${d.attempts} + 1`;
}
