/**
 * HTTP load generator run as a separate process: C concurrent keep-alive connections cycling through a list of
 * URLs for D seconds (or N requests). Prints one JSON line with latency percentiles and throughput.
 * Usage: run-ts.js scripts/bench/load-client.ts '<json: { urls, connections, durationMs, maxRequests }>'
 */
import http from 'node:http';

interface Opts {
  urls: string[];
  connections: number;
  durationMs: number;
  maxRequests?: number;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Opts;
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
const lat: number[] = [];
let errors = 0;
let bytes = 0;
let next = 0;
const deadline = Date.now() + opts.durationMs;

function get(url: string): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent }, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        lat.push(performance.now() - t0);
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

const t0 = performance.now();
await Promise.all(Array.from({ length: opts.connections }, worker));
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const p = (q: number) => Math.round(lat[Math.min(lat.length - 1, Math.ceil((q / 100) * lat.length) - 1)]! * 100) / 100;
process.stdout.write(JSON.stringify({ requests: lat.length, errors, seconds: Math.round(secs * 100) / 100, rps: Math.round(lat.length / secs), p50: p(50), p95: p(95), p99: p(99), max: p(100), bytes }) + '\n');
agent.destroy();
