// Interoperability: the W3C vc-di-eddsa published eddsa-rdfc-2022 vector verifies with our verifier, and a credential
// issued by our code verifies with an independent verifier (@digitalcredentials/vc) using its own document loader.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as dcc from '@digitalcredentials/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { generateSeed } from '../../node/identity/keys.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';
import { createCredentialSigner } from '../../node/credentials/sign.js';
import { buildStatusEntry } from '../../node/credentials/status-list.js';
import { createVerifier, type VerifierDeps } from '../../node/credentials/verify.js';
import { independentLoader } from '../helpers/independent-loader.js';

const vectors = new URL('../vectors/w3c-vc-di-eddsa/', import.meta.url);
const readJson = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, vectors), 'utf8'));

const emptyDeps: VerifierDeps = {
  trust: { lookupIssuerKey: () => null },
  status: { lookup: () => null },
  catalogue: { lookup: () => null },
  freshness: () => ({ asOf: '2026-01-01T00:00:00Z' }),
  now: () => new Date('2026-01-01T00:00:00Z'),
};

describe('W3C vc-di-eddsa eddsa-rdfc-2022 test vector', () => {
  const signed = readJson('signed-eddsa-rdfc-2022.json');
  const keyPair = readJson('key-pair.json') as { publicKeyMultibase: string };
  const controller = 'https://vc.example/issuers/5678';
  const vmId = `${controller}#${keyPair.publicKeyMultibase}`;
  const extraDocuments = {
    'https://www.w3.org/ns/credentials/examples/v2': readJson('examples-v2-context.json'),
    [vmId]: {
      '@context': 'https://w3id.org/security/multikey/v1',
      id: vmId,
      type: 'Multikey',
      controller,
      publicKeyMultibase: keyPair.publicKeyMultibase,
    },
    [controller]: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: controller,
      assertionMethod: [vmId],
    },
  };

  it('verifies the published proof', async () => {
    const r = await createVerifier({ ...emptyDeps, extraDocuments }).verify(signed);
    const proof = r.checks.find((c) => c.id === 'proof')!;
    expect(proof.status, proof.reason).toBe('ok');
    expect(r.checks.find((c) => c.id === 'issuer_known')!.status).toBe('failed');
  });

  it('rejects the vector once altered', async () => {
    const altered = { ...signed, credentialSubject: { id: 'did:example:abcdefgh', alumniOf: 'Another School' } };
    const r = await createVerifier({ ...emptyDeps, extraDocuments }).verify(altered);
    expect(r.checks.find((c) => c.id === 'proof')!.status).toBe('failed');
  });

  it('without the vector documents, the https verification method is refused offline', async () => {
    const r = await createVerifier(emptyDeps).verify(signed);
    expect(r.checks.find((c) => c.id === 'contexts')!.status).toBe('failed');
  });
});

describe('independent verifier (@digitalcredentials/vc)', () => {
  const record: MicrocredentialRecordInput = {
    code: 'SAL-01',
    version: 1,
    title: { es: 'Atención primaria digital', en: 'Digital primary care' },
    description: { es: 'Telemedicina en atención primaria.' },
    learningOutcomes: [{ text: { es: 'Realiza una teleconsulta segura.' } }],
    workload: { hours: 32, credits: { system: 'SATCA', value: 2 } },
    level: { framework: 'MCESCA', value: '5' },
    fieldOfStudy: { iscedF: '0912' },
    assessment: { type: 'exam' },
    participation: { mode: 'online' },
    qualityAssurance: { type: 'internal' },
    country: 'MX',
    languages: ['es', 'en'],
  };

  it('verifies a credential issued by our code', async () => {
    const signer = await createCredentialSigner(generateSeed());
    const cred = await signer.sign(
      buildOpenBadgeCredential({
        record,
        microcredentialId: 'SAL-01.0011223344556677',
        institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad del Norte', country: 'MX' },
        issuerDid: signer.did,
        learner: { name: 'María López', email: 'maria@example.mx' },
        issuedAt: '2026-01-15T09:00:00Z',
        credentialStatus: buildStatusEntry({ statusListCredential: 'https://norte.example/sl/1', index: 5, purpose: 'revocation' }),
      }),
    );
    const result = await dcc.verifyCredential({
      credential: cred,
      suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
      documentLoader: independentLoader(),
      checkStatus: async () => ({ verified: true }),
    });
    expect(result.verified, JSON.stringify(result.error ?? result.results?.[0]?.error ?? null)).toBe(true);

    // And the independent verifier rejects it once tampered.
    const tampered = structuredClone(cred) as unknown as { credentialSubject: { achievement: { alignment: { targetType: string; targetCode: string }[] } } };
    tampered.credentialSubject.achievement.alignment.find((a) => a.targetType === 'ext:NotionalWorkload')!.targetCode = '320';
    const bad = await dcc.verifyCredential({
      credential: tampered,
      suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
      documentLoader: independentLoader(),
      checkStatus: async () => ({ verified: true }),
    });
    expect(bad.verified).toBe(false);
  });
});
