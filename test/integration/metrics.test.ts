/**
 * GET /metrics on real nodes: off by default (404), open with "metrics": true, behind a bearer token with
 * "metricsToken"; the exposition parses as Prometheus text and shows replication lag per author reaching 0, sync
 * rounds, failures by reason, connected peers, an HTTP histogram by route pattern, and entries refused by reason code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { createLogger } from '../../node/core/logger.js';
import { signEntry } from '../../node/feed/entry.js';
import { LIVENESS_MS, scriptedSyncPeer, startNet, unitCatalogue, waitFor, type NetNode, type TestNet } from '../federation/net.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict parser of the Prometheus text format (0.0.4): every line is a comment, HELP/TYPE, blank, or a sample. NaN
 * in any case, as Prometheus reads it (prom-client writes `Nan`, e.g. the event-loop lag before its first sample).
 */
function parseProm(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleRe = new RegExp(`^(${name})(?:\\{(.*)\\})? (-?[0-9.eE+-]+|[Nn][Aa][Nn]|\\+Inf|-Inf)(?: -?[0-9]+)?$`);
  const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`bad type: ${line}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = sampleRe.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      labelRe.lastIndex = 0;
      let consumed = 0;
      for (let l = labelRe.exec(m[2]); l; l = labelRe.exec(m[2])) {
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        consumed = labelRe.lastIndex;
      }
      if (consumed !== m[2].length) throw new Error(`bad labels: ${line}`);
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

async function scrape(n: NetNode, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`${n.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseProm(await res.text()).samples;
}

/** Stops a node, writes settings into its node.json, and starts it again on the same libp2p port. */
async function restartWith(n: NetNode, settings: Record<string, unknown>): Promise<void> {
  await n.stop();
  const file = path.join(n.dir, 'node.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...settings }));
  await n.start({ samePort: true });
}

let net: TestNet | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await net?.close();
  net = null;
});

describe('GET /metrics', () => {
  it('is off by default, open or token-guarded by node.json, and shows lag, rounds, failures, peers, HTTP latency by route and rejections', async () => {
    const logged: string[] = [];
    net = await startNet(2, { logger: createLogger('warn', {}, (l) => logged.push(l)) });
    const [a, b] = net.nodes as [NetNode, NetNode];
    // off by default: 404 (problem+json), not the web app
    const off = await fetch(`${a.url}/metrics`);
    expect(off.status).toBe(404);
    expect(off.headers.get('content-type')).toMatch(/problem\+json/);

    const token = 'metrics-token-0123456789abcdef';
    await restartWith(a, { metrics: true });
    await restartWith(b, { metricsToken: token });
    // the token guards B's metrics: 401 without it, 403 with another, 200 with it
    const none = await fetch(`${b.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${b.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(403);
    await scrape(b, { authorization: `Bearer ${token}` });
    // the route is documented with the others
    const openapi = (await (await fetch(`${a.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(openapi.paths['/metrics']).toBeDefined();

    // B publishes; A replicates it
    for (const r of unitCatalogue('cl-uac').slice(0, 3)) b.node.services.catalogue.create(r);
    const bHead = b.node.services.feed.head(b.key.did)!;
    const before = await scrape(a);
    expect(value(before, 'mochila_feed_head_seq', { author: b.key.did }) ?? 0).toBeLessThan(bHead.seq);
    await net.connect(a, b);
    await waitFor(async () => value(await scrape(a), 'mochila_feed_head_seq', { author: b.key.did }) === bHead.seq, LIVENESS_MS, 'A to hold B’s feed');
    let m = await scrape(a);
    expect(value(m, 'mochila_replication_lag_entries', { author: b.key.did })).toBe(0);
    expect(value(m, 'mochila_replication_last_entry_age_seconds', { author: b.key.did })).toBeGreaterThanOrEqual(0);
    expect(value(m, 'mochila_sync_rounds_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(value(m, 'mochila_peers_connected')).toBe(1);
    expect(value(m, 'mochila_own_feed_confirmed')).toBe(1);
    expect(value(m, 'mochila_sqlite_bytes', { file: 'db' })).toBeGreaterThan(0);
    expect(value(m, 'mochila_credential_jobs', { state: 'running' })).toBe(0);
    expect(value(m, 'process_resident_memory_bytes') ?? value(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    // HTTP latency by the route pattern, never the raw URL
    const list = (await (await fetch(`${a.url}/api/v1/microcredentials`)).json()) as { items: { id: string }[] };
    expect(list.items.length).toBeGreaterThan(0);
    const id = list.items[0]!.id;
    expect((await fetch(`${a.url}/api/v1/microcredentials/${encodeURIComponent(id)}`)).status).toBe(200);
    m = await scrape(a);
    const route = '/api/v1/microcredentials/:id';
    expect(value(m, 'mochila_http_request_duration_seconds_count', { method: 'GET', route, status: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(value(m, 'mochila_http_request_duration_seconds_bucket', { route, le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(m.some((s) => s.name.startsWith('mochila_http_') && (s.labels.route ?? '').includes(id))).toBe(false);

    // a peer that sends an entry of a non-member (refused: not_a_member), then breaks the protocol (a failed round)
    const stranger = generateKey();
    const bad = signEntry(stranger, { v: 2, net: a.node.services.network, author: stranger.did, seq: 1, prev: null, ts: new Date().toISOString(), type: 'profile', body: { name: { es: 'Intrusa' }, country: 'CL', kind: 'hei' } });
    const evil = await scriptedSyncPeer(a.node.services.network, (round) =>
      round === 0
        ? { heads: [[stranger.did, 1, bad.id]], frames: () => [JSON.stringify({ t: 'batch', author: stranger.did, entries: [bad] }), JSON.stringify({ t: 'done', more: false })] }
        : { heads: [[stranger.did, 1, bad.id]], frames: () => ['{this is not json'] },
    );
    closers.push(evil.close);
    const rejectedBefore = value(m, 'mochila_entries_rejected_total', { code: 'not_a_member' }) ?? 0;
    const protocolBefore = value(m, 'mochila_sync_round_failures_total', { reason: 'protocol' }) ?? 0;
    await a.node.replicator!.dial(evil.addr);
    await waitFor(async () => (value(await scrape(a), 'mochila_entries_rejected_total', { code: 'not_a_member' }) ?? 0) > rejectedBefore, LIVENESS_MS, 'the refused entry to be counted');
    await waitFor(async () => (value(await scrape(a), 'mochila_sync_round_failures_total', { reason: 'protocol' }) ?? 0) > protocolBefore, LIVENESS_MS, 'the failed round to be counted');
    m = await scrape(a);
    expect(value(m, 'mochila_sync_rounds_total', { outcome: 'failed' })).toBeGreaterThan(0);
    expect(a.node.services.feed.head(stranger.did)).toBeNull();
    // the refusal is logged at warn, as one JSON line
    const warned = logged.map((l) => JSON.parse(l) as { level: string; msg: string; rejected?: { code: string }[] }).filter((l) => l.msg === 'peer sent entries that were rejected');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]).toMatchObject({ level: 'warn', rejected: [expect.objectContaining({ code: 'not_a_member' })] });
  }, 180_000);
});
