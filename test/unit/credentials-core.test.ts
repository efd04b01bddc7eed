// Credential core: issue → verify round trip, one failing check per bad input, status lists, presentations,
// Ed25519Signature2020, non-member issuers.
import { describe, expect, it, beforeAll, vi } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { generateSeed, keyFromSeed } from '../../node/identity/keys.js';
import { createDocumentLoader, CONTEXTS } from '../../node/identity/document-loader.js';
import { createDidResolver } from '../../node/identity/did-resolver.js';
import { buildOpenBadgeCredential, EU_TARGET_TYPES, identityHash, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';
import { createCredentialSigner, type CredentialSigner } from '../../node/credentials/sign.js';
import {
  buildStatusEntry,
  createStatusList,
  decodeStatusList,
  signStatusListCredential,
  statusListFromCredential,
  StatusList,
  MIN_STATUS_LIST_BITS,
  pairedSuspensionListUrl,
} from '../../node/credentials/status-list.js';
import { createVerifier, type Check, type VerificationReport, type VerifierDeps } from '../../node/credentials/verify.js';
import { gzipSync } from 'node:zlib';

const RECORD: MicrocredentialRecordInput = {
  code: 'ING-SEG-01',
  version: 2,
  title: { es: 'Seguridad en obras de construcción', en: 'Construction site safety' },
  description: { es: 'Gestión de riesgos laborales en obra.', en: 'Managing occupational risks on site.' },
  criteria: { es: 'Aprobar el proyecto final con nota mínima 4,0.' },
  learningOutcomes: [
    { text: { es: 'Identifica los riesgos de una obra.' }, escoUri: 'http://data.europa.eu/esco/skill/1b9d5e8c' },
    { text: { es: 'Planifica medidas preventivas.' } },
  ],
  workload: { hours: 54, credits: { system: 'SCT-Chile', value: 2 } },
  level: { framework: 'EQF', value: '6' },
  fieldOfStudy: { iscedF: '0732' },
  assessment: { type: 'project', description: { es: 'Proyecto aplicado' } },
  participation: { mode: 'blended' },
  qualityAssurance: { type: 'internal-and-external', body: 'CNA-Chile' },
  awardingBody: { name: 'Universidad del Sur' },
  country: 'CL',
  languages: ['es'],
  skills: [{ name: { es: 'Prevención de riesgos' }, uri: 'http://data.europa.eu/esco/skill/aaaa' }],
  prerequisites: { es: 'Título de técnico o experiencia de 2 años' },
  supervision: 'supervised-with-identity-check',
  stackability: { standalone: true },
};

const INSTITUTION = { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad del Sur', country: 'CL' };
const LIST_URL = 'https://sur.example/api/v1/status-lists/1';
// OB 3.0 allows one credentialStatus: the suspension bit is at the same index of the paired list
const SUSP_URL = pairedSuspensionListUrl(LIST_URL)!;
const NOW = new Date('2026-03-01T12:00:00Z');

interface World {
  seed: Uint8Array;
  signer: CredentialSigner;
  revocation: StatusList;
  suspension: StatusList;
  deps: VerifierDeps;
  issue(over?: Partial<Parameters<typeof buildOpenBadgeCredential>[0]>): Promise<Record<string, unknown>>;
}

async function makeWorld(): Promise<World> {
  const seed = generateSeed();
  const signer = await createCredentialSigner(seed);
  const revocation = createStatusList();
  const suspension = createStatusList();
  const deps: VerifierDeps = {
    trust: {
      lookupIssuerKey: (did) =>
        did === signer.did ? { institution: INSTITUTION, member: true, publishedAt: '2025-01-01T00:00:00Z' } : null,
    },
    status: {
      lookup: (url) =>
        url === LIST_URL
          ? { bits: revocation, purpose: 'revocation' }
          : url === SUSP_URL
            ? { bits: suspension, purpose: 'suspension' }
            : null,
    },
    catalogue: {
      lookup: (_uri, globalId) =>
        globalId === 'ING-SEG-01.00112233aabbccdd' ? { record: RECORD, globalId, institutionDid: INSTITUTION.did } : null,
    },
    freshness: () => ({ asOf: '2026-03-01T11:59:00Z', lagEntries: 0, peersConnected: 3 }),
    now: () => NOW,
  };
  let n = 0;
  return {
    seed,
    signer,
    revocation,
    suspension,
    deps,
    async issue(over = {}) {
      const index = n++;
      const cred = buildOpenBadgeCredential({
        record: RECORD,
        microcredentialId: 'ING-SEG-01.00112233aabbccdd',
        institution: INSTITUTION,
        issuerDid: signer.did,
        learner: { name: 'Ana Pérez', email: 'Ana@Example.org' },
        issuedAt: '2026-02-01T10:00:00Z',
        credentialStatus: buildStatusEntry({ statusListCredential: LIST_URL, index, purpose: 'revocation' }),
        ...over,
      });
      return signer.sign(cred, { created: over.issuedAt ?? '2026-02-01T10:00:00Z' });
    },
  };
}

function check(r: VerificationReport, id: Check['id']): Check {
  return r.checks.find((c) => c.id === id)!;
}

function failedOnly(r: VerificationReport): string[] {
  return r.checks.filter((c) => c.status === 'failed').map((c) => c.id);
}

describe('credentials: issue and verify', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld();
  });

  it('round trip: a fresh credential verifies with every check ok', async () => {
    const cred = await w.issue();
    const r = await createVerifier(w.deps).verify(cred);
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.outcome).toBe('verified');
    expect(r.issuer).toMatchObject({ did: INSTITUTION.did, member: true, keyId: w.signer.did });
    expect(r.microcredential?.globalId).toBe('ING-SEG-01.00112233aabbccdd');
    expect(r.freshness).toMatchObject({ peersConnected: 3 });
    expect(r.credential?.learner?.name).toBe('Ana Pérez');
  });

  it('carries the learner as a salted OB3 identity hash, never the e-mail in clear', async () => {
    const cred = await w.issue();
    const text = JSON.stringify(cred);
    expect(text).not.toMatch(/example\.org/i);
    const idObj = (cred['credentialSubject'] as { identifier: { identityHash: string; salt: string; hashed: boolean }[] }).identifier[0]!;
    expect(idObj.hashed).toBe(true);
    expect(idObj.identityHash).toBe(identityHash('ana@example.org', idObj.salt));
  });

  it('accepts JSON text and bytes as input', async () => {
    const cred = await w.issue();
    const v = createVerifier(w.deps);
    expect((await v.verify(JSON.stringify(cred))).verified).toBe(true);
    expect((await v.verify(new TextEncoder().encode(JSON.stringify(cred)))).verified).toBe(true);
  });

  it('refuses to build a credential without the mandatory EU elements', () => {
    const bad = { ...RECORD, learningOutcomes: [], assessment: { type: '' } };
    expect(() =>
      buildOpenBadgeCredential({
        record: bad,
        microcredentialId: 'x.1',
        institution: INSTITUTION,
        issuerDid: w.signer.did,
        learner: { name: 'A' },
        issuedAt: NOW,
      }),
    ).toThrow(/learning outcomes, assessment type/);
  });

  it('never touches the network, even for a credential naming a remote context', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const cred = await w.issue();
    (cred['@context'] as string[]).push('https://example.com/contexts/evil.jsonld');
    const r = await createVerifier(w.deps).verify(cred);
    expect(check(r, 'contexts')).toMatchObject({ status: 'failed' });
    expect(check(r, 'contexts').reason).toMatch(/context not bundled: https:\/\/example.com\/contexts\/evil.jsonld/);
    expect(check(r, 'proof').status).toBe('unchecked');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });
});

describe('credentials: every bad input has its own failing check', () => {
  let w: World;
  let v: ReturnType<typeof createVerifier>;
  beforeAll(async () => {
    w = await makeWorld();
    v = createVerifier(w.deps);
  });

  it('text that is not JSON fails the parse check', async () => {
    const r = await v.verify('{"@context": [');
    expect(r.verified).toBe(false);
    expect(check(r, 'parse')).toMatchObject({ status: 'failed', reason: 'input is not valid JSON' });
  });

  it('JSON that is not an object (an array, a number, nothing) fails the parse check', async () => {
    expect(check(await v.verify('[1,2]'), 'parse').reason).toMatch(/not a JSON object/);
    expect(check(await v.verify(42), 'parse').status).toBe('failed');
    expect(check(await v.verify(undefined), 'parse').status).toBe('failed');
  });

  it('an object without the VC context or type fails the parse check', async () => {
    const r = await v.verify({ hello: 'world' });
    expect(check(r, 'parse')).toMatchObject({ status: 'failed' });
    expect(check(r, 'parse').reason).toMatch(/@context/);
    const r2 = await v.verify({ '@context': [CONTEXTS.VC_V2], type: ['Thing'], issuer: 'did:key:z6Mk', credentialSubject: {} });
    expect(check(r2, 'parse').reason).toMatch(/VerifiableCredential/);
  });

  it('an unknown context, even nested inline, fails the contexts check', async () => {
    const cred = await w.issue();
    (cred['credentialSubject'] as Record<string, unknown>)['@context'] = 'https://unknown.example/ctx';
    const r = await v.verify(cred);
    expect(failedOnly(r)).toContain('contexts');
    expect(check(r, 'contexts').reason).toMatch(/unknown.example/);
  });

  it('a term no context defines fails the proof check (JSON-LD safe mode), never dropped from what is signed', async () => {
    const cred = await w.issue();
    // The credential uses only the VC 2.0 and OB 3.0 contexts: a property neither defines is undefined and JSON-LD
    // safe mode must reject it (rather than drop it from what the signature covers).
    expect(cred['@context']).toEqual([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3]);
    ((cred['credentialSubject'] as Record<string, unknown>)['achievement'] as Record<string, unknown>)['workload'] = { hours: 54 };
    const r = await v.verify(cred);
    expect(check(r, 'proof').status).toBe('failed');
    expect(check(r, 'proof').reason).toMatch(/safe mode/i);
  });

  it('a field altered after signing fails the proof check only', async () => {
    const cred = await w.issue();
    ((cred['credentialSubject'] as Record<string, unknown>)['achievement'] as Record<string, unknown>)['name'] = 'Otro título';
    const r = await v.verify(cred);
    expect(failedOnly(r)).toEqual(['proof']);
    expect(check(r, 'proof').reason).toMatch(/altered after signing/);
  });

  it('a proof value changed by one character fails the proof check only', async () => {
    const cred = await w.issue();
    const proof = cred['proof'] as Record<string, string>;
    const pv = proof['proofValue']!;
    proof['proofValue'] = pv.slice(0, 10) + (pv[10] === 'A' ? 'B' : 'A') + pv.slice(11);
    const r = await v.verify(cred);
    expect(failedOnly(r)).toEqual(['proof']);
  });

  it('a credential without a proof, or with an unsupported proof suite, fails the proof check and names why', async () => {
    const cred = await w.issue();
    const noProof = { ...cred };
    delete noProof['proof'];
    expect(check(await v.verify(noProof), 'proof')).toMatchObject({ status: 'failed', reason: 'the credential has no proof' });
    const other = { ...cred, proof: { ...(cred['proof'] as object), cryptosuite: 'ecdsa-rdfc-2019' } };
    expect(check(await v.verify(other), 'proof').reason).toMatch(/unsupported proof suite: DataIntegrityProof\/ecdsa-rdfc-2019/);
    const jws = { ...cred, proof: { type: 'JsonWebSignature2020', jws: 'x' } };
    expect(check(await v.verify(jws), 'proof').reason).toMatch(/unsupported proof suite: JsonWebSignature2020/);
  });

  it('an expired or not yet valid credential fails the validity period check only', async () => {
    const expired = await w.issue({ issuedAt: '2025-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' });
    const r1 = await v.verify(expired);
    expect(failedOnly(r1)).toEqual(['validity_period']);
    expect(check(r1, 'validity_period').reason).toMatch(/expired/);
    const future = await w.issue({ issuedAt: '2026-06-01T00:00:00Z' });
    const r2 = await v.verify(future);
    expect(failedOnly(r2)).toEqual(['validity_period']);
    expect(check(r2, 'validity_period').reason).toMatch(/not yet valid/);
  });

  it('a revoked or suspended credential fails the status check; once the suspension is lifted it verifies again', async () => {
    const cred = await w.issue();
    const idx = Number((cred['credentialStatus'] as { statusListIndex: string }).statusListIndex);
    w.revocation.set(idx);
    let r = await v.verify(cred);
    expect(failedOnly(r)).toEqual(['status']);
    expect(check(r, 'status').reason).toBe('the credential is revoked');
    w.revocation.clear(idx);
    w.suspension.set(idx);
    r = await v.verify(cred);
    expect(check(r, 'status')).toMatchObject({ status: 'failed', reason: 'the credential is suspended' });
    w.suspension.clear(idx);
    expect((await v.verify(cred)).verified).toBe(true);
  });

  it('a status list missing from the replica is unchecked (verified false, outcome incomplete)', async () => {
    const cred = await w.issue({
      credentialStatus: buildStatusEntry({ statusListCredential: 'https://elsewhere.example/sl/9', index: 3, purpose: 'revocation' }),
    });
    const r = await v.verify(cred);
    expect(check(r, 'status').status).toBe('unchecked');
    expect(r.verified).toBe(false);
    expect(r.outcome).toBe('incomplete');
  });

  it('a credential from a key outside the network verifies cryptographically but is not from a member', async () => {
    const outsider = await createCredentialSigner(generateSeed());
    const cred = buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'ING-SEG-01.00112233aabbccdd',
      institution: { did: outsider.did, name: 'Instituto Externo', country: 'PE' },
      issuerDid: outsider.did,
      learner: { did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' },
      issuedAt: '2026-02-01T00:00:00Z',
    });
    const r = await v.verify(await outsider.sign(cred));
    expect(check(r, 'proof').status).toBe('ok');
    expect(check(r, 'schema').status).toBe('ok');
    expect(check(r, 'issuer_known')).toMatchObject({ status: 'failed' });
    expect(check(r, 'issuer_known').reason).toMatch(/outside the network/);
    expect(r.verified).toBe(false);
  });

  it('a key whose institution is not a member, a credential issued before its key was published, and one by a compromised key fail the trust checks; a key rotated after issuance does not', async () => {
    const cred = await w.issue();
    const base = w.deps.trust.lookupIssuerKey;
    const withTrust = (t: object) =>
      createVerifier({ ...w.deps, trust: { lookupIssuerKey: (d) => (d === w.signer.did ? { ...(base(d) as object), ...t } as never : null) } });
    expect(check(await withTrust({ member: false }).verify(cred), 'issuer_known').reason).toMatch(/not a member/);
    expect(failedOnly(await withTrust({ publishedAt: '2026-02-15T00:00:00Z' }).verify(cred))).toEqual(['key_valid_at_issuance']);
    const compromised = await withTrust({ revokedAt: '2026-01-20T00:00:00Z', revocationReason: 'compromised' }).verify(cred);
    expect(check(compromised, 'key_valid_at_issuance').reason).toMatch(/compromised/);
    const rotatedLater = await withTrust({ revokedAt: '2026-02-20T00:00:00Z', revocationReason: 'rotated' }).verify(cred);
    expect(check(rotatedLater, 'key_valid_at_issuance').status).toBe('ok');
  });

  it('a credential claiming another institution than the key owner fails the issuer check only', async () => {
    const cred = buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'ING-SEG-01.00112233aabbccdd',
      institution: { ...INSTITUTION, did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' },
      issuerDid: w.signer.did,
      learner: { name: 'X' },
      issuedAt: '2026-02-01T00:00:00Z',
    });
    const r = await v.verify(await w.signer.sign(cred));
    expect(failedOnly(r)).toEqual(['issuer_known']);
  });

  it('a microcredential not in the catalogue fails the listing check; a non-OB3 credential fails the schema check with a valid proof', async () => {
    const cred = await w.issue({ microcredentialId: 'OTRO-99.00112233aabbccdd' });
    const r = await v.verify(cred);
    expect(failedOnly(r)).toEqual(['microcredential_listed']);
    const plain = await w.signer.sign({
      '@context': [CONTEXTS.VC_V2],
      type: ['VerifiableCredential'],
      issuer: w.signer.did,
      validFrom: '2026-02-01T00:00:00Z',
      credentialSubject: { id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' },
    });
    const r2 = await v.verify(plain);
    expect(check(r2, 'proof').status).toBe('ok');
    expect(check(r2, 'schema').reason).toMatch(/not a valid Open Badges 3.0 credential/);
  });

  it('an OB3 credential without the EU elements fails the schema check only', async () => {
    const cred = await w.issue();
    const ach = (cred['credentialSubject'] as { achievement: Record<string, unknown> }).achievement;
    // the EU elements OB 3.0 has no property for are alignments: drop the workload and quality assurance ones
    ach['alignment'] = (ach['alignment'] as { targetType: string }[]).filter(
      (a) => a.targetType !== EU_TARGET_TYPES.workload && a.targetType !== EU_TARGET_TYPES.qualityAssurance,
    );
    delete cred['proof'];
    const r = await v.verify(await w.signer.sign(cred));
    expect(failedOnly(r)).toEqual(['schema']);
    expect(check(r, 'schema').reason).toMatch(/notional workload, type of quality assurance/);
  });

  it('never throws on hostile input', async () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 5000; i++) cur = (cur['a'] = {}) as Record<string, unknown>;
    const cred = await w.issue();
    const inputs: unknown[] = [
      null,
      '',
      'null',
      { ...cred, '@context': 'https://www.w3.org/ns/credentials/v2', credentialSubject: deep },
      { ...cred, proof: [null, 1, 'x'] },
      { ...cred, credentialStatus: { type: 'BitstringStatusListEntry', statusListIndex: '99999999999' } },
      { ...cred, validFrom: 'yesterday' },
      { ...cred, issuer: { id: 42 } },
      (() => {
        const c: Record<string, unknown> = { ...cred };
        c['self'] = c;
        return c;
      })(),
    ];
    for (const input of inputs) {
      const r = await v.verify(input);
      expect(r.verified).toBe(false);
      expect(r.checks.map((c) => c.id)).toHaveLength(9);
    }
  });
});

describe('credentials: presentations and Ed25519Signature2020', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld();
  });

  it('verifies each credential of a presentation and reports per credential', async () => {
    const good = await w.issue();
    const bad = await w.issue();
    ((bad['credentialSubject'] as Record<string, unknown>)['name'] as unknown) = 'Mallory';
    const vp = vc.createPresentation({ verifiableCredential: [good, bad], holder: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' });
    const r = await createVerifier(w.deps).verify(vp);
    expect(r.kind).toBe('presentation');
    expect(r.credentials).toHaveLength(2);
    expect(r.credentials![0]!.verified).toBe(true);
    expect(r.credentials![1]!.verified).toBe(false);
    expect(check(r, 'proof')).toMatchObject({ status: 'failed' });
    expect(check(r, 'proof').reason).toMatch(/^credential 2:/);
    expect(r.verified).toBe(false);
    // An unsigned presentation of good credentials: the credentials verify, the holder is not authenticated.
    const onlyGood = await createVerifier(w.deps).verify(vc.createPresentation({ verifiableCredential: [good] }));
    expect(onlyGood.credentials![0]!.verified).toBe(true);
    expect(check(onlyGood, 'holder_authenticated').status).toBe('unchecked');
    expect(onlyGood.verified).toBe(false);
    expect(onlyGood.summary).toBe('credentials verified, holder not authenticated');
  });

  it('accepts an Ed25519Signature2020 proof by a did:key issuer', async () => {
    const key = keyFromSeed(w.seed);
    const keyPair = await Ed25519VerificationKey2020.from({
      id: key.verificationMethod,
      controller: key.did,
      publicKeyMultibase: key.publicKeyMultibase,
      privateKeyMultibase: key.secretKeyMultibase,
    });
    const unsigned = buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'ING-SEG-01.00112233aabbccdd',
      institution: INSTITUTION,
      issuerDid: key.did,
      learner: { name: 'Luis' },
      issuedAt: '2026-02-01T00:00:00Z',
    });
    (unsigned['@context'] as string[]).push(CONTEXTS.ED25519_2020_V1);
    const signed = await vc.issue({
      credential: unsigned,
      suite: new Ed25519Signature2020({ key: keyPair }),
      documentLoader: createDocumentLoader(),
    });
    expect(signed.proof.type).toBe('Ed25519Signature2020');
    const r = await createVerifier(w.deps).verify(signed);
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(check(r, 'proof').reason).toMatch(/Ed25519Signature2020/);
  });
});

describe('credentials: bitstring status lists', () => {
  it('creates lists of at least the herd-privacy minimum, sets / clears bits, left-most bit first', () => {
    expect(() => createStatusList(1000)).toThrow();
    const l = createStatusList();
    expect(l.length).toBe(MIN_STATUS_LIST_BITS);
    l.set(0);
    l.set(9);
    l.set(MIN_STATUS_LIST_BITS - 1);
    expect(l.toBytes()[0]).toBe(0x80);
    expect(l.toBytes()[1]).toBe(0x40);
    expect(l.setIndices()).toEqual([0, 9, MIN_STATUS_LIST_BITS - 1]);
    l.clear(9);
    expect(l.get(9)).toBe(false);
    expect(() => l.get(MIN_STATUS_LIST_BITS)).toThrow(/out of range/);
  });

  it('encodes as multibase base64url GZIP and decodes back', () => {
    const l = createStatusList();
    l.set(42);
    const enc = l.encode();
    expect(enc.startsWith('u')).toBe(true);
    expect(enc).toMatch(/^u[A-Za-z0-9_-]+$/);
    const d = decodeStatusList(enc);
    expect(d.length).toBe(MIN_STATUS_LIST_BITS);
    expect(d.setIndices()).toEqual([42]);
  });

  it('refuses a hostile list (a gzip bomb) without inflating it', () => {
    const bomb = 'u' + gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url');
    expect(() => decodeStatusList(bomb)).toThrow(/more than/);
    expect(() => decodeStatusList('u' + 'A'.repeat(2_000_000))).toThrow(/longer than/);
    expect(() => decodeStatusList('u!!!')).toThrow(/base64url/);
    expect(() => decodeStatusList('uAAAA')).toThrow(/GZIP/);
  });

  it('builds and signs a BitstringStatusListCredential that the verifier accepts as a VC', async () => {
    const signer = await createCredentialSigner(generateSeed());
    const list = createStatusList();
    list.set(7);
    const slc = await signStatusListCredential(signer, {
      id: LIST_URL,
      purpose: 'revocation',
      list,
      validFrom: '2026-02-01T00:00:00Z',
    });
    expect(slc['type']).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    const back = statusListFromCredential(slc);
    expect(back.purpose).toBe('revocation');
    expect(back.list.get(7)).toBe(true);
    const w = await makeWorld();
    const r = await createVerifier(w.deps).verify(slc);
    expect(check(r, 'proof').status).toBe('ok');
  });
});

describe('identity: did:key resolution', () => {
  it('resolves a did:key to a DID document with a Multikey assertion method', async () => {
    const k = keyFromSeed(generateSeed());
    const res = await createDidResolver().resolve(k.did);
    expect(res.didDocument?.id).toBe(k.did);
    expect(JSON.stringify(res.didDocument?.assertionMethod)).toContain(k.verificationMethod);
    const bad = await createDidResolver().resolve('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme');
    expect(bad.didDocument).toBeNull();
  });

  it('the document loader refuses other URLs with a clean error', async () => {
    const l = createDocumentLoader();
    await expect(l('https://schema.org/')).rejects.toMatchObject({ code: 'unsupported' });
    await expect(l('did:web:example.com')).rejects.toMatchObject({ code: 'unsupported' });
  });
});
