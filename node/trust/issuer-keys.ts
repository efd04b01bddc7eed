/**
 * Issuer keys published by institutions: projection of `issuer-key` and `issuer-key-revocation` entries, and the
 * rule that says whether a key was valid for a credential issued at a given time. Must never hold private keys.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import { issuerKeys } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';

export interface IssuerKeyInfo {
  keyId: string;
  institution: string;
  publicKeyMultibase: string;
  validFrom: string;
  publishedAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
}

export type KeyValidity = { status: 'ok'; reason: string } | { status: 'failed'; reason: string };

export class IssuerKeyRegistry implements Projector {
  readonly name = 'issuer-keys';
  readonly types: readonly EntryType[] = ['issuer-key', 'issuer-key-revocation'];

  /** Typed queries prepared once: `get` runs for every verification and every key entry applied. */
  private readonly q;

  constructor(private readonly store: Store) {
    const t = issuerKeys;
    const info = {
      keyId: t.keyId,
      institution: t.institution,
      publicKeyMultibase: t.publicKeyMultibase,
      validFrom: t.validFrom,
      publishedAt: t.publishedAt,
      revokedAt: t.revokedAt,
      revocationReason: t.revocationReason,
    };
    this.q = {
      get: store.db.select(info).from(t).where(eq(t.keyId, sql.placeholder('keyId'))).prepare(),
      forInstitution: store.db.select(info).from(t).where(eq(t.institution, sql.placeholder('did'))).orderBy(asc(t.publishedAt)).prepare(),
      insert: boundWrite(
        store.sqlite,
        store.db
          .insert(t)
          .values({
            keyId: sql.placeholder('keyId'),
            institution: sql.placeholder('institution'),
            publicKeyMultibase: sql.placeholder('publicKeyMultibase'),
            validFrom: sql.placeholder('validFrom'),
            publishedAt: sql.placeholder('publishedAt'),
            entryId: sql.placeholder('entryId'),
          })
          .onConflictDoNothing({ target: t.keyId }),
      ),
      revoke: boundWrite(
        store.sqlite,
        store.db
          .update(t)
          // update's set() types take no placeholder: wrapped in sql``
          .set({
            revokedAt: sql`${sql.placeholder('revokedAt')}`,
            revocationReason: sql`${sql.placeholder('reason')}`,
            revocationEntryId: sql`${sql.placeholder('entryId')}`,
          })
          .where(and(eq(t.keyId, sql.placeholder('keyId')), eq(t.institution, sql.placeholder('institution')))),
      ),
    };
  }

  apply(entry: Entry): void {
    if (entry.type === 'issuer-key') {
      const b = entry.body as { keyId: string; publicKeyMultibase: string; validFrom: string };
      if (b.keyId !== `did:key:${b.publicKeyMultibase}`) return; // inconsistent key: ignored (schema-valid but meaningless)
      const existing = this.get(b.keyId);
      if (existing && existing.institution !== entry.author) return; // a key belongs to the first institution that published it
      this.q.insert({
        keyId: b.keyId,
        institution: entry.author,
        publicKeyMultibase: b.publicKeyMultibase,
        validFrom: b.validFrom,
        publishedAt: entry.ts,
        entryId: entry.id,
      });
    } else {
      const b = entry.body as { keyId: string; reason: string; revokedAt: string };
      // the earliest end wins; a compromise declared later (a rotated key found compromised) still marks the key
      // compromised, and nothing makes a compromised key merely rotated again
      const t = Date.parse(b.revokedAt);
      const cur = this.get(b.keyId);
      if (!cur || cur.institution !== entry.author || Number.isNaN(t)) return;
      const earlier = !cur.revokedAt || t < Date.parse(cur.revokedAt);
      const compromised = b.reason === 'compromised' || cur.revocationReason === 'compromised';
      if (!earlier && !(compromised && cur.revocationReason !== 'compromised')) return;
      this.q.revoke({
        revokedAt: earlier ? b.revokedAt : cur.revokedAt,
        reason: compromised ? 'compromised' : b.reason,
        entryId: entry.id,
        keyId: b.keyId,
        institution: entry.author,
      });
    }
  }

  reset(): void {
    this.store.db.delete(issuerKeys).run();
  }

  get(keyId: string): IssuerKeyInfo | null {
    return this.q.get.get({ keyId }) ?? null;
  }

  forInstitution(did: string): IssuerKeyInfo[] {
    return this.q.forInstitution.all({ did });
  }

  /**
   * A key is valid for a credential issued at `issuedAt` if it was published in the institution's feed at or before
   * that time (and its own validFrom is not later), and not revoked at or before it.
   */
  validityAt(key: IssuerKeyInfo, issuedAt: Date): KeyValidity {
    const t = issuedAt.getTime();
    const published = Math.max(Date.parse(key.publishedAt), Date.parse(key.validFrom));
    if (t < published)
      return { status: 'failed', reason: `the key was published on ${key.publishedAt}, after the credential's issue date` };
    if (key.revokedAt && t >= Date.parse(key.revokedAt)) {
      return {
        status: 'failed',
        reason:
          key.revocationReason === 'compromised'
            ? `the key was reported compromised from ${key.revokedAt}; this credential was issued after that`
            : `the key was retired on ${key.revokedAt}, before this credential was issued`,
      };
    }
    return {
      status: 'ok',
      reason: key.revokedAt
        ? `the key was valid when the credential was issued (it was ${key.revocationReason} on ${key.revokedAt}, later)`
        : `the key was published on ${key.publishedAt} and has not been revoked`,
    };
  }
}
