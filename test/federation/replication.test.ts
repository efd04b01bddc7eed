import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LIVENESS_MS, startNet, waitFor, type TestNet } from './net.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const records = JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[];

let net: TestNet | null = null;
afterEach(async () => {
  await net?.close();
  net = null;
});

describe('replication over libp2p', () => {
  it('converges, and a new entry reaches every node by gossip, before any periodic round (its speed: npm run bench, propagation)', async () => {
    net = await startNet(3, { syncIntervalMs: 600_000 }); // no periodic round during the test: rounds run on connect
    const [a, b, c] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    await net.connect(b, c);
    // rounds by hand until the replicas agree (entries published at start may precede the gossip mesh)
    await waitFor(async () => {
      await Promise.all([a, b, c].map((n) => n.node.replicator!.syncAllNow('test')));
      return net!.converged();
    }, LIVENESS_MS, 'initial convergence');
    const gossipC = c.node.replicator!.status().totals.gossipAccepted;
    const mc = a.node.services.catalogue.create(records[0]);
    await waitFor(() => !!c.node.services.catalogue.get(mc.id), LIVENESS_MS, 'entry on C');
    // it came inline with a gossiped head (two hops), not from a periodic sync round (none is due for minutes)
    expect(c.node.replicator!.status().totals.gossipAccepted).toBeGreaterThan(gossipC);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'convergence');
    // the replica on C is complete and verified: the catalogue entry is searchable there
    const res = await (await fetch(`${c.url}/api/v1/microcredentials?q=infecciones`)).json();
    expect(res.items.map((i: { id: string }) => i.id)).toContain(mc.id);
    const status = await (await fetch(`${c.url}/api/v1/network`)).json();
    expect(status.peers.some((p: { did: string; connected: boolean }) => p.did === b.key.did && p.connected)).toBe(true);
    expect(status.feeds).toHaveLength(3);
    expect(status.feeds.every((f: { behind: number }) => f.behind === 0)).toBe(true);
    expect(status.rounds.length).toBeGreaterThan(0);
  });

  it('a node offline while others publish catches up on restart; a late joiner gets everything', async () => {
    net = await startNet(3);
    const [a, b, c] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    await net.connect(a, c);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');
    await c.stop();
    for (const r of records.slice(0, 6)) a.node.services.catalogue.create(r);
    await waitFor(() => b.node.services.feed.headsDigest() === a.node.services.feed.headsDigest(), LIVENESS_MS, 'B has A');
    await c.start();
    await net.connect(c, b);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'C caught up');
    expect(c.node.services.catalogue.byInstitution(a.key.did)).toHaveLength(6);
    // late joiner (a founder that starts only now)
    const late = await net.add('D');
    expect(late.node.services.catalogue.byInstitution(a.key.did)).toHaveLength(0);
    await net.connect(late, c);
    await waitFor(() => late.node.services.catalogue.byInstitution(a.key.did).length === 6, LIVENESS_MS, 'late joiner');
  });

  it('a partition (A,B | C,D) heals to identical replicas', async () => {
    net = await startNet(4);
    const [a, b, c, d] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    await net.connect(c, d);
    a.node.services.catalogue.create(records[0]);
    d.node.services.catalogue.create(records[1]);
    await waitFor(() => net!.converged([a, b]) && net!.converged([c, d]), LIVENESS_MS, 'each side converged');
    expect(net.converged()).toBe(false);
    await net.connect(b, c);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'partition healed');
    expect(a.node.services.catalogue.byInstitution(d.key.did)).toHaveLength(1);
  });

  it("an author that is offline is still replicated through others (store-and-forward)", async () => {
    net = await startNet(3);
    const [a, b, c] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    for (const r of records.slice(0, 3)) a.node.services.catalogue.create(r);
    await waitFor(() => b.node.services.catalogue.byInstitution(a.key.did).length === 3, LIVENESS_MS, 'B has A');
    await a.stop();
    await net.connect(c, b);
    await waitFor(() => c.node.services.catalogue.byInstitution(a.key.did).length === 3, LIVENESS_MS, 'C has A through B');
  });
});
