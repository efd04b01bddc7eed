// A small verification world for unit tests: one issuer key of a member institution, a revocation list, a catalogue
// with one microcredential, and issue() for a fresh signed Open Badges 3.0 credential; holder(): a holder key that
// signs presentations (did:key, eddsa-rdfc-2022, proof purpose authentication) through @digitalbazaar/vc.
import { generateSeed } from '../../node/identity/keys.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';
import { createCredentialSigner, createPresentationSigner, type CredentialSigner, type PresentationSigner } from '../../node/credentials/sign.js';
import { buildStatusEntry, createStatusList, type StatusList } from '../../node/credentials/status-list.js';
import type { VerifierDeps } from '../../node/credentials/verify.js';

export const WORLD_RECORD: MicrocredentialRecordInput = {
  code: 'ING-SEG-01',
  version: 1,
  title: { es: 'Seguridad en obras de construcción', en: 'Construction site safety' },
  description: { es: 'Gestión de riesgos laborales en obra.' },
  criteria: { es: 'Aprobar el proyecto final.' },
  learningOutcomes: [{ text: { es: 'Identifica los riesgos de una obra.' } }],
  workload: { hours: 54, credits: { system: 'SCT-Chile', value: 2 } },
  level: { framework: 'EQF', value: '6' },
  fieldOfStudy: { iscedF: '0732' },
  assessment: { type: 'project' },
  participation: { mode: 'blended' },
  qualityAssurance: { type: 'internal-and-external', body: 'CNA-Chile' },
  awardingBody: { name: 'Universidad del Sur' },
  country: 'CL',
  languages: ['es'],
};
export const WORLD_INSTITUTION = { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad del Sur', country: 'CL' };
export const WORLD_MC_ID = 'ING-SEG-01.00112233aabbccdd';
export const WORLD_LIST_URL = 'https://sur.example/api/v1/status-lists/1';
export const WORLD_NOW = new Date('2026-03-01T12:00:00Z');

export interface CredentialWorld {
  signer: CredentialSigner;
  revocation: StatusList;
  deps: VerifierDeps;
  issue(created?: string): Promise<Record<string, unknown>>;
  holder(): Promise<PresentationSigner>;
}

export async function makeCredentialWorld(): Promise<CredentialWorld> {
  const signer = await createCredentialSigner(generateSeed());
  const revocation = createStatusList();
  const deps: VerifierDeps = {
    trust: {
      lookupIssuerKey: (did) => (did === signer.did ? { institution: WORLD_INSTITUTION, member: true, publishedAt: '2025-01-01T00:00:00Z' } : null),
    },
    status: { lookup: (url) => (url === WORLD_LIST_URL ? { bits: revocation, purpose: 'revocation' } : null) },
    catalogue: {
      lookup: (_uri, globalId) => (globalId === WORLD_MC_ID ? { record: WORLD_RECORD, globalId, institutionDid: WORLD_INSTITUTION.did } : null),
    },
    freshness: () => ({ asOf: '2026-03-01T11:59:00Z', lagEntries: 0, peersConnected: 1 }),
    now: () => WORLD_NOW,
  };
  let n = 0;
  return {
    signer,
    revocation,
    deps,
    async issue(created = '2026-02-01T10:00:00Z') {
      const cred = buildOpenBadgeCredential({
        record: WORLD_RECORD,
        microcredentialId: WORLD_MC_ID,
        institution: WORLD_INSTITUTION,
        issuerDid: signer.did,
        learner: { name: 'Ana Pérez', email: 'ana@example.org' },
        issuedAt: '2026-02-01T10:00:00Z',
        credentialStatus: buildStatusEntry({ statusListCredential: WORLD_LIST_URL, index: n++, purpose: 'revocation' }),
      });
      return signer.sign(cred, { created });
    },
    holder: () => createPresentationSigner(generateSeed()),
  };
}
