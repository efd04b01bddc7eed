/**
 * Catch-up: a fresh node pulls N entries from one peer and from three peers over libp2p on loopback; entries/s,
 * bytes and peak RSS. Baseline in the same run: the machine's limit for the same work (SHA-256 + SQLite inserts in
 * one transaction, no network), and the ratio. Target: >= 30,000 entries/s and >= 30 % of the limit.
 */
import '../../node/core/compat.js';
import { makeNodes, signedFeed } from './nodes.js';
import { machineLimit } from './baseline.js';
import { RssSampler, hasFlag, lineChart, round, saveResult, savePlot } from './lib.js';

async function catchUp(n: number, sources: 1 | 3) {
  const net = await makeNodes(sources + 1, { replication: { syncIntervalMs: 60_000 } });
  try {
    const [fresh, ...srcs] = net.nodes as [(typeof net.nodes)[0], ...(typeof net.nodes)[0][]];
    // the author is the first source; its feed is pre-signed and loaded into every source
    const author = srcs[0]!;
    const h = author.node.services.feed.head(author.key.did)!;
    const entries = signedFeed(author.key, net.manifest, n, { seq: h.seq, id: h.id });
    for (const s of srcs) {
      for (const other of srcs) if (other !== s) s.node.services.feed.ingestBatch(other.key.did, other.node.services.feed.read(other.key.did, 1, 100));
      for (let i = 0; i < entries.length; i += 5_000) {
        const r = s.node.services.feed.ingestBatch(author.key.did, s === author ? [] : entries.slice(i, i + 5_000));
        if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
      }
      if (s === author) for (let i = 0; i < entries.length; i += 5_000) author.node.services.feed.ingestBatch(author.key.did, entries.slice(i, i + 5_000));
    }
    const lastSeq = entries[entries.length - 1]!.seq;
    const rss = new RssSampler().start(50);
    const t0 = performance.now();
    await Promise.all(srcs.map((s) => fresh.node.replicator!.dial(s.addr)));
    // done when the fresh node holds the whole feed and its heads agree with the author's (which by then also
    // include the fresh node's own feed, pulled back in the same rounds)
    const deadline = Date.now() + 600_000;
    while ((fresh.node.services.feed.head(author.key.did)?.seq ?? 0) < lastSeq || fresh.node.services.feed.headsDigest() !== author.node.services.feed.headsDigest()) {
      if (Date.now() > deadline) throw new Error('catch-up did not converge within 10 minutes');
      await new Promise((r) => setTimeout(r, 5));
    }
    const secs = (performance.now() - t0) / 1000;
    const peak = rss.stop();
    const st = fresh.node.replicator!.status();
    const limit = machineLimit(entries);
    const eps = Math.round(n / secs);
    return {
      n,
      sources,
      seconds: round(secs, 3),
      entriesPerSecond: eps,
      bytesIn: st.totals.bytesIn,
      bytesPerEntry: round(st.totals.bytesIn / n, 1),
      duplicateEntries: st.rounds.reduce((a, r) => a + (r.duplicates ?? 0), 0),
      peakRssMiB: peak,
      machineLimitEntriesPerSecond: limit.entriesPerSecond,
      ratioToLimit: round(eps / limit.entriesPerSecond, 3),
    };
  } finally {
    await net.close();
  }
}

export async function runCatchupBench(sizes: number[]) {
  const results = [];
  for (const n of sizes) for (const sources of [1, 3] as const) {
    const r = await catchUp(n, sources);
    console.error(`catch-up n=${n} sources=${sources}: ${r.entriesPerSecond} entries/s (${Math.round(r.ratioToLimit * 100)} % of the machine limit ${r.machineLimitEntriesPerSecond}/s), peak RSS ${r.peakRssMiB} MiB`);
    results.push(r);
  }
  return { results, target: { entriesPerSecond: 30_000, ratioToLimit: 0.3 } };
}

export function catchupPlot(results: { n: number; sources: number; entriesPerSecond: number; machineLimitEntriesPerSecond: number }[]): string {
  return lineChart({
    title: 'Catch-up of a fresh node',
    xLabel: 'entries (log scale)',
    yLabel: 'entries per second',
    logX: true,
    series: [
      { name: 'from 1 peer', points: results.filter((x) => x.sources === 1).map((x) => [x.n, x.entriesPerSecond]) },
      { name: 'from 3 peers', points: results.filter((x) => x.sources === 3).map((x) => [x.n, x.entriesPerSecond]) },
      { name: 'machine limit (hash + SQLite)', points: results.filter((x) => x.sources === 1).map((x) => [x.n, x.machineLimitEntriesPerSecond]) },
    ],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const sizes = quick ? [10_000] : hasFlag('million') ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  const r = await runCatchupBench(sizes);
  saveResult(quick ? 'catchup-quick' : 'catchup', r);
  if (!quick) savePlot('catchup', catchupPlot(r.results));
  console.log(JSON.stringify(r, null, 2));
}
