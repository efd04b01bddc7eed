/**
 * Throughput measurements of the credential core (issue and verify), for the benchmark scripts. Self-contained:
 * a throw-away key, in-memory trust / status / catalogue. Must never be imported by the running node.
 */
import { generateSeed } from '../identity/keys.js';
import { createDocumentLoader } from '../identity/document-loader.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from './ob3.js';
import { createCredentialSigner } from './sign.js';
import { buildStatusEntry, createStatusList } from './status-list.js';
import { createVerifier } from './verify.js';

export interface BenchResult {
  n: number;
  ms: number;
  perSecond: number;
}

/** The record every credential benchmark signs and verifies (also the baseline's, in scripts/bench/vc-baseline.ts). */
export const BENCH_RECORD: MicrocredentialRecordInput = {
  code: 'BENCH-01',
  version: 1,
  title: { es: 'Microcredencial de prueba', en: 'Benchmark microcredential' },
  description: { es: 'Medición de rendimiento.' },
  learningOutcomes: [{ text: { es: 'Resultado de aprendizaje 1' } }, { text: { es: 'Resultado de aprendizaje 2' } }],
  workload: { hours: 50, credits: { system: 'ECTS', value: 2 } },
  level: { framework: 'EQF', value: '6' },
  fieldOfStudy: { iscedF: '0714' },
  assessment: { type: 'exam' },
  participation: { mode: 'online' },
  qualityAssurance: { type: 'internal' },
  country: 'GT',
  languages: ['es'],
};
export const BENCH_INSTITUTION = { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad Bench', country: 'GT' };
const LIST = 'https://bench.example/sl/1';

async function setup() {
  const signer = await createCredentialSigner(generateSeed(), { documentLoader: createDocumentLoader() });
  const unsigned = (i: number) =>
    buildOpenBadgeCredential({
      record: BENCH_RECORD,
      microcredentialId: 'BENCH-01.0011223344556677',
      institution: BENCH_INSTITUTION,
      issuerDid: signer.did,
      learner: { name: `Learner ${i}`, email: `learner${i}@example.org` },
      issuedAt: '2026-01-01T00:00:00Z',
      credentialStatus: buildStatusEntry({ statusListCredential: LIST, index: i % 131_072, purpose: 'revocation' }),
    });
  return { signer, unsigned };
}

/**
 * Steady-state rate: a warm-up of a fifth of the run (at most 200 calls) first, so contexts are processed and the
 * JIT has compiled the hot paths; ours and the baseline get the same warm-up.
 */
export async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<BenchResult> {
  const warm = Math.max(1, Math.min(200, Math.floor(n / 5)));
  for (let i = 0; i < warm; i++) await f(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  const ms = performance.now() - t0;
  return { n, ms: Math.round(ms), perSecond: Math.round(n / (ms / 1000)) };
}

/** Builds and signs `n` distinct credentials sequentially. */
export async function benchIssue(n = 200): Promise<BenchResult> {
  const { signer, unsigned } = await setup();
  return timed(n, (i) => signer.sign(unsigned(i)));
}

/** Verifies `n` distinct credentials (all checks, in-memory replica) sequentially with one verifier. */
export async function benchVerify(n = 200): Promise<BenchResult> {
  const { signer, unsigned } = await setup();
  const creds: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(n, 50); i++) creds.push(await signer.sign(unsigned(i)));
  const bits = createStatusList();
  const verifier = createVerifier({
    trust: { lookupIssuerKey: () => ({ institution: BENCH_INSTITUTION, member: true, publishedAt: '2025-01-01T00:00:00Z' }) },
    status: { lookup: () => ({ bits, purpose: 'revocation' }) },
    catalogue: { lookup: () => ({ record: BENCH_RECORD, institutionDid: BENCH_INSTITUTION.did }) },
    freshness: () => ({ asOf: new Date().toISOString() }),
    now: () => new Date('2026-02-01T00:00:00Z'),
  });
  const first = await verifier.verify(creds[0]);
  if (!first.verified) throw new Error(`bench credential does not verify: ${JSON.stringify(first.checks)}`);
  return timed(n, (i) => verifier.verify(creds[i % creds.length]));
}
