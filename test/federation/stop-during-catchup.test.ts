// Stopping a node in the middle of a catch-up never closes its database under replication: the round storing a batch
// in slices stops at a slice boundary, the database is closed after it, nothing is logged as "database is closed" /
// "connection is not open", and what was stored is a whole prefix of the feed that the next start completes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../node/core/logger.js';
import type { CheckedBatch } from '../../node/feed/batch-check.js';
import { LIVENESS_MS, startNet, waitFor, type TestNet } from './net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.close();
  net = null;
});

describe('stopping a node while it catches up', () => {
  it('waits for the batch being stored, closes the database after it, and leaves a whole prefix the next start completes', async () => {
    const logged: { level: string; msg: string; error?: string }[] = [];
    const logger = createLogger('warn', {}, (line) => logged.push(JSON.parse(line) as { level: string; msg: string; error?: string }));
    // every batch goes through the decoder and is stored in slices (the path that yields between slices)
    net = await startNet(2, { logger, syncIntervalMs: 60_000, replication: { batchWorkers: 1, batchWorkerMinEntries: 1 } });
    const [a, b] = net.nodes as [NonNullable<TestNet['nodes'][0]>, NonNullable<TestNet['nodes'][0]>];
    a.node.services.store.tx(() => {
      for (let i = 0; i < 3_000; i++) a.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `entrada ${i}` });
    });
    const total = a.node.services.feed.head(a.key.did)!.seq;

    // B is stopped from inside its first sliced store, between two slices; the stop is given 1 ms for the parts it
    // may cut short, and the slice goes on once the stop has closed the database or after a while (if it waits)
    const feed = b.node.services.feed;
    const original = feed.ingestCheckedInSlices.bind(feed);
    let stopping: Promise<void> | null = null;
    const stores: Promise<unknown>[] = [];
    vi.spyOn(feed, 'ingestCheckedInSlices').mockImplementation((batch: CheckedBatch, slice: number, pause: () => Promise<void>) => {
      const p = original(batch, slice, async () => {
        if (!stopping) {
          stopping = b.node.stop(1);
          await Promise.race([stopping, new Promise((r) => setTimeout(r, 500))]);
        }
        await pause();
      });
      stores.push(p);
      return p;
    });
    await net.connect(b, a);
    await waitFor(() => stopping !== null, LIVENESS_MS, 'B storing its first sliced batch');
    await stopping;
    await Promise.allSettled(stores); // whatever the stores did after the stop is logged by now

    const failures = logged.filter((l) => l.level === 'error' || /not open|is closed/i.test(`${l.msg} ${l.error ?? ''}`));
    expect(failures).toEqual([]);

    // the next start finds a whole prefix of A's feed: contiguous, each entry chained to the one before
    await b.start({ samePort: true });
    const held = b.node.services.feed.head(a.key.did)?.seq ?? 0;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(total);
    const stored = b.node.services.feed.read(a.key.did, 1, held + 1);
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: held }, (_, i) => i + 1));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.prev).toBe(stored[i - 1]!.id);
    // ... and completes it from A
    await net.connect(b, a);
    await waitFor(() => net!.converged([a, b]), LIVENESS_MS, 'B caught up with A after its restart');
    expect(b.node.services.feed.head(a.key.did)!.seq).toBe(total);
  });
});
