/**
 * Worker thread for credentials.bench.ts: runs node/credentials/bench.ts (our issuer / verifier) or the plain
 * @digitalbazaar/vc baseline (vc-baseline.ts) on request and posts the figures back. Loaded after tsx is registered
 * and node/core/compat is imported (see credentials.bench.ts). Importing bench.ts installs nothing: the node's jsonld
 * context cache is installed only when a signer or verifier is created, so a fresh worker asked for 'baseline'
 * first measures jsonld as shipped.
 */
import { parentPort } from 'node:worker_threads';
import { benchIssue, benchVerify } from '../../node/credentials/bench.js';
import { baselineVc } from './vc-baseline.js';

parentPort!.on('message', (m: { op: 'issue' | 'verify' | 'baseline'; n: number; nIssue?: number }) => {
  const work = m.op === 'issue' ? benchIssue(m.n) : m.op === 'verify' ? benchVerify(m.n) : baselineVc(m.n, m.nIssue ?? m.n);
  void (work as Promise<unknown>).then(
    (r) => parentPort!.postMessage({ ok: true, result: r }),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: String((e as Error)?.stack ?? e) }),
  );
});
parentPort!.postMessage({ ready: true });
