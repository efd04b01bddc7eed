/**
 * Issuer keys published by institutions: projection of `issuer-key` and `issuer-key-revocation` entries, and the
 * rule that says whether a key was valid for a credential issued at a given time. Must never hold private keys.
 */
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';

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

  constructor(private readonly store: Store) {}

  apply(entry: Entry): void {
    if (entry.type === 'issuer-key') {
      const b = entry.body as { keyId: string; publicKeyMultibase: string; validFrom: string };
      if (b.keyId !== `did:key:${b.publicKeyMultibase}`) return; // inconsistent key: ignored (schema-valid but meaningless)
      const existing = this.get(b.keyId);
      if (existing && existing.institution !== entry.author) return; // a key belongs to the first institution that published it
      this.store
        .statement(
          `INSERT INTO issuer_keys (key_id, institution, public_key_multibase, valid_from, published_at, entry_id)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key_id) DO NOTHING`,
        )
        .run(b.keyId, entry.author, b.publicKeyMultibase, b.validFrom, entry.ts, entry.id);
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
      this.store
        .statement('UPDATE issuer_keys SET revoked_at = ?, revocation_reason = ?, revocation_entry_id = ? WHERE key_id = ? AND institution = ?')
        .run(earlier ? b.revokedAt : cur.revokedAt, compromised ? 'compromised' : b.reason, entry.id, b.keyId, entry.author);
    }
  }

  reset(): void {
    this.store.statement('DELETE FROM issuer_keys').run();
  }

  get(keyId: string): IssuerKeyInfo | null {
    const r = this.store
      .statement(
        `SELECT key_id AS keyId, institution, public_key_multibase AS publicKeyMultibase, valid_from AS validFrom,
                published_at AS publishedAt, revoked_at AS revokedAt, revocation_reason AS revocationReason
         FROM issuer_keys WHERE key_id = ?`,
      )
      .get(keyId) as IssuerKeyInfo | undefined;
    return r ?? null;
  }

  forInstitution(did: string): IssuerKeyInfo[] {
    return this.store
      .statement(
        `SELECT key_id AS keyId, institution, public_key_multibase AS publicKeyMultibase, valid_from AS validFrom,
                published_at AS publishedAt, revoked_at AS revokedAt, revocation_reason AS revocationReason
         FROM issuer_keys WHERE institution = ? ORDER BY published_at`,
      )
      .all(did) as IssuerKeyInfo[];
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
