// Holes found by the attacker's review of 2 December (helper AR), each pinned by a test that failed on the code before
// its fix: a hostile SVG sent to the public POST /api/v1/verify that made the baked-credential reader scan the body
// once per "<openbadges:credential" (quadratic: ~2 minutes of one core for 1 MB), a hostile credential naming one of
// this node's stored evidence files thousands of times (each entry re-hashed the whole file: ~45 GB of SHA-256 for
// one 1 MB request), and two credential requests racing on one OpenID4VCI access token (two credentials for one offer).
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { fixedClock } from '../../node/core/clock.js';
import { silentLogger } from '../../node/core/logger.js';
import { bakeSvg, extractBaked } from '../../node/credentials/baking.js';
import type { Claim } from '../../node/credentials/credential.service.js';
import { Oid4vciService } from '../../node/credentials/oid4vci.js';
import type { CredentialSigner } from '../../node/credentials/sign.js';
import { checkEvidence } from '../../node/credentials/verify/evidence.js';
import type { VerifierContext } from '../../node/credentials/verify/deps.js';

describe('baked SVG reader on hostile input', () => {
  it('reads a 1 MB SVG of unclosed <openbadges:credential tags in linear time (was quadratic: minutes of CPU)', () => {
    const unit = '<openbadges:credential ';
    const svg = `<svg>${unit.repeat(Math.floor((1024 * 1024) / unit.length))}`;
    const t0 = performance.now();
    const r = extractBaked(Buffer.from(svg));
    // generous bound: the linear reader takes milliseconds, the old regex took ~115 s on an idle core
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.ok).toBe(false);
  }, 60_000);

  it('still reads what it read before: CDATA, verify attribute, self-closing, a longer tag name is not the element', () => {
    const cred = { a: ']]><script>', b: 1 };
    expect(extractBaked(bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>', cred))).toMatchObject({ ok: true, format: 'svg', text: JSON.stringify(cred).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) });
    expect(extractBaked('<svg><openbadges:credential verify="a.b&amp;c"/></svg>')).toEqual({ ok: true, format: 'svg', text: 'a.b&c' });
    expect(extractBaked('<svg><openbadges:credential/></svg>')).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
    expect(extractBaked('<svg><openbadges:credentialx>{}</openbadges:credentialx><openbadges:credential>{"x":1}</openbadges:credential></svg>')).toEqual({ ok: true, format: 'svg', text: '{"x":1}' });
    expect(extractBaked('<svg><openbadges:credential a="1"')).toMatchObject({ ok: false, reason: expect.stringContaining('no <openbadges:credential>') });
  });
});

describe('evidence check on a hostile credential', () => {
  const url = (d: string) => `https://registro.example/api/v1/evidence/${d}`;
  const digest = 'ab'.repeat(32);
  function ctxCounting(): { ctx: VerifierContext; calls: () => number } {
    let n = 0;
    const ctx = {
      deps: {
        evidence: {
          hashOf: (u: string) => {
            if (!u.startsWith('https://registro.example/api/v1/evidence/')) return undefined;
            n++;
            return u.slice(u.lastIndexOf('/') + 1);
          },
        },
      },
    } as unknown as VerifierContext;
    return { ctx, calls: () => n };
  }

  it('re-hashes a stored file once however many entries name it', async () => {
    const { ctx, calls } = ctxCounting();
    const evidence = Array.from({ length: 5000 }, () => ({ id: url(digest), type: ['Evidence'] }));
    const check = await checkEvidence(ctx, { evidence });
    expect(calls()).toBe(1);
    expect(check?.status).toBe('ok');
  });

  it('re-hashes a bounded number of distinct stored files and fails a credential naming more', async () => {
    const { ctx, calls } = ctxCounting();
    const evidence = Array.from({ length: 5000 }, (_, i) => ({ id: url(i.toString(16).padStart(64, '0')), type: ['Evidence'] }));
    const check = await checkEvidence(ctx, { evidence });
    expect(calls()).toBeLessThanOrEqual(20);
    expect(check?.status).toBe('failed');
  });
});

describe('OpenID4VCI credential endpoint under concurrent requests', () => {
  const AUD = 'https://registro.example';
  const NOW = new Date('2026-12-02T12:00:00Z');
  function walletKey(): { did: string; mb: string; priv: KeyObject } {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const mb = base58btc.encode(Uint8Array.from([0xed, 0x01, ...raw]));
    return { did: `did:key:${mb}`, mb, priv: privateKey };
  }
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  function proof(k: { did: string; mb: string; priv: KeyObject }, nonce: string): string {
    const input = `${b64({ typ: 'openid4vci-proof+jwt', alg: 'EdDSA', kid: `${k.did}#${k.mb}` })}.${b64({ aud: AUD, iat: Math.floor(NOW.getTime() / 1000), nonce })}`;
    return `${input}.${sign(null, Buffer.from(input), k.priv).toString('base64url')}`;
  }

  it('one access token gives one credential even when two requests race (the token is spent before signing)', async () => {
    const clock = fixedClock(NOW);
    const claim: Claim = {
      credential: {
        id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
        microcredential: 'mx-x-1',
        microcredentialVersion: 1,
        learnerName: 'Ana',
        issuedAt: NOW.toISOString(),
        issuerKey: 'did:key:issuer',
        status: { revoked: false, suspended: false } as Claim['credential']['status'],
        credential: { '@context': [], type: ['VerifiableCredential'], issuer: 'did:key:issuer', validFrom: NOW.toISOString(), credentialSubject: { type: ['AchievementSubject'] } },
        verifyUrl: `${AUD}/verify`,
        qrUrl: `${AUD}/qr`,
        jobId: null,
        replacedBy: null,
      },
      share: { published: false, url: null },
    };
    let signed = 0;
    const signer: CredentialSigner = {
      did: 'did:key:issuer',
      verificationMethod: 'did:key:issuer#issuer',
      sign: async <T extends Record<string, unknown>>(c: T) => {
        await new Promise((r) => setImmediate(r));
        signed++;
        return { ...c, proof: { type: 'DataIntegrityProof' } };
      },
    };
    const s = new Oid4vciService({
      clock,
      logger: silentLogger,
      secret: new Uint8Array(32).fill(7),
      publicUrl: () => AUD,
      issuerName: () => 'Universidad de Prueba',
      claim: (t) => (t === 'claim-token' ? claim : null),
      signer: async () => signer,
    });
    const code = s.offer('claim-token').offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code'];
    const token = s.token({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code });
    if (!token.ok) throw new Error(token.description);
    const auth = `Bearer ${token.access_token}`;
    const [k1, k2] = [walletKey(), walletKey()];
    const request = (k: ReturnType<typeof walletKey>) => ({ credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proof(k, s.nonce().c_nonce)] } });
    const answers = await Promise.all([s.credential(auth, request(k1)), s.credential(auth, request(k2))]);
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(signed).toBe(1);
  });
});

describe("the demo mailbox's read-only page", () => {
  it('answers a malformed escape in a message path with 404 and keeps serving (a throw ended the demo process)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { DemoMailbox } = await import('../../node/ops/demo-mailbox.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-ar-mail-'));
    const box = new DemoMailbox({ dir, smtpPort: 0, pagePort: 0 });
    await box.start();
    try {
      expect((await fetch(`${box.pageUrl}messages/%E0%A4%A`)).status).toBe(404);
      expect((await fetch(box.pageUrl)).status).toBe(200);
    } finally {
      await box.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
