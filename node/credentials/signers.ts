/**
 * The signers of this unit's issuer keys: the current key for new credentials (asked for every credential, so a
 * rotation, also by the CLI, applies at once) and, for a status list, the key whose credentials it holds while that
 * key is merely retired. Must never hand out a signer for a key the feed ended for new credentials, nor for a key
 * declared compromised (SigningKeys decides; this only caches one signer per key).
 */
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Ed25519Key } from '../identity/keys.js';
import { createCredentialSigner, type CredentialSigner } from './sign.js';

/** Which of this unit's issuer keys may sign now (the institution service, which owns the key file). */
export interface SigningKeys {
  /** The key new credentials are signed with; throws when the feed ended it and no newer key is held. */
  currentSigningKey(): Ed25519Key;
  /** The key itself while merely retired, null once declared compromised (or not held). */
  listSigningKey(did: string): Ed25519Key | null;
  isCompromised(did: string): boolean;
}

export class IssuerSigners {
  /** The key of the last signature (to notice a rotation made by another process). */
  private lastKey: string | null = null;
  /** One signer per issuer key (a node holds a handful). */
  private readonly signers = new Map<string, Promise<CredentialSigner>>();

  /** `onKeyChange`: called when the current key differs from the last one signed with. */
  constructor(private readonly d: { keys: SigningKeys; documentLoader: DocumentLoader; onKeyChange: () => void }) {}

  signerOf(key: Ed25519Key): Promise<CredentialSigner> {
    let s = this.signers.get(key.did);
    if (!s) {
      s = createCredentialSigner(key.seed, { documentLoader: this.d.documentLoader });
      this.signers.set(key.did, s);
    }
    return s;
  }

  /**
   * The signer of the current issuer key: asked for every credential, so a rotation (also by the CLI) applies at once.
   * When the key changed since the last signature, `onKeyChange` runs (the status lists are then checked in the
   * background: a CLI that declared a compromise and stopped before re-signing leaves nothing signed only by that key).
   */
  signer(): Promise<CredentialSigner> {
    const key = this.d.keys.currentSigningKey();
    if (this.lastKey !== null && this.lastKey !== key.did) this.d.onKeyChange();
    this.lastKey = key.did;
    return this.signerOf(key);
  }

  /** The signer of a list of `issuerKey`: that key while only retired, the current key once it was declared compromised. */
  listSigner(issuerKey: string | null): Promise<CredentialSigner> {
    const own = issuerKey ? this.d.keys.listSigningKey(issuerKey) : null;
    return own ? this.signerOf(own) : this.signer();
  }
}
