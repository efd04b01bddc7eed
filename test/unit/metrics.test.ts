/**
 * The node's metrics keep their labels bounded whatever reaches them, classify failed rounds by the error's name, and
 * read the replicator's totals at scrape time without counting anything twice.
 */
import { describe, expect, it } from 'vitest';
import { NodeMetrics, type ReplicationStatusView } from '../../node/ops/metrics.js';
import { roundFailureReason } from '../../node/core/metrics.js';
import { countingReplica } from '../../node/feed/counting-replica.js';
import { ProtocolError } from '../../node/federation/sync-protocol.js';
import { memoryServices } from '../helpers/nodes.js';

type Status = ReturnType<ReplicationStatusView['status']>;

function status(over: Partial<Status['totals']> = {}, knownHeads: Record<string, number> = {}): Status {
  return {
    peers: [{ connected: true }, { connected: false }],
    knownHeads,
    totals: { roundsOk: 0, roundsFailed: 0, entriesPulled: 0, entriesServed: 0, bytesIn: 0, bytesOut: 0, gossipRejectedCheap: 0, gossipHeadsRejected: 0, dialAttempts: 0, dialFailures: 0, ...over },
  };
}

async function values(m: NodeMetrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const all = await m.registry.getMetricsAsJSON();
  return (all.find((x) => x.name === name)?.values ?? []) as { labels: Record<string, string | number>; value: number }[];
}

describe('node metrics', () => {
  it('classifies failed rounds by the error name, never its message', () => {
    expect(roundFailureReason(new ProtocolError('malformed heads vector'))).toBe('protocol');
    expect(roundFailureReason(new DOMException('signal timed out', 'TimeoutError'))).toBe('timeout');
    expect(roundFailureReason(Object.assign(new Error('x'), { name: 'UnsupportedProtocolError' }))).toBe('unsupported_protocol');
    expect(roundFailureReason(Object.assign(new Error('x'), { name: 'StreamResetError' }))).toBe('connection');
    expect(roundFailureReason(new Error('the node is stopping'))).toBe('aborted');
    expect(roundFailureReason(new Error('TimeoutError ProtocolError'))).toBe('other');
    expect(roundFailureReason('a string')).toBe('other');
  });

  it('bounds rejection codes and routes, and adds the replicator totals once', async () => {
    const s = memoryServices();
    let st = status();
    try {
      const m = new NodeMetrics({ store: s.store, clock: s.clock, replication: () => ({ status: () => st }), ownFeedConfirmed: () => false });
      m.entriesRejected('bad_signature', 2);
      m.entriesRejected('Bad Code {with} "quotes"', 1);
      for (let i = 0; i < 80; i++) m.entriesRejected(`code_${i}`, 1);
      const codes = await values(m, 'mochila_entries_rejected_total');
      expect(codes.find((v) => v.labels.code === 'bad_signature')?.value).toBe(2);
      expect(codes.length).toBeLessThanOrEqual(51);
      expect(codes.find((v) => v.labels.code === 'other')?.value).toBeGreaterThanOrEqual(31);
      for (let i = 0; i < 400; i++) m.httpRequest('GET', `/r${i}`, 200, 0.01);
      m.httpRequest('BREW', '/r0', 418, 0.01);
      const routes = new Set((await values(m, 'mochila_http_request_duration_seconds')).map((v) => v.labels.route));
      expect(routes.size).toBeLessThanOrEqual(301);
      expect(routes.has('other')).toBe(true);
      const methods = new Set((await values(m, 'mochila_http_request_duration_seconds')).map((v) => v.labels.method));
      expect([...methods].sort()).toEqual(['GET', 'OTHER']);

      st = status({ roundsOk: 5, roundsFailed: 1, dialFailures: 2, gossipHeadsRejected: 3, gossipRejectedCheap: 1 }, { 'did:key:zAhead': 7 });
      await m.scrape();
      await m.scrape(); // a second scrape adds nothing the totals did not grow by
      // a checked head heard of, for a feed not held at all: behind by its whole length
      expect(await values(m, 'mochila_replication_lag_entries')).toEqual([expect.objectContaining({ labels: { author: 'did:key:zAhead' }, value: 7 })]);
      st = status({ roundsOk: 6, roundsFailed: 1, dialFailures: 2, gossipHeadsRejected: 3, gossipRejectedCheap: 1 });
      await m.scrape();
      const rounds = await values(m, 'mochila_sync_rounds_total');
      expect(rounds.find((v) => v.labels.outcome === 'ok')?.value).toBe(6);
      expect(rounds.find((v) => v.labels.outcome === 'failed')?.value).toBe(1);
      expect((await values(m, 'mochila_dial_failures_total'))[0]?.value).toBe(2);
      const gossip = await values(m, 'mochila_gossip_rejected_total');
      expect(gossip.find((v) => v.labels.stage === 'cheap')?.value).toBe(1);
      expect(gossip.find((v) => v.labels.stage === 'checked')?.value).toBe(2);
      expect((await values(m, 'mochila_peers_connected'))[0]?.value).toBe(1);
      expect((await values(m, 'mochila_own_feed_confirmed'))[0]?.value).toBe(0);
      // a head no longer heard of is gone from the lag (no stale series)
      expect(await values(m, 'mochila_replication_lag_entries')).toEqual([]);
      expect((await values(m, 'mochila_credential_jobs')).map((v) => v.labels.state).sort()).toEqual(['done', 'failed', 'queued', 'running']);
    } finally {
      s.store.close();
    }
  });

  it('counts the entries a wrapped replica refuses, by code, from every ingest path', async () => {
    const s = memoryServices();
    try {
      const counted: [string, number][] = [];
      const replica = countingReplica(s.feed, { entriesRejected: (code, n) => counted.push([code, n]) });
      const r = replica.ingestOne({ not: 'an entry' });
      expect(r.rejected.length).toBeGreaterThan(0);
      replica.ingestBatch('did:key:zNobody', [{ junk: true }, { junk: true }]);
      expect(counted.length).toBeGreaterThanOrEqual(2);
      expect(counted.every(([c, n]) => /^[a-z_]+$/.test(c) && n > 0)).toBe(true);
      // every other property is the replica's own
      expect(replica.heads()).toEqual(s.feed.heads());
      expect(replica.network).toBe(s.feed.network);
    } finally {
      s.store.close();
    }
  });
});
