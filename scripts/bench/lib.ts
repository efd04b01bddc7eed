/**
 * Shared helpers for the benchmark scripts: timing, percentiles, RSS sampling, result files and SVG line plots.
 * Benchmarks report numbers; they never assert (tests do that).
 */
import { SINGLE_THREADED_GC_FLAG, singleThreadedGcRecommended } from '../../node/core/gc-mode.js';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

/** The one free-port finder (test/helpers/ports.ts), shared by the tests and the benchmarks that start child processes. */
export { freePort } from '../../test/helpers/ports.js';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results');

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
  };
}

export function round(n: number, d = 2): number {
  return Math.round(n * 10 ** d) / 10 ** d;
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export class RssSampler {
  peak = 0;
  samples: { t: number; rssMiB: number; heapMiB: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private t0 = Date.now();
  /** `withHeap: false` samples the RSS alone (process.memoryUsage() walks the heap spaces, which costs CPU at 20 Hz). */
  constructor(private readonly withHeap = true) {}
  start(everyMs = 100): this {
    this.t0 = Date.now();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }
  sample(): void {
    const m = this.withHeap ? process.memoryUsage() : { rss: process.memoryUsage.rss(), heapUsed: Number.NaN };
    this.peak = Math.max(this.peak, m.rss);
    this.samples.push({ t: (Date.now() - this.t0) / 1000, rssMiB: round(m.rss / 2 ** 20, 1), heapMiB: round(m.heapUsed / 2 ** 20, 1) });
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return round(this.peak / 2 ** 20, 1);
  }
}

export function saveResult(name: string, data: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${name}.json`), JSON.stringify({ at: new Date().toISOString(), machine: machine(), loadAvg: os.loadavg().map((x) => round(x)), ...(data as object) }, null, 2) + '\n');
}

export function loadResult<T = Record<string, unknown>>(name: string): T | null {
  const f = path.join(RESULTS_DIR, `${name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : null;
}

/** A minimal SVG line chart (no dependencies): one or more series over a numeric x axis. */
export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; points: [number, number][] }[];
  logX?: boolean;
}): string {
  const W = 640;
  const H = 360;
  const m = { l: 70, r: 40, t: 40, b: 50 };
  const all = opts.series.flatMap((s) => s.points);
  const fx = (x: number) => (opts.logX ? Math.log10(x) : x);
  const xs = all.map((p) => fx(p[0]));
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const y1 = Math.max(...ys, 0) * 1.1 || 1;
  const px = (x: number) => m.l + ((fx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  const colors = ['#0b5394', '#b45f06', '#38761d', '#990000', '#674ea7'];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = (y1 / 4) * i;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/><text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${round(y, y1 < 10 ? 2 : 0)}</text>`);
  }
  let xticks = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
  if (xticks.length > 12) {
    // many points (a time series): eight evenly spaced ticks instead of one per point
    const lo = xticks[0]!;
    const hi = xticks[xticks.length - 1]!;
    xticks = Array.from({ length: 8 }, (_, i) => round(lo + ((hi - lo) * i) / 7, hi - lo >= 70 ? 0 : 1));
  }
  for (const x of xticks) parts.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${x}</text>`);
  parts.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  opts.series.forEach((s, i) => {
    const c = colors[i % colors.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`);
    if (pts.length <= 50) for (const p of pts) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${c}"/>`);
    parts.push(`<rect x="${m.l + 10}" y="${m.t + 4 + i * 16}" width="10" height="10" fill="${c}"/><text x="${m.l + 26}" y="${m.t + 13 + i * 16}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function savePlot(name: string, svg: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const f = path.join(RESULTS_DIR, `${name}.svg`);
  writeFileSync(f, svg);
  return f;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/**
 * Node flags for the benchmarks' node processes: those the README recommends on this machine (single-threaded GC on
 * two cores or fewer; node/core/gc-mode.ts). `BENCH_GC=concurrent` runs them with V8's default GC instead, to compare.
 */
export function nodeFlags(): string[] {
  if (process.env.BENCH_GC === 'concurrent') return [];
  return process.env.BENCH_GC === 'single' || singleThreadedGcRecommended() ? [SINGLE_THREADED_GC_FLAG] : [];
}
