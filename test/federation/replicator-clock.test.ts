// Replication reads time only from the node's injected clock: when a round started and how long it took, when a peer
// was last seen, when a disconnected peer is redialled. With a clock that does not move, none of them moves either.
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../node/core/clock.js';
import { LIVENESS_MS, startNet, waitFor, type NetNode, type TestNet } from './net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.close();
  net = null;
});

describe('the replicator clock', () => {
  it('stamps rounds, their durations and peers’ last contact with the injected clock, never the system time', async () => {
    const at = new Date('2031-03-04T05:06:07.000Z');
    const clock = fixedClock(at);
    net = await startNet(2, { clock, syncIntervalMs: 60_000 });
    const [a, b] = net.nodes as [NetNode, NetNode];
    for (let i = 0; i < 50; i++) a.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'e'.repeat(64), statement: `entrada ${i}` });
    await net.connect(b, a);
    await waitFor(() => net!.converged([a, b]), LIVENESS_MS, 'B to catch up with A');
    await b.node.replicator!.syncAllNow('test');

    const st = b.node.replicator!.status();
    const rounds = st.rounds.filter((r) => r.did === a.key.did);
    expect(rounds.length).toBeGreaterThan(0);
    for (const r of rounds) {
      expect(r.startedAt).toBe(at.toISOString());
      expect(r.durationMs).toBe(0); // the clock did not move while the round ran
    }
    expect(rounds.some((r) => (r.entriesAccepted ?? 0) > 0)).toBe(true);
    const peer = st.peers.find((p) => p.did === a.key.did)!;
    expect(peer.lastSeen).toBe(at.toISOString());

    // time moves only when the clock says so
    clock.advance(90_000);
    await b.node.replicator!.syncAllNow('test');
    const later = b.node.replicator!.status().rounds[0]!;
    expect(later.startedAt).toBe(new Date(at.getTime() + 90_000).toISOString());
    expect(later.durationMs).toBe(0);
  });
});
