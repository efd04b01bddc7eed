/**
 * Credentials: verifications/s and issuances/s of our verifier and issuer (node/credentials/bench.ts: every check,
 * in-memory trust / status / catalogue), on one thread and with a worker_threads pool over every core. Baselines in
 * the same run (vc-baseline.ts): `@digitalbazaar/vc` `verifyCredential` / `issue` called directly with the same
 * document loader and a plain Ed25519 `eddsa-rdfc-2022` suite on the same document, (a) in a fresh worker, i.e. jsonld
 * as shipped, and (b) in this thread after ours, i.e. with the jsonld context cache the node installs; ratios ours /
 * baseline. Then a CSV batch (10,000 rows) end to end over HTTP: `POST /api/v1/admin/credentials/batch`, polling
 * `GET /api/v1/admin/jobs/:id` until done. Targets: 500 verifies/s, 300 issues/s.
 */
import '../../node/core/compat.js';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startWorker as startThread, typescriptWorker } from '../../node/core/workers.js';
import { benchIssue, benchVerify, type BenchResult } from '../../node/credentials/bench.js';
import { importCatalogueFile } from '../../node/catalogue/import.js';
import { makeNodes } from './nodes.js';
import { baselineVc } from './vc-baseline.js';
import { hasFlag, round, saveResult } from './lib.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

// ---------------------------------------------------------------- worker pool

interface WorkerHandle {
  worker: Worker;
  call<T = BenchResult>(msg: { op: 'issue' | 'verify' | 'baseline'; n: number; nIssue?: number }): Promise<T>;
}

async function startWorker(): Promise<WorkerHandle> {
  const { code, workerData } = typescriptWorker(new URL('./cred-worker.ts', import.meta.url));
  const worker = await startThread(code, workerData, (e) => console.error(`credentials worker failed to start: ${e.message}`));
  if (!worker) throw new Error('credentials worker failed to start');
  worker.ref(); // the benchmark waits on it
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
  return {
    worker,
    call: async <T,>(msg: { op: 'issue' | 'verify' | 'baseline'; n: number; nIssue?: number }) => {
      const p = next();
      worker.postMessage(msg);
      const r = await p;
      if (!r['ok']) throw new Error(`worker failed: ${String(r['error'])}`);
      return r['result'] as T;
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
  // the plain baseline first, in a fresh worker (jsonld as shipped: nothing there installs the node's context cache)
  const fresh = await startWorker();
  let plain: { issue: BenchResult; verify: BenchResult };
  try {
    plain = await fresh.call<{ issue: BenchResult; verify: BenchResult }>({ op: 'baseline', n: opts.nVerify, nIssue: opts.nIssue });
  } finally {
    await fresh.worker.terminate();
  }
  console.error(`credentials baseline, @digitalbazaar/vc as shipped: ${plain.verify.perSecond} verifies/s, ${plain.issue.perSecond} issues/s`);
  const single = { verify: await benchVerify(opts.nVerify), issue: await benchIssue(opts.nIssue) };
  console.error(`credentials ours, one thread: ${single.verify.perSecond} verifies/s, ${single.issue.perSecond} issues/s`);
  // the same baseline in this thread, now that ours has installed the jsonld context cache: what our checks cost
  const patched = await baselineVc(opts.nVerify, opts.nIssue);
  console.error(`credentials baseline with the node's jsonld context cache: ${patched.verify.perSecond} verifies/s, ${patched.issue.perSecond} issues/s`);
  const workers = await Promise.all(Array.from({ length: os.cpus().length }, () => startWorker()));
  let pooled;
  try {
    pooled = { verify: await pool(workers, 'verify', opts.nVerify), issue: await pool(workers, 'issue', opts.nIssue) };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
  console.error(`credentials ours, pool of ${workers.length} workers: ${pooled.verify.perSecond} verifies/s, ${pooled.issue.perSecond} issues/s`);
  const batch = await batchOverHttp(opts.batchRows);
  console.error(`credentials CSV batch over HTTP (${opts.batchRows} rows): ${batch.available ? `${batch.issued} issued in ${batch.seconds} s = ${batch.issuedPerSecond}/s` : batch.reason}`);
  return {
    single,
    baseline: plain,
    baselineWithContextCache: patched,
    ratio: { verify: round(single.verify.perSecond / plain.verify.perSecond, 3), issue: round(single.issue.perSecond / plain.issue.perSecond, 3) },
    ratioToCachedBaseline: { verify: round(single.verify.perSecond / patched.verify.perSecond, 3), issue: round(single.issue.perSecond / patched.issue.perSecond, 3) },
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
