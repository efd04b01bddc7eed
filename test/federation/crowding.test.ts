// Members keep their connections when peers that are not members crowd a node: however many peer ids an outsider
// makes up, their connections are bounded apart (maxUnlistedConnections, checked once a peer's id is authenticated),
// so they never take the rest of maxConnections. Real nodes on 127.0.0.1; every wait is a condition polled with a
// deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { didToPeerId } from '../../node/federation/peer-ids.js';
import { generateKey } from '../../node/identity/keys.js';
import { bareLibp2p, LIVENESS_MS, startNet, waitFor, type TestNet } from './net.js';

const records = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/units/cl-uac/catalogue.json'), 'utf8')) as Record<string, unknown>[];

let tn: TestNet | null = null;
const outsiders: Libp2p[] = [];
afterEach(async () => {
  await Promise.allSettled(outsiders.splice(0).map((p) => p.stop()));
  await tn?.close();
  tn = null;
});

describe('connections of peers that are not members', () => {
  it('are bounded apart: outsiders holding connections never keep a member from connecting and syncing', async () => {
    const kM = generateKey();
    // room for four connections, two of them for outsiders
    tn = await startNet(1, { extraFounders: [kM], replication: { maxConnections: 4, maxUnlistedConnections: 2 } });
    const r = tn.nodes[0]!;

    // four outsiders (each its own made-up peer id) dial R one after another
    for (let i = 0; i < 4; i++) {
      const p = await bareLibp2p();
      outsiders.push(p);
      await p.dial(multiaddr(r.addr), { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    }
    const held = () => outsiders.filter((p) => p.getConnections().length > 0).length;
    await waitFor(() => held() <= 2, LIVENESS_MS, 'R holds at most two outsiders');
    expect(held()).toBeGreaterThan(0); // the first ones are served like anyone (the data is public)

    // a member that R has no address of connects to R and they sync (before the bound, R refused it: full)
    const m = await tn.add('M', { key: kM, bootstrap: [r.addr] });
    m.node.services.catalogue.create(records[0]!);
    const seq = m.node.services.feed.head(kM.did)!.seq;
    await waitFor(() => (r.node.services.feed.head(kM.did)?.seq ?? 0) >= seq, LIVENESS_MS, "M's entry on R");
    expect(held()).toBeLessThanOrEqual(2);
  });

  it('cannot reach a member through a relay that is not a member: a slot it holds on a bootstrap peer that relays for anyone lets in no one', async () => {
    const kF = generateKey();
    tn = await startNet(0, { extraFounders: [kF] });
    // a bootstrap peer that is no member and relays for anyone (stock settings)
    const relay = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], services: { identify: identify(), relay: circuitRelayServer() } });
    outsiders.push(relay);
    const relayAddr = relay.getMultiaddrs()[0]!.toString();
    const f = await tn.add('F', { key: kF, bootstrap: [relayAddr], config: { p2pListen: 'none' } });
    await waitFor(() => f.node.replicator!.addresses().some((a) => a.includes(`/p2p/${relay.peerId.toString()}/p2p-circuit`)), LIVENESS_MS, 'F holds a slot on the outsider relay');

    // an outsider dials F through it: F refuses the relayed connection (was: taken, and DCUtR then dialled whatever
    // addresses the outsider claimed)
    const x = await createLibp2p({ transports: [tcp(), circuitRelayTransport()], connectionEncrypters: [noise()], streamMuxers: [yamux()], services: { identify: identify() } });
    outsiders.push(x);
    const through = multiaddr(`${relayAddr}/p2p-circuit/p2p/${didToPeerId(kF.did).toString()}`);
    const err = await x.dial(through, { signal: AbortSignal.timeout(20_000) }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err, 'the relayed dial was taken').not.toBeNull();
  });
});

