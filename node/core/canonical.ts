/**
 * Canonical JSON (RFC 8785, JCS) and hashing. Everything that is signed or content-addressed goes through here.
 * Must never depend on anything outside `node/core`.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import canonicalizeImport from 'canonicalize';

const canonicalizeFn = canonicalizeImport as unknown as (value: unknown) => string | undefined;

/**
 * RFC 8785 canonical serialisation. Throws on values JSON cannot represent.
 *
 * JCS serialises strings and numbers exactly as JSON.stringify does and differs from it only in member order. Data
 * that is already canonical (parsed from canonical JSON: every object's keys in code-unit order) therefore
 * serialises with the native JSON.stringify, several times faster than the generic path; anything else (unsorted
 * keys, integer-like keys V8 reorders, toJSON, undefined, non-finite numbers, non-plain objects) takes the generic
 * path. A unit test holds the two equal.
 */
export function canonicalJson(value: unknown): string {
  if (isSortedPlainJson(value, 0)) return JSON.stringify(value);
  const out = canonicalizeFn(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised');
  return out;
}

/** Plain JSON data (null, booleans, finite numbers, strings, arrays, plain objects) with every object's keys sorted. */
function isSortedPlainJson(v: unknown, depth: number): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isSortedPlainJson(v[i], depth + 1)) return false; // a hole is undefined
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!isSortedPlainJson((v as Record<string, unknown>)[keys[i]!], depth + 1)) return false;
  }
  return true;
}

// one-shot hashing (Node >= 20.12) is about twice as fast as createHash for entry-sized inputs
const oneShot = (nodeCrypto as unknown as { hash?: (alg: string, data: string | Uint8Array, enc: 'hex') => string }).hash;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

export function sha256Bytes(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
