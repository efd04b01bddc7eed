/**
 * What a peer can make the feed store do with one batch is bounded: a non-member's batch costs no signature
 * verification, and a batch whose signatures do not verify costs at most two, however long it is (the store used to
 * walk back through every entry looking for one that verifies: a 10,000-entry frame of bad signatures held the event
 * loop for ~0.4 s).
 */
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ verify: 0 }));
vi.mock('../../node/feed/entry.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../node/feed/entry.js')>();
  return {
    ...orig,
    verifyEntrySignature: (e: Parameters<typeof orig.verifyEntrySignature>[0]) => {
      calls.verify++;
      return orig.verifyEntrySignature(e);
    },
  };
});

const { generateKey } = await import('../../node/identity/keys.js');
const { entryId, signEntry } = await import('../../node/feed/entry.js');
const { memoryServices } = await import('../helpers/nodes.js');
type Entry = import('../../node/feed/entry.js').Entry;

/** A chained feed whose author put a signature of the right form but wrong bytes on every entry (ids cover them). */
function garbageSigned(key: ReturnType<typeof generateKey>, net: string, n: number, endorsements = false): Entry[] {
  const out: Entry[] = [];
  let prev: string | null = null;
  for (let i = 0; i < n; i++) {
    const e: Entry = endorsements
      ? signEntry(key, { v: 2, net, author: key.did, seq: i + 1, prev, ts: '2026-11-29T10:00:00.000Z', type: 'endorsement', body: { subject: generateKey().did } })
      : signEntry(key, { v: 2, net, author: key.did, seq: i + 1, prev, ts: '2026-11-29T10:00:00.000Z', type: 'membership', body: { action: 'acknowledge-manifest', manifestHash: 'e'.repeat(64), statement: String(i) } });
    const bad: Entry = { ...e, sig: `${'A'.repeat(85)}A` };
    const withId: Entry = { ...bad, id: entryId(bad) };
    out.push(withId);
    prev = withId.id;
  }
  return out;
}

describe('bounded work per batch', () => {
  it('verifies at most two signatures for a batch of bad signatures, and none for a non-member', () => {
    const author = generateKey();
    const src = memoryServices({ key: author, founders: [author.did, generateKey().did] });
    const dst = memoryServices({ manifest: src.manifest });
    const bad = garbageSigned(author, src.network, 500);
    calls.verify = 0;
    const r = dst.feed.ingestBatch(author.did, bad);
    expect([r.accepted, r.rejected[0]?.code]).toEqual([0, 'bad_signature']);
    expect(calls.verify).toBeLessThanOrEqual(2);

    // a relay that altered only the newest entry's signature (and dropped its id): the rest goes in, two verifications
    const good = Array.from({ length: 20 }, (_, i) => src.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `s ${i}` }));
    const fresh = memoryServices({ manifest: src.manifest });
    const { id: _id, ...last } = good[19]!;
    calls.verify = 0;
    const r2 = fresh.feed.ingestBatch(author.did, [...good.slice(0, 19), { ...last, sig: `${'B'.repeat(85)}A` }]);
    expect([r2.accepted, r2.rejected.map((x) => x.code)]).toEqual([19, ['bad_signature']]);
    expect(calls.verify).toBe(2);

    const stranger = generateKey();
    const theirs = garbageSigned(stranger, src.network, 50, true);
    calls.verify = 0;
    const r3 = dst.feed.ingestBatch(stranger.did, theirs);
    expect([r3.accepted, r3.rejected.map((x) => x.code)]).toEqual([0, ['not_a_member']]);
    expect(calls.verify).toBe(0);
    for (const x of [src, dst, fresh]) x.store.close();
  });
});
