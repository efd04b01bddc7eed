/**
 * Claim links of issued credentials (issue 15 item 4): a capability URL `/claim/<token>` that gives its holder the
 * credential, and the holder's switch for a public share page. A token is 256 bits: HMAC-SHA-256 of a random
 * 128-bit row id under a secret derived from this node's institution seed, so only its SHA-256 is stored and the
 * mailer can re-derive the token of a queued message from the row id (no token is ever at rest in the database).
 * A link never expires; the unit revokes it (all links of a credential at once) or replaces it with a new one.
 * Must never store or log a token or a full link, and must answer an unknown and a revoked token the same way.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/database.js';
import { credentialClaims, credentialShares } from '../store/schema.js';

/** A token as it appears in a URL: 43 base64url characters (256 bits). */
export const CLAIM_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** A share page id: 22 base64url characters (128 bits). */
export const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;

export interface ClaimLink {
  claimId: string;
  token: string;
  /** The claim page of the web app. */
  url: string;
}

export interface ClaimDeps {
  store: Store;
  clock: Clock;
  /** 32 bytes or more of secret (the institution seed): the token key is derived from it. */
  secret: Uint8Array;
  /** Base URL of this node (no trailing slash needed). */
  publicUrl: () => string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class ClaimService {
  private readonly key: Buffer;

  constructor(private readonly d: ClaimDeps) {
    this.key = Buffer.from(hkdfSync('sha256', d.secret, Buffer.from('mochila'), Buffer.from('claim-link-tokens v1'), 32));
  }

  private base(): string {
    return this.d.publicUrl().replace(/\/$/, '');
  }

  /** The token of a claim row (derived, never stored). */
  tokenFor(claimId: string): string {
    return createHmac('sha256', this.key).update(claimId).digest('base64url');
  }

  urlFor(token: string): string {
    return `${this.base()}/claim/${token}`;
  }

  /** Creates a claim link for a credential; call inside the transaction that stores the credential (or on its own). */
  create(credentialId: string): ClaimLink {
    const claimId = randomBytes(16).toString('base64url');
    const token = this.tokenFor(claimId);
    this.d.store.db
      .insert(credentialClaims)
      .values({ id: claimId, tokenHash: sha256(token), credentialId, createdAt: this.d.clock.now().toISOString() })
      .run();
    return { claimId, token, url: this.urlFor(token) };
  }

  /**
   * The credential id a token opens, or null (unknown, malformed or revoked: the same answer, after the same
   * lookup, so the answer tells nothing about which).
   */
  resolve(token: unknown): string | null {
    const t = typeof token === 'string' && CLAIM_TOKEN.test(token) ? token : '';
    const row = this.d.store.db
      .select({ credentialId: credentialClaims.credentialId, revokedAt: credentialClaims.revokedAt })
      .from(credentialClaims)
      .where(eq(credentialClaims.tokenHash, sha256(t)))
      .get();
    return t && row && row.revokedAt === null ? row.credentialId : null;
  }

  /** Whether a claim row is still in force (the mailer sends only those). */
  active(claimId: string): boolean {
    const row = this.d.store.db
      .select({ revokedAt: credentialClaims.revokedAt })
      .from(credentialClaims)
      .where(eq(credentialClaims.id, claimId))
      .get();
    return !!row && row.revokedAt === null;
  }

  /** Revokes every link of a credential; returns how many were in force. */
  revoke(credentialId: string): number {
    return this.d.store.db
      .update(credentialClaims)
      .set({ revokedAt: this.d.clock.now().toISOString() })
      .where(and(eq(credentialClaims.credentialId, credentialId), isNull(credentialClaims.revokedAt)))
      .run().changes;
  }

  /** Revokes the links of a credential and gives it a new one (e.g. a link sent to a wrong address). */
  replace(credentialId: string): ClaimLink {
    return this.d.store.tx(() => {
      this.revoke(credentialId);
      return this.create(credentialId);
    });
  }

  /** Links of a credential, without tokens (admin view). */
  links(credentialId: string): { claimId: string; createdAt: string; revokedAt: string | null }[] {
    return this.d.store.db
      .select({ claimId: credentialClaims.id, createdAt: credentialClaims.createdAt, revokedAt: credentialClaims.revokedAt })
      .from(credentialClaims)
      .where(eq(credentialClaims.credentialId, credentialId))
      .orderBy(credentialClaims.createdAt)
      .all();
  }

  /** The share page state of a credential (its id exists once the page was first turned on). */
  share(credentialId: string): { published: boolean; shareId: string | null; url: string | null } {
    const row = this.d.store.db.select().from(credentialShares).where(eq(credentialShares.credentialId, credentialId)).get();
    const published = !!row?.published;
    return { published, shareId: row?.shareId ?? null, url: published && row ? `${this.base()}/share/${row.shareId}` : null };
  }

  /** Turns the share page on or off; the page keeps its URL across switches. */
  setShare(credentialId: string, published: boolean): { published: boolean; shareId: string | null; url: string | null } {
    const now = this.d.clock.now().toISOString();
    this.d.store.db
      .insert(credentialShares)
      .values({ credentialId, shareId: randomBytes(16).toString('base64url'), published, updatedAt: now })
      .onConflictDoUpdate({ target: credentialShares.credentialId, set: { published, updatedAt: now } })
      .run();
    return this.share(credentialId);
  }

  /** The credential a published share page shows, or null (unknown or not published: the same answer). */
  shared(shareId: unknown): string | null {
    const s = typeof shareId === 'string' && SHARE_ID.test(shareId) ? shareId : '';
    const row = this.d.store.db
      .select({ credentialId: credentialShares.credentialId, published: credentialShares.published })
      .from(credentialShares)
      .where(eq(credentialShares.shareId, sql`${s}`))
      .get();
    return s && row?.published ? row.credentialId : null;
  }
}
