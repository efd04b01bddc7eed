/**
 * Credentials: verifications/s and issuances/s of our verifier and issuer (node/credentials/bench.ts: every check,
 * in-memory trust / status / catalogue), on one thread and with a worker_threads pool over every core; baseline in
 * the same run: `@digitalbazaar/vc` `verifyCredential` / `issue` called directly with the same document loader and a
 * plain Ed25519 `eddsa-rdfc-2022` suite (the signature and JSON-LD canonicalisation only), and the ratio ours /
 * baseline. Then a CSV batch (10,000 rows) end to end over HTTP: `POST /api/v1/admin/credentials/batch`, polling
 * `GET /api/v1/admin/jobs/:id` until done. Targets: 500 verifies/s, 300 issues/s.
 */
import '../../node/core/compat.js';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { benchIssue, benchVerify, type BenchResult } from '../../node/credentials/bench.js';
import { generateSeed, keyFromSeed } from '../../node/identity/keys.js';
import { CONTEXTS, createDocumentLoader } from '../../node/identity/document-loader.js';
import { buildOpenBadgeCredential, type MicrocredentialRecordInput } from '../../node/credentials/ob3.js';
import { buildStatusEntry } from '../../node/credentials/status-list.js';
import { importCatalogueFile } from '../../node/catalogue/import.js';
import { makeNodes } from './nodes.js';
import { hasFlag, round, saveResult } from './lib.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

// the same record and institution as node/credentials/bench.ts, so baseline and ours sign and verify the same document
const RECORD: MicrocredentialRecordInput = {
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
const INSTITUTION = { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad Bench', country: 'GT' };

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<BenchResult> {
  await f(0); // warm-up, as in node/credentials/bench.ts
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  const ms = performance.now() - t0;
  return { n, ms: Math.round(ms), perSecond: Math.round(n / (ms / 1000)) };
}

/** The baseline: @digitalbazaar/vc directly, a plain eddsa-rdfc-2022 suite, the node's document loader. */
async function baseline(nVerify: number, nIssue: number) {
  const documentLoader = createDocumentLoader();
  const key = keyFromSeed(generateSeed());
  const keyPair = await Ed25519Multikey.from({
    '@context': CONTEXTS.MULTIKEY_V1,
    type: 'Multikey',
    id: key.verificationMethod,
    controller: key.did,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase,
  });
  const signSuite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  const verifySuite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const unsigned = (i: number) =>
    buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'BENCH-01.0011223344556677',
      institution: INSTITUTION,
      issuerDid: key.did,
      learner: { name: `Learner ${i}`, email: `learner${i}@example.org` },
      issuedAt: '2026-01-01T00:00:00Z',
      credentialStatus: [buildStatusEntry({ statusListCredential: 'https://bench.example/sl/1', index: i % 131_072, purpose: 'revocation' })],
    });
  const prebuilt = Array.from({ length: 50 }, (_, i) => unsigned(i));
  const issue = await timed(nIssue, (i) => vc.issue({ credential: structuredClone(prebuilt[i % prebuilt.length]), suite: signSuite, documentLoader }));
  const creds: unknown[] = [];
  for (const c of prebuilt) creds.push(await vc.issue({ credential: structuredClone(c), suite: signSuite, documentLoader }));
  const check = await vc.verifyCredential({ credential: creds[0], suite: verifySuite, documentLoader, checkStatus: async () => ({ verified: true }) });
  if (!check.verified) throw new Error(`baseline credential does not verify: ${String(check.error)}`);
  const verify = await timed(nVerify, async (i) => {
    const r = await vc.verifyCredential({ credential: creds[i % creds.length], suite: verifySuite, documentLoader, checkStatus: async () => ({ verified: true }) });
    if (!r.verified) throw new Error('baseline verification failed');
  });
  return { issue, verify };
}

// ---------------------------------------------------------------- worker pool

interface WorkerHandle {
  worker: Worker;
  call(msg: { op: 'issue' | 'verify'; n: number }): Promise<BenchResult>;
}

async function startWorker(): Promise<WorkerHandle> {
  // tsx is registered inside the worker (as bin/run-ts.js does), then the compat shim, then the TS entry
  const code = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(async (m) => { m.register(); await import(workerData.compat); await import(workerData.entry); });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: {
      tsx: import.meta.resolve('tsx/esm/api'),
      compat: new URL('../../node/core/compat.ts', import.meta.url).href,
      entry: new URL('./cred-worker.ts', import.meta.url).href,
    },
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMsg = (m: Record<string, unknown>) => {
        worker.off('error', onErr);
        resolve(m);
      };
      const onErr = (e: Error) => {
        worker.off('message', onMsg);
        reject(e);
      };
      worker.once('message', onMsg);
      worker.once('error', onErr);
    });
  await next(); // ready
  return {
    worker,
    call: async (msg) => {
      const p = next();
      worker.postMessage(msg);
      const r = await p;
      if (!r['ok']) throw new Error(`worker failed: ${String(r['error'])}`);
      return r as unknown as BenchResult;
    },
  };
}

async function pool(workers: WorkerHandle[], op: 'issue' | 'verify', nPerWorker: number) {
  await Promise.all(workers.map((w) => w.call({ op, n: 20 }))); // warm every worker (JIT, contexts)
  const t0 = performance.now();
  const rs = await Promise.all(workers.map((w) => w.call({ op, n: nPerWorker })));
  const wallMs = performance.now() - t0;
  const total = rs.reduce((a, r) => a + r.n, 0);
  return {
    workers: workers.length,
    perWorker: rs.map((r) => r.perSecond),
    // sum of the workers' timed loops (they run at the same time); wall-clock figure includes each worker's setup
    perSecond: rs.reduce((a, r) => a + r.perSecond, 0),
    wallPerSecond: Math.round(total / (wallMs / 1000)),
    n: total,
  };
}

// ---------------------------------------------------------------- CSV batch over HTTP

function routeCommitted(): boolean {
  try {
    return execFileSync('git', ['grep', '-l', 'credentials/batch', 'HEAD', '--', 'node/http/routes'], { cwd: ROOT, encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
}

export async function batchOverHttp(rows: number) {
  const committed = routeCommitted();
  const net = await makeNodes(1, { http: true });
  try {
    const b = net.nodes[0]!;
    const imp = importCatalogueFile(b.node.services.catalogue, path.join(ROOT, 'fixtures/units/cl-uac/catalogue.json'));
    if (imp.errors.length || !imp.created) throw new Error(`catalogue import failed: ${JSON.stringify(imp.errors[0])}`);
    const ref = b.node.services.catalogue.byInstitution(b.key.did, true)[0]?.id;
    if (!ref) throw new Error('no microcredential in the imported catalogue');
    const csv = ['nombre,correo', ...Array.from({ length: rows }, (_, i) => `Estudiante Núñez ${i},estudiante${i}@example.org`)].join('\n') + '\n';
    const headers = { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' };
    const t0 = performance.now();
    const post = await fetch(`${b.node.httpUrl}/api/v1/admin/credentials/batch`, { method: 'POST', headers, body: JSON.stringify({ csv, microcredential: ref }) });
    const postMs = performance.now() - t0;
    if (post.status === 404) return { available: false, routeCommitted: committed, rows, reason: `POST /api/v1/admin/credentials/batch answered 404: the endpoint is not on this build` };
    if (post.status !== 202) return { available: false, routeCommitted: committed, rows, reason: `POST answered ${post.status}: ${(await post.text()).slice(0, 300)}` };
    const job = (await post.json()) as { id: string };
    type JobView = { state: string; total: number; processed: number; issued: number; skipped: number; failed: number; rows?: { error?: string }[] };
    let last = null as JobView | null;
    let polls = 0;
    let pollMsMax = 0;
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const tp = performance.now();
      const r = await fetch(`${b.node.httpUrl}/api/v1/admin/jobs/${job.id}`, { headers });
      last = (await r.json()) as JobView;
      pollMsMax = Math.max(pollMsMax, performance.now() - tp);
      polls++;
      if (last.state === 'done' || last.state === 'failed' || Date.now() > deadline) break;
    }
    const secs = (performance.now() - t0) / 1000;
    const fin = last!;
    return {
      available: true,
      routeCommitted: committed,
      rows,
      state: fin.state,
      total: fin.total,
      processed: fin.processed,
      issued: fin.issued,
      skipped: fin.skipped,
      failed: fin.failed,
      firstError: fin.rows?.find((x) => x.error)?.error ?? null,
      seconds: round(secs, 2),
      issuedPerSecond: Math.round(fin.issued / secs),
      postMs: round(postMs, 1),
      polls,
      pollMsMax: round(pollMsMax, 1),
    };
  } finally {
    await net.close();
  }
}

// ---------------------------------------------------------------- all

export async function runCredentialsBench(opts: { nVerify: number; nIssue: number; batchRows: number }) {
  const single = { verify: await benchVerify(opts.nVerify), issue: await benchIssue(opts.nIssue) };
  console.error(`credentials single thread: ${single.verify.perSecond} verifies/s, ${single.issue.perSecond} issues/s`);
  const base = await baseline(opts.nVerify, opts.nIssue);
  console.error(`credentials baseline (@digitalbazaar/vc direct): ${base.verify.perSecond} verifies/s, ${base.issue.perSecond} issues/s`);
  const workers = await Promise.all(Array.from({ length: os.cpus().length }, () => startWorker()));
  let pooled;
  try {
    pooled = { verify: await pool(workers, 'verify', opts.nVerify), issue: await pool(workers, 'issue', opts.nIssue) };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
  console.error(`credentials pool of ${workers.length} workers: ${pooled.verify.perSecond} verifies/s, ${pooled.issue.perSecond} issues/s`);
  const batch = await batchOverHttp(opts.batchRows);
  console.error(`credentials CSV batch over HTTP (${opts.batchRows} rows): ${batch.available ? `${batch.issued} issued in ${batch.seconds} s = ${batch.issuedPerSecond}/s` : batch.reason}`);
  return {
    single,
    baseline: base,
    ratio: { verify: round(single.verify.perSecond / base.verify.perSecond, 3), issue: round(single.issue.perSecond / base.issue.perSecond, 3) },
    pool: pooled,
    batch,
    targets: { verifiesPerSecond: 500, issuesPerSecond: 300 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const r = await runCredentialsBench(quick ? { nVerify: 150, nIssue: 100, batchRows: 300 } : { nVerify: 1_000, nIssue: 600, batchRows: 10_000 });
  saveResult(quick ? 'credentials-quick' : 'credentials', r);
  console.log(JSON.stringify(r, null, 2));
}
