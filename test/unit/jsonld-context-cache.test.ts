// The jsonld processed-context cache patch (node/credentials/jsonld-context-cache.ts) must not change any result:
// expansion and N-Quads of OB 3.0 / VC 1.1 / VC 2.0 documents are compared with an unpatched jsonld copy
// (@digitalcredentials/jsonld), repeatedly, interleaved, so that cached contexts are reused across documents.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { installJsonLdContextCache } from '../../node/credentials/jsonld-context-cache.js';
import { createDocumentLoader, CONTEXTS } from '../../node/identity/document-loader.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';
import { buildStatusEntry } from '../../node/credentials/status-list.js';
import { createCredentialSigner } from '../../node/credentials/sign.js';
import { createVerifier } from '../../node/credentials/verify.js';
import { generateSeed } from '../../node/identity/keys.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const reference: any = require('@digitalcredentials/jsonld');
// The jsonld instance @digitalbazaar/vc and the cryptosuites use (the one the patch applies to).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const patched: any = require('jsonld');

const vectors = new URL('../vectors/w3c-vc-di-eddsa/', import.meta.url);
const readJson = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, vectors), 'utf8'));

const RECORD: MicrocredentialRecordInput = {
  code: 'EQ-01',
  version: 1,
  title: { es: 'Equivalencia', en: 'Equivalence' },
  description: { es: 'Prueba.' },
  criteria: { es: 'Aprobar.' },
  learningOutcomes: [{ text: { es: 'R1' }, escoUri: 'http://data.europa.eu/esco/skill/1b9d5e8c' }, { text: { es: 'R2' } }],
  workload: { hours: 30, credits: { system: 'ECTS', value: 1 } },
  level: { framework: 'EQF', value: '5' },
  fieldOfStudy: { iscedF: '0714' },
  assessment: { type: 'exam', description: { es: 'Examen' } },
  participation: { mode: 'online' },
  qualityAssurance: { type: 'internal', body: 'QA' },
  awardingBody: { name: 'Universidad' },
  country: 'PE',
  languages: ['es', 'en'],
  skills: [{ name: { es: 'Habilidad' }, uri: 'http://data.europa.eu/esco/skill/aaaa' }],
  prerequisites: { es: 'Ninguno' },
  supervision: 'supervised-with-identity-check',
  stackability: { standalone: true },
};

function documents(): Record<string, unknown>[] {
  const ob = (i: number) =>
    buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'EQ-01.0011223344556677',
      institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'U', country: 'PE' },
      issuerDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      learner: { name: `L${i}`, email: `l${i}@example.org` },
      issuedAt: '2026-01-01T00:00:00Z',
      credentialStatus: buildStatusEntry({ statusListCredential: 'https://x.example/sl/1', index: i, purpose: 'revocation' }),
    }) as Record<string, unknown>;
  const vector = readJson('signed-eddsa-rdfc-2022.json');
  const { proof, ...unsignedVector } = vector;
  const proofConfig = { '@context': vector['@context'], ...(proof as Record<string, unknown>) };
  const v1 = {
    '@context': [CONTEXTS.VC_V1, CONTEXTS.ED25519_2020_V1],
    type: ['VerifiableCredential'],
    issuer: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    issuanceDate: '2025-01-01T00:00:00Z',
    credentialSubject: { id: 'did:example:1' },
    proof: {
      type: 'Ed25519Signature2020',
      created: '2025-01-01T00:00:00Z',
      proofPurpose: 'assertionMethod',
      verificationMethod: 'did:key:z6Mk#z6Mk',
    },
  };
  const vp = {
    '@context': [CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3],
    type: ['VerifiablePresentation'],
    verifiableCredential: [ob(7), ob(8)],
  };
  return [ob(1), unsignedVector, proofConfig, v1, ob(2), vp, vector, ob(3)];
}

describe('jsonld context cache patch', () => {
  it('is active once installed (installing is idempotent)', () => {
    expect(installJsonLdContextCache()).toBe(true);
  });

  it('expands and canonicalises exactly like unpatched jsonld, across repeated and interleaved documents', async () => {
    installJsonLdContextCache();
    const extra = { 'https://www.w3.org/ns/credentials/examples/v2': readJson('examples-v2-context.json') };
    const documentLoader = createDocumentLoader({ extraDocuments: extra });
    const docs = documents();
    for (let round = 0; round < 3; round++) {
      for (const doc of docs) {
        const opts = { documentLoader, safe: true };
        const [a, b] = await Promise.all([patched.expand(doc, opts), reference.expand(doc, opts)]);
        expect(a).toEqual(b);
        const nqOpts = { documentLoader, safe: true, format: 'application/n-quads', algorithm: 'RDFC-1.0' };
        const [x, y] = await Promise.all([patched.toRDF(doc, nqOpts), reference.toRDF(doc, nqOpts)]);
        expect(x).toEqual(y);
        expect(String(x).length).toBeGreaterThan(100);
      }
    }
  });

  it('treats an extra term inside a type-scoped node exactly like unpatched jsonld', async () => {
    const documentLoader = createDocumentLoader();
    const doc = documents()[0]!;
    await patched.expand(doc, { documentLoader, safe: true });
    const withUndefinedTerm = structuredClone(doc);
    ((withUndefinedTerm['credentialSubject'] as Record<string, unknown>)['achievement'] as Record<string, unknown>)['notAnObTerm'] = 'x';
    // OB 3.0 credentials use the VC 2.0 @vocab for undefined terms: both processors must agree either way.
    const run = async (p: typeof patched) => {
      try {
        return JSON.stringify(await p.expand(withUndefinedTerm, { documentLoader, safe: true }));
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    expect(await run(patched)).toEqual(await run(reference));
  });

  it('matches unpatched jsonld on random trees of type-scoped, property-scoped and propagating contexts', async () => {
    const documentLoader = createDocumentLoader();
    const context = {
      '@version': 1.1,
      '@vocab': 'http://ex.test/vocab#',
      name: 'http://ex.test/name',
      A: { '@id': 'http://ex.test/A', '@context': { name: 'http://ex.test/a-name', child: { '@id': 'http://ex.test/a-child' } } },
      B: { '@id': 'http://ex.test/B', '@context': { name: { '@id': 'http://ex.test/b-name', '@type': '@id' }, tag: 'http://ex.test/b-tag' } },
      C: { '@id': 'http://ex.test/C', '@context': { '@propagate': true, name: 'http://ex.test/c-name', tag: 'http://ex.test/c-tag' } },
      D: { '@id': 'http://ex.test/D', '@context': { '@vocab': 'http://ex.test/d#' } },
      child: { '@id': 'http://ex.test/child' },
      P: { '@id': 'http://ex.test/p', '@context': { name: 'http://ex.test/p-name', tag: { '@id': 'http://ex.test/p-tag', '@type': '@id' } } },
      Q: { '@id': 'http://ex.test/q', '@context': { '@propagate': false, name: 'http://ex.test/q-name' } },
      other: 'http://ex.test/other',
    };
    let seed = 12345;
    const rnd = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const node = (depth: number): Record<string, unknown> => {
      const n: Record<string, unknown> = { name: `v${rnd(5)}`, tag: `t${rnd(3)}`, extra: `e${rnd(3)}` };
      const types = [[], ['A'], ['B'], ['C'], ['D'], ['A', 'B'], ['B', 'D']][rnd(7)]!;
      if (types.length) n['@type'] = types.length === 1 ? types[0] : types;
      if (depth < 4) {
        for (const p of ['child', 'P', 'Q', 'other']) {
          const k = rnd(4);
          if (k === 1) n[p] = node(depth + 1);
          else if (k === 2) n[p] = [node(depth + 1), node(depth + 1)];
          else if (k === 3) n[p] = { '@value': `lit${rnd(3)}` };
        }
      }
      return n;
    };
    // Concurrent expansions interleave at every await: results must not depend on it.
    const batch = Array.from({ length: 40 }, () => ({ '@context': context, ...node(0) }));
    const nqOpts = { documentLoader, format: 'application/n-quads', algorithm: 'RDFC-1.0' };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const settle = (p: Promise<any>) => p.then((v) => String(v), (e: Error) => `error: ${e.message}`);
    const concurrent = await Promise.all(batch.map((d) => settle(patched.toRDF(d, nqOpts))));
    const refConcurrent = await Promise.all(batch.map((d) => settle(reference.toRDF(d, nqOpts))));
    for (let i = 0; i < batch.length; i++) {
      const sequential = await settle(reference.toRDF(batch[i], nqOpts));
      expect(concurrent[i]).toEqual(sequential);
      expect(refConcurrent[i]).toEqual(sequential);
      expect(sequential).not.toMatch(/^error/);
    }
    for (let i = 0; i < 60; i++) {
      const doc = { '@context': context, ...node(0) };
      const run = async (p: typeof patched) => {
        try {
          const nq = await p.toRDF(doc, { documentLoader, format: 'application/n-quads', algorithm: 'RDFC-1.0' });
          return { expanded: await p.expand(doc, { documentLoader }), nq };
        } catch (e) {
          return `error: ${(e as Error).message}`;
        }
      };
      const [a, b] = [await run(patched), await run(reference)];
      expect(typeof b, String(b)).toBe('object');
      expect(a, JSON.stringify(doc)).toEqual(b);
    }
  });

  it('a warm verifier (cached contexts and keys) still rejects tampering, a foreign key and a network context', async () => {
    const signer = await createCredentialSigner(generateSeed());
    const other = await createCredentialSigner(generateSeed());
    const verifier = createVerifier({
      trust: { lookupIssuerKey: () => null },
      status: { lookup: () => null },
      catalogue: { lookup: () => null },
      freshness: () => ({ asOf: '2026-01-01T00:00:00Z' }),
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    const build = (i: number, issuerDid: string) =>
      buildOpenBadgeCredential({
        record: RECORD,
        microcredentialId: 'EQ-01.0011223344556677',
        institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'U', country: 'PE' },
        issuerDid,
        learner: { name: `L${i}`, email: `l${i}@example.org` },
        issuedAt: '2026-01-01T00:00:00Z',
      }) as Record<string, unknown>;
    const proofOf = async (c: unknown) => (await verifier.verify(c)).checks.find((x) => x.id === 'proof')!;
    const good = await signer.sign(build(1, signer.did));
    for (let i = 0; i < 3; i++) expect((await proofOf(good)).status).toBe('ok');

    const tampered = structuredClone(good) as Record<string, unknown>;
    const subject = tampered['credentialSubject'] as Record<string, unknown>;
    (subject['achievement'] as Record<string, unknown>)['name'] = 'Something else';
    expect((await proofOf(tampered)).status).toBe('failed');
    const tamperedDate = { ...good, validFrom: '2026-01-02T00:00:00Z' };
    expect((await proofOf(tamperedDate)).status).toBe('failed');

    // Signed by another key but claiming the first key's verification method (cached verifier for it).
    const forged = await other.sign(build(2, other.did));
    const forgedProof = { ...(forged.proof as Record<string, unknown>), verificationMethod: signer.verificationMethod };
    expect((await proofOf({ ...forged, issuer: { ...(forged['issuer'] as object), id: signer.did }, proof: forgedProof })).status).toBe('failed');
    expect((await proofOf(forged)).status).toBe('ok');

    const network = { ...good, '@context': [...(good['@context'] as string[]), 'https://example.com/ctx.jsonld'] };
    const r = await verifier.verify(network);
    expect(r.checks.find((x) => x.id === 'contexts')!.status).toBe('failed');
    expect(r.verified).toBe(false);
    expect((await proofOf(good)).status).toBe('ok');
  });
});
