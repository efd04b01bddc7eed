/**
 * Ed25519 signer / verifier with cached node:crypto KeyObjects. @digitalbazaar/ed25519-multikey imports the raw key
 * into a KeyObject on every sign and verify (`createPrivateKey` derives the public key each time: ~1/3 of an
 * issuance); these do it once per key. Same primitive (node:crypto Ed25519, `crypto.sign/verify(null, ...)`), same
 * interface (`{algorithm, id, sign({data})}` / `{algorithm, id, verify({data, signature})}`) as that library.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { LRUCache } from 'lru-cache';

const DER_PRIVATE_KEY_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const DER_PUBLIC_KEY_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519Signer {
  readonly algorithm: 'Ed25519';
  readonly id: string;
  sign(args: { data: Uint8Array }): Promise<Uint8Array>;
}

export interface Ed25519Verifier {
  readonly algorithm: 'Ed25519';
  readonly id: string;
  verify(args: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
}

/** A signer for an Ed25519 private key (a KeyObject, or a 32-byte seed imported once). */
export function createEd25519Signer(privateKey: KeyObject | Uint8Array, id: string): Ed25519Signer {
  let key: KeyObject;
  if (privateKey instanceof Uint8Array) {
    if (privateKey.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
    key = createPrivateKey({ key: Buffer.concat([DER_PRIVATE_KEY_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
  } else {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
    key = privateKey;
  }
  return Object.freeze({
    algorithm: 'Ed25519' as const,
    id,
    async sign({ data }: { data: Uint8Array }): Promise<Uint8Array> {
      return cryptoSign(null, data, key);
    },
  });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([DER_PUBLIC_KEY_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/**
 * The eddsa-rdfc-2022 cryptosuite with `createVerifier` memoised per verification method (bounded LRU). The method
 * is still validated and decoded by `Ed25519Multikey.from` the first time it is seen; the cache key is the whole
 * verification method document, so any difference (id, controller, key, type, revocation) is a separate entry.
 */
export function createCachingEddsaRdfc2022Cryptosuite(maxKeys = 10_000): typeof eddsaRdfc2022 {
  const cache = new LRUCache<string, Promise<Ed25519Verifier>>({ max: maxKeys });
  const createVerifier = ({ verificationMethod }: { verificationMethod: unknown }): Promise<Ed25519Verifier> => {
    const cacheKey = JSON.stringify(verificationMethod);
    let p = cache.get(cacheKey);
    if (p) return p;
    p = (async () => {
      const keyPair = (await Ed25519Multikey.from(verificationMethod)) as { id: string; publicKey?: Uint8Array };
      if (!keyPair.publicKey) throw new Error('A public key is not available for verifying.');
      const key = publicKeyObject(keyPair.publicKey);
      return Object.freeze({
        algorithm: 'Ed25519' as const,
        id: keyPair.id,
        async verify({ data, signature }: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> {
          return cryptoVerify(null, data, key, signature);
        },
      });
    })();
    p.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, p);
    return p;
  };
  return { ...eddsaRdfc2022, createVerifier };
}
