import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../node/core/logger.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { generateKey } from '../../node/identity/keys.js';
import { entryJson, idKey, signEntry, type Entry } from '../../node/feed/entry.js';
import { checkedEntry, checkedId, checkedJson, checkedType } from '../../node/feed/batch-check.js';
import { BatchDecoder } from '../../node/federation/batch-decoder.js';
import { decodeBatchFrame, isBatchFrame, type DecodedBatchFrame } from '../../node/federation/batch-frame.js';
import { WalCheckpointer } from '../../node/store/checkpointer.js';
import { AUTO_CHECKPOINT_PAGES, openStore } from '../../node/store/database.js';
import { waitFor } from '../federation/net.js';

const schemas = new SchemaRegistry();
const key = generateKey();
const net = 'mochila-test-0123456789abcdef';

function feed(n: number, body: (i: number) => unknown = (i) => ({ action: 'acknowledge-manifest', manifestHash: 'e'.repeat(64), statement: `${i} ñandú 😀` })): Entry[] {
  const out: Entry[] = [];
  let prev: string | null = null;
  for (let i = 0; i < n; i++) {
    const e: Entry = signEntry(key, { v: 2, net, author: key.did, seq: i + 1, prev, ts: '2026-11-29T10:00:00.000Z', type: 'membership', body: body(i) });
    out.push(e);
    prev = e.id;
  }
  return out;
}

const frame = (o: unknown) => Buffer.from(JSON.stringify(o));

function frames(): Buffer[] {
  const good = feed(50);
  const badBody = feed(3, (i) => (i === 1 ? { action: 'nope', manifestHash: 'x' } : { action: 'leave', manifestHash: 'e'.repeat(64) }));
  const other = generateKey();
  const stranger = signEntry(other, { v: 2, net, author: other.did, seq: 1, prev: null, ts: '2026-11-29T10:00:00.000Z', type: 'membership', body: { action: 'leave', manifestHash: 'e'.repeat(64) } });
  return [
    frame({ t: 'batch', author: key.did, entries: good }),
    frame({ t: 'batch', author: key.did, entries: badBody }), // a body that fails its schema
    frame({ t: 'batch', author: key.did, entries: [good[0], good[2]] }), // a skipped seq
    frame({ t: 'batch', author: key.did, entries: [good[0], stranger] }), // another author
    frame({ t: 'batch', author: key.did, entries: [good[0], { ...good[1], v: 3 }] }), // a malformed envelope (unknown format)
    frame({ t: 'batch', author: key.did, entries: [{ ...good[0], id: 'f'.repeat(64) }] }), // an id that is not the hash
    Buffer.from('{"t":"batch", this is not JSON'),
    frame({ t: 'batch', author: key.did, entries: [good[0], good[1], feed(3, (i) => ({ action: 'leave', manifestHash: 'e'.repeat(64), statement: `other ${i}` }))[2]] }), // seq 3 of another chain
    frame({ t: 'batch', author: 42, entries: [] }),
  ];
}

/** A decoded frame as plain data (typed arrays as arrays, the stored JSON as text), to compare two decodes. */
function plain(d: DecodedBatchFrame): unknown {
  if (!d.ok) return d;
  const b = d.batch;
  const { starts: _s, ends: _e, json: _j, ...rest } = b;
  return { ...d, batch: { ...rest, idKeys: [...b.idKeys], types: [...b.types], json: Array.from({ length: b.count }, (_, i) => Buffer.from(checkedJson(b, i)).toString('utf8')) } };
}

const decoders: BatchDecoder[] = [];
afterEach(async () => {
  for (const d of decoders.splice(0)) await d.stop();
});

describe('batch decoder', () => {
  it('gives the same results on its worker thread as in-thread, for good and bad frames', async () => {
    const threaded = new BatchDecoder({ schemas, logger: silentLogger, threads: 1 });
    const inline = new BatchDecoder({ schemas, logger: silentLogger, threads: 0 });
    decoders.push(threaded, inline);
    await threaded.start();
    await inline.start();
    expect(threaded.threaded).toBe(1); // the worker really started (tsx inside a worker thread)
    expect(threaded.lookahead).toBe(1);
    expect(inline.threaded).toBe(0);
    const fs = frames();
    expect(fs.every(isBatchFrame)).toBe(true);
    const a = await Promise.all(fs.map((f) => threaded.decode(f)));
    const b = await Promise.all(fs.map((f) => inline.decode(f)));
    // moving the columns to the main thread drops nothing the feed needs: same ids, types, stored JSON, problems, cuts
    expect(a.map(plain)).toEqual(b.map(plain));
    const [good, badBody, gap, mixed, malformed, wrongId, notJson, forked, noAuthor] = a as DecodedBatchFrame[] as [DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame, DecodedBatchFrame];
    const want = feed(50);
    expect(good.ok && good.batch.count).toBe(50);
    expect(good.ok && [good.batch.firstSeq, good.batch.firstPrev, good.batch.net]).toEqual([1, null, net]);
    expect(good.ok && good.batch.bodyProblems).toEqual([]);
    expect(good.ok && Array.from({ length: 50 }, (_, i) => checkedId(good.batch, i))).toEqual(want.map((e) => e.id));
    expect(good.ok && Array.from({ length: 50 }, (_, i) => idKey(checkedId(good.batch, i)))).toEqual(good.ok && [...good.batch.idKeys]);
    // the stored JSON of every entry is entryJson of the checked entry, and parses back to it
    expect(good.ok && Buffer.from(checkedJson(good.batch, 49)).toString('utf8')).toBe(entryJson(want[49]!));
    expect(good.ok && checkedEntry(good.batch, 7)).toEqual(JSON.parse(JSON.stringify(want[7])));
    expect(good.ok && checkedType(good.batch, 0)).toBe('membership');
    expect(badBody.ok && badBody.batch.bodyProblems.map(([i, p]) => [i, p.code])).toEqual([[1, 'invalid_entry']]);
    expect(badBody.ok && badBody.batch.count).toBe(3);
    expect(gap.ok && [gap.batch.count, gap.batch.cut?.code]).toEqual([1, 'sequence_gap']);
    expect(mixed.ok && [mixed.batch.count, mixed.batch.cut?.reason]).toEqual([1, 'batch mixes authors']);
    expect(malformed.ok && [malformed.batch.count, malformed.batch.cut?.code]).toEqual([1, 'invalid_entry']);
    expect(wrongId.ok && [wrongId.batch.count, wrongId.batch.cut?.reason]).toEqual([0, 'id does not match the hash of the canonical signed entry']);
    expect(forked.ok && [forked.batch.count, forked.batch.cut?.code, forked.batch.cut?.seq]).toEqual([2, 'broken_chain', 3]);
    expect(notJson).toEqual({ ok: false, error: 'malformed frame (not JSON)' });
    expect(noAuthor).toEqual({ ok: false, error: 'malformed batch' });
  });

  it('decodes in-thread what a dead worker held, and everything after', async () => {
    const d = new BatchDecoder({ schemas, logger: silentLogger, threads: 1 });
    decoders.push(d);
    await d.start();
    expect(d.threaded).toBe(1);
    const f = frames()[0]!;
    const pending = d.decode(f);
    await (d as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]!.terminate();
    const r = await pending;
    expect(r.ok && r.batch.count).toBe(50);
    expect(d.threaded).toBe(0);
    const r2 = await d.decode(f);
    expect(r2.ok && r2.batch.count).toBe(50);
  });
});

describe('batch decoder: moving frames to the worker', () => {
  it('moves a frame that owns its whole buffer, copies one that may share it, and never hangs on a moved frame', async () => {
    const d = new BatchDecoder({ schemas, logger: silentLogger, threads: 1 });
    decoders.push(d);
    await d.start();
    const entries = feed(120);
    const text = JSON.stringify({ t: 'batch', author: key.did, entries });
    const own = () => new Uint8Array(Buffer.from(text)); // > 64 KiB, alone in its ArrayBuffer
    expect(own().byteLength).toBeGreaterThan(65_535);
    const moved = own();
    const r = await d.decode(moved);
    expect(moved.byteLength).toBe(0); // the buffer went to the worker
    expect(r.ok && r.batch.count).toBe(120);
    expect(plain(r)).toEqual(plain(decodeBatchFrame(own(), schemas)));
    // a view into a larger buffer (as a stream chunk may be) is copied, and stays readable for the caller
    const shared = Buffer.concat([Buffer.from(text), Buffer.from('trailing bytes of the next frame')]).subarray(0, Buffer.byteLength(text));
    const r2 = await d.decode(shared);
    expect(shared.byteLength).toBe(Buffer.byteLength(text));
    expect(r2.ok && r2.batch.count).toBe(120);
    // the worker dies while it holds a moved frame: the decode still resolves, either with the worker's result (if it
    // answered before it stopped) or as a failure the round reports, never with anything else
    const pending = d.decode(own());
    await (d as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]!.terminate();
    const r3 = await pending;
    expect(r3.ok ? r3.batch.count : r3.error).toBeOneOf([120, 'the batch decoder worker stopped while it held this frame']);
    expect(d.threaded).toBe(0);
  });
});

describe('WAL checkpointer', () => {
  it('checkpoints from its worker while the node connection does not, and hands checkpoints back when stopped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-ckpt-'));
    const file = path.join(dir, 'registry.db');
    const store = openStore(file);
    try {
      const c = new WalCheckpointer({ store, logger: silentLogger, intervalMs: 50 });
      await c.start();
      expect(c.running).toBe(true);
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const size0 = statSync(file).size;
      const ins = store.sqlite.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
      store.tx(() => {
        for (let i = 0; i < 2_000; i++) ins.run(`k${i}`, 'x'.repeat(1000));
      });
      // the pages reach the database file only through a checkpoint, and this connection makes none
      await waitFor(() => statSync(file).size > size0 + 1_000_000, 10_000, 'a checkpoint by the worker');
      await c.stop();
      expect(c.running).toBe(false);
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(AUTO_CHECKPOINT_PAGES);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('syncWorkers setting', () => {
  it('is read from node.json or MOCHILA_SYNC_WORKERS and refused when it is not 0 to 16', async () => {
    const { loadConfig } = await import('../../node/config.js');
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-cfg-'));
    try {
      expect(loadConfig(dir, {}, {}).syncWorkers).toBeUndefined();
      writeFileSync(path.join(dir, 'node.json'), JSON.stringify({ syncWorkers: 2 }));
      expect(loadConfig(dir, {}, {}).syncWorkers).toBe(2);
      expect(loadConfig(dir, {}, { MOCHILA_SYNC_WORKERS: '0' }).syncWorkers).toBe(0);
      expect(() => loadConfig(dir, {}, { MOCHILA_SYNC_WORKERS: 'two' })).toThrowError(/sync workers/);
      expect(() => loadConfig(dir, {}, { MOCHILA_SYNC_WORKERS: '99' })).toThrowError(/0 to 16/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
