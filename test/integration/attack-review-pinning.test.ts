// Attacker's review (helper AR): public lists bounded to the newest 50 (recognition decisions, accreditations,
// agreements) order by the entry's ts, which is its author's word: any string Date.parse reads, of at most 40
// characters. A member that dates its decisions in year 9999, or 'Wed, 31 Dec 2098 …' (which sorts above every ISO
// time), kept them as the newest 50 about a microcredential for good, so every decision published later (by anyone)
// was left out of the microcredential's page and the registrar's lookup. The projection now keeps such a time as the
// node received it (a time more than ten minutes after the node's clock is the node's clock; another format is
// normalized to ISO).
// The catalogue's newest first (the home page's order) likewise kept a record dated in year 9999 on top.
// Built with signEntry and taken in through the ordinary ingest. Failed on the old code (the later decision missing
// from the first 50; the 9999 record first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEntry, type Entry } from '../../node/feed/entry.js';
import { CLOCK_SKEW_MS } from '../../node/core/received-time.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe('decisions dated in the future are not pinned as the newest', () => {
  let reader: TestNode;
  let other: Ed25519Key;
  let mine: string;
  const entries: Entry[] = [];
  const add = (ts: string, type: Entry['type'], body: unknown) => {
    const prev = entries.at(-1);
    entries.push(
      signEntry(other, {
        v: 2,
        net: reader.node.services.network,
        author: other.did,
        seq: entries.length + 1,
        prev: prev?.id ?? null,
        ts,
        type,
        body,
      }),
    );
  };
  const decision = (id: string) => ({
    decisionId: id,
    microcredential: { id: mine, version: 1 },
    outcome: 'credits',
    credits: { system: 'ECTS', value: 3 },
    validFrom: '2026-01-01',
    reasons: { es: 'x' },
  });

  beforeAll(async () => {
    const readerKey = generateKey();
    other = generateKey();
    const manifest = createManifest({ name: `pinning ${Date.now()}`, founders: [readerKey.did, other.did], endorsements: 2 });
    reader = await startTestNode({ name: 'Universidad Lectora', manifest, key: readerKey, config: { standalone: true } });
    const [record] = unitOfCountry('CL').catalogue;
    mine = reader.node.services.catalogue.create({ ...record! }).id;
    add('2026-01-01T00:00:00Z', 'profile', { name: { es: 'Miembro Hostil' }, country: 'MX', kind: 'hei' });
    for (let i = 0; i < 50; i++)
      add(i % 2 ? '9999-12-31T00:00:00.000Z' : 'Wed, 31 Dec 2098 00:00:00 GMT', 'recognition', decision(`rec-pinned-${i}`));
    expect(reader.node.services.feed.ingestBatch(other.did, entries).rejected).toEqual([]);
    // a decision published after them, dated as it is published (once the clock has passed their arrival)
    const arrived = (
      reader.node.services.store.sqlite.prepare("SELECT max(ts) AS ts FROM documents WHERE type = 'recognition'").get() as { ts: string }
    ).ts;
    const deadline = Date.now() + 10_000;
    while (Date.now() <= Date.parse(arrived) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const from = entries.length;
    add(new Date().toISOString(), 'recognition', decision('rec-honest'));
    expect(reader.node.services.feed.ingestBatch(other.did, entries.slice(from)).rejected).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    await reader?.close();
  });

  it('the microcredential page and GET /recognitions put the decision published later first', async () => {
    const detail = (await (await fetch(`${reader.url}/api/v1/microcredentials/${encodeURIComponent(mine)}`)).json()) as {
      recognitions: { decisionId: string }[];
    };
    expect(detail.recognitions).toHaveLength(50);
    expect(detail.recognitions[0]!.decisionId).toBe('rec-honest');
    for (const q of [`microcredential=${encodeURIComponent(mine)}`, `institution=${encodeURIComponent(other.did)}`, '']) {
      const page = (await (await fetch(`${reader.url}/api/v1/recognitions?${q}`)).json()) as {
        items: { decisionId: string }[];
        total: number;
      };
      expect(page.total, q).toBe(51);
      expect(page.items[0]!.decisionId, q).toBe('rec-honest');
    }
  });

  it('the projected time is never after the node received it, and always an ISO time', () => {
    const rows = reader.node.services.store.sqlite.prepare("SELECT ts FROM documents WHERE type = 'recognition'").all() as { ts: string }[];
    const now = Date.now();
    for (const { ts } of rows) {
      expect(ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(ts)).toBeLessThanOrEqual(now + CLOCK_SKEW_MS);
    }
  });
  it("the catalogue's newest first (its default order without text) does not keep a record dated in year 9999 on top", async () => {
    const [, second, third] = unitOfCountry('CL').catalogue;
    const from = entries.length;
    add('9999-12-31T00:00:00.000Z', 'microcredential', {
      op: 'put',
      microcredential: { ...second!, version: 1, awardingBody: { name: 'Miembro Hostil', did: other.did }, country: 'MX' },
    });
    expect(reader.node.services.feed.ingestBatch(other.did, entries.slice(from)).rejected).toEqual([]);
    const arrived = Date.now();
    while (Date.now() <= arrived + 1) await new Promise((r) => setImmediate(r));
    const newer = reader.node.services.catalogue.create({ ...third! }).id;
    const list = (await (await fetch(`${reader.url}/api/v1/microcredentials?sort=recent`)).json()) as {
      items: { id: string; updatedAt: string }[];
    };
    expect(list.items[0]!.id).toBe(newer);
    for (const i of list.items) expect(Date.parse(i.updatedAt)).toBeLessThanOrEqual(Date.now() + CLOCK_SKEW_MS);
  });
});
