/**
 * Signs credentials with `DataIntegrityProof` / `eddsa-rdfc-2022` through `@digitalbazaar/vc` `issue()`, from the
 * 32-byte seed of an issuer key, and presentations (a holder's did:key, proof purpose `authentication`, with the
 * verifier's challenge and domain) through `signPresentation()`. One signer per key; reuse it (the suite and the
 * document loader's caches are per signer). Must never persist keys, credentials or presentations, and never fetch
 * contexts from the network.
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { createEd25519Signer } from './ed25519-fast.js';
import { RegistryError } from '../core/errors.js';
import { installJsonLdContextCache } from './jsonld-context-cache.js';
import { keyFromSeed } from '../identity/keys.js';
import { createDocumentLoader, type DocumentLoader } from '../identity/document-loader.js';

export interface SignOptions {
  /** Proof `created`; defaults to the current time (the proof's own clock, not the credential's validFrom). */
  created?: Date | string;
}

export interface CredentialSigner {
  /** did:key of the issuer key: the credential's `issuer` (or `issuer.id`) must equal it. */
  readonly did: string;
  readonly verificationMethod: string;
  sign<T extends Record<string, unknown>>(credential: T, options?: SignOptions): Promise<T & { proof: unknown }>;
}

export interface CreateSignerOptions {
  documentLoader?: DocumentLoader;
}

/** Creates a signer for the issuer key with this seed. */
export async function createCredentialSigner(seed: Uint8Array, options: CreateSignerOptions = {}): Promise<CredentialSigner> {
  installJsonLdContextCache();
  const key = keyFromSeed(seed);
  // The private KeyObject is imported once per signer (not once per signature, as Ed25519Multikey's signer does).
  const signer = createEd25519Signer(key.privateKeyObject, key.verificationMethod);
  const documentLoader = options.documentLoader ?? createDocumentLoader();
  const defaultSuite = new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 });

  return {
    did: key.did,
    verificationMethod: key.verificationMethod,
    async sign(credential, opts = {}) {
      const issuer = credential['issuer'];
      const issuerId = typeof issuer === 'string' ? issuer : (issuer as { id?: unknown } | undefined)?.id;
      if (issuerId !== key.did) {
        throw new RegistryError('validation_failed', `credential issuer ${String(issuerId)} is not the signing key ${key.did}`);
      }
      const suite = opts.created
        ? new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022, date: opts.created })
        : defaultSuite;
      try {
        // issue() adds nothing to a VC 2.0 credential but the proof; it works on a copy so the input stays unsigned.
        return await vc.issue({ credential: structuredClone(credential), suite, documentLoader });
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        throw new RegistryError('validation_failed', `cannot sign credential: ${(e as Error).message}`, undefined, {
          cause: e,
        });
      }
    },
  };
}

export interface PresentationSignOptions {
  /** The verifier's challenge (required: a presentation without one can be replayed). */
  challenge: string;
  domain?: string;
  created?: Date | string;
}

export interface PresentationSigner {
  /** did:key of the holder: the presentation's `holder` (when set) must equal it. */
  readonly did: string;
  readonly verificationMethod: string;
  sign<T extends Record<string, unknown>>(presentation: T, options: PresentationSignOptions): Promise<T & { proof: unknown }>;
}

/** Creates a signer for a holder key (a learner's wallet, a test) with this seed. */
export async function createPresentationSigner(seed: Uint8Array, options: CreateSignerOptions = {}): Promise<PresentationSigner> {
  installJsonLdContextCache();
  const key = keyFromSeed(seed);
  const signer = createEd25519Signer(key.privateKeyObject, key.verificationMethod);
  const documentLoader = options.documentLoader ?? createDocumentLoader();
  return {
    did: key.did,
    verificationMethod: key.verificationMethod,
    async sign(presentation, opts) {
      const holder = presentation['holder'];
      const holderId = typeof holder === 'string' ? holder : (holder as { id?: unknown } | undefined)?.id;
      if (holderId !== undefined && holderId !== key.did) {
        throw new RegistryError('validation_failed', `presentation holder ${String(holderId)} is not the signing key ${key.did}`);
      }
      if (typeof opts?.challenge !== 'string' || !opts.challenge) throw new RegistryError('validation_failed', 'a presentation is signed on a challenge');
      const suite = new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022, ...(opts.created ? { date: opts.created } : {}) });
      try {
        return await vc.signPresentation({
          presentation: structuredClone(presentation),
          suite,
          challenge: opts.challenge,
          ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
          documentLoader,
        });
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        throw new RegistryError('validation_failed', `cannot sign presentation: ${(e as Error).message}`, undefined, { cause: e });
      }
    },
  };
}
