/**
 * The unit's own institution: publish its profile and rotate / revoke its issuer keys (as feed entries), keeping
 * the keystore file in step. Must never publish a key it does not hold.
 */
import { RegistryError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { FeedService } from '../feed/feed.service.js';
import { generateKey, type Ed25519Key } from '../identity/keys.js';
import type { Keystore, KeystoreData } from '../identity/keystore.js';
import type { IssuerKeyRegistry } from './issuer-keys.js';
import type { Profile } from './institutions.js';

export class InstitutionService {
  constructor(
    private readonly deps: {
      feed: FeedService;
      schemas: SchemaRegistry;
      keystore: Keystore;
      saveKeystore: (data: KeystoreData) => void;
      issuerKeys: IssuerKeyRegistry;
      clock: Clock;
    },
  ) {}

  get currentIssuer(): Ed25519Key {
    return this.deps.keystore.currentIssuer;
  }

  publishProfile(input: unknown): Profile {
    this.deps.schemas.assertValid('profile', input, 'profile');
    this.deps.feed.append('profile', input);
    return input as Profile;
  }

  /** Publishes the current issuer key if the feed does not have it yet (first start, restored keystore). */
  ensureIssuerKeyPublished(): void {
    const k = this.deps.keystore.currentIssuer;
    if (this.deps.issuerKeys.get(k.did)) return;
    this.deps.feed.append('issuer-key', {
      keyId: k.did,
      publicKeyMultibase: k.publicKeyMultibase,
      validFrom: this.deps.clock.now().toISOString(),
    });
  }

  /**
   * Rotates the issuer key: publishes a new key and ends the old one. With `compromisedSince`, the old key is
   * revoked as compromised from that date (credentials it signed from then on fail verification).
   */
  rotateIssuerKey(opts: { compromisedSince?: Date; note?: string } = {}): { newKeyId: string; oldKeyId: string } {
    const now = this.deps.clock.now();
    if (opts.compromisedSince && opts.compromisedSince.getTime() > now.getTime())
      throw new RegistryError('validation_failed', 'compromisedSince cannot be in the future');
    const old = this.deps.keystore.currentIssuer;
    const fresh = generateKey();
    const data: KeystoreData = structuredClone(this.deps.keystore.data);
    const oldRec = data.issuerKeys[data.issuerKeys.length - 1]!;
    oldRec.retiredAt = now.toISOString();
    data.issuerKeys.push({ seed: Buffer.from(fresh.seed).toString('base64url'), did: fresh.did, createdAt: now.toISOString() });
    // keystore first: if the process dies after this, the new key is published on next start (ensureIssuerKeyPublished)
    this.deps.saveKeystore(data);
    this.deps.keystore.data = data;
    this.deps.keystore.issuers.forEach((i) => {
      if (i.key.did === old.did) i.retiredAt = now.toISOString();
    });
    this.deps.keystore.issuers.push({ key: fresh, createdAt: now.toISOString() });
    this.deps.keystore.currentIssuer = fresh;
    this.deps.feed.append('issuer-key', {
      keyId: fresh.did,
      publicKeyMultibase: fresh.publicKeyMultibase,
      validFrom: now.toISOString(),
      replaces: old.did,
    });
    this.deps.feed.append('issuer-key-revocation', {
      keyId: old.did,
      reason: opts.compromisedSince ? 'compromised' : 'rotated',
      revokedAt: (opts.compromisedSince ?? now).toISOString(),
      ...(opts.note ? { note: opts.note } : {}),
    });
    return { newKeyId: fresh.did, oldKeyId: old.did };
  }
}
