// Honest freshness: a head heard on gossip counts for lag, freshness and the feed list only once its author is a
// member and the announced head entry's signature verifies. A bare libp2p peer publishes forged heads on the real
// topic; the node must receive them (counted) and change nothing; a genuine member head on the same channel counts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Libp2p } from 'libp2p';
import type { GossipSub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { entryId, signEntry, type Entry } from '../../node/feed/entry.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { bareLibp2p, LIVENESS_MS, startNet, waitFor, type NetNode, type TestNet } from './net.js';

let net: TestNet | null = null;
let evil: Libp2p<{ pubsub: GossipSub }> | null = null;
afterEach(async () => {
  await evil?.stop();
  evil = null;
  await net?.close();
  net = null;
});

interface Announcement {
  v: 1;
  author: string;
  seq: number;
  id: string;
  entry?: unknown;
}

describe('gossiped heads are claims until checked', () => {
  it('forged heads (non-member author, bad signature, huge seq, mismatched or foreign entry, bare claim) change no lag, no freshness, no feed list', async () => {
    net = await startNet(2);
    const [a, b] = net.nodes as [NetNode, NetNode];
    await net.connect(a, b);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');
    const head = a.node.services.feed.head(a.key.did)!;
    const sample = a.node.services.feed.read(a.key.did, 1, 1)[0]!;
    const topic = `/mochila/${b.node.services.network}/heads/1`;
    const members = [a.key.did, b.key.did].sort();

    // an entry as the format of the day builds it (the version is taken from a real entry, never written here)
    const make = (key: Ed25519Key, seq: number, net0 = sample.net): Entry =>
      signEntry(key, { v: sample.v, net: net0, author: key.did, seq, prev: 'ab'.repeat(32), ts: new Date().toISOString(), type: 'endorsement', body: { subject: generateKey().did } });
    const announce = (e: Entry): Announcement => ({ v: 1, author: e.author, seq: e.seq, id: e.id, entry: e });
    // A's fields with a signature that is well formed but A's key never made over these bytes
    const badSig = (seq: number): Entry => {
      const e = make(a.key, seq);
      const other = make(a.key, seq + 1);
      const forged = { ...e, sig: other.sig };
      return { ...forged, id: entryId(forged) };
    };
    const stranger = generateKey();
    const huge = Number.MAX_SAFE_INTEGER - 1;
    const forgeries: [string, Announcement][] = [
      ['non-member author', announce(make(stranger, 50))],
      ['non-member author, huge seq', announce(make(stranger, huge))],
      ['member author, bad signature', announce(badSig(head.seq + 5))],
      ['member author, bad signature, huge seq', announce(badSig(huge))],
      ['bare claim (no entry), huge seq', { v: 1, author: a.key.did, seq: huge, id: 'cd'.repeat(32) }],
      ['valid entry vouching for another seq', { ...announce(make(a.key, head.seq + 2)), seq: huge }],
      ['valid entry of another network', announce(make(a.key, head.seq + 4, 'f'.repeat(64)))],
    ];

    evil = await bareLibp2p({ gossip: true });
    evil.services.pubsub.subscribe(topic);
    await evil.dial(multiaddr(b.addr));
    await waitFor(() => evil!.services.pubsub.getSubscribers(topic).some((p) => p.toString() === b.node.replicator!.peerId), LIVENESS_MS, 'B subscribed, as seen by the forger');

    const before = b.node.replicator!.status().totals.gossipIn;
    for (const [, msg] of forgeries) await evil.services.pubsub.publish(topic, new TextEncoder().encode(JSON.stringify(msg)));
    // every forgery reached B's validator (otherwise the checks below would prove nothing)
    await waitFor(() => b.node.replicator!.status().totals.gossipIn >= before + forgeries.length, LIVENESS_MS, 'forgeries received');

    const expectNothingChanged = async () => {
      expect(b.node.replicator!.status().knownHeads).toEqual({});
      expect(b.node.services.freshness.get().lagEntries).toBe(0);
      expect(b.node.services.feed.heads().map((h) => h.author).sort()).toEqual(members);
      const s = await (await fetch(`${b.url}/api/v1/network`)).json();
      expect(new SchemaRegistry().validate('api/network-status', s)).toEqual({ ok: true });
      expect(s.totals.gossipHeadsRejected).toBeGreaterThanOrEqual(forgeries.length - 1); // the bare claim is a hint, not refused
      expect(s.feeds.map((f: { author: string }) => f.author).sort()).toEqual(members);
      for (const f of s.feeds as { author: string; behind: number; bestKnownSeq: number; head: { seq: number } }[]) {
        expect(f.behind, f.author).toBe(0);
        expect(f.bestKnownSeq, f.author).toBe(f.head.seq);
      }
      const report = await (await fetch(`${b.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not a credential' })).json();
      expect(report.freshness.lagEntries).toBe(0);
    };
    await expectNothingChanged();

    // the same channel does carry checked heads: a head A really signed, 3 ahead of B's replica, counts
    const genuine = make(a.key, head.seq + 3);
    const before2 = b.node.replicator!.status().totals.gossipIn;
    await evil.services.pubsub.publish(topic, new TextEncoder().encode(JSON.stringify(announce(genuine))));
    await waitFor(() => b.node.replicator!.status().totals.gossipIn > before2, LIVENESS_MS, 'genuine head received');
    expect(b.node.replicator!.status().knownHeads).toEqual({ [a.key.did]: head.seq + 3 });
    expect(b.node.services.freshness.get().lagEntries).toBe(3);
    const s = await (await fetch(`${b.url}/api/v1/network`)).json();
    expect(s.feeds.find((f: { author: string }) => f.author === a.key.did).behind).toBe(3);
    expect(s.feeds.map((f: { author: string }) => f.author).sort()).toEqual(members);
  }, 60_000);
});
