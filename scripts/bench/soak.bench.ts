/**
 * Soak: six real nodes in this process (the propagation topology, which at six nodes is a full mesh), steady
 * publishing (5 entries/s in total, publishers round-robin) for 10 minutes (`--quick`: 30 s, `--minutes N`). Every
 * second: process RSS and heapUsed, sync lag (the largest difference, over authors, between the highest and lowest
 * head seq across nodes), failed sync rounds. Reports growth as the slope of a least-squares line over the second
 * half (MiB per minute) and plots memory over time.
 */
import '../../node/core/compat.js';
import { manifestHash } from '../../node/trust/manifest.js';
import { makeNodes } from './nodes.js';
import { topology } from './propagation.bench.js';
import { hasFlag, lineChart, round, saveResult, savePlot } from './lib.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

export interface SoakSample {
  t: number; // seconds since the start of publishing
  rssMiB: number;
  heapMiB: number;
  lag: number; // entries
  appended: number;
  roundsFailed: number;
}

export async function runSoakBench(opts: { seconds: number; nodes?: number; entriesPerSecond?: number }) {
  const n = opts.nodes ?? 6;
  const rate = opts.entriesPerSecond ?? 5;
  const netw = await makeNodes(n, { replication: { syncIntervalMs: 10_000 } });
  try {
    const nodes = netw.nodes;
    for (const [a, b] of topology(n)) await nodes[a]!.node.replicator!.dial(nodes[b]!.addr).catch(() => {});
    const t0Setup = Date.now();
    while (new Set(nodes.map((x) => x.node.services.feed.headsDigest())).size > 1) {
      if (Date.now() - t0Setup > 60_000) throw new Error('nodes did not converge before the soak');
      await sleep(20);
    }
    const hash = manifestHash(netw.manifest);
    const statement = 'Declaración institucional de participación en la red de cooperación en microcredenciales. '.repeat(5);
    const failed0 = nodes.reduce((a, x) => a + x.node.replicator!.status().totals.roundsFailed, 0);
    let appended = 0;
    let appendErrors = 0;
    let stop = false;
    const samples: SoakSample[] = [];
    const t0 = performance.now();

    const lagNow = () => {
      const max = new Map<string, number>();
      const min = new Map<string, number>();
      for (const x of nodes)
        for (const h of x.node.services.feed.heads()) {
          max.set(h.author, Math.max(max.get(h.author) ?? 0, h.seq));
          min.set(h.author, Math.min(min.get(h.author) ?? Infinity, h.seq));
        }
      // an author a node has not heard of at all counts from 0
      let lag = 0;
      for (const [a, hi] of max) {
        const lo = nodes.every((x) => x.node.services.feed.head(a)) ? min.get(a)! : 0;
        lag = Math.max(lag, hi - lo);
      }
      return lag;
    };
    const sample = () => {
      const m = process.memoryUsage();
      samples.push({
        t: round((performance.now() - t0) / 1000, 1),
        rssMiB: round(m.rss / 2 ** 20, 1),
        heapMiB: round(m.heapUsed / 2 ** 20, 1),
        lag: lagNow(),
        appended,
        roundsFailed: nodes.reduce((a, x) => a + x.node.replicator!.status().totals.roundsFailed, 0) - failed0,
      });
    };
    sample();
    const sampler = setInterval(sample, 1_000);
    const publisher = (async () => {
      // paced against the clock (no drift): entry k is due at k / rate seconds
      while (!stop) {
        const due = t0 + (appended / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (stop) break;
        const pub = nodes[appended % n]!;
        try {
          pub.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: hash, statement: `${appended} ${statement}` });
        } catch {
          appendErrors++;
        }
        appended++;
      }
    })();
    const progressEvery = Math.max(30, Math.round(opts.seconds / 10));
    for (let s = 0; s < opts.seconds; s++) {
      await sleep(1_000);
      if (s > 0 && s % progressEvery === 0) {
        const l = samples[samples.length - 1]!;
        console.error(`soak ${s}/${opts.seconds} s: rss ${l.rssMiB} MiB, heap ${l.heapMiB} MiB, lag ${l.lag}, appended ${l.appended}, failed rounds ${l.roundsFailed}`);
      }
    }
    stop = true;
    await publisher;
    clearInterval(sampler);
    // drain: time until every node holds everything after publishing stops
    const tDrain = performance.now();
    while (new Set(nodes.map((x) => x.node.services.feed.headsDigest())).size > 1 && performance.now() - tDrain < 60_000) await sleep(20);
    const drainMs = round(performance.now() - tDrain, 0);
    sample();
    const st = nodes.map((x) => x.node.replicator!.status().totals);
    const second = samples.filter((s) => s.t >= opts.seconds / 2);
    const perMin = (k: 'heapMiB' | 'rssMiB') => round(slope(second.map((s) => [s.t, s[k]])) * 60, 2);
    const lags = samples.map((s) => s.lag).sort((a, b) => a - b);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    return {
      nodes: n,
      seconds: opts.seconds,
      entriesPerSecond: rate,
      appended,
      appendErrors,
      memory: {
        rssStartMiB: first.rssMiB,
        rssEndMiB: last.rssMiB,
        rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)),
        heapStartMiB: first.heapMiB,
        heapEndMiB: last.heapMiB,
        heapMaxMiB: Math.max(...samples.map((s) => s.heapMiB)),
        heapSlopeMiBPerMinSecondHalf: perMin('heapMiB'),
        rssSlopeMiBPerMinSecondHalf: perMin('rssMiB'),
      },
      lag: { max: lags[lags.length - 1]!, p50: lags[Math.floor(lags.length / 2)]!, p95: lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.95) - 1)]! },
      drainMs,
      roundsFailed: last.roundsFailed,
      roundsOk: st.reduce((a, t) => a + t.roundsOk, 0),
      gossipAccepted: st.reduce((a, t) => a + t.gossipAccepted, 0),
      entriesPulled: st.reduce((a, t) => a + t.entriesPulled, 0),
      samples,
    };
  } finally {
    await netw.close();
  }
}

export function soakPlot(samples: SoakSample[]): string {
  return lineChart({
    title: 'Soak: six nodes in one process, 5 entries/s',
    xLabel: 'seconds',
    yLabel: 'MiB',
    series: [
      { name: 'RSS', points: samples.map((s) => [s.t, s.rssMiB]) },
      { name: 'heap used', points: samples.map((s) => [s.t, s.heapMiB]) },
    ],
  });
}

function argNumber(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : undefined;
}

export function soakSeconds(quick: boolean): number {
  const minutes = argNumber('minutes');
  return minutes !== undefined && Number.isFinite(minutes) ? Math.round(minutes * 60) : quick ? 30 : 600;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const r = await runSoakBench({ seconds: soakSeconds(quick) });
  saveResult(quick ? 'soak-quick' : 'soak', r);
  if (!quick) savePlot('soak', soakPlot(r.samples));
  console.error(`soak ${r.seconds} s, ${r.appended} entries: heap ${r.memory.heapStartMiB} → ${r.memory.heapEndMiB} MiB (2nd-half slope ${r.memory.heapSlopeMiBPerMinSecondHalf} MiB/min), RSS max ${r.memory.rssMaxMiB} MiB, lag max ${r.lag.max}, failed rounds ${r.roundsFailed}`);
  const { samples: _s, ...rest } = r;
  console.log(JSON.stringify(rest, null, 2));
}
