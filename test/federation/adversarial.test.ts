import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { checkEnvelope, signEntry, verifyEntrySignature, type Entry } from '../../node/feed/entry.js';
import { LIVENESS_MS, scriptedSyncPeer, startNet, waitFor, type TestNet } from './net.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const records = JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[];

type Frames = (want: unknown) => (Uint8Array | string)[];

/** A lying peer: speaks the sync protocol and serves whatever frames the test gives it. */
const evilPeer = (network: string, heads: [string, number, string][], frames: Frames) => scriptedSyncPeer(network, () => ({ heads, frames }));

let net: TestNet | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await net?.close();
  net = null;
});

describe('bad peers cannot spoil a replica', () => {
  it.each([
    ['checked in-thread', {}],
    ['checked on the batch decoder worker', { batchWorkers: 1, batchWorkerMinEntries: 0 }],
  ])('rejects forged signatures, broken chains, skipped sequence numbers, non-member entries, oversized and malformed frames — and keeps syncing honest data (%s)', async (_mode, replication) => {
    net = await startNet(3, { replication });
    const [a, b, c] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    // A publishes 4 catalogue entries; only A has them. C will be attacked, then sync honestly with A.
    for (const r of records.slice(0, 4)) a.node.services.catalogue.create(r);
    const real = a.node.services.feed.read(a.key.did, 1, 100);
    const head = real[real.length - 1]!;
    const net0 = a.node.services.network;
    const batch = (entries: unknown[]) => JSON.stringify({ t: 'batch', author: a.key.did, entries });
    const done = JSON.stringify({ t: 'done', more: false });
    // a liar does not send the stale id along: the receiver recomputes ids anyway
    const noId = ({ id: _id, ...e }: Entry) => e;
    const forged = real.map((e, i) => (i === real.length - 1 ? noId({ ...e, body: { op: 'withdraw', code: (e.body as { microcredential: { code: string } }).microcredential.code, reason: 'forged' } }) : e));
    const broken = real.map((e, i) => (i === real.length - 1 ? noId({ ...e, prev: 'f'.repeat(64) }) : e)); // beyond what the forged round let through
    const skipped = real.filter((_, i) => i !== 1);
    const stranger = generateKey();
    const nonMember = [signEntry(stranger, { v: 2, net: net0, author: stranger.did, seq: 1, prev: null, ts: new Date().toISOString(), type: 'profile', body: { name: { es: 'Intrusa' }, country: 'CL', kind: 'hei' } })] as Entry[];
    // a relaying peer that alters one byte of one entry in the middle of a batch: of its signature (keeping the id it
    // carried, or recomputing it), or of its body (the id recomputed): the altered entry and everything after it are refused
    const mid = 1;
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    const altered = (alter: (e: Entry) => Entry) => real.map((e, i) => (i === mid ? alter(e) : e));
    const sigByte = altered((e) => ({ ...e, sig: flip(e.sig, 10) }));
    const sigByteRehashed = altered((e) => noId({ ...e, sig: flip(e.sig, 10) }) as Entry);
    const bodyByte = altered((e) => noId({ ...e, ts: flip(e.ts, 0).replace(/^[AB]/, '1') }) as Entry);
    const attacks: [string, [string, number, string][], Frames][] = [
      ['mid-batch signature byte altered', [[a.key.did, head.seq, head.id]], () => [batch(sigByte), done]],
      ['mid-batch signature byte altered, id dropped', [[a.key.did, head.seq, head.id]], () => [batch(sigByteRehashed), done]],
      ['mid-batch entry byte altered, id dropped', [[a.key.did, head.seq, head.id]], () => [batch(bodyByte), done]],
      ['forged signature', [[a.key.did, head.seq, head.id]], () => [batch(forged), done]],
      ['broken chain', [[a.key.did, head.seq, head.id]], () => [batch(broken), done]],
      ['skipped seq', [[a.key.did, head.seq, head.id]], () => [batch(skipped), done]],
      ['non-member', [[stranger.did, 1, nonMember[0]!.id]], () => [JSON.stringify({ t: 'batch', author: stranger.did, entries: nonMember }), done]],
      ['batch of an author not asked for', [[a.key.did, head.seq, head.id]], () => [JSON.stringify({ t: 'batch', author: stranger.did, entries: nonMember }), done]],
      ['oversized frame', [[a.key.did, head.seq, head.id]], () => [new Uint8Array(5 * 1024 * 1024).fill(32)]],
      ['malformed frame', [[a.key.did, head.seq, head.id]], () => ['{this is not json', done]],
      ['malformed batch frame', [[a.key.did, head.seq, head.id]], () => ['{"t":"batch", "author": nope', done]],
    ];
    for (const [name, heads, frames] of attacks) {
      const evil = await evilPeer(net0, heads, frames);
      closers.push(evil.close);
      const before = c.node.replicator!.status().rounds.length;
      await c.node.replicator!.dial(evil.addr);
      await waitFor(() => c.node.replicator!.status().rounds.length > before, LIVENESS_MS, `round with evil peer (${name})`);
      const r = c.node.replicator!.status().rounds[0]!;
      expect(r.error !== undefined || (r.rejected?.length ?? 0) > 0, `${name}: ${JSON.stringify(r)}`).toBe(true);
      // nothing forged was stored; whatever was stored is a verified prefix of A's real feed
      const held = c.node.services.feed.read(a.key.did, 1, 100);
      expect(held.map((e) => e.id)).toEqual(real.slice(0, held.length).map((e) => e.id));
      if (name.startsWith('mid-batch')) expect(held.length, name).toBeLessThanOrEqual(mid);
      // refused before it is decoded, whoever its author is
      if (name === 'batch of an author not asked for') expect(r.error).toMatch(/did not ask for/);
      expect(c.node.services.feed.head(stranger.did)).toBeNull();
      await evil.close();
    }
    const codes = c.node.replicator!.status().rounds.flatMap((r) => (r.rejected ?? []).map((x) => x.code));
    expect(codes).toEqual(expect.arrayContaining(['bad_signature', 'broken_chain', 'sequence_gap', 'not_a_member']));
    // honest sync still works: C gets A's feed from B
    await net.connect(a, b);
    await net.connect(c, b);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'honest convergence after attacks');
    expect(c.node.services.catalogue.byInstitution(a.key.did)).toHaveLength(4);
    // what C serves of A's feed verifies entry by entry with A's key, byte for byte what A signed
    const served = await (await fetch(`${c.url}/api/v1/feeds/${encodeURIComponent(a.key.did)}`)).json();
    expect(served.entries).toEqual(JSON.parse(JSON.stringify(real)));
    for (const e of served.entries as Entry[]) {
      const env = checkEnvelope(e);
      expect(env.ok && env.entry.id).toBe(e.id);
      expect(env.ok && verifyEntrySignature(env.entry)).toBe(true);
    }
  });

  it('a forked feed (equivocation) is detected on every node and shown in /api/v1/network', async () => {
    net = await startNet(3);
    const [a, b, c] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    await net.connect(b, c);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');
    // A's key signs a second, different entry for its next sequence number and gives it to C only
    const h = a.node.services.feed.head(a.key.did)!;
    const fork = signEntry(a.key, { v: 2, net: a.node.services.network, author: a.key.did, seq: h.seq + 1, prev: h.id, ts: new Date().toISOString(), type: 'endorsement', body: { subject: generateKey().did } });
    a.node.services.catalogue.create(records[0]);
    expect(c.node.services.feed.ingestOne(fork).accepted).toBe(1);
    await waitFor(async () => {
      for (const n of [a, b, c]) {
        const s = await (await fetch(`${n.url}/api/v1/network`)).json();
        if (!s.equivocations.some((e: { author: string }) => e.author === a.key.did)) return false;
      }
      return true;
    }, 10_000, 'equivocation on every node');
    const s = await (await fetch(`${b.url}/api/v1/network`)).json();
    const e = s.equivocations[0];
    expect(e.proof).toHaveLength(2);
    expect(new Set(e.proof.map((x: { id: string }) => x.id)).size).toBe(2);
    expect(s.feeds.find((f: { author: string }) => f.author === a.key.did).frozen).toBe(true);
  });
});
