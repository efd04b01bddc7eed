/**
 * Read scale-out benchmark (issue 16, "Read scale-out"): the search benchmark's replica served by one node, then by
 * that node plus two read mirrors behind a round-robin client, in the same run, with the same query mixes as
 * search.bench.ts (its typical queries over and over, "repeated"; distinct generated queries, "varied"). The node and
 * each mirror run in a process of their own (as on three machines); the mirrors start empty and replicate the replica
 * from the node over libp2p before the load starts. Reports requests/s and latencies per mix and set-up, and the ratio.
 *
 * On a machine with few cores the three servers and the load client share them: the figure shows how much of the read
 * path spreads over processes on this machine, not what three machines would give (README, "Read mirrors").
 *
 *   run-ts.js scripts/bench/scaleout.bench.ts [--quick] [--records N]     (100,000 records, 15 s per load; quick: 2,000, 3 s)
 *
 * Must never write to the cached replica's catalogue: its node's own feed stays unconfirmed (it publishes nothing) and
 * mirrors never append.
 */
import '../../node/core/compat.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../node/core/logger.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, MochilaNode, startNode } from '../../node/context.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { initMirror } from '../../node/init.js';
import type { Manifest } from '../../node/trust/manifest.js';
import { hasFlag, machine, round, saveResult } from './lib.js';
import { replica, runLoad, seedKey, typicalUrls, variedUrls } from './search.bench.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIRRORS = 2;
/** How long the mirrors may take to replicate the replica from the node. */
const CATCH_UP_TIMEOUT_MS = 600_000;

interface ServeSpec {
  role: 'node' | 'mirror';
  dir: string;
  manifest: Manifest;
  bootstrap?: string[];
}

interface Served {
  url: string;
  addr: string;
  child: ChildProcess;
}

/** In a child process: runs the node (on the cached replica) or a new mirror, prints {url, addr} and runs until SIGTERM. */
async function serveHere(spec: ServeSpec): Promise<void> {
  // batches decoded in-thread: no worker threads to load at start (slow through the TypeScript loader on a busy
  // machine) nor idle beside the servers during the load; the mirrors' catch-up is not what this part measures
  const common = { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0, syncWorkers: 0 };
  let node: MochilaNode;
  if (spec.role === 'node') {
    const keystore = keystoreFromData(newKeystoreData(seedKey('self'), seedKey('issuer'), '2026-01-01T00:00:00.000Z'));
    node = new MochilaNode(buildServices(loadConfig(spec.dir, common, {}), { keystore, manifest: spec.manifest, logger: silentLogger }), {});
    await node.start();
  } else {
    initMirror({ dir: spec.dir, manifest: spec.manifest });
    node = await startNode(loadConfig(spec.dir, { ...common, bootstrap: spec.bootstrap ?? [] }, {}), { logger: silentLogger });
  }
  const addr = node.replicator!.addresses().find((a) => a.includes('127.0.0.1'))!;
  process.stdout.write(JSON.stringify({ url: node.httpUrl, addr }) + '\n');
  process.on('SIGTERM', () => void node.stop().finally(() => process.exit(0)));
}

function serve(spec: ServeSpec): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(ROOT, 'bin/run-ts.js'), fileURLToPath(import.meta.url), '--serve', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ ...(JSON.parse(line) as { url: string; addr: string }), child });
    });
    child.on('exit', (code) => reject(new Error(`${spec.role} process exited with ${code} before it listened`)));
  });
}

/** The server's heads digest, or null when it does not answer in time (a mirror busy storing a batch; asked again). */
async function digest(url: string): Promise<string | null> {
  try {
    const r = await fetch(`${url}/api/v1/network`, { signal: AbortSignal.timeout(30_000) });
    return ((await r.json()) as { digest: string }).digest;
  } catch {
    return null;
  }
}

/** Every request of the list goes to the next server in turn (round robin), the URLs in the same order. */
function roundRobin(paths: string[], servers: string[]): string[] {
  return paths.map((p, i) => `${servers[i % servers.length]}${p}`);
}

export async function runScaleoutBench(opts: { n: number; durationMs: number; connections: number; varied?: number }) {
  const { dir, info } = await replica(opts.n);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mochila-bench-scaleout-'));
  const servers: Served[] = [];
  try {
    const node = await serve({ role: 'node', dir, manifest: info.manifest });
    servers.push(node);
    const mirrors = await Promise.all(Array.from({ length: MIRRORS }, (_, i) => serve({ role: 'mirror', dir: path.join(tmp, `mirror-${i}`), manifest: info.manifest, bootstrap: [node.addr] })));
    servers.push(...mirrors);
    // from the moment both mirrors listen (their processes' start-up is not replication)
    const t0 = performance.now();
    const want = await digest(node.url);
    if (!want) throw new Error('the node does not answer /api/v1/network');
    for (;;) {
      const ds = await Promise.all(mirrors.map((m) => digest(m.url)));
      if (ds.every((d) => d === want)) break;
      if (performance.now() - t0 > CATCH_UP_TIMEOUT_MS) throw new Error('the mirrors did not catch up with the node in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    const catchUpSeconds = round((performance.now() - t0) / 1000, 1);
    const api = '/api/v1/microcredentials';
    const all = servers.map((s) => s.url);
    const repeatedPaths = typicalUrls(api, info.institutions);
    // the same generator with another seed for each set-up: the same mix, no URL answered from the other run's caches
    const variedOne = variedUrls(api, info.institutions, opts.varied ?? 40_000, 7).urls;
    const variedThree = variedUrls(api, info.institutions, opts.varied ?? 40_000, 8).urls;
    const urlsFile = path.join(tmp, 'urls.json');
    const load = async (urls: string[]) => {
      writeFileSync(urlsFile, JSON.stringify(urls));
      const r = await runLoad({ urlsFile, connections: opts.connections, durationMs: opts.durationMs });
      delete r['urls'];
      return r;
    };
    // repeated: each query goes to every server in turn (each holds the whole list); one server first, then three
    const repeatedOne = await load(roundRobin(repeatedPaths, [node.url]));
    const repeatedThree = await load(roundRobin(repeatedPaths.flatMap((p) => all.map(() => p)), all));
    const variedOneLoad = await load(roundRobin(variedOne, [node.url]));
    const variedThreeLoad = await load(roundRobin(variedThree, all));
    const ratio = (a: Record<string, number>, b: Record<string, number>) => round(b['rps']! / a['rps']!, 2);
    return {
      catalogueSize: info.n,
      mirrors: MIRRORS,
      mirrorsCaughtUpSeconds: catchUpSeconds,
      connections: opts.connections,
      durationMs: opts.durationMs,
      repeated: { queries: repeatedPaths.length, one: repeatedOne, three: repeatedThree, ratio: ratio(repeatedOne, repeatedThree) },
      varied: { one: variedOneLoad, three: variedThreeLoad, ratio: ratio(variedOneLoad, variedThreeLoad) },
      cores: os.availableParallelism(),
      machine: machine(),
    };
  } finally {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null) return resolve();
            s.child.once('exit', () => resolve());
            s.child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(tmp, { recursive: true, force: true });
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = argValue('serve');
  if (spec !== undefined) await serveHere(JSON.parse(spec) as ServeSpec);
  else {
    const quick = hasFlag('quick');
    const records = argValue('records') !== undefined ? Number(argValue('records')) : undefined;
    // quick: a small replica, so the mirrors' catch-up and the four loads fit in under a minute (a smoke test of the figure)
    const n = records ?? (quick ? 2_000 : 100_000);
    if (!Number.isInteger(n) || n < 1) throw new Error('--records takes a positive whole number');
    const r = await runScaleoutBench({ n, durationMs: quick ? 3_000 : 15_000, connections: 16, ...(quick ? { varied: 10_000 } : {}) });
    console.error(
      `scale-out ${r.catalogueSize} records: repeated ${r.repeated.one['rps']}/s on 1 node, ${r.repeated.three['rps']}/s on node + ${r.mirrors} mirrors (×${r.repeated.ratio}); varied ${r.varied.one['rps']}/s → ${r.varied.three['rps']}/s (×${r.varied.ratio}); mirrors caught up in ${r.mirrorsCaughtUpSeconds} s`,
    );
    console.log(JSON.stringify(r, null, 2));
    saveResult(records === undefined ? (quick ? 'scaleout-quick' : 'scaleout') : `scaleout-${n}${quick ? '-quick' : ''}`, r);
  }
}
