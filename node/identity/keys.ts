/**
 * Ed25519 keys and did:key. A key is kept as its 32-byte seed; everything else (node:crypto KeyObjects,
 * did:key, Multikey strings, the libp2p private key) is derived from it. Must never write files (see keystore.ts).
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { LRUCache } from 'lru-cache';
import { RegistryError } from '../core/errors.js';

const ED25519_MULTICODEC = Uint8Array.from([0xed, 0x01]);
const ED25519_SECRET_MULTICODEC = Uint8Array.from([0x80, 0x26]);
// DER prefixes for raw Ed25519 keys (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519Key {
  seed: Uint8Array; // 32 bytes, secret
  publicKey: Uint8Array; // 32 bytes
  privateKeyObject: KeyObject;
  publicKeyObject: KeyObject;
  did: string; // did:key:z6Mk...
  publicKeyMultibase: string; // z6Mk...
  secretKeyMultibase: string; // zrv... (Multikey secret, seed + public key as per ed25519-multikey)
  verificationMethod: string; // did:key:z6Mk...#z6Mk...
}

export function generateSeed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export function keyFromSeed(seed: Uint8Array): Ed25519Key {
  if (seed.length !== 32) throw new RegistryError('validation_failed', 'an Ed25519 seed is 32 bytes');
  const privateKeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKeyObject = createPublicKey(privateKeyObject);
  const spki = publicKeyObject.export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  const publicKeyMultibase = publicKeyToMultibase(publicKey);
  const secretKeyMultibase = base58btc.encode(concat(ED25519_SECRET_MULTICODEC, seed, publicKey));
  const did = `did:key:${publicKeyMultibase}`;
  return {
    seed: new Uint8Array(seed),
    publicKey,
    privateKeyObject,
    publicKeyObject,
    did,
    publicKeyMultibase,
    secretKeyMultibase,
    verificationMethod: `${did}#${publicKeyMultibase}`,
  };
}

export function generateKey(): Ed25519Key {
  return keyFromSeed(generateSeed());
}

export function publicKeyToMultibase(publicKey: Uint8Array): string {
  return base58btc.encode(concat(ED25519_MULTICODEC, publicKey));
}

export function publicKeyToDid(publicKey: Uint8Array): string {
  return `did:key:${publicKeyToMultibase(publicKey)}`;
}

/** Extracts the raw Ed25519 public key from a did:key (with or without fragment) or a z6Mk multibase string. */
export function publicKeyFromDid(didOrMultibase: string): Uint8Array {
  let mb = didOrMultibase;
  if (mb.startsWith('did:key:')) mb = mb.slice('did:key:'.length);
  const hash = mb.indexOf('#');
  if (hash >= 0) mb = mb.slice(0, hash);
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(mb);
  } catch {
    throw new RegistryError('validation_failed', `not a did:key: ${didOrMultibase}`);
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new RegistryError('unsupported', `only Ed25519 did:key is supported: ${didOrMultibase}`);
  }
  return bytes.subarray(2);
}

export function isEd25519DidKey(did: string): boolean {
  try {
    publicKeyFromDid(did);
    return did.startsWith('did:key:z6Mk');
  } catch {
    return false;
  }
}

/** Bounded: the least recently used key goes first past 10,000 (far more than any network has issuers). */
const publicKeyCache = new LRUCache<string, KeyObject>({ max: 10_000 });

/** node:crypto public KeyObject for a did:key, cached (verify is ~7.5k/s per core with a cached KeyObject). */
export function publicKeyObjectForDid(did: string): KeyObject {
  let ko = publicKeyCache.get(did);
  if (!ko) {
    const raw = publicKeyFromDid(did);
    ko = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    publicKeyCache.set(did, ko);
  }
  return ko;
}

export function signBytes(key: Ed25519Key, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, key.privateKeyObject));
}

export function verifyBytes(did: string, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyObjectForDid(did), signature);
  } catch {
    return false;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
