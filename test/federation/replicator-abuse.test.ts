// Cheap abuse of the replicator by peers that hold no key anyone trusts (or one member key):
// - gossip of large entries by non-members is refused before anything is canonicalised or hashed;
// - a peer that claims to be ahead on every feed and then sends nothing cannot hold those feeds back;
// - a non-member peer that connected once is forgotten when it leaves, and never redialled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Libp2p } from 'libp2p';
import type { GossipSub } from '@libp2p/gossipsub';
import type { Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { signEntry, type Entry, type EntryType } from '../../node/feed/entry.js';
import { syncProtocolId } from '../../node/federation/sync-protocol.js';
import { bareLibp2p, LIVENESS_MS, startNet, waitFor, type NetNode, type TestNet } from './net.js';

// counts canonicalisation and hashing of the attack bodies (marked), wherever in this process it happens
const MARKER = `attack-${Math.random().toString(36).slice(2)}`;
const spent = vi.hoisted(() => ({ canonical: 0, hashed: 0 }));
vi.mock('../../node/core/canonical.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../node/core/canonical.js')>();
  return {
    ...m,
    canonicalJson: (value: unknown) => {
      if (value && typeof value === 'object' && typeof (value as { marker?: unknown }).marker === 'string' && (value as { marker: string }).marker.startsWith('attack-')) spent.canonical++;
      return m.canonicalJson(value);
    },
    sha256Hex: (data: string | Uint8Array) => {
      if (typeof data === 'string' && data.includes('"marker":"attack-')) spent.hashed++;
      return m.sha256Hex(data);
    },
  };
});

let net: TestNet | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c().catch(() => {});
  await net?.close();
  net = null;
});

const network = (n: NetNode) => n.node.services.network;
const status = (n: NetNode) => n.node.replicator!.status();

/**
 * A peer that speaks the sync protocol: answers every round with `heads` and then, if `hang`, never sends a batch
 * (it records the wants it was sent); otherwise it holds nothing and says so.
 */
async function syncPeer(networkId: string, o: { key?: Ed25519Key; heads: [string, number, string][]; hang: boolean }) {
  const node = await bareLibp2p(o.key ? { key: o.key } : {});
  const wants: unknown[] = [];
  const open: Stream[] = [];
  await node.handle(syncProtocolId(networkId), async (stream: Stream) => {
    open.push(stream);
    try {
      const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 });
      await lp.read();
      await lp.write(new TextEncoder().encode(JSON.stringify({ t: 'heads', digest: 'not yours', heads: o.heads })));
      const want = JSON.parse(new TextDecoder().decode((await lp.read()).subarray())) as { wants: unknown };
      wants.push(want.wants);
      if (o.hang) return; // holds the stream open: the round waits for batches that never come
      await lp.write(new TextEncoder().encode(JSON.stringify({ t: 'done', more: false })));
      await stream.close();
    } catch {
      stream.abort(new Error('sync peer done'));
    }
  });
  const close = async () => {
    for (const s of open) s.abort(new Error('closing'));
    await node.stop();
  };
  closers.push(close);
  return { node, wants, close, addr: node.getMultiaddrs()[0]!.toString() };
}

describe('the replicator does not let cheap peers spend its work', () => {
  it('gossip of large entries by non-members (or at or below our head) is refused before it is canonicalised or hashed; the sender is scored down', async () => {
    net = await startNet(2);
    const [a, b] = net.nodes as [NetNode, NetNode];
    await net.connect(a, b);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');
    const sample = a.node.services.feed.read(a.key.did, 1, 1)[0]!;
    const head = a.node.services.feed.head(a.key.did)!;
    const topic = `/mochila/${network(b)}/heads/1`;
    const entry = (key: Ed25519Key, seq: number, type: EntryType, bytes: number): Entry =>
      signEntry(key, { v: sample.v, net: sample.net, author: key.did, seq, prev: seq === 1 ? null : 'ab'.repeat(32), ts: new Date().toISOString(), type, body: { marker: MARKER, filler: 'x'.repeat(bytes) } });
    const announce = (e: Entry) => new TextEncoder().encode(JSON.stringify({ v: 1, author: e.author, seq: e.seq, id: e.id, entry: e }));
    const stranger = generateKey();
    const refused = [
      announce(entry(stranger, 1, 'endorsement', 50_000)), // not a member
      announce(entry(stranger, 7, 'issuer-key', 50_000)), // a type candidates may publish, but it is not even a candidate
      announce(entry(generateKey(), 3, 'profile', 50_000)),
      announce(entry(stranger, 9, 'endorsement', 200_000)), // larger than any inline entry
    ];
    // A's key, A's seq at B's head, another entry: not ahead of B, so nothing to check (and not relayed)
    const atHead = announce(entry(a.key, head.seq, 'endorsement', 50_000));

    const evil = await bareLibp2p({ gossip: true });
    closers.push(async () => {
      await evil.stop();
    });
    evil.services.pubsub.subscribe(topic);
    await evil.dial(multiaddr(b.addr));
    await waitFor(() => evil.services.pubsub.getSubscribers(topic).some((p) => p.toString() === b.node.replicator!.peerId), LIVENESS_MS, 'B subscribed, as seen by the sender');

    const before = { ...status(b).totals };
    spent.canonical = 0;
    spent.hashed = 0;
    for (const m of [...refused, atHead]) await evil.services.pubsub.publish(topic, m);
    await waitFor(() => status(b).totals.gossipIn >= before.gossipIn + refused.length + 1, LIVENESS_MS, 'messages received by B');
    const after = status(b).totals;
    expect(after.gossipRejectedCheap - before.gossipRejectedCheap).toBe(refused.length);
    expect(after.gossipHeadsRejected - before.gossipHeadsRejected).toBe(refused.length);
    expect(after.gossipAccepted).toBe(before.gossipAccepted);
    // the main thread never canonicalised or hashed any of them
    expect(spent).toEqual({ canonical: 0, hashed: 0 });
    expect(b.node.services.feed.head(stranger.did)).toBeNull();
    expect(b.node.services.feed.head(a.key.did)!.id).toBe(head.id);
    // gossipsub scored the sender down for the rejected messages
    const pubsub = (b.node.replicator as unknown as { node: Libp2p<{ pubsub: GossipSub & { getScore(id: string): number } }> }).node.services.pubsub;
    await waitFor(() => pubsub.getScore(evil.peerId.toString()) < 0, LIVENESS_MS, "the sender's score below zero (scores are cached for a heartbeat)");
  }, 120_000);

  it.each([
    ['a non-member peer: its round claims nothing', false],
    ['a member peer: its claims are released when nothing arrives', true],
  ])('a peer that claims to be ahead on every feed and then sends nothing does not hold those feeds back (%s)', async (_name, member) => {
    const liarKey = generateKey();
    // rounds never time out during the test: only the fix can let B catch up
    net = await startNet(2, { ...(member ? { extraFounders: [liarKey] } : {}), replication: { roundTimeoutMs: 600_000, claimStallMs: 2_000 } });
    const [a, b] = net.nodes as [NetNode, NetNode];
    const far: [string, number, string][] = [a.key.did, b.key.did].sort().map((d) => [d, 1_000_000, 'ab'.repeat(32)]);
    const liar = await syncPeer(network(b), { ...(member ? { key: liarKey } : {}), heads: far, hang: true });
    await liar.node.dial(multiaddr(b.addr));
    // B's round with the liar asked it for A's feed, and hangs
    await waitFor(() => liar.wants.some((w) => JSON.stringify(w).includes(a.key.did)), LIVENESS_MS, "B's round with the liar");
    expect(b.node.services.feed.head(a.key.did)).toBeNull();
    // the honest peer holding A's feed connects: B gets it without waiting for the liar's round to end
    await net.connect(b, a);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'B catches up with A while the liar hangs');
    expect(b.node.services.feed.head(a.key.did)).toEqual(a.node.services.feed.head(a.key.did));
    if (member) expect(status(b).totals.claimsReleased).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a non-member peer that leaves is forgotten and never redialled; a member peer is still kept', async () => {
    net = await startNet(2);
    const [a, b] = net.nodes as [NetNode, NetNode];
    await net.connect(a, b);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');
    const visitor = await syncPeer(network(b), { heads: [], hang: false });
    const vid = visitor.node.peerId.toString();
    await visitor.node.dial(multiaddr(b.addr));
    const listed = async () => ((await (await fetch(`${b.url}/api/v1/network`)).json()) as { peers: { peerId: string }[] }).peers.some((p) => p.peerId === vid);
    await waitFor(listed, LIVENESS_MS, 'the visitor listed while connected');
    const before = { ...status(b).totals };
    await visitor.close();
    await waitFor(async () => !(await listed()), LIVENESS_MS, 'the visitor gone from /api/v1/network after it left');
    // a few periodic rounds with A later (seconds: redials come every 100 ms to 1 s in tests), nobody dialled it
    const roundsOk = status(b).totals.roundsOk;
    await waitFor(() => status(b).totals.roundsOk >= roundsOk + 3, LIVENESS_MS, 'periodic rounds with A');
    expect(status(b).totals.dialAttempts).toBe(before.dialAttempts);
    expect(status(b).totals.dialFailures).toBe(before.dialFailures);
    expect(await listed()).toBe(false);
    // A (a member) is still kept connected
    expect(status(b).peers.find((p) => p.did === a.key.did)?.connected).toBe(true);
  }, 120_000);
});
