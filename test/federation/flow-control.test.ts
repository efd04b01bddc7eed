import { afterEach, describe, expect, it, vi } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { lpStream } from '@libp2p/utils';
import { syncProtocolId } from '../../node/federation/sync-protocol.js';
import type { Libp2p } from 'libp2p';
import { bareLibp2p, startNet, type TestNet } from './net.js';

let net: TestNet | null = null;
let client: Libp2p | null = null;
afterEach(async () => {
  await client?.stop();
  client = null;
  await net?.close();
  net = null;
});

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('sync flow control', () => {
  it('a client that sends a window is never sent more unacknowledged batches than it allows; one without gets the stream', async () => {
    net = await startNet(1);
    const a = net.nodes[0]!;
    // 2,500 entries: three batches of at most 1,000
    a.node.services.store.tx(() => {
      for (let i = 0; i < 2_499; i++) a.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'd'.repeat(64), statement: String(i) });
    });
    const head = a.node.services.feed.head(a.key.did)!;
    expect(head.seq).toBeGreaterThanOrEqual(2_500);
    client = await bareLibp2p();

    const round = async (window: number | undefined) => {
      const stream = await client!.dialProtocol(multiaddr(a.addr), syncProtocolId(a.node.services.network));
      const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024, maxBufferSize: 64 * 1024 * 1024 });
      const send = (m: unknown) => lp.write(enc.encode(JSON.stringify(m)));
      const read = async () => JSON.parse(dec.decode((await lp.read()).subarray())) as { t: string; entries?: unknown[]; more?: boolean };
      await send({ t: 'hello', net: a.node.services.network, digest: 'none' });
      expect((await read()).t).toBe('heads');
      await send({ t: 'want', wants: [[a.key.did, 1]], heads: [], ...(window ? { window } : {}) });
      return { stream, lp, send, read };
    };

    // window 1: one batch, then nothing until it is acknowledged
    const w = await round(1);
    const first = await w.read();
    expect(first.t).toBe('batch');
    let received = first.entries!.length;
    for (;;) {
      const next = w.read();
      if (received < head.seq) {
        // more batches to come: none before the last one is acknowledged (a bounded wait for what must not happen)
        const early = await Promise.race([next.then(() => 'sent'), new Promise((r) => setTimeout(() => r('held back'), 400))]);
        expect(early).toBe('held back');
        await w.send({ t: 'ack' });
      }
      const m = await next;
      if (m.t === 'done') break;
      expect(m.t).toBe('batch');
      received += m.entries!.length;
    }
    expect(received).toBe(head.seq);
    await w.stream.close();

    // no window (a client of the first protocol version): every batch and `done` without a single ack
    const o = await round(undefined);
    let all = 0;
    for (;;) {
      const m = await o.read();
      if (m.t === 'done') break;
      all += m.entries!.length;
    }
    expect(all).toBe(head.seq);
    await o.stream.close();
  });

  it('a want for feeds this node does not hold costs no query: only held feeds are read, each once', async () => {
    net = await startNet(1);
    const a = net.nodes[0]!;
    for (let i = 0; i < 3; i++) a.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'd'.repeat(64), statement: String(i) });
    const head = a.node.services.feed.head(a.key.did)!;
    const reads = vi.spyOn(a.node.services.feed, 'readWire');
    client = await bareLibp2p();
    const stream = await client.dialProtocol(multiaddr(a.addr), syncProtocolId(a.node.services.network));
    const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024, maxBufferSize: 64 * 1024 * 1024 });
    const read = async () => JSON.parse(dec.decode((await lp.read()).subarray())) as { t: string; author?: string; entries?: unknown[] };
    await lp.write(enc.encode(JSON.stringify({ t: 'hello', net: a.node.services.network, digest: 'none' })));
    expect((await read()).t).toBe('heads');
    // 50,000 made-up authors, the real feed twice and once beyond its head
    const made = Array.from({ length: 50_000 }, (_, i) => [`did:key:z6Mk${String(i).padStart(44, 'x')}`, 1]);
    await lp.write(enc.encode(JSON.stringify({ t: 'want', wants: [...made, [a.key.did, 1], [a.key.did, 1], [a.key.did, head.seq + 5]], heads: [] })));
    const got: string[] = [];
    for (;;) {
      const m = await read();
      if (m.t === 'done') break;
      got.push(m.author!);
    }
    expect(got).toEqual([a.key.did]);
    expect(reads.mock.calls.every(([author]) => author === a.key.did)).toBe(true);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2); // the batch, then the empty read that ends the feed
    await stream.close();
  });
});
