// Through campus firewalls (issue 16 item 4): a member with no listening port is reached through a relay slot on a
// member and replicates; a member reached only through the WebSocket path of its HTTP port replicates both ways; a
// manifest may list that WebSocket address and a joining node dials it. Real nodes on 127.0.0.1; every wait is a
// condition polled with a deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { didToPeerId, parsePeerAddress } from '../../node/federation/peer-ids.js';
import { wsAddressFor } from '../../node/federation/ws-gateway.js';
import { loadConfig } from '../../node/config.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { manifestHash, validateManifest } from '../../node/trust/manifest.js';
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { bareLibp2p, LIVENESS_MS, startNet, waitFor, type NetNode, type TestNet } from './net.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const records = JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[];

let tn: TestNet | null = null;
afterEach(async () => {
  await tn?.close();
  tn = null;
});

const peerOf = (x: NetNode) => didToPeerId(x.key.did).toString();
const peerStatus = (x: NetNode, y: NetNode) => x.node.replicator!.status().peers.find((p) => p.did === y.key.did);
const connectedTo = (x: NetNode, y: NetNode) => peerStatus(x, y)?.connected === true;
const holds = (x: NetNode, author: NetNode, seq: number) => (x.node.services.feed.head(author.key.did)?.seq ?? 0) >= seq;
/** x ran a sync round with y that completed. */
const roundWith = (x: NetNode, y: NetNode) => x.node.replicator!.status().rounds.some((r) => r.did === y.key.did && !r.error);
const publish = (x: NetNode, i: number) => {
  x.node.services.catalogue.create(records[i]!);
  return x.node.services.feed.head(x.key.did)!.seq;
};

/** Sends raw HTTP to the node's port and returns the status line of the answer. */
function rawStatusLine(url: string, request: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(request));
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      const eol = got.indexOf('\r\n');
      if (eol >= 0) {
        s.destroy();
        resolve(got.slice(0, eol));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

/**
 * Asks `relay` for a reservation as the peer of `key` (a circuit relay v2 HOP RESERVE, encoded by hand: field 1, type
 * RESERVE = 0) and returns the status code of the answer (field 5: 100 OK, 202 PERMISSION_DENIED). With `connectTo`,
 * a HOP CONNECT to that peer instead (type CONNECT = 1, field 2: a Peer whose field 1 is the peer id's multihash).
 */
async function reservationStatus(relay: NetNode, key: ReturnType<typeof generateKey>, connectTo?: NetNode): Promise<number> {
  const peer = await bareLibp2p({ key });
  try {
    const stream = await peer.dialProtocol(multiaddr(relay.addr), RELAY_V2_HOP_CODEC);
    const lp = lpStream(stream);
    if (connectTo) {
      const id = didToPeerId(connectTo.key.did).toMultihash().bytes;
      await lp.write(Uint8Array.of(0x08, 0x01, 0x12, id.length + 2, 0x0a, id.length, ...id));
    } else await lp.write(Uint8Array.of(0x08, 0x00));
    const msg = (await lp.read()).subarray();
    for (let i = 0; i < msg.length; ) {
      const tag = msg[i++]!;
      let v = 0;
      let shift = 0;
      if ((tag & 7) === 0) {
        for (;;) {
          const b = msg[i++]!;
          v += (b & 0x7f) * 2 ** shift;
          shift += 7;
          if (b < 0x80) break;
        }
        if (tag >> 3 === 5) return v;
      } else if ((tag & 7) === 2) {
        let len = 0;
        for (;;) {
          const b = msg[i++]!;
          len += (b & 0x7f) * 2 ** shift;
          shift += 7;
          if (b < 0x80) break;
        }
        i += len;
      } else throw new Error(`unexpected wire type in ${Buffer.from(msg).toString('hex')}`);
    }
    throw new Error(`no status in ${Buffer.from(msg).toString('hex')}`);
  } finally {
    await peer.stop();
  }
}

describe('through campus firewalls', () => {
  it('a relay grants reservations to members only', async () => {
    const kM = generateKey();
    tn = await startNet(1, { extraFounders: [kM] });
    const r = tn.nodes[0]!;
    expect(await reservationStatus(r, generateKey())).toBe(202); // PERMISSION_DENIED: not a member
    expect(await reservationStatus(r, kM)).toBe(100); // OK: a member (never started as a node: its key is enough)
  });

  it('a relay carries connections between members only: a non-member asking to reach a member that holds a slot is refused', async () => {
    const kM = generateKey();
    const kF = generateKey();
    tn = await startNet(1, { extraFounders: [kM, kF] });
    const r = tn.nodes[0]!;
    const f = await tn.add('F', { key: kF, bootstrap: [r.addr], config: { p2pListen: 'none' } });
    await waitFor(() => f.node.replicator!.addresses().length > 0, LIVENESS_MS, 'F holds a slot on R');
    expect(await reservationStatus(r, generateKey(), f)).toBe(202); // PERMISSION_DENIED (was OK: anyone could)
    expect(await reservationStatus(r, kM, f)).toBe(100); // OK: a member reaches F through R
  });

  it('members with no listening port reserve a slot on a relay member: a member with no address of them reaches them through it, two of them sync over the relayed connection itself, and entries flow every way', async () => {
    const kM = generateKey();
    const kF = generateKey();
    const kG = generateKey();
    tn = await startNet(1, { extraFounders: [kM, kF, kG] });
    const r = tn.nodes[0]!; // reachable: relays for members
    const m = await tn.add('M', { key: kM, bootstrap: [r.addr] });
    const f = await tn.add('F', { key: kF, bootstrap: [r.addr], config: { p2pListen: 'none' } });
    const g = await tn.add('G', { key: kG, bootstrap: [r.addr], config: { p2pListen: 'none' } });

    // F and G listen on nothing of their own: once they hold a slot on R, their only address is through R's relay
    for (const x of [f, g]) {
      await waitFor(() => x.node.replicator!.addresses().length > 0, LIVENESS_MS, `${x.name} announces an address through R`);
      const addrs = x.node.replicator!.addresses();
      expect(addrs.every((a) => a.includes(`/p2p/${peerOf(r)}/p2p-circuit/p2p/${peerOf(x)}`)), addrs.join(' ')).toBe(true);
    }

    // M was never given an address of F: it dials F through R and they sync (DCUtR may then replace the relayed
    // connection with a direct one F opens to M, which is reachable: see README)
    await waitFor(() => roundWith(m, f), LIVENESS_MS, 'a completed sync round of M with F');
    // F and G can reach each other only through R (neither listens; DCUtR has nothing to dial): their rounds run on
    // the relayed, limited connection
    await waitFor(() => roundWith(f, g) && roundWith(g, f), LIVENESS_MS, 'completed sync rounds between F and G');
    expect(peerStatus(f, g)!.addresses.every((a) => a.includes('/p2p-circuit')), peerStatus(f, g)!.addresses.join(' ')).toBe(true);

    // F holds the other members' feeds, and its own entry reaches them
    const fSeq = publish(f, 0);
    const mSeq = publish(m, 1);
    const rSeq = publish(r, 2);
    const gSeq = publish(g, 3);
    await waitFor(() => holds(m, f, fSeq) && holds(r, f, fSeq) && holds(g, f, fSeq), LIVENESS_MS, "F's entry on M, R and G");
    await waitFor(() => holds(f, m, mSeq) && holds(f, r, rSeq) && holds(f, g, gSeq), LIVENESS_MS, "M's, R's and G's entries on F");
    await waitFor(() => tn!.converged(), LIVENESS_MS, 'the four replicas agree');
  });

  it('a member reached only through the WebSocket path of its HTTP port replicates both ways, with a peer that has its address in --bootstrap and one that has it from the manifest', async () => {
    const kW = generateKey();
    const kA = generateKey();
    const kB = generateKey();
    tn = await startNet(0, { extraFounders: [kW, kA, kB] });
    const w = await tn.add('W', { key: kW, config: { p2pListen: 'none', p2pWs: '/p2p' } });
    const httpPort = new URL(w.url).port;
    const wsAddr = `/ip4/127.0.0.1/tcp/${httpPort}/ws/http-path/p2p/p2p/${peerOf(w)}`;
    // no TCP listener, and the internal WebSocket listener is never announced: only the path on the HTTP port
    expect(w.node.replicator!.addresses()).toEqual([wsAddr]);

    // the same port still serves HTTP, and refuses an upgrade anywhere but the path
    expect((await fetch(`${w.url}/healthz`)).status).toBe(200);
    const upgrade = (p: string) => `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    expect(await rawStatusLine(w.url, upgrade('/elsewhere'))).toBe('HTTP/1.1 404 Not Found');
    expect(await rawStatusLine(w.url, upgrade('/p2p/../p2p'))).toBe('HTTP/1.1 404 Not Found');
    expect(await rawStatusLine(w.url, upgrade('/p2p'))).toBe('HTTP/1.1 101 Switching Protocols');

    // A has W's WebSocket address in its configured bootstrap list
    const a = await tn.add('A', { key: kA, bootstrap: [wsAddr] });
    // B has it only from the network's manifest (same network: the bootstrap list is not part of the manifest's hash)
    const manifest = { ...tn.manifest, bootstrap: [wsAddr] };
    expect(validateManifest(new SchemaRegistry(), manifest)).toEqual(manifest);
    expect(manifestHash(manifest)).toBe(manifestHash(tn.manifest));
    const b = await tn.add('B', { key: kB, manifest });

    for (const x of [a, b]) {
      await waitFor(() => roundWith(x, w), LIVENESS_MS, `a completed sync round of ${x.name} with W`);
      expect(peerStatus(x, w)!.addresses).toContain(wsAddr);
    }
    const wSeq = publish(w, 0);
    const bSeq = publish(b, 1);
    await waitFor(() => holds(a, w, wSeq) && holds(b, w, wSeq), LIVENESS_MS, "W's entry on A and B");
    await waitFor(() => holds(w, b, bSeq), LIVENESS_MS, "B's entry on W");
    expect(connectedTo(w, b)).toBe(true);
  });

  it('settings: --p2p-listen takes tcp or none, --p2p-ws a path other than /; peer addresses may be WebSocket ones', () => {
    const dir = path.join(__dirname, 'no-such-node');
    expect(loadConfig(dir, { p2pListen: 'none', p2pWs: '/p2p' }, {})).toMatchObject({ p2pListen: 'none', p2pWs: '/p2p', p2pRelay: true });
    expect(loadConfig(dir, {}, { MOCHILA_P2P_LISTEN: 'none', MOCHILA_P2P_WS: '/mochila/p2p', MOCHILA_P2P_RELAY: '0' })).toMatchObject({ p2pListen: 'none', p2pWs: '/mochila/p2p', p2pRelay: false });
    expect(() => loadConfig(dir, {}, { MOCHILA_P2P_LISTEN: 'udp' })).toThrow(/invalid p2pListen/);
    for (const bad of ['/', 'p2p', '/p2p/', '/../p2p', '/p2p?x=1', '/a b']) expect(() => loadConfig(dir, { p2pWs: bad }, {}), bad).toThrow(/invalid p2pWs/);

    const id = peerOf({ key: generateKey() } as NetNode);
    for (const ok of [`/dns4/reg.example.org/tcp/443/wss/http-path/p2p/p2p/${id}`, `/ip4/127.0.0.1/tcp/8080/ws/p2p/${id}`, `/dns4/reg.example.org/tcp/443/tls/ws/http-path/p2p/p2p/${id}`])
      expect(parsePeerAddress(ok).peerId.toString()).toBe(id);
    for (const bad of [`/ip4/127.0.0.1/tcp/8080/http-path/p2p/p2p/${id}`, `/ip4/127.0.0.1/tcp/8080/p2p/${id}/p2p-circuit/p2p/${id}`, `/ip4/127.0.0.1/udp/9/quic-v1/p2p/${id}`])
      expect(() => parsePeerAddress(bad), bad).toThrow();
    expect(() => loadConfig(dir, { bootstrap: [`/ip4/127.0.0.1/tcp/8080/ws/http-path/p2p/p2p/${id}`] }, {})).not.toThrow();

    // the address a node announces for its path, from its public URL (a path prefix of the reverse proxy is kept)
    expect(wsAddressFor('https://reg.example.org', '/p2p').toString()).toBe('/dns/reg.example.org/tcp/443/wss/http-path/p2p');
    expect(wsAddressFor('https://uni.example/mochila/', '/p2p').toString()).toBe('/dns/uni.example/tcp/443/wss/http-path/mochila%2Fp2p');
    expect(wsAddressFor('http://127.0.0.1:8080', '/p2p').toString()).toBe('/ip4/127.0.0.1/tcp/8080/ws/http-path/p2p');
  });
});
