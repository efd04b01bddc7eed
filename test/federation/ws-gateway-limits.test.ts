// The WebSocket path's bounds are per client: libp2p sees every forwarded WebSocket connection as 127.0.0.1, so
// without them one client opening a handful of connections a second locked every other WebSocket peer out (libp2p's
// per-address inbound rate). The gate itself on an injected clock; then real nodes on 127.0.0.1, the flooding client
// told apart by the X-Forwarded-For a reverse proxy on the same machine would add.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { createLibp2p } from 'libp2p';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { multiaddr } from '@multiformats/multiaddr';
import { generateKey } from '../../node/identity/keys.js';
import { didToPeerId, libp2pPrivateKey } from '../../node/federation/peer-ids.js';
import { UpgradeGate, upgradeClient, webSocketsWithPath } from '../../node/federation/ws-gateway.js';
import { startNet, type TestNet } from './net.js';

let tn: TestNet | null = null;
afterEach(async () => {
  await tn?.close();
  tn = null;
});

/** Sends an upgrade request for `p` to the node's port (as the client `forwardedFor`) and returns the status line. */
function upgradeStatus(url: string, p: string, forwardedFor: string): Promise<string> {
  const u = new URL(url);
  const request = `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: ${forwardedFor}\r\n\r\n`;
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

const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

describe('the WebSocket gateway bounds each client', () => {
  it('the gate: per client at once and a second, and in all; a release frees a place once', () => {
    let t = 0;
    const g = new UpgradeGate({ perClient: 2, perClientPerSecond: 3, total: 2 }, () => t);
    const a1 = g.admit('a')!;
    const a2 = g.admit('a')!;
    expect(g.admit('a')).toBeNull(); // two at once
    a1();
    a1(); // twice: frees one place only
    const a3 = g.admit('a')!;
    a3();
    expect(g.admit('a')).toBeNull(); // three this second, though only one is open
    expect(g.admit('b')).not.toBeNull(); // another client is not held back
    expect(g.admit('c')).toBeNull(); // two in all (a2 and b's)
    a2();
    t = 1_000;
    expect(g.admit('a')).not.toBeNull(); // a new second
  });

  it('who the client is: the socket address, or X-Forwarded-For only from loopback (a local reverse proxy)', () => {
    expect(upgradeClient(req('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9'); // not from a proxy: not trusted
    expect(upgradeClient(req('127.0.0.1', '10.0.0.1, 198.51.100.1'))).toBe('198.51.100.1'); // what the proxy saw
    expect(upgradeClient(req('::ffff:127.0.0.1', 'not an address'))).toBe('127.0.0.1');
    expect(upgradeClient(req('::1'))).toBe('::1');
  });

  it('a client flooding the path is refused (429) past its bound, and another WebSocket peer still connects at once', async () => {
    const kW = generateKey();
    tn = await startNet(0, { extraFounders: [kW] });
    const w = await tn.add('W', { key: kW, config: { p2pListen: 'none', p2pWs: '/p2p' } });
    const wsAddr = `/ip4/127.0.0.1/tcp/${new URL(w.url).port}/ws/http-path/p2p/p2p/${didToPeerId(kW.did).toString()}`;

    const flood: string[] = [];
    for (let i = 0; i < 12; i++) flood.push(await upgradeStatus(w.url, '/p2p', '198.51.100.7'));

    // another peer, right after the flood (libp2p alone allowed five connections a second from 127.0.0.1 in all)
    const peer = await createLibp2p({ privateKey: await libp2pPrivateKey(generateKey().seed), transports: [webSocketsWithPath()], connectionEncrypters: [noise()], streamMuxers: [yamux()], services: { identify: identify() } });
    try {
      await peer.dial(multiaddr(wsAddr), { signal: AbortSignal.timeout(20_000) });
      expect(peer.getConnections().length).toBeGreaterThan(0);
    } finally {
      await peer.stop();
    }
    expect(flood.slice(0, 5)).toEqual(Array(5).fill('HTTP/1.1 101 Switching Protocols'));
    expect(flood.slice(5).every((s) => s === 'HTTP/1.1 429 Too Many Requests'), flood.join(' | ')).toBe(true);
  });
});
