/**
 * The unit's own institution: publish its profile and rotate / revoke its issuer keys (as feed entries), keeping
 * the keystore file in step, and say which key may sign now. A key the feed has ended is never handed out for new
 * credentials, and a key declared compromised never signs anything again, even when the rotation was made by another
 * process (the CLI) on the same database: the key file is read again then. Must never publish a key it does not hold.
 */
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import type { Clock } from '../core/clock.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { FeedService } from '../feed/feed.service.js';
import { generateKey, type Ed25519Key } from '../identity/keys.js';
import { refreshKeystore, type Keystore, type KeystoreData } from '../identity/keystore.js';
import type { IssuerKeyRegistry } from './issuer-keys.js';
import type { Profile } from './institutions.js';

export class InstitutionService {
  constructor(
    private readonly deps: {
      feed: FeedService;
      schemas: SchemaRegistry;
      keystore: Keystore;
      saveKeystore: (data: KeystoreData) => void;
      /** The key file read again (null when this node has none, e.g. in-memory test nodes). */
      loadKeystore?: () => Keystore | null;
      issuerKeys: IssuerKeyRegistry;
      clock: Clock;
    },
  ) {}

  /** The newest issuer key this node holds (the key file is read again if the feed has ended the one in memory). */
  get currentIssuer(): Ed25519Key {
    if (this.ended(this.deps.keystore.currentIssuer.did)) this.reload();
    return this.deps.keystore.currentIssuer;
  }

  /** Reads the key file again into the shared keystore; false when there is no file to read. */
  private reload(): boolean {
    const fresh = this.deps.loadKeystore?.();
    if (!fresh) return false;
    refreshKeystore(this.deps.keystore, fresh);
    return true;
  }

  /** This unit's published key `did`, ended (rotated or compromised) by its feed, or null if the feed lacks it. */
  private revocation(did: string): { at: string; reason: string } | null {
    const k = this.deps.issuerKeys.get(did);
    if (!k || k.institution !== this.deps.feed.author || !k.revokedAt) return null;
    return { at: k.revokedAt, reason: k.revocationReason ?? 'rotated' };
  }

  private ended(did: string): boolean {
    return this.revocation(did) !== null;
  }

  /** Whether this unit's feed declared key `did` compromised (it then signs nothing, ever). */
  isCompromised(did: string): boolean {
    return this.revocation(did)?.reason === 'compromised';
  }

  /**
   * The key new credentials (and the lists of a compromised key) are signed with: the newest issuer key, never one
   * the feed has ended. When the feed ended the key in memory (a rotation by the CLI while this node runs), the key
   * file is read again; if it holds no newer key, signing is refused.
   */
  currentSigningKey(): Ed25519Key {
    let k = this.deps.keystore.currentIssuer;
    if (!this.ended(k.did)) return k;
    if (this.reload()) {
      k = this.deps.keystore.currentIssuer;
      if (!this.ended(k.did)) return k;
    }
    const r = this.revocation(k.did)!;
    throw userError('conflict', r.reason === 'compromised' ? 'keys.issuerCompromised' : 'keys.issuerRetired', { key: k.did, date: r.at }, { issuerKey: k.did });
  }

  /**
   * The key that signs the status lists of credentials signed by `did`: that key itself while it is only retired
   * (so a list's issuer stays its credentials' issuer), never once it was declared compromised (null then).
   */
  listSigningKey(did: string): Ed25519Key | null {
    if (this.isCompromised(did)) return null;
    let held = this.deps.keystore.issuers.find((i) => i.key.did === did);
    if (!held && this.reload()) held = this.deps.keystore.issuers.find((i) => i.key.did === did);
    return held?.key ?? null;
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
    // refused before the key file changes if the feed cannot take the entries now (a compromise must not be lost)
    this.deps.feed.assertCanAppend();
    // another process may have rotated since this one read the key file: never write back an older copy
    this.reload();
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

  /**
   * Declares an earlier (already rotated) issuer key compromised from `since`: credentials it signed from then on
   * fail verification and it never signs again. The current key is declared compromised by rotating it instead.
   */
  declareCompromised(keyId: string, since: Date, note?: string): { keyId: string; compromisedSince: string } {
    if (since.getTime() > this.deps.clock.now().getTime()) throw new RegistryError('validation_failed', 'the compromise date cannot be in the future');
    this.deps.feed.assertCanAppend();
    this.reload();
    if (keyId === this.deps.keystore.currentIssuer.did)
      throw userError('validation_failed', 'keys.compromiseCurrent', { key: keyId });
    const k = this.deps.issuerKeys.get(keyId);
    if (!k || k.institution !== this.deps.feed.author) throw userError('not_found', 'keys.notOurs', { key: keyId });
    this.deps.feed.append('issuer-key-revocation', { keyId, reason: 'compromised', revokedAt: since.toISOString(), ...(note ? { note } : {}) });
    return { keyId, compromisedSince: since.toISOString() };
  }
}
