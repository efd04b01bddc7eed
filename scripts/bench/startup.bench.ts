/**
 * Start-up of `mochila start` (issue 16): the time from spawning the process to the first `/healthz` answer, for the
 * same node folder run as TypeScript through tsx (a source checkout) and as the compiled JavaScript in dist/ (the npm
 * package; `MOCHILA_RUN=dist`). Runs alternate (tsx, dist, tsx, dist, …) so a load change hits both alike; the
 * compiled build is made first (`npm run build:node`). Reports the median, min and max of each and the ratio.
 */
import '../../node/core/compat.js';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, hasFlag, machine, round, saveResult } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/mochila.js');

/** Milliseconds from spawn to the first successful /healthz of one `mochila start` (then the process is stopped). */
async function startOnce(dir: string, mode: 'tsx' | 'dist'): Promise<number> {
  const port = await freePort();
  const env = { ...process.env, NO_COLOR: '1', MOCHILA_RUN: mode === 'dist' ? 'dist' : '' };
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'start', '--dir', dir, '--standalone', '--http-host', '127.0.0.1', '--http-port', String(port), '--p2p-port', '-1', '--log-level', 'error'], { env, stdio: 'ignore' });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mochila start (${mode}) exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - t0;
      if (Date.now() > deadline) throw new Error(`mochila start (${mode}) did not answer within 2 minutes`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { runs: s.length, medianMs: round(s[Math.floor(s.length / 2)]!, 0), minMs: round(s[0]!, 0), maxMs: round(s[s.length - 1]!, 0) };
};

export async function runStartupBench(runs: number) {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build/build-node.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-startup-'));
  try {
    const dir = path.join(tmp, 'node');
    execFileSync(process.execPath, [BIN, 'init', '--dir', dir, '--name', 'Universidad de Arranque', '--country', 'MX'], { cwd: ROOT, stdio: 'ignore' });
    const load = { ...machine(), loadAverage1mAtStart: round(loadavg()[0]!, 2) };
    const times: Record<'tsx' | 'dist', number[]> = { tsx: [], dist: [] };
    await startOnce(dir, 'tsx'); // warm the OS file cache for both (not counted)
    await startOnce(dir, 'dist');
    for (let i = 0; i < runs; i++) for (const mode of ['tsx', 'dist'] as const) times[mode].push(await startOnce(dir, mode));
    const tsx = stats(times.tsx);
    const dist = stats(times.dist);
    return { tsx, dist, ratio: round(tsx.medianMs / dist.medianMs, 2), machine: load, loadAverage1mAtEnd: round(loadavg()[0]!, 2), command: 'node bin/run-ts.js scripts/bench/startup.bench.ts' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const r = await runStartupBench(quick ? 2 : 7);
  console.error(`mochila start to first /healthz: TypeScript through tsx ${r.tsx.medianMs} ms (median of ${r.tsx.runs}), compiled dist/ ${r.dist.medianMs} ms: ${r.ratio}× faster`);
  saveResult(quick ? 'startup-quick' : 'startup', r);
  console.log(JSON.stringify(r, null, 2));
}
