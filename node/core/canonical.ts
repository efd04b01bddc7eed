/**
 * Canonical JSON (RFC 8785, JCS) and hashing. Everything that is signed or content-addressed goes through here.
 * Must never depend on anything outside `node/core`.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import canonicalizeImport from 'canonicalize';

const canonicalizeFn = canonicalizeImport as unknown as (value: unknown) => string | undefined;

/** RFC 8785 canonical serialisation. Throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised');
  return out;
}

// one-shot hashing (Node >= 20.12) is about twice as fast as createHash for entry-sized inputs
const oneShot = (nodeCrypto as unknown as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
