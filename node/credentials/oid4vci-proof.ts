/**
 * The wallet's proof of possession in an OpenID4VCI 1.0 credential request (Appendix F.1, `jwt` proof type): a
 * compact JWS whose header names the holder's Ed25519 did:key in `kid` and whose payload names this credential
 * issuer (`aud`), a nonce this issuer handed out (`nonce`) and a recent `iat`. Checks run in a fixed order, shape
 * and allow-lists before any cryptography: size, typ, alg (EdDSA / Ed25519 only, never `none`), no `crit`, exactly
 * one key parameter (a `kid` that is a did:key URL; `jwk`, `x5c` and `trust_chain` are refused), the signature with
 * the key of that did:key, `aud`, `iat` window, then the nonce through the caller's check.
 * Pure apart from the injected clock and nonce check: must never fetch a key, never accept a key other than the one
 * `kid` names, and never say which secret part of a nonce was wrong.
 */
import { verify } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { isEd25519DidKey, publicKeyObjectForDid } from '../identity/keys.js';

/** A proof JWT longer than this is refused unread (a did:key kid, aud, nonce and iat fit in well under 1 KiB). */
export const MAX_PROOF_JWT_CHARS = 4096;
/** How old a proof's `iat` may be, and how far in the future (clock skew). */
export const PROOF_MAX_AGE_MS = 5 * 60_000;
export const PROOF_MAX_SKEW_MS = 60_000;
export const PROOF_TYP = 'openid4vci-proof+jwt';
/** JOSE names of Ed25519 signatures: the polymorphic `EdDSA` (RFC 8037) and the fully specified `Ed25519` (RFC 9864). */
export const PROOF_ALGS: readonly string[] = Object.freeze(['EdDSA', 'Ed25519']);

export type ProofError = 'invalid_proof' | 'invalid_nonce';

export type ProofResult = { ok: true; holderDid: string; nonce: string } | { ok: false; error: ProofError; description: string };

export interface ProofCheckOptions {
  /** The credential issuer identifier the proof must be addressed to. */
  audience: string;
  clock: Clock;
  /** Whether this nonce was issued by this issuer, is unexpired and unused; it is consumed only if the proof is otherwise valid. */
  nonceValid: (nonce: string) => boolean;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const DID_KEY_URL = /^(did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}))(?:#(z6Mk[1-9A-HJ-NP-Za-km-z]{40,60}))?$/;

function fail(description: string, error: ProofError = 'invalid_proof'): ProofResult {
  return { ok: false, error, description };
}

function jsonPart(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The did:key a proof's `kid` names (the fragment, when present, must be the key itself), or null. */
export function didOfKid(kid: unknown): string | null {
  if (typeof kid !== 'string') return null;
  const m = DID_KEY_URL.exec(kid);
  if (!m) return null;
  if (m[3] !== undefined && m[3] !== m[2]) return null;
  return isEd25519DidKey(m[1]!) ? m[1]! : null;
}

/** Verifies one proof JWT. The nonce check runs last, after the signature, so an unsigned guess learns nothing. */
export function verifyProofJwt(jwt: unknown, o: ProofCheckOptions): ProofResult {
  if (typeof jwt !== 'string' || !jwt) return fail('the proof is not a JWT');
  if (jwt.length > MAX_PROOF_JWT_CHARS) return fail(`the proof JWT is longer than ${MAX_PROOF_JWT_CHARS} characters`);
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || !parts[0] || !parts[1]) return fail('the proof is not a compact JWS (three base64url parts)');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonPart(h);
  const payload = jsonPart(p);
  if (!header || !payload) return fail('the proof header or payload is not a JSON object');
  if (header['typ'] !== PROOF_TYP) return fail(`the proof's typ must be ${PROOF_TYP}`);
  const alg = header['alg'];
  if (typeof alg !== 'string' || !PROOF_ALGS.includes(alg)) return fail(`the proof's alg must be one of ${PROOF_ALGS.join(', ')} (got ${typeof alg === 'string' ? alg.slice(0, 20) : 'none'})`);
  if ('crit' in header) return fail('the proof names critical header parameters this issuer does not understand');
  if ('jwk' in header || 'x5c' in header || 'trust_chain' in header) return fail('the proof must name its key by a did:key kid only (jwk, x5c and trust_chain are not accepted)');
  const did = didOfKid(header['kid']);
  if (!did) return fail("the proof's kid must be an Ed25519 did:key URL (did:key:z6Mk…#z6Mk…)");
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== 64) return fail('the proof signature is not an Ed25519 signature');
  let good = false;
  try {
    good = verify(null, Buffer.from(`${h}.${p}`, 'ascii'), publicKeyObjectForDid(did), sig);
  } catch {
    good = false;
  }
  if (!good) return fail(`the proof is not signed by the key its kid names (${did})`);
  const aud = payload['aud'];
  if (aud !== o.audience && !(Array.isArray(aud) && aud.length === 1 && aud[0] === o.audience)) return fail(`the proof's aud must be this credential issuer (${o.audience})`);
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('the proof has no iat');
  const now = o.clock.now().getTime();
  if (iat * 1000 > now + PROOF_MAX_SKEW_MS) return fail('the proof was issued in the future (iat)');
  if (iat * 1000 < now - PROOF_MAX_AGE_MS) return fail(`the proof is older than ${PROOF_MAX_AGE_MS / 60_000} minutes (iat): sign a new one`);
  if (typeof payload['exp'] === 'number' && payload['exp'] * 1000 <= now) return fail('the proof has expired (exp)');
  const nonce = payload['nonce'];
  if (typeof nonce !== 'string' || !nonce) return fail('the proof carries no nonce: get one from the nonce endpoint', 'invalid_nonce');
  if (!o.nonceValid(nonce)) return fail('the nonce in the proof is unknown, expired or already used: get a new one from the nonce endpoint', 'invalid_nonce');
  return { ok: true, holderDid: did, nonce };
}
