/**
 * The node's Prometheus metrics (GET /metrics, prom-client): one registry per node, never the global one. Counters of
 * events as they happen come in through the `Metrics` interface (node/core/metrics.ts); everything else is read from
 * the node's own status at scrape time (`scrape()`): replication lag per author from the feeds table and the checked
 * heads gossip heard, the replicator's totals and peers, credential jobs by state, the SQLite files' sizes. Plus
 * prom-client's default process metrics. Must never put an unbounded value in a label (no raw URL, no error message,
 * no peer id): authors are the network's feeds, every other label comes from a fixed set.
 */
import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { ROUND_FAILURE_REASONS, type Metrics, type RoundFailureReason } from '../core/metrics.js';
import type { Store } from '../store/database.js';

/** The replicator's status as the metrics read it (Replicator.status()). */
export interface ReplicationStatusView {
  status(): {
    peers: { connected: boolean }[];
    knownHeads?: Record<string, number>;
    totals: {
      roundsOk: number;
      roundsFailed: number;
      entriesPulled: number;
      entriesServed: number;
      bytesIn: number;
      bytesOut: number;
      gossipRejectedCheap: number;
      gossipHeadsRejected: number;
      dialAttempts: number;
      dialFailures: number;
    };
  };
}

export interface NodeMetricsDeps {
  store: Pick<Store, 'statement' | 'path'>;
  clock: Clock;
  /** The running replicator, or null (not started yet, or replication disabled). */
  replication: () => ReplicationStatusView | null;
  /** Whether this node may publish (its own feed confirmed current). */
  ownFeedConfirmed: () => boolean;
}

export const JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;

/** Buckets of the HTTP latency histogram, in seconds (search answers in milliseconds, verification in tenths). */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Reason codes are snake_case words from the feed's checks; anything else, and any beyond this many, is `other`. */
const MAX_REJECTION_CODES = 50;
const CODE_RE = /^[a-z][a-z0-9_]{0,39}$/;
/** Route labels beyond this many are `other` (the route tables hold far fewer). */
const MAX_ROUTES = 300;
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

export class NodeMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly lagEntries: Gauge;
  private readonly lastEntryAge: Gauge;
  private readonly headSeq: Gauge;
  private readonly rounds: Counter;
  private readonly roundFailures: Counter;
  private readonly rejected: Counter;
  private readonly gossipRejected: Counter;
  private readonly dials: Counter;
  private readonly dialFailures: Counter;
  private readonly entries: Counter;
  private readonly bytes: Counter;
  private readonly peers: Gauge;
  private readonly ownFeed: Gauge;
  private readonly http: Histogram;
  private readonly jobs: Gauge;
  private readonly dbBytes: Gauge;
  private readonly codes = new Set<string>();
  private readonly routes = new Set<string>();
  /** The replicator's totals already added to the counters (they are read at scrape time and only grow). */
  private seen: Record<string, number> = {};

  constructor(private readonly d: NodeMetricsDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.lagEntries = new Gauge({ name: 'mochila_replication_lag_entries', help: 'Entries of this author\'s feed the node lacks behind the best head it knows (a signed head heard on gossip); 0 when current', labelNames: ['author'], registers });
    this.lastEntryAge = new Gauge({ name: 'mochila_replication_last_entry_age_seconds', help: 'Seconds since the newest stored entry of this author\'s feed was stored on this node', labelNames: ['author'], registers });
    this.headSeq = new Gauge({ name: 'mochila_feed_head_seq', help: 'Sequence number of the newest entry of this author\'s feed held by this node', labelNames: ['author'], registers });
    this.rounds = new Counter({ name: 'mochila_sync_rounds_total', help: 'Pull-sync rounds with peers, by outcome (ok, failed)', labelNames: ['outcome'], registers });
    this.roundFailures = new Counter({ name: 'mochila_sync_round_failures_total', help: `Failed pull-sync rounds by reason (${ROUND_FAILURE_REASONS.join(', ')})`, labelNames: ['reason'], registers });
    this.rejected = new Counter({ name: 'mochila_entries_rejected_total', help: 'Entries received from peers (sync or gossip) that the replica refused, by reason code', labelNames: ['code'], registers });
    this.gossipRejected = new Counter({ name: 'mochila_gossip_rejected_total', help: 'Gossiped head announcements refused, by stage (cheap: size, shape or author before any hashing; checked: after)', labelNames: ['stage'], registers });
    this.dials = new Counter({ name: 'mochila_dial_attempts_total', help: 'Dials of kept peers (members and bootstrap) that were not connected', registers });
    this.dialFailures = new Counter({ name: 'mochila_dial_failures_total', help: 'Dials of kept peers that failed', registers });
    this.entries = new Counter({ name: 'mochila_sync_entries_total', help: 'Entries stored from peers\' rounds (pulled) and sent to peers (served)', labelNames: ['direction'], registers });
    this.bytes = new Counter({ name: 'mochila_sync_bytes_total', help: 'Bytes of the sync protocol, received (in) and sent (out)', labelNames: ['direction'], registers });
    this.peers = new Gauge({ name: 'mochila_peers_connected', help: 'Peers speaking the registry\'s protocol connected now', registers });
    this.ownFeed = new Gauge({ name: 'mochila_own_feed_confirmed', help: '1 when this node may publish (its own feed confirmed current), 0 while it waits for a peer', registers });
    this.http = new Histogram({ name: 'mochila_http_request_duration_seconds', help: 'HTTP requests by route pattern, method and status class, and their duration', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers });
    this.jobs = new Gauge({ name: 'mochila_credential_jobs', help: `Credential batch (cohort) jobs by state (${JOB_STATES.join(', ')})`, labelNames: ['state'], registers });
    this.dbBytes = new Gauge({ name: 'mochila_sqlite_bytes', help: 'Size of the SQLite database: main file (db) and write-ahead log (wal)', labelNames: ['file'], registers });
    for (const r of ROUND_FAILURE_REASONS) this.roundFailures.inc({ reason: r }, 0);
    for (const o of ['ok', 'failed']) this.rounds.inc({ outcome: o }, 0);
  }

  syncRoundFailed(reason: RoundFailureReason): void {
    this.roundFailures.inc({ reason: (ROUND_FAILURE_REASONS as readonly string[]).includes(reason) ? reason : 'other' });
  }

  entriesRejected(code: string, n: number): void {
    if (!(n > 0)) return;
    let label = CODE_RE.test(code) ? code : 'other';
    if (!this.codes.has(label)) {
      if (this.codes.size >= MAX_REJECTION_CODES) label = 'other';
      this.codes.add(label);
    }
    this.rejected.inc({ code: label }, n);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    let r = route;
    if (!this.routes.has(r)) {
      if (this.routes.size >= MAX_ROUTES) r = 'other';
      this.routes.add(r);
    }
    const m = METHODS.has(method) ? method : 'OTHER';
    this.http.observe({ method: m, route: r, status: `${Math.floor(status / 100)}xx` }, seconds);
  }

  /** The exposition text, with every scrape-time figure read now. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    this.readStatus();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private readStatus(): void {
    const now = this.d.clock.now().getTime();
    const st = this.d.replication()?.status() ?? null;
    const known = st?.knownHeads ?? {};
    this.lagEntries.reset();
    this.lastEntryAge.reset();
    this.headSeq.reset();
    // raw SQL: read-only aggregates at scrape time, outside every domain service
    const feeds = this.d.store.statement('SELECT author, head_seq, updated_at FROM feeds').all() as { author: string; head_seq: number; updated_at: string }[];
    const held = new Set<string>();
    for (const f of feeds) {
      held.add(f.author);
      const labels = { author: f.author };
      this.headSeq.set(labels, f.head_seq);
      this.lagEntries.set(labels, Math.max(0, (known[f.author] ?? 0) - f.head_seq));
      const at = Date.parse(f.updated_at);
      if (Number.isFinite(at)) this.lastEntryAge.set(labels, Math.max(0, (now - at) / 1000));
    }
    // a feed heard of (checked head on gossip) but not held at all yet: behind by its whole length
    for (const [author, seq] of Object.entries(known)) if (!held.has(author)) this.lagEntries.set({ author }, seq);

    this.peers.set(st ? st.peers.filter((p) => p.connected).length : 0);
    this.ownFeed.set(this.d.ownFeedConfirmed() ? 1 : 0);
    if (st) {
      const t = st.totals;
      this.addTotal('roundsOk', t.roundsOk, (n) => this.rounds.inc({ outcome: 'ok' }, n));
      this.addTotal('roundsFailed', t.roundsFailed, (n) => this.rounds.inc({ outcome: 'failed' }, n));
      this.addTotal('entriesPulled', t.entriesPulled, (n) => this.entries.inc({ direction: 'pulled' }, n));
      this.addTotal('entriesServed', t.entriesServed, (n) => this.entries.inc({ direction: 'served' }, n));
      this.addTotal('bytesIn', t.bytesIn, (n) => this.bytes.inc({ direction: 'in' }, n));
      this.addTotal('bytesOut', t.bytesOut, (n) => this.bytes.inc({ direction: 'out' }, n));
      this.addTotal('gossipCheap', t.gossipRejectedCheap, (n) => this.gossipRejected.inc({ stage: 'cheap' }, n));
      this.addTotal('gossipChecked', t.gossipHeadsRejected - t.gossipRejectedCheap, (n) => this.gossipRejected.inc({ stage: 'checked' }, n));
      this.addTotal('dialAttempts', t.dialAttempts, (n) => this.dials.inc(n));
      this.addTotal('dialFailures', t.dialFailures, (n) => this.dialFailures.inc(n));
    }

    const jobs = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
    for (const r of this.d.store.statement('SELECT status, count(*) AS n FROM jobs GROUP BY status').all() as { status: string; n: number }[])
      if (jobs.has(r.status)) jobs.set(r.status, r.n);
    for (const [state, n] of jobs) this.jobs.set({ state }, n);

    const file = this.d.store.path;
    if (file && file !== ':memory:') {
      this.dbBytes.set({ file: 'db' }, sizeOf(file));
      this.dbBytes.set({ file: 'wal' }, sizeOf(`${file}-wal`));
    }
  }

  /** Adds to a counter what a replicator total grew by since the last scrape. */
  private addTotal(key: string, total: number, inc: (n: number) => void): void {
    const grew = total - (this.seen[key] ?? 0);
    if (grew > 0) inc(grew);
    this.seen[key] = Math.max(total, this.seen[key] ?? 0);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no WAL file right after a truncating checkpoint, or on a fresh database
  }
}
