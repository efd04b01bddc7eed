/**
 * HTTP load generator run as a separate process: C concurrent keep-alive connections cycling through a list of
 * URLs for D seconds (or N requests). Prints one JSON line with latency percentiles and throughput.
 * With `ratePerSecond`, requests start at that fixed rate whatever the answers (open loop: a stalled server is measured
 * by every request that waits on it, not by one), latencies per URL; SIGTERM ends the run and prints the figures.
 * Usage: run-ts.js scripts/bench/load-client.ts '<json: { urls, connections, durationMs, maxRequests, ratePerSecond }>'
 * (`urlsFile`: a JSON array of URLs in a file, for lists too long for a command line).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

interface Opts {
  urls: string[];
  connections: number;
  durationMs: number;
  maxRequests?: number;
  ratePerSecond?: number;
  /** Also print every request as [start (epoch ms), latency ms, index of its URL]. */
  raw?: boolean;
  urlsFile?: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Opts;
if (opts.urlsFile) opts.urls = JSON.parse(readFileSync(opts.urlsFile, 'utf8')) as string[];
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
const lat: number[] = [];
const perUrl = new Map<string, number[]>();
const samples: [number, number, number][] = [];
let errors = 0;
let bytes = 0;
let next = 0;
const deadline = Date.now() + opts.durationMs;

function get(url: string): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const at = Date.now();
    const req = http.get(url, { agent }, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        const ms = performance.now() - t0;
        lat.push(ms);
        let xs = perUrl.get(url);
        if (!xs) perUrl.set(url, (xs = []));
        xs.push(ms);
        if (opts.raw) samples.push([at, Math.round(ms * 100) / 100, opts.urls.indexOf(url)]);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

async function worker(): Promise<void> {
  while (Date.now() < deadline && (opts.maxRequests === undefined || next < opts.maxRequests)) {
    const url = opts.urls[next++ % opts.urls.length]!;
    await get(url);
  }
}

/** Open loop: one request every 1000/rate ms, on schedule, until the deadline or SIGTERM; waits for the stragglers. */
async function openLoop(rate: number): Promise<void> {
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  let stopped = false;
  process.once('SIGTERM', () => (stopped = true));
  for (let i = 0; !stopped && Date.now() < deadline && (opts.maxRequests === undefined || i < opts.maxRequests); i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = get(opts.urls[i % opts.urls.length]!);
    inflight.add(p);
    void p.then(() => inflight.delete(p));
  }
  await Promise.all(inflight);
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)]! * 100) / 100 : null;
};
const t0 = performance.now();
if (opts.ratePerSecond) await openLoop(opts.ratePerSecond);
else await Promise.all(Array.from({ length: opts.connections }, worker));
const secs = (performance.now() - t0) / 1000;
const p = (q: number) => pct(lat, q);
const urls = Object.fromEntries([...perUrl].map(([u, xs]) => [u, { requests: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: pct(xs, 100) }]));
process.stdout.write(JSON.stringify({ requests: lat.length, errors, seconds: Math.round(secs * 100) / 100, rps: Math.round(lat.length / secs), p50: p(50), p95: p(95), p99: p(99), max: p(100), bytes, urls, ...(opts.raw ? { samples } : {}) }) + '\n');
agent.destroy();
