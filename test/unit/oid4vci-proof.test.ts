// The OpenID4VCI proof of possession check (node/credentials/oid4vci-proof.ts) on a fixed clock, and the service's
// stateless nonces: which kid forms name a key, the audience forms, expiry, and that the nonce is asked about only
// once the signature holds (an unsigned guess learns nothing, and a bad proof never uses up a nonce).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { fixedClock } from '../../node/core/clock.js';
import { silentLogger } from '../../node/core/logger.js';
import { didOfKid, verifyProofJwt } from '../../node/credentials/oid4vci-proof.js';
import { Oid4vciService } from '../../node/credentials/oid4vci.js';

const AUD = 'https://registro.uach.example';
const NOW = new Date('2026-11-30T12:00:00Z');

function key(): { did: string; mb: string; priv: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const mb = base58btc.encode(Uint8Array.from([0xed, 0x01, ...raw]));
  return { did: `did:key:${mb}`, mb, priv: privateKey };
}
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jws(h: Record<string, unknown>, p: Record<string, unknown>, k: KeyObject): string {
  const input = `${b64(h)}.${b64(p)}`;
  return `${input}.${sign(null, Buffer.from(input), k).toString('base64url')}`;
}

describe('OpenID4VCI proof of possession', () => {
  const k = key();
  const clock = fixedClock(NOW);
  const iat = Math.floor(NOW.getTime() / 1000);
  const check = (jwt: string, nonceValid: (n: string) => boolean = (n) => n === 'n-1') => verifyProofJwt(jwt, { audience: AUD, clock, nonceValid });
  const good = (h: Record<string, unknown> = {}, p: Record<string, unknown> = {}, signer = k.priv) =>
    jws({ typ: 'openid4vci-proof+jwt', alg: 'EdDSA', kid: `${k.did}#${k.mb}`, ...h }, { aud: AUD, iat, nonce: 'n-1', ...p }, signer);

  it('accepts a proof naming its did:key with or without the fragment, aud as a string or a one-element array', () => {
    expect(check(good())).toEqual({ ok: true, holderDid: k.did, nonce: 'n-1' });
    expect(check(good({ kid: k.did })).ok).toBe(true);
    expect(check(good({}, { aud: [AUD] })).ok).toBe(true);
  });

  it('refuses a kid whose fragment names another key, a non-Ed25519 or malformed did, two audiences, an expired proof', () => {
    const other = key();
    expect(didOfKid(`${k.did}#${other.mb}`)).toBeNull();
    expect(check(good({ kid: `${k.did}#${other.mb}` }))).toMatchObject({ ok: false, error: 'invalid_proof' });
    expect(check(good({ kid: 'did:web:registro.uach.example#key-1' }))).toMatchObject({ ok: false, error: 'invalid_proof' });
    expect(check(good({ kid: 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme' }))).toMatchObject({ ok: false, error: 'invalid_proof' });
    expect(check(good({}, { aud: [AUD, 'https://otro.example'] }))).toMatchObject({ ok: false, error: 'invalid_proof' });
    expect(check(good({}, { exp: iat - 1 }))).toMatchObject({ ok: false, error: 'invalid_proof' });
    expect(check(good({}, { iat: String(iat) }))).toMatchObject({ ok: false, error: 'invalid_proof' });
  });

  it('asks about the nonce only once the signature and claims hold', () => {
    const asked: string[] = [];
    const spy = (n: string) => {
      asked.push(n);
      return true;
    };
    expect(check(good({}, {}, key().priv), spy).ok).toBe(false);
    expect(check(good({ alg: 'ES256' }), spy).ok).toBe(false);
    expect(check(good({}, { aud: 'https://otro.example' }), spy).ok).toBe(false);
    expect(asked).toEqual([]);
    expect(check(good(), spy).ok).toBe(true);
    expect(asked).toEqual(['n-1']);
  });
});

describe('OpenID4VCI nonces (stateless, HMAC under the institution seed)', () => {
  const svc = (seed: number, clock = fixedClock(NOW)) => ({
    clock,
    s: new Oid4vciService({
      clock,
      logger: silentLogger,
      secret: new Uint8Array(32).fill(seed),
      publicUrl: () => AUD,
      issuerName: () => 'Universidad Austral de Prueba',
      claim: () => null,
      signer: () => Promise.reject(new Error('not used')),
    }),
  });
  const valid = (s: Oid4vciService, n: string) => (s as unknown as { nonceExpiry(n: string): number | null }).nonceExpiry(n) !== null;

  it('a nonce is valid at its issuer until it expires, never at another node, never altered', () => {
    const { s, clock } = svc(1);
    const n = s.nonce().c_nonce;
    expect(valid(s, n)).toBe(true);
    expect(valid(svc(2).s, n)).toBe(false);
    const flipped = n.slice(0, 20) + (n[20] === 'A' ? 'B' : 'A') + n.slice(21);
    expect(valid(s, flipped)).toBe(false);
    clock.advance(5 * 60_000 - 1);
    expect(valid(s, n)).toBe(true);
    clock.advance(1);
    expect(valid(s, n)).toBe(false);
  });
});
