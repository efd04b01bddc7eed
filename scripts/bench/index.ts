/**
 * `npm run bench`: runs every part (catch-up, propagation, search, read scale-out, credentials, recognition, start-up, soak) in sequence, each in its own
 * child process (a part's memory and threads never colour the next one's figures), then writes the summary JSON and
 * regenerates BENCHMARKS.md from the full-run result files.
 *
 *   npm run bench                      full run (catch-up 10k, 100k and 1M, soak 10 min) → BENCHMARKS.md
 *   npm run bench -- --quick           every part in quick mode (< 3 min); BENCHMARKS.md is not touched
 *   npm run bench -- --only a,b        only these parts (catchup, propagation, search, scaleout, credentials, recognition, startup, soak)
 *   npm run bench -- --no-million      catch-up without the 1,000,000-entry runs (they take ~15 min) and search without
 *                                      its 1,000,000-record run (building that replica takes ~10 min idle, once: it is cached)
 *   npm run bench -- --minutes N       soak for N minutes
 *   npm run bench -- --report          no run: regenerate BENCHMARKS.md from the saved full results
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasFlag, loadResult, machine, nodeFlags, round, saveResult, savePlot } from './lib.js';
import { catchupPlot } from './catchup.bench.js';
import { propagationPlot } from './propagation.bench.js';
import { soakPlot } from './soak.bench.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

export const PARTS = ['catchup', 'propagation', 'search', 'scaleout', 'credentials', 'recognition', 'startup', 'soak'] as const;
type Part = (typeof PARTS)[number];

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function partArgs(part: Part, quick: boolean): string[] {
  const a = quick ? ['--quick'] : [];
  if (part === 'catchup' && hasFlag('no-million')) a.push('--no-million');
  if (part === 'soak' && argValue('minutes')) a.push('--minutes', argValue('minutes')!);
  return a;
}

export function commandFor(part: Part, quick = false): string {
  return `${['node', ...nodeFlags()].join(' ')} bin/run-ts.js scripts/bench/${part}.bench.ts${quick ? ' --quick' : ''}`;
}

/** The full run's search part also searches 1,000,000 records (search-1000000.json), unless --no-million. */
export const SEARCH_MILLION = ['--records', '1000000'];

async function runPart(part: Part, quick: boolean): Promise<{ part: Part; seconds: number; exitCode: number }> {
  const t0 = performance.now();
  const runs = [partArgs(part, quick)];
  if (part === 'search' && !quick && !hasFlag('no-million')) runs.push(SEARCH_MILLION);
  let exitCode = 0;
  for (const extra of runs) {
    const args = [path.join(ROOT, 'bin/run-ts.js'), path.join(HERE, `${part}.bench.ts`), ...extra];
    exitCode ||= await new Promise<number>((resolve) => {
      // progress lines (stderr) go through; the part's JSON (stdout) is in its result file
      // each part's process hosts nodes: it runs with the GC mode `mochila start` would use on this machine
      const child = spawn(process.execPath, [...nodeFlags(), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (code) => resolve(code ?? 1));
    });
  }
  return { part, seconds: round((performance.now() - t0) / 1000, 1), exitCode };
}

// ---------------------------------------------------------------- BENCHMARKS.md

/* eslint-disable @typescript-eslint/no-explicit-any -- result files are JSON written by the parts */
type R = Record<string, any>;

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 }) : 'n/a');

/** "met" or "missed by X (Y %)"; higher is better unless `lowerIsBetter`. */
function status(value: number, target: number, lowerIsBetter = false, unit = ''): string {
  if (!Number.isFinite(value)) return 'not measured';
  const met = lowerIsBetter ? value <= target : value >= target;
  if (met) return '**met**';
  const gap = Math.abs(value - target);
  const pct = (gap / target) * 100;
  return `**missed** by ${fmt(gap, gap < 10 ? 1 : 0)}${unit} (${fmt(pct, pct < 10 ? 1 : 0)} %)`;
}

function dateOf(r: R | null): string {
  if (!r?.['at']) return 'never';
  const load = Array.isArray(r['loadAvg']) ? ` (load average when it finished: ${(r['loadAvg'] as number[]).join(' / ')} over 1 / 5 / 15 min)` : '';
  return String(r['at']).replace('T', ' ').slice(0, 16) + ' UTC' + load;
}

export function renderBenchmarks(): string {
  const catchup = loadResult<R>('catchup');
  const prop = loadResult<R>('propagation');
  const search = loadResult<R>('search');
  const searchMillion = loadResult<R>('search-1000000');
  const scaleout = loadResult<R>('scaleout');
  const cred = loadResult<R>('credentials');
  const soak = loadResult<R>('soak');
  const recog = loadResult<R>('recognition');
  const recogBefore = loadResult<R>('recognition-before');
  const startup = loadResult<R>('startup');
  const run = loadResult<R>('bench');
  const quick = loadResult<R>('bench-quick');
  const m = (catchup?.['machine'] ?? machine()) as R;
  const L: string[] = [];
  const p = (...lines: string[]) => L.push(...lines);

  p(
    '# Benchmarks',
    '',
    '<!-- generated by `npm run bench` (scripts/bench/index.ts) from the full-run result files in scripts/bench/results/; do not edit by hand -->',
    '',
    'Benchmarks report numbers; they are not tests and never fail a build. Every figure below comes from the latest **full** run of its part',
    '(quick runs, `npm run bench -- --quick`, write `*-quick.json` and never change this file). Regenerate with `npm run bench`',
    '(about 30 minutes: 10 for the soak, ~15 for the 1,000,000-entry catch-ups), one part with `npm run bench -- --only <part>`, or just this file from the saved',
    'results with `npm run bench -- --report`.',
    '',
    '## Machine',
    '',
    `| | |`,
    `| --- | --- |`,
    `| OS | ${m['platform']} |`,
    `| CPU | ${m['cpuModel']} |`,
    `| cores | ${m['cpus']} |`,
    `| RAM | ${m['memoryGiB']} GiB |`,
    `| Node.js | ${m['node']} |`,
    `| full run | ${run ? `${dateOf(run)}, parts ${(run['parts'] as R[]).map((x) => `${x['part']} ${fmt(x['seconds'])} s`).join(', ')}` : 'n/a'} |`,
    '',
    'All nodes of a benchmark run **in one Node.js process** (real SQLite files, real libp2p over TCP on 127.0.0.1, noise, yamux,',
    'gossipsub) on this 2-core machine: one node\'s work competes with every other node\'s for the same event loop, so the',
    'multi-node figures are lower bounds for nodes on their own machines. The machine was shared with other work while these',
    'figures were taken (each part notes the load average when it finished; above 2 means another process held a core), so',
    'repeat runs differ by up to ~2× on the CPU-bound parts (credentials, catch-up).',
    '',
  );

  // ---- summary
  const rows: string[][] = [];
  const c10 = (catchup?.['results'] as R[] | undefined) ?? [];
  // issue 4's figure is for 100,000 entries from a peer; the other sizes and peer counts show how it scales
  for (const r of c10) {
    const target = r['n'] === 100_000 && r['sources'] === 1;
    rows.push([
      `catch-up, ${fmt(r['n'])} entries from ${r['sources']} peer${r['sources'] > 1 ? 's' : ''}`,
      `${fmt(r['entriesPerSecond'])} entries/s`,
      `machine limit ${fmt(r['machineLimitEntriesPerSecond'])}/s`,
      `${fmt(r['ratioToLimit'] * 100, 1)} %`,
      target ? '≥ 30,000/s' : '(none; 30,000/s at 100,000 from a peer)',
      target ? status(r['entriesPerSecond'], 30_000, false, '/s') : r['entriesPerSecond'] >= 30_000 ? 'over 30,000/s' : 'under 30,000/s',
    ]);
  }
  const probed = catchup?.['responsiveness'] as R | undefined;
  if (probed?.['healthz']) {
    rows.push([`healthz p99 on a node catching up ${fmt(probed['n'])} entries (20 requests/s)`, `${fmt(probed['healthz']['p99'], 1)} ms (${fmt(probed['healthz']['requests'])} requests)`, '—', '—', '< 100 ms', status(probed['healthz']['p99'], 100, true, ' ms')]);
    rows.push([`search p95 on a node catching up ${fmt(probed['n'])} entries`, `${fmt(probed['search']['p95'], 1)} ms (${fmt(probed['search']['requests'])} requests)`, '—', '—', '< 50 ms', status(probed['search']['p95'], 50, true, ' ms')]);
  }
  for (const r of (prop?.['results'] as R[] | undefined) ?? [])
    rows.push([
      `propagation p95, ${r['nodes']} nodes`,
      `${fmt(r['latencyMs']['p95'])} ms (p50 ${fmt(r['latencyMs']['p50'])}, max ${fmt(r['latencyMs']['max'])})`,
      '—',
      '—',
      r['nodes'] === 6 ? '< 500 ms' : '(none; 500 ms at 6 nodes)',
      r['nodes'] === 6 ? status(r['latencyMs']['p95'], 500, true, ' ms') : r['latencyMs']['p95'] < 500 ? 'under 500 ms' : 'over 500 ms',
    ]);
  if (search) {
    const w = search['warm'] as R;
    rows.push([`search p95 under load, ${fmt(search['catalogueSize'])} records${search['varied'] ? ', repeated queries' : ''}`, `${fmt(w['p95'], 1)} ms`, '—', '—', '< 20 ms', status(w['p95'], 20, true, ' ms')]);
    rows.push([`search throughput, ${fmt(search['catalogueSize'])} records${search['varied'] ? ', repeated queries' : ''}`, `${fmt(w['rps'])} requests/s`, '—', '—', '≥ 1,000/s', status(w['rps'], 1000, false, '/s')]);
  }
  for (const big of [search, searchMillion]) {
    const v = big?.['varied'] as R | undefined;
    if (!big || !v) continue;
    const where = `${fmt(big['catalogueSize'])} records, varied queries (DB ${fmt(big['dbMiB'])} MiB, node RSS peak ${fmt(big['rssMiB']['peak'])} MiB)`;
    rows.push([`search p95 under load, ${where}`, `${fmt(v['p95'], 1)} ms`, '—', '—', '< 20 ms', status(v['p95'], 20, true, ' ms')]);
    rows.push([`search throughput, ${where}`, `${fmt(v['rps'])} requests/s`, '—', '—', '≥ 1,000/s', status(v['rps'], 1000, false, '/s')]);
  }
  if (scaleout) {
    const sv = scaleout['varied'] as R;
    rows.push([`search requests/s, node + ${scaleout['mirrors']} read mirrors (varied queries, same cores)`, `${fmt(sv['three']['rps'])}/s`, `${fmt(sv['one']['rps'])}/s on the node alone`, `${fmt(sv['ratio'], 2)}×`, '—', '—']);
  }
  if (cred) {
    const s = cred['single'] as R;
    const b = cred['baseline'] as R;
    const pl = cred['pool'] as R;
    rows.push(['verifications, 1 thread', `${fmt(s['verify']['perSecond'])}/s`, `@digitalbazaar/vc as shipped ${fmt(b['verify']['perSecond'])}/s`, `${fmt(cred['ratio']['verify'] * 100)} %`, '≥ 500/s', status(s['verify']['perSecond'], 500, false, '/s')]);
    rows.push([`verifications, ${pl['verify']['workers']} worker threads`, `${fmt(pl['verify']['perSecond'])}/s`, `—`, '—', '≥ 500/s', status(pl['verify']['perSecond'], 500, false, '/s')]);
    rows.push(['issuances, 1 thread', `${fmt(s['issue']['perSecond'])}/s`, `@digitalbazaar/vc as shipped ${fmt(b['issue']['perSecond'])}/s`, `${fmt(cred['ratio']['issue'] * 100)} %`, '≥ 300/s', status(s['issue']['perSecond'], 300, false, '/s')]);
    rows.push([`issuances, ${pl['issue']['workers']} worker threads`, `${fmt(pl['issue']['perSecond'])}/s`, '—', '—', '≥ 300/s', status(pl['issue']['perSecond'], 300, false, '/s')]);
    const bt = cred['batch'] as R;
    rows.push([
      `CSV batch over HTTP, ${fmt(bt['rows'])} rows`,
      bt['available'] ? `${fmt(bt['issuedPerSecond'])} issued/s (${fmt(bt['seconds'], 1)} s)` : 'not measured',
      '—',
      '—',
      '≥ 300/s',
      bt['available'] ? status(bt['issuedPerSecond'], 300, false, '/s') : String(bt['reason']),
    ]);
  }
  if (recog) {
    const q = recog['quality'] as R;
    const sp = recog['speed'] as R | null;
    const b = recogBefore?.['quality'] as R | undefined;
    const pct = (x: number) => `${fmt(x * 100, 1)} %`;
    const was = (x: number | undefined) => (x === undefined ? '—' : `${pct(x)} before`);
    rows.push(['recognition top-1 (labelled set)', pct(q['top1']), was(b?.['top1']), '—', '≥ 90 %', status(q['top1'] * 100, 90, false, ' points')]);
    rows.push(['recognition top-3', pct(q['top3']), was(b?.['top3']), '—', '≥ 97 %', status(q['top3'] * 100, 97, false, ' points')]);
    rows.push(['recognition score separation', pct(q['separation']['share']), was(b?.['separation']?.['share']), '—', '≥ 95 %', status(q['separation']['share'] * 100, 95, false, ' points')]);
    rows.push(['recognition wrong "no counterpart"', pct(q['noCounterpart']['wrongRate']), was(b?.['noCounterpart']?.['wrongRate']), '—', '< 5 %', status(q['noCounterpart']['wrongRate'] * 100, 5, true, ' points')]);
    if (sp) rows.push([`recognition lookup p95, ${fmt(sp['localEntries'])} local entries`, `${fmt(sp['p95'], 1)} ms`, recogBefore?.['speed'] ? `${fmt(recogBefore['speed']['p95'])} ms before` : '—', '—', '< 50 ms', status(sp['p95'], 50, true, ' ms')]);
  }
  if (soak) {
    const mm = soak['memory'] as R;
    rows.push([`soak, ${fmt(soak['seconds'] / 60, 1)} min, heap growth (2nd half)`, `${fmt(mm['heapSlopeMiBPerMinSecondHalf'], 2)} MiB/min`, '—', '—', '≈ 0 (no leak)', Math.abs(mm['heapSlopeMiBPerMinSecondHalf']) < 1 ? '**met** (< 1 MiB/min)' : '**missed**: grows']);
    rows.push(['soak, max sync lag / failed rounds', `${fmt(soak['lag']['max'])} entries / ${fmt(soak['roundsFailed'])}`, '—', '—', '—', '—']);
  }
  if (startup) rows.push(['`mochila start` to first /healthz, compiled (dist/)', `${fmt(startup['dist']['medianMs'])} ms`, `${fmt(startup['tsx']['medianMs'])} ms through tsx`, `${fmt(startup['ratio'], 2)}× faster`, '—', '—']);
  p('## Summary', '', '| figure | measured | baseline (same run) | ratio | target | status |', '| --- | --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`), '');

  // ---- catch-up
  p('## Catch-up of a fresh node', '', `Command: \`${commandFor('catchup')}\` (\`--no-million\` skips the 1,000,000-entry runs). Last full run: ${dateOf(catchup)}.`, '');
  if (catchup) {
    p(
      'A fresh node dials one (or three) peers holding one author\'s pre-signed feed of N membership entries (~1 KB each on the wire) and pulls it over',
      'the sync protocol; timed from the dial until the fresh node holds the whole feed. Each serving peer is its own `mochila start` process',
      '(as a peer on another machine would be; `--in-process` runs them in the fresh node\'s process instead), all on this 2-core machine,',
      `every node process started as the README recommends for a machine this size (${nodeFlags().length ? `\`node ${nodeFlags().join(' ')}\`` : 'no Node flags'}; \`BENCH_GC=concurrent\` runs them with V8's default GC).`,
      'Baseline in the same run: the machine limit, what hashing and SQLite alone allow: SHA-256 over each entry\'s canonical bytes',
      'and inserting the row the node stores (a WAL file, the same indexes, 1,000 per transaction), bytes prepared off the clock; no',
      'network, parsing, canonicalisation, signature, schema or membership checks, no projections, one thread. CPU per entry is',
      'user + system time over the catch-up: of the fresh node\'s process (all its threads) and of the serving peers\' processes.',
      'The feed generated before the run is collected before the clock starts; peak RSS is that of the benchmark process, which',
      'also generated and signed the feed beforehand, so it overstates what the fresh node itself needs.',
      '',
      '| entries | peers | seconds | entries/s | machine limit/s | ratio | CPU µs/entry: fresh node | serving peers | bytes in/entry | peak RSS MiB |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...c10.map((r) => `| ${fmt(r['n'])} | ${r['sources']} | ${fmt(r['seconds'], 2)} | ${fmt(r['entriesPerSecond'])} | ${fmt(r['machineLimitEntriesPerSecond'])} | ${fmt(r['ratioToLimit'] * 100)} % | ${r['cpuUsPerEntry'] ? fmt(r['cpuUsPerEntry']['freshNode'], 1) : 'n/a'} | ${r['cpuUsPerEntry'] ? fmt(r['cpuUsPerEntry']['servingPeers'], 1) : 'n/a'} | ${fmt(r['bytesPerEntry'])} | ${fmt(r['peakRssMiB'])} |`),
      '',
      ...(probed?.['healthz']
        ? [
            `**Responsiveness while catching up** (issue 13): the catching-up node in its own \`mochila start\` process (as in the field; the`,
            `demo units' catalogues to search), a load client in another process asking it for \`/healthz\` and a catalogue search at a fixed`,
            `20 requests/s (open loop: a stalled node is measured by every request that waits on it), from before its peer comes up; the`,
            `figures are those of the requests made between its first and its last entry received. ${fmt(probed['n'])} entries from one peer`,
            `in ${fmt(probed['seconds'], 2)} s (${fmt(probed['entriesPerSecond'])} entries/s with the probe running, CPU ${fmt(probed['cpuUsPerEntry'], 1)} µs per entry in that process):`,
            '',
            '| request | requests | p50 ms | p95 ms | p99 ms | max ms |',
            '| --- | --- | --- | --- | --- | --- |',
            ...(['healthz', 'search'] as const).map((k) => `| ${k} | ${fmt(probed[k]['requests'])} | ${fmt(probed[k]['p50'], 1)} | ${fmt(probed[k]['p95'], 1)} | ${fmt(probed[k]['p99'], 1)} | ${fmt(probed[k]['max'], 1)} |`),
            '',
          ]
        : []),
      '![catch-up vs N](scripts/bench/results/catchup.svg)',
      '',
      `**Target ≥ 30,000 entries/s from a peer at 100,000 entries: ${c10.filter((r) => r['n'] === 100_000 && r['sources'] === 1).every((r) => r['entriesPerSecond'] >= 30_000) ? 'met' : 'missed'}** (see the summary for the other sizes).`,
      'Where the time goes, on this 2-core machine where the serving peer runs too (profiles with',
      '`BENCH_PROFILE=/tmp/catchup.cpuprofile node bin/run-ts.js scripts/bench/catchup.bench.ts`; `BENCH_THREADS=1` prints the CPU',
      'ticks of each of the fresh node\'s threads), figures per entry:',
      '',
      '| work | where | µs per entry |',
      '| --- | --- | --- |',
      '| strict UTF-8 decoding and JSON.parse of the frame | batch decoder worker | ~6.5 |',
      '| envelope checks, the entry\'s layout checked against the frame (where its body ends, its UTF-8 length), chain within the batch | batch decoder worker | ~5 |',
      '| SHA-256 of the signed entry\'s canonical bytes (its id; assembled around the body\'s bytes from the frame) | batch decoder worker | ~1.5 |',
      '| canonical JSON of each body compared with its bytes in the frame (one acceptance rule on every path) | batch decoder worker | ~3.5-4 |',
      '| body schema | batch decoder worker | ~2 |',
      '| moving the checked batch to the main thread (its buffers are transferred) | both | < 0.5 |',
      '| SQLite insert (the entry\'s bytes bound as they came) and commit | main thread | ~12 |',
      '| chain from the stored head, membership, signature of the newest, column reads | main thread | ~3 |',
      '| noise decryption, yamux, length-prefixed frames (a frame\'s buffer is moved to the worker, not copied), acks | main thread | ~4 |',
      '| garbage collection | every thread | ~2-3 each |',
      '| serving: sizes and SQLite join of stored JSON, noise encryption, yamux | serving peer | ~8-10 |',
      '',
      'What moved the 100,000-entry figure from ~22,000/s (the previous full run) to the one above: the checked batch became',
      'columnar, its buffers moved from the worker instead of a structured clone of a thousand entry objects (~12 µs per entry',
      'across both threads); an entry received laid out as nodes store it is hashed from, and stored as, the received bytes: no',
      'second serialisation of the entry nor of its body, no UTF-8 encoding (~8 µs; the body\'s canonical form is proved by the',
      'hash chain and checked on the entry whose signature authenticates the batch); entries whose type no projector applies never become objects on the main',
      'thread; and the single-threaded GC: with V8\'s default GC its helper threads took ~11 µs of CPU per entry on this machine,',
      'competing with the node\'s own threads (interleaved runs of the 100,000-entry case this session: ~25,000–30,000/s with the',
      'default GC, ~28,000–34,000/s with `--single-threaded-gc`). The figure moves with the machine: the hash + SQLite limit',
      'measured in the same runs varied between ~40,000 and ~62,000/s, and development runs of the 100,000-entry case with the',
      'final code gave 29,400–34,900/s (eight of nine at or above 30,000/s; median ~32,000/s). At 1,000,000',
      'entries the machine limit itself falls towards the catch-up figure: ids are hashes and reach the id index in random order,',
      'so once it outgrows the page cache (64 MiB) each insert lands on a random page. A 10,000-entry catch-up lasts well under a',
      'second, so round set-up (dial, noise, identify, heads exchange) weighs on it, and rounds lacking fewer than 20,000 entries',
      'are checked in-thread (handing them to a worker cost more than it saved).',
      '',
    );
  }

  // ---- propagation
  p('## Propagation', '', `Command: \`${commandFor('propagation')}\`. Last full run: ${dateOf(prop)}.`, '');
  if (prop) {
    const rs = prop['results'] as R[];
    p(
      `Topology: ${String(rs[0]?.['topology'] ?? '')} (at 6 nodes that is every pair, a full mesh). ${fmt(rs[0]?.['entries'])} entries`,
      '(~900-byte membership statements) appended round-robin over all nodes, one every 20–50 ms (seeded), via `feed.append`; each',
      'node\'s `feed.onEntry` listener timestamps when the entry is stored there. Latency = append → stored on the last node.',
      'Convergence = last append → every node holds every entry and all heads digests are equal. Sync interval 10 s (production',
      'default): entries travel inline in gossipsub head announcements, pull rounds only repair. Bytes: *wire* counts every TCP write',
      'in the process during the run (gossip incl. duplicates, noise + yamux framing, identify, pings, sync rounds) divided by',
      'entries × nodes; *sync* is what the replicator\'s own totals count (pull rounds only).',
      '',
      '| nodes | connections/node | p50 ms | p95 ms | max ms | convergence ms | publish rate/s | via gossip / via sync | wire bytes/entry/node | sync bytes/entry/node | failed rounds |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rs.map(
        (r) =>
          `| ${r['nodes']} | ${r['connectionsPerNode']['min']}–${r['connectionsPerNode']['max']} | ${fmt(r['latencyMs']['p50'], 1)} | ${fmt(r['latencyMs']['p95'], 1)} | ${fmt(r['latencyMs']['max'], 1)} | ${fmt(r['convergenceMs'], 1)} | ${fmt(r['publishRatePerSecond'], 1)} | ${fmt(r['entriesViaGossip'])} / ${fmt(r['entriesViaSyncRounds'])} | ${fmt(r['bytesPerEntryPerNode']['wire'])} | ${fmt(r['bytesPerEntryPerNode']['syncRounds'])} | ${r['syncRounds']['failed']} |`,
      ),
      '',
      '![propagation vs nodes](scripts/bench/results/propagation.svg)',
      '',
    );
    const six = rs.find((r) => r['nodes'] === 6);
    const big = rs[rs.length - 1];
    if (six)
      p(
        `**Target p95 < 500 ms at 6 nodes: ${six['latencyMs']['p95'] < 500 ? 'met' : 'missed'}** (${fmt(six['latencyMs']['p95'], 1)} ms).` +
          (big && big !== six
            ? ` At ${big['nodes']} nodes p95 is ${fmt(big['latencyMs']['p95'])} ms: every node verifies and stores every entry and handles every gossip copy on the one shared event loop, so the work per entry grows with the node count on 2 cores (the publish rate also drops to ${fmt(big['publishRatePerSecond'], 1)}/s because the publisher's timers wait behind that work). Wire bytes per entry per node (~${fmt(big['bytesPerEntryPerNode']['wire'])}) are several times the entry size because gossipsub flood-publishes and forwards to every mesh peer, so each node receives duplicates.`
            : ''),
        '',
      );
  }

  // ---- search
  p('## Search under load', '', `Command: \`${commandFor('search')}\`. Last full run: ${dateOf(search)}.`, '');
  for (const r of [search, searchMillion]) {
    const v = r?.['varied'] as R | undefined;
    if (!r || !v) continue;
    const w = r['warm'] as R;
    p(
      `**${fmt(r['catalogueSize'])} records** (\`--records ${r['catalogueSize']}\`${r === searchMillion ? ', part of the full run' : ''}; run ${dateOf(r)}): replica ingested through the verified feed path`,
      `(${fmt(r['ingest']['entriesPerSecond'])} entries/s when it was built; cached under the OS temp dir for later runs), database ${fmt(r['dbMiB'])} MiB on disk,`,
      `node RSS ${fmt(r['rssMiB']['afterStartAndColdQueries'])} MiB after start-up, peak ${fmt(r['rssMiB']['peak'])} MiB under load. ${r['connections']} connections from a second process.`,
      '',
      '| mix | p50 ms | p95 ms | p99 ms | requests/s |',
      '| --- | --- | --- | --- | --- |',
      `| first request of each of the ${r['queries']} typical queries | ${fmt(r['cold']['p50'], 1)} | — | max ${fmt(r['cold']['max'], 1)} | — |`,
      `| repeated: the ${r['queries']} typical queries over and over (result caches) | ${fmt(w['p50'], 1)} | ${fmt(w['p95'], 1)} | ${fmt(w['p99'], 1)} | ${fmt(w['rps'])} |`,
      `| varied: ${fmt(v['requests'])} requests cycling through ${fmt(v['distinctUrls'])} distinct generated queries (${fmt(v['distinctFilterSets'])} filter sets) | ${fmt(v['p50'], 1)} | ${fmt(v['p95'], 1)} | ${fmt(v['p99'], 1)} | ${fmt(v['rps'])} |`,
      '',
      `Targets on the varied mix, p95 < 20 ms: ${status(v['p95'], 20, true, ' ms')}; ≥ 1,000 requests/s: ${status(v['rps'], 1000, false, '/s')}. A broad query (\`q=${r['broadQuery']['q']}\`) reports total ${fmt(r['broadQuery']['total'])}${r['broadQuery']['totalExact'] ? '' : ' (totalExact false: more match)'}${r['broadQuery']['facetsApproximate'] ? ', facets approximate' : ''}.`,
      '',
    );
  }
  if (search && !search['varied']) {
    const w = search['warm'] as R;
    p(
      `A replica holding ${fmt(search['catalogueSize'])} generated microcredentials (Spanish and English, 24 institutions) ingested through the`,
      `verified feed path (${fmt(search['ingest']['entriesPerSecond'])} entries/s); ${search['queries']} typical queries (text, filters, sort, paging) on`,
      `\`GET /api/v1/microcredentials\` from a second process (autocannon, ${search['connections']} connections).`,
      '',
      '| | p50 ms | p95 ms | p99 ms | requests/s |',
      '| --- | --- | --- | --- | --- |',
      `| cold (first request of each query) | ${fmt(search['cold']['p50'], 1)} | — | max ${fmt(search['cold']['max'], 1)} | — |`,
      `| warm, under load | ${fmt(w['p50'], 1)} | ${fmt(w['p95'], 1)} | ${fmt(w['p99'], 1)} | ${fmt(w['rps'])} |`,
      '',
      `Targets p95 < 20 ms: ${status(w['p95'], 20, true, ' ms')}; ≥ 1,000 requests/s: ${status(w['rps'], 1000, false, '/s')}. The load client and the node share the 2 cores.`,
      '',
    );
  }

  // ---- read scale-out
  p('## Read scale-out', '', `Command: \`${commandFor('scaleout')}\`. Last full run: ${dateOf(scaleout)}.`, '');
  if (scaleout) {
    const row = (label: string, x: R) => `| ${label} | ${fmt(x['p50'], 1)} | ${fmt(x['p95'], 1)} | ${fmt(x['p99'], 1)} | ${fmt(x['rps'])} |`;
    const rr = scaleout['repeated'] as R;
    const vv = scaleout['varied'] as R;
    p(
      `The search benchmark's replica (${fmt(scaleout['catalogueSize'])} records) served by one node, then by that node and ${scaleout['mirrors']} read mirrors behind a`,
      `round-robin client, in the same run and with the same query mixes (repeated: ${rr['queries']} typical queries; varied: distinct generated queries, the`,
      `cold path). The node and each mirror run in a process of their own; the mirrors replicated the replica from the node over libp2p first`,
      `(${fmt(scaleout['mirrorsCaughtUpSeconds'], 1)} s). One load client, ${scaleout['connections']} connections, ${fmt(scaleout['durationMs'] / 1000)} s per load.`,
      '',
      '| | p50 ms | p95 ms | p99 ms | requests/s |',
      '| --- | --- | --- | --- | --- |',
      row('repeated, node alone', rr['one']),
      row(`repeated, node + ${scaleout['mirrors']} mirrors`, rr['three']),
      row('varied, node alone', vv['one']),
      row(`varied, node + ${scaleout['mirrors']} mirrors`, vv['three']),
      '',
      `Requests/s with the mirrors: ×${fmt(rr['ratio'], 2)} (repeated), ×${fmt(vv['ratio'], 2)} (varied). **What this shows and what it cannot:** this machine has`,
      `${scaleout['cores']} cores, and the three servers and the load client all run on them, so the figure shows how much of the read path a`,
      'single node leaves unused on this machine (one event loop per process: a node alone keeps at most one core busy with requests), not what',
      'three machines would give. On separate machines each mirror adds its own cores and page cache; the only shared work is replication, which',
      'costs a mirror one catch-up and then the new entries. Both set-ups run minutes apart under the same load (the load average above says',
      'how busy the machine was): compare the two rows of a mix, not these figures with other sections run on a quieter machine.',
      '',
    );
  }

  // ---- credentials
  p('## Credentials', '', `Command: \`${commandFor('credentials')}\`. Last full run: ${dateOf(cred)}.`, '');
  if (cred) {
    const s = cred['single'] as R;
    const b = cred['baseline'] as R;
    const pl = cred['pool'] as R;
    const bt = cred['batch'] as R;
    p(
      'Ours: `node/credentials/bench.ts`: an Open Badges 3.0 credential built and signed (`DataIntegrityProof` / `eddsa-rdfc-2022`), and',
      'verified with every check of the verifier (proof, issuer membership and key, status list, catalogue, validity). Baselines in the',
      'same run (`scripts/bench/vc-baseline.ts`): `@digitalbazaar/vc` `issue` / `verifyCredential` called directly with the node\'s document',
      'loader and a plain `eddsa-rdfc-2022` suite on the same document (signature and RDF canonicalisation only): *as shipped* runs in a',
      'fresh worker thread; *with context cache* runs in the same thread after ours, i.e. with the jsonld processed-context cache that',
      '`node/credentials/jsonld-context-cache.ts` installs when a signer or verifier is created. Pool: one worker thread per core, each',
      'running the same loop at the same time (figure = sum of the workers\' rates). Every loop, ours and baselines, first runs a',
      'warm-up of a fifth of its calls (at most 200) untimed, so the figures are steady-state rates (a cold first loop measured ~15 % lower).',
      '',
      `| | n | ours, 1 thread/s | baseline as shipped/s | ours / as shipped | baseline with context cache/s | ours / cached | ours, pool of ${pl['verify']['workers']} workers/s | target |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...(['verify', 'issue'] as const).map((k) => {
        const bc = (cred['baselineWithContextCache'] as R | undefined)?.[k] as R | undefined;
        const target = k === 'verify' ? 500 : 300;
        return `| ${k} | ${fmt(s[k]['n'])} | ${fmt(s[k]['perSecond'])} | ${fmt(b[k]['perSecond'])} | ${fmt(cred['ratio'][k] * 100)} % | ${bc ? fmt(bc['perSecond']) : '—'} | ${bc ? `${fmt(cred['ratioToCachedBaseline'][k] * 100)} %` : '—'} | ${fmt(pl[k]['perSecond'])} | ≥ ${target}/s: 1 thread ${status(s[k]['perSecond'], target, false, '/s')}, pool ${status(pl[k]['perSecond'], target, false, '/s')} |`;
      }),
      '',
      bt['available']
        ? `CSV batch end to end over HTTP (\`POST /api/v1/admin/credentials/batch\` with ${fmt(bt['rows'])} rows, polling \`GET /api/v1/admin/jobs/:id\` every 500 ms): ${fmt(bt['issued'])} issued, ${fmt(bt['skipped'])} skipped, ${fmt(bt['failed'])} failed in ${fmt(bt['seconds'], 1)} s = **${fmt(bt['issuedPerSecond'])} issued/s** (target ≥ 300/s: ${status(bt['issuedPerSecond'], 300, false, '/s')}); the POST answered in ${fmt(bt['postMs'])} ms, the slowest poll took ${fmt(bt['pollMsMax'])} ms.`
        : `CSV batch over HTTP: not measured — ${String(bt['reason'])}.`,
      '',
      cred['limits'] ? String(cred['limits']) : CREDENTIAL_LIMITS,
      '',
    );
  }

  // ---- recognition
  p('## Recognition', '', `Command: \`${commandFor('recognition')}\` (quality figures are the same in quick mode; its speed part uses 1,000 local entries). Last full run: ${dateOf(recog)}.`, '');
  if (recog) p(...recognitionSection(recog, recogBefore));

  // ---- start-up
  p('## Start-up', '', `Command: \`${commandFor('startup')}\`. Last full run: ${dateOf(startup)}.`, '');
  if (startup)
    p(
      'Time from spawning `mochila start` (an initialised node, `--standalone`, no replication) to its first `/healthz` answer, for the same',
      'folder run as TypeScript through tsx (a source checkout) and as the compiled JavaScript of the npm package (`MOCHILA_RUN=dist`),',
      `runs alternating so a change of load hits both alike (load average ${startup['machine']?.['loadAverage1mAtStart'] ?? 'n/a'} at the start, ${startup['loadAverage1mAtEnd'] ?? 'n/a'} at the end).`,
      '',
      '| run as | median | min | max | runs |',
      '| --- | --- | --- | --- | --- |',
      ...(['tsx', 'dist'] as const).map((k) => `| ${k === 'tsx' ? 'TypeScript through tsx' : 'compiled (dist/)'} | ${fmt(startup[k]['medianMs'])} ms | ${fmt(startup[k]['minMs'])} ms | ${fmt(startup[k]['maxMs'])} ms | ${startup[k]['runs']} |`),
      '',
    );
  // ---- soak
  p('## Soak', '', `Command: \`${commandFor('soak')}\` (\`--minutes N\` to change the length). Last full run: ${dateOf(soak)}.`, '');
  if (soak) {
    const mm = soak['memory'] as R;
    p(
      `Six nodes in one process (full mesh), ${soak['entriesPerSecond']} entries/s in total (round-robin publishers) for ${fmt(soak['seconds'] / 60, 1)} minutes: ${fmt(soak['appended'])} entries,`,
      `${soak['appendErrors']} append errors. Sampled every second: process RSS and heap used, sync lag (the largest difference across nodes of one author's head seq), failed sync rounds.`,
      '',
      '| RSS start / end / max MiB | heap start / end / max MiB | heap slope, 2nd half | RSS slope, 2nd half | lag p50 / p95 / max | drain after stop | rounds ok / failed |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${fmt(mm['rssStartMiB'])} / ${fmt(mm['rssEndMiB'])} / ${fmt(mm['rssMaxMiB'])} | ${fmt(mm['heapStartMiB'])} / ${fmt(mm['heapEndMiB'])} / ${fmt(mm['heapMaxMiB'])} | ${fmt(mm['heapSlopeMiBPerMinSecondHalf'], 2)} MiB/min | ${fmt(mm['rssSlopeMiBPerMinSecondHalf'], 2)} MiB/min | ${soak['lag']['p50']} / ${soak['lag']['p95']} / ${soak['lag']['max']} entries | ${fmt(soak['drainMs'])} ms | ${fmt(soak['roundsOk'])} / ${fmt(soak['roundsFailed'])} |`,
      '',
      '![memory over time](scripts/bench/results/soak.svg)',
      '',
      Math.abs(mm['heapSlopeMiBPerMinSecondHalf']) < 1
        ? `The JS heap is flat over the second half (${fmt(mm['heapSlopeMiBPerMinSecondHalf'], 2)} MiB/min, inside GC noise): no leak in JavaScript objects.` +
            (mm['rssSlopeMiBPerMinSecondHalf'] > 1
              ? ` RSS still rises ~${fmt(mm['rssSlopeMiBPerMinSecondHalf'], 1)} MiB/min with the heap flat, i.e. native memory: consistent with the six SQLite page caches (up to 64 MiB each, \`cache_size = -65536\`) filling as the databases grow (${fmt(soak['appended'])} entries × 6 nodes written); ${fmt(soak['seconds'] / 60)} minutes are too short to see it level off, a longer run (\`--minutes 60\`) would.`
              : '')
        : `The JS heap grows ${fmt(mm['heapSlopeMiBPerMinSecondHalf'], 2)} MiB/min over the second half: investigate with a heap snapshot.`,
      '',
    );
  }

  if (quick) {
    p(
      '## Latest quick run',
      '',
      `\`npm run bench -- --quick\` (also run by \`.ci/run\`) on ${dateOf(quick)} took ${fmt(quick['seconds'])} s in total (${(quick['parts'] as R[]).map((x) => `${x['part']} ${fmt(x['seconds'])} s${x['exitCode'] ? ' FAILED' : ''}`).join(', ')}).`,
      'Quick sizes: catch-up 10k entries; propagation 6 nodes × 50 entries; search 10k records for 5 s; read scale-out 2k records, 3 s per load; credentials 150 verifies, 100 issues,',
      'a 300-row batch; recognition 1,000 local entries; soak 30 s. Its figures are in `scripts/bench/results/*-quick.json` and are not reported here.',
      '',
    );
  }
  return L.join('\n');
}

function recognitionSection(r: R, before: R | null): string[] {
  const q = r['quality'] as R;
  const b = before?.['quality'] as R | undefined;
  const sp = r['speed'] as R | null;
  const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : `${fmt(x * 100, 1)} %`);
  const t = q['bandThresholds'] as R;
  const L: string[] = [
    `Quality on the labelled set (\`fixtures/recognition-eval/\`: ${q['queries']} queries, ${q['pairs']} labelled pairs — ${q['labels']['equivalent']} equivalent, ${q['labels']['partial']} partial,`,
    `${q['labels']['unrelated']} unrelated —; ${q['withCounterpart']} queries have a counterpart in the local catalogue, ${q['withoutCounterpart']} have none; ${q['addedRecords']} records were added to the demo catalogues for it).`,
    'Each query ranks a local unit\'s whole catalogue against a foreign microcredential with the node\'s comparison; document frequencies come from',
    'every record of the set (the replica). *top-1*: the first candidate carries the query\'s best label (equivalent, else partial); a "no',
    'counterpart" answer there is a miss. *separation*: share of (labelled counterpart, best-scoring unrelated record of the same query) pairs where',
    'the counterpart scores higher. *wrong "no counterpart"*: share of the queries that have a counterpart where the lookup said there is none.',
    '*Before* is the comparison as it was before issue 20 (saved in `scripts/bench/results/recognition-before.json`, same set, same command): it',
    'had no bands and always offered every candidate, so it never answered "no counterpart".',
    '',
    '| figure | before | now | target |',
    '| --- | --- | --- | --- |',
    `| top-1 | ${pct(b?.['top1'])} | ${pct(q['top1'])} | ≥ 90 %: ${status(q['top1'] * 100, 90, false, ' points')} |`,
    `| top-3 | ${pct(b?.['top3'])} | ${pct(q['top3'])} | ≥ 97 %: ${status(q['top3'] * 100, 97, false, ' points')} |`,
    `| separation | ${pct(b?.['separation']?.['share'])} | ${pct(q['separation']['share'])} (${q['separation']['separated']} of ${q['separation']['pairs']}) | ≥ 95 %: ${status(q['separation']['share'] * 100, 95, false, ' points')} |`,
    `| wrong "no counterpart" | ${pct(b?.['noCounterpart']?.['wrongRate'])} | ${pct(q['noCounterpart']['wrongRate'])} (${q['noCounterpart']['wrongOnQueriesWithCounterpart']} of ${q['withCounterpart']}) | < 5 %: ${status(q['noCounterpart']['wrongRate'] * 100, 5, true, ' points')} |`,
    `| "no counterpart" precision | ${b?.['noCounterpart']?.['answered'] ? pct(b['noCounterpart']['precision']) : 'never answered'} | ${pct(q['noCounterpart']['precision'])} (${q['noCounterpart']['correct']} of ${q['noCounterpart']['answered']}) | — |`,
    `| "no counterpart" recall | ${pct(b?.['noCounterpart']?.['recall'])} | ${pct(q['noCounterpart']['recall'])} | — |`,
    `| mean score: equivalent / partial / unrelated | ${b ? `${fmt(b['meanScore']['equivalent'], 2)} / ${fmt(b['meanScore']['partial'], 2)} / ${fmt(b['meanScore']['unrelated'], 2)}` : 'n/a'} | ${fmt(q['meanScore']['equivalent'], 2)} / ${fmt(q['meanScore']['partial'], 2)} / ${fmt(q['meanScore']['unrelated'], 2)} | — |`,
    `| lookup p95 | ${before?.['speed'] ? `${fmt(before['speed']['p95'])} ms (${fmt(before['speed']['localEntries'])} local entries)` : 'n/a'} | ${sp ? `${fmt(sp['p95'], 1)} ms (p50 ${fmt(sp['p50'], 1)}, ${fmt(sp['localEntries'])} local entries, ${sp['lookups']} lookups; first lookup ${fmt(sp['firstMs'])} ms builds the index${sp['afterChangeMs'] !== undefined ? `, the first after a catalogue change ${fmt(sp['afterChangeMs'])} ms` : ''})` : 'not measured'} | < 50 ms: ${sp ? status(sp['p95'], 50, true, ' ms') : 'not measured'} |`,
    '',
  ];
  if (t) {
    L.push(`Bands (score thresholds): strong ≥ ${t['strong']}, partial ≥ ${t['partial']}, weak ≥ ${t['weak']}; below ${t['weak']} the lookup answers "no comparable local microcredential". Labelled pairs by band:`, '');
    L.push('| band | equivalent | partial | unrelated |', '| --- | --- | --- | --- |');
    for (const band of ['strong', 'partial', 'weak', 'not offered']) {
      const x = (q['bands'] as R)[band] as R | undefined;
      if (x) L.push(`| ${band} | ${x['equivalent']} | ${x['partial']} | ${x['unrelated']} |`);
    }
    L.push('');
    const low = (['weak', 'not offered'] as const).reduce((a, band) => a + ((q['bands'] as R)[band]?.['equivalent'] ?? 0) + ((q['bands'] as R)[band]?.['partial'] ?? 0), 0);
    L.push(
      `Precedents: were every labelled counterpart recorded as a decision, each would be shown first, and ${low} of the ${q['labels']['equivalent'] + q['labels']['partial']} would carry`,
      '`precedent.rankedLow` (the comparison alone put them in the weak band or below): the signal of a decision the comparison disagrees with.',
      '',
    );
  }
  const fails = (q['failures'] as R[]) ?? [];
  if (fails.length) L.push('Queries the lookup gets wrong:', '', ...fails.map((f) => `- ${f['query']}: ${f['problem']}`), '');
  L.push(
    'Speed: a node whose own catalogue holds generated microcredentials (`scripts/bench/gen-catalogue.ts`) plus one demo unit\'s, ingested through',
    'the verified feed path, answers `recognition.lookup` (the whole answer: entry, accreditations, decisions, agreements, ranked comparison) for the',
    'other demo units\' microcredentials, in process, after a first lookup that builds the index (analysis of every record, document frequencies).',
    'The first lookup after a catalogue change (one record of another institution arrives) re-analyses only that record but recomputes the',
    'document frequencies and the compared catalogue\'s weighted vectors; the p95 above is that of lookups with the index up to date.',
    '',
  );
  return L;
}

const CREDENTIAL_LIMITS = [
  'What limits verification and issuance (CPU profile of `benchVerify` + `benchIssue` with the context cache installed): JSON-LD',
  'work still dominates: `jsonld` expansion and node maps (~30 % of CPU), `rdf-canonize` (RDFC-1.0 over the quads, ~7 %), then',
  'Ed25519 in `node:crypto` (~10 %) and garbage collection (~6 %). Without the context cache (the *as shipped* baseline) jsonld',
  're-processes every Open Badges type-scoped context per node, which is what the ratio to the as-shipped baseline shows. Against',
  'the cached baseline, verification pays for our extra checks (trust, status, catalogue, validity, the report), while issuance',
  'is faster than the library because `node/credentials/ed25519-fast.ts` keeps the node:crypto key objects instead of importing',
  'the raw key on every signature as `@digitalbazaar/ed25519-multikey` does. It is',
  'pure JavaScript, one credential at a time per thread, so past that the lever on this machine is parallelism: two worker',
  'threads give less than 2× because the main thread also coordinates and other work shares the two cores. The CSV batch issues',
  'row by row on the node\'s main thread (one signature, two status-list allocations and an SQLite insert per row). A CPU profile',
  'of the 10,000-row batch (`node --cpu-prof`, the same `batchOverHttp`): jsonld + rdf-canonize 32 %, better-sqlite3\'s JavaScript',
  'side 9 % (nearly all `Database.prepare`, called on every row by `credential.service.ts` (its `get`/`row`, status allocation in',
  'a transaction), `catalogue.service.ts` `get` and `institutions.ts` `get`: statements are prepared per call instead of once),',
  'node:crypto 8.5 %, GC 5.6 %. Caching those prepared statements is the cheapest gain left for the batch; the job\'s',
  '`GET /api/v1/admin/jobs/:id` returns every row so far, so a poll of a 10,000-row job costs up to ~300 ms.',
].join('\n');

/** Regenerates the full-run plots from the saved results (so a change of chart style needs no re-run) and BENCHMARKS.md. */
function writeReport(): void {
  const c = loadResult<R>('catchup');
  const pr = loadResult<R>('propagation');
  const so = loadResult<R>('soak');
  if (c) savePlot('catchup', catchupPlot(c['results']));
  if (pr) savePlot('propagation', propagationPlot(pr['results']));
  if (so) savePlot('soak', soakPlot(so['samples']));
  writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderBenchmarks() + '\n');
}

// ---------------------------------------------------------------- main

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  if (hasFlag('report')) {
    writeReport();
    console.error('BENCHMARKS.md and plots regenerated from the saved full results');
  } else {
    const only = argValue('only');
    const selected = only ? only.split(',').map((s) => s.trim()) : [...PARTS];
    for (const s of selected) if (!(PARTS as readonly string[]).includes(s)) throw new Error(`unknown part ${s}; parts: ${PARTS.join(', ')}`);
    const t0 = performance.now();
    const parts: { part: Part; seconds: number; exitCode: number }[] = [];
    for (const part of PARTS.filter((x) => selected.includes(x))) {
      console.error(`\n== ${part}${quick ? ' (quick)' : ''}: ${commandFor(part, quick)}`);
      const r = await runPart(part, quick);
      console.error(`== ${part}: ${r.exitCode === 0 ? 'done' : `FAILED (exit ${r.exitCode})`} in ${r.seconds} s`);
      parts.push(r);
    }
    const seconds = round((performance.now() - t0) / 1000, 1);
    // each part's own result file, without the soak's per-second samples (they are in soak.json)
    const results = Object.fromEntries(
      parts.map((x) => {
        const { samples: _samples, ...r } = loadResult<R>(quick ? `${x.part}-quick` : x.part) ?? {};
        return [x.part, r];
      }),
    );
    // --only: keep the other parts' entries of the previous run of the same kind
    const prev = only ? loadResult<R>(quick ? 'bench-quick' : 'bench') : null;
    const allParts = [...((prev?.['parts'] as R[] | undefined) ?? []).filter((x) => !parts.some((y) => y.part === x['part'])), ...parts].sort((a, b) => PARTS.indexOf(a['part']) - PARTS.indexOf(b['part']));
    const allResults = { ...((prev?.['results'] as R | undefined) ?? {}), ...results };
    saveResult(quick ? 'bench-quick' : 'bench', { quick, seconds: round(allParts.reduce((a, x) => a + x['seconds'], 0), 1), parts: allParts, cores: os.cpus().length, results: allResults });
    if (!quick) {
      writeReport();
      console.error('BENCHMARKS.md regenerated');
    }
    console.error(`\nbench${quick ? ' --quick' : ''}: ${parts.length} part(s) in ${seconds} s${parts.some((x) => x.exitCode) ? `; FAILED: ${parts.filter((x) => x.exitCode).map((x) => x.part).join(', ')}` : ''}`);
    // a benchmark never fails the build on a figure, but a part that crashed is an error
    if (parts.some((x) => x.exitCode)) process.exitCode = 1;
  }
}
