// Proof sets (every proof must verify; the failing one is named) and presentations (the holder's own proof, with the
// verifier's challenge and domain; forged holder proofs never verify and never reach the network).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { generateSeed, keyFromSeed } from '../../node/identity/keys.js';
import { createDocumentLoader } from '../../node/identity/document-loader.js';
import { createEd25519Signer } from '../../node/credentials/ed25519-fast.js';
import { createVerifier, type Check, type VerificationReport } from '../../node/credentials/verify.js';
import type { PresentationSigner } from '../../node/credentials/sign.js';
import { makeCredentialWorld, type CredentialWorld } from '../helpers/credential-world.js';

function check(r: VerificationReport, id: Check['id']): Check {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no ${id} check in ${JSON.stringify(r.checks)}`);
  return c;
}

/** A proofValue that is well-formed (a real signature) but over other content. */
function swapProofValue(proof: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  return { ...proof, proofValue: from['proofValue'] };
}

describe('proof sets: every proof of a credential must verify', () => {
  let w: CredentialWorld;
  let a: Record<string, unknown>;
  let b: Record<string, unknown>;
  let other: Record<string, unknown>;
  beforeAll(async () => {
    w = await makeCredentialWorld();
    a = await w.issue('2026-02-01T10:00:00Z');
    // The same credential signed again by the same key at another time: a second, independent good proof.
    const { proof: _p, ...unsigned } = a;
    b = await w.signer.sign(unsigned, { created: '2026-02-02T10:00:00Z' });
    other = await w.issue('2026-02-01T10:00:00Z');
  });
  const proofOf = (c: Record<string, unknown>): Record<string, unknown> => c['proof'] as Record<string, unknown>;
  const withProofs = (proofs: unknown[]): Record<string, unknown> => ({ ...a, proof: proofs });

  it('two good proofs: verified, and the reason says both were checked', async () => {
    const r = await createVerifier(w.deps).verify(withProofs([proofOf(a), proofOf(b)]));
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(r.verified).toBe(true);
    expect(check(r, 'proof').reason).toMatch(/all 2 proofs verified/);
  });

  for (const broken of [0, 1]) {
    it(`a corrupted proof at index ${broken} fails the credential and is named (the other proof is good)`, async () => {
      const proofs = [proofOf(a), proofOf(b)];
      proofs[broken] = swapProofValue(proofs[broken]!, proofOf(other));
      const r = await createVerifier(w.deps).verify(withProofs(proofs));
      const p = check(r, 'proof');
      expect(p.status).toBe('failed');
      expect(r.verified).toBe(false);
      expect(r.outcome).toBe('failed');
      expect(p.reason).toContain(`proof ${broken + 1} of 2 (DataIntegrityProof/eddsa-rdfc-2022, ${w.signer.verificationMethod})`);
      expect(p.reason).toMatch(/altered after signing|proofValue is wrong/);
      expect(p.proof).toEqual({ index: broken, type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: w.signer.verificationMethod });
    });
  }

  it('a good proof next to an unsupported one does not verify, naming the unsupported proof', async () => {
    const foreign = { ...proofOf(b), cryptosuite: 'ecdsa-rdfc-2019' };
    const r = await createVerifier(w.deps).verify(withProofs([proofOf(a), foreign]));
    expect(check(r, 'proof')).toMatchObject({ status: 'failed', proof: { index: 1, cryptosuite: 'ecdsa-rdfc-2019' } });
    expect(check(r, 'proof').reason).toMatch(/^proof 2 of 2 .*unsupported proof suite: DataIntegrityProof\/ecdsa-rdfc-2019/);
    expect(r.verified).toBe(false);
  });

  it('a good proof next to one with another proof purpose does not verify', async () => {
    const r = await createVerifier(w.deps).verify(withProofs([{ ...proofOf(b), proofPurpose: 'authentication' }, proofOf(a)]));
    expect(check(r, 'proof')).toMatchObject({ status: 'failed', proof: { index: 0 } });
    expect(r.verified).toBe(false);
  });
});

describe('presentations: the holder proof is verified', () => {
  let w: CredentialWorld;
  let cred: Record<string, unknown>;
  let holder: PresentationSigner;
  let signed: Record<string, unknown>;
  const CHALLENGE = '9f2c6a1e-reg-0001';
  const DOMAIN = 'registro.usur.example';
  beforeAll(async () => {
    w = await makeCredentialWorld();
    cred = await w.issue();
    holder = await w.holder();
    signed = await holder.sign(vc.createPresentation({ verifiableCredential: [cred], holder: holder.did }), { challenge: CHALLENGE, domain: DOMAIN });
  });
  afterEach(() => vi.restoreAllMocks());
  const holderProof = (vp: Record<string, unknown>): Record<string, unknown> => vp['proof'] as Record<string, unknown>;

  it('a presentation signed by its did:key holder, with the challenge and domain asked for: verified', async () => {
    expect(holderProof(signed)).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'authentication', challenge: CHALLENGE, domain: DOMAIN });
    const r = await createVerifier(w.deps).verify(signed, { challenge: CHALLENGE, domain: DOMAIN });
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.kind).toBe('presentation');
    expect(r.holder).toBe(holder.did);
    expect(check(r, 'holder_authenticated').reason).toMatch(/challenge matched; domain matched/);
    expect(r.summary).toBe('credentials verified, holder authenticated');
  });

  it('without a challenge asked for, the signature still counts and the reason says replay is not excluded', async () => {
    const r = await createVerifier(w.deps).verify(signed);
    expect(check(r, 'holder_authenticated')).toMatchObject({ status: 'ok' });
    expect(check(r, 'holder_authenticated').reason).toMatch(/replay cannot be excluded/);
    expect(r.verified).toBe(true);
  });

  it('a wrong challenge or a wrong domain fails', async () => {
    const v = createVerifier(w.deps);
    const wrongChallenge = await v.verify(signed, { challenge: 'another-challenge', domain: DOMAIN });
    expect(check(wrongChallenge, 'holder_authenticated').status).toBe('failed');
    expect(check(wrongChallenge, 'holder_authenticated').reason).toMatch(/challenge/);
    expect(wrongChallenge.verified).toBe(false);
    expect(wrongChallenge.outcome).toBe('failed');
    expect(wrongChallenge.summary).toBe('credentials verified, holder authentication failed');
    const wrongDomain = await v.verify(signed, { challenge: CHALLENGE, domain: 'evil.example' });
    expect(check(wrongDomain, 'holder_authenticated')).toMatchObject({ status: 'failed' });
    expect(wrongDomain.verified).toBe(false);
  });

  it('a presentation without a proof is never verified: the holder check is unchecked, the credentials still verified', async () => {
    const unsigned = vc.createPresentation({ verifiableCredential: [cred], holder: holder.did });
    for (const opts of [undefined, { challenge: CHALLENGE }]) {
      const r = await createVerifier(w.deps).verify(unsigned, opts);
      expect(check(r, 'holder_authenticated').status).toBe('unchecked');
      expect(check(r, 'holder_authenticated').reason).toMatch(/no proof/);
      expect(r.verified).toBe(false);
      expect(r.outcome).toBe('incomplete');
      expect(r.summary).toBe('credentials verified, holder not authenticated');
      expect(r.credentials![0]!.verified).toBe(true);
    }
  });

  it('a forged proofValue (z1111) fails', async () => {
    const forged = { ...signed, proof: { ...holderProof(signed), proofValue: 'z1111' } };
    const r = await createVerifier(w.deps).verify(forged, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated').status).toBe('failed');
    expect(r.verified).toBe(false);
    const r2 = await createVerifier(w.deps).verify(forged);
    expect(check(r2, 'holder_authenticated').status).toBe('failed');
    expect(r2.verified).toBe(false);
  });

  it('content changed after the holder signed fails (the holder proof covers the whole presentation)', async () => {
    const r = await createVerifier(w.deps).verify({ ...signed, id: 'urn:uuid:0b0c7f4e-8b7e-4d8e-9b86-4b7c8f1d2a33' }, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated')).toMatchObject({ status: 'failed' });
    expect(r.verified).toBe(false);
  });

  it('an http(s) verification method is never ok and is never fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    for (const vm of ['https://evil.example/keys/1', 'http://evil.example/keys#1']) {
      const forged = { ...signed, proof: { ...holderProof(signed), verificationMethod: vm } };
      const r = await createVerifier(w.deps).verify(forged, { challenge: CHALLENGE });
      expect(check(r, 'holder_authenticated').status).not.toBe('ok');
      expect(check(r, 'holder_authenticated').reason).toContain(vm);
      expect(r.verified).toBe(false);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('an unbundled context is never ok and is never fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const forged = { ...signed, '@context': [...(signed['@context'] as string[]), 'https://evil.example/ctx.jsonld'] };
    const r = await createVerifier(w.deps).verify(forged, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated').status).not.toBe('ok');
    expect(check(r, 'contexts')).toMatchObject({ status: 'failed' });
    expect(check(r, 'contexts').reason).toMatch(/presentation: context not bundled: https:\/\/evil.example\/ctx.jsonld/);
    expect(r.verified).toBe(false);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("a proof by a key that is not the holder's fails, even when its signature is good", async () => {
    // Signed by another key for a presentation naming `holder.did`: built with @digitalbazaar/vc directly (the
    // project's signer refuses a holder that is not its key).
    const other = keyFromSeed(generateSeed());
    const suite = new DataIntegrityProof({ signer: createEd25519Signer(other.privateKeyObject, other.verificationMethod), cryptosuite: eddsaRdfc2022 });
    const vp = await vc.signPresentation({
      presentation: vc.createPresentation({ verifiableCredential: [cred], holder: holder.did }),
      suite,
      challenge: CHALLENGE,
      documentLoader: createDocumentLoader(),
    });
    const r = await createVerifier(w.deps).verify(vp, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated').status).toBe('failed');
    expect(check(r, 'holder_authenticated').reason).toMatch(/not by the presentation's holder/);
    expect(r.verified).toBe(false);
  });

  it('a holder proof made for assertion (not authentication) fails', async () => {
    const r = await createVerifier(w.deps).verify({ ...signed, proof: { ...holderProof(signed), proofPurpose: 'assertionMethod' } }, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated')).toMatchObject({ status: 'failed' });
    expect(r.verified).toBe(false);
  });

  it('two holder proofs: a broken one is not hidden by a good one, and is named', async () => {
    const { proof: _p, ...unsigned } = signed;
    const again = await holder.sign(unsigned, { challenge: CHALLENGE, created: '2026-03-01T11:00:00Z' });
    const good = [holderProof(signed), holderProof(again)];
    expect((await createVerifier(w.deps).verify({ ...signed, proof: good }, { challenge: CHALLENGE })).verified).toBe(true);
    const r = await createVerifier(w.deps).verify({ ...signed, proof: [good[0], { ...good[1], proofValue: 'z1111' }] }, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated')).toMatchObject({ status: 'failed', proof: { index: 1 } });
    expect(check(r, 'holder_authenticated').reason).toMatch(/^proof 2 of 2/);
    expect(r.verified).toBe(false);
  });

  it('a bare credential verified against a challenge is not verified (no holder proof)', async () => {
    const r = await createVerifier(w.deps).verify(cred, { challenge: CHALLENGE });
    expect(check(r, 'holder_authenticated').status).toBe('unchecked');
    expect(r.verified).toBe(false);
    expect(r.outcome).toBe('incomplete');
    const plain = await createVerifier(w.deps).verify(cred);
    expect(plain.verified).toBe(true);
    expect(plain.checks.map((c) => c.id)).not.toContain('holder_authenticated');
  });

  it('hostile holder proofs and holders never throw and never verify', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const p = holderProof(signed);
    const inputs: Record<string, unknown>[] = [
      { ...signed, proof: [null, 5, 'x'] },
      { ...signed, proof: 'z1111' },
      { ...signed, proof: [p, p, p, p, p, p, p, p, p] },
      { ...signed, holder: 5 },
      { ...signed, holder: { name: 'no id' } },
      { ...signed, proof: { ...p, verificationMethod: 'did:key:zInvalid#zInvalid' } },
      { ...signed, proof: { ...p, verificationMethod: 'did:web:evil.example#key-1' } },
      { ...signed, proof: { ...p, verificationMethod: { id: 42 } } },
      { ...signed, proof: { ...p, proofValue: undefined } },
      { ...signed, proof: { ...p, created: 'yesterday' } },
      { ...signed, proof: { ...p, expires: '2020-01-01T00:00:00Z' } },
      { ...signed, proof: { ...p, type: 'Ed25519Signature2020', cryptosuite: undefined } },
      { ...signed, proof: { ...p, '@context': 'https://evil.example/ctx.jsonld' } },
    ];
    for (const input of inputs) {
      const r = await createVerifier(w.deps).verify(input, { challenge: CHALLENGE });
      expect(check(r, 'holder_authenticated').status, JSON.stringify(input['proof']).slice(0, 120)).not.toBe('ok');
      expect(r.verified).toBe(false);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('the project signer refuses a holder that is not its key, and a missing challenge', async () => {
    await expect(holder.sign(vc.createPresentation({ verifiableCredential: [cred], holder: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }), { challenge: CHALLENGE })).rejects.toThrow(/not the signing key/);
    await expect(holder.sign(vc.createPresentation({ verifiableCredential: [cred] }), { challenge: '' })).rejects.toThrow(/challenge/);
  });
});
