/**
 * Canonical JSON (RFC 8785, JCS) and hashing. Everything that is signed or content-addressed goes through here.
 * Must never depend on anything outside `node/core`.
 */
import { createHash } from 'node:crypto';
import canonicalizeImport from 'canonicalize';

const canonicalizeFn = canonicalizeImport as unknown as (value: unknown) => string | undefined;

/** RFC 8785 canonical serialisation. Throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised');
  return out;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
