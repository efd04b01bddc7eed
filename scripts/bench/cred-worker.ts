/**
 * Worker thread for credentials.bench.ts: runs node/credentials/bench.ts (our issuer / verifier) on request and
 * posts the figures back. Loaded after tsx is registered and node/core/compat is imported (see credentials.bench.ts).
 */
import { parentPort } from 'node:worker_threads';
import { benchIssue, benchVerify } from '../../node/credentials/bench.js';

parentPort!.on('message', (m: { op: 'issue' | 'verify'; n: number }) => {
  void (m.op === 'issue' ? benchIssue(m.n) : benchVerify(m.n)).then(
    (r) => parentPort!.postMessage({ ok: true, ...r }),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: String((e as Error)?.stack ?? e) }),
  );
});
parentPort!.postMessage({ ready: true });
