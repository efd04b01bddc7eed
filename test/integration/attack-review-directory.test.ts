// Attacker's review (helper AR): the directory (GET /api/v1/institutions) stays bounded when the candidates a hostile
// member makes also publish profiles. Any member can make any DID a candidate by endorsing it, and a candidate may
// publish a profile; the directory listed every institution with a profile, so 70 candidates with profiles were all
// listed (and `lists.candidates` said 50 shown) — and withdrawing the endorsements left them listed as non-members.
// The network status likewise listed every feed (each candidate's). And 50 endorsements dated in year 9999 (or
// 'Wed, 31 Dec 2098 …', which sorts above every ISO time) pinned their candidates as the newest 50 for good, hiding a
// candidate endorsed now (failed on the old code). Built with signEntry and taken in through the
// ordinary ingest. Failed on the old code (70 candidates listed, then 70 non-members; 72 feeds, no lists.feeds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEntry, type Entry } from '../../node/feed/entry.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

const CANDIDATES = 70;

describe('the directory lists the newest 50 candidates even when each publishes a profile', () => {
  let reader: TestNode;
  let other: Ed25519Key;
  const otherEntries: Entry[] = [];
  const candidates: Ed25519Key[] = [];

  const ingestOther = (type: Entry['type'], body: unknown, ts?: string) => {
    const prev = otherEntries.at(-1);
    const e = signEntry(other, {
      v: 2,
      net: reader.node.services.network,
      author: other.did,
      seq: otherEntries.length + 1,
      prev: prev?.id ?? null,
      ts: ts ?? new Date(Date.parse('2026-01-01T00:00:00Z') + otherEntries.length * 1000).toISOString(),
      type,
      body,
    });
    otherEntries.push(e);
    return e;
  };
  const directory = async () => {
    const r = await fetch(`${reader.url}/api/v1/institutions`);
    expect(r.status).toBe(200);
    return (await r.json()) as {
      items: { did: string; memberStatus: string }[];
      lists: { candidates: { total: number; shown: number; truncated: boolean } };
    };
  };

  beforeAll(async () => {
    const readerKey = generateKey();
    other = generateKey();
    const manifest = createManifest({ name: `directory flood ${Date.now()}`, founders: [readerKey.did, other.did], endorsements: 2 });
    reader = await startTestNode({ name: 'Universidad Lectora', manifest, key: readerKey, config: { standalone: true } });
    const feed = reader.node.services.feed;
    const batch: Entry[] = [ingestOther('profile', { name: { es: 'Miembro Hostil' }, country: 'MX', kind: 'hei' })];
    for (let i = 0; i < CANDIDATES; i++) {
      const k = generateKey();
      candidates.push(k);
      batch.push(ingestOther('endorsement', { subject: k.did }));
    }
    expect(feed.ingestBatch(other.did, batch).rejected).toEqual([]);
    // each candidate publishes its profile (a candidate may)
    candidates.forEach((k, i) => {
      const e = signEntry(k, {
        v: 2,
        net: reader.node.services.network,
        author: k.did,
        seq: 1,
        prev: null,
        ts: new Date(Date.parse('2026-02-01T00:00:00Z') + i * 1000).toISOString(),
        type: 'profile',
        body: { name: { es: `Candidata ${i}` }, country: 'MX', kind: 'hei' },
      });
      expect(feed.ingestBatch(k.did, [e]).rejected).toEqual([]);
    });
  }, 120_000);
  afterAll(async () => {
    await reader?.close();
  });

  it('candidates with profiles: only the newest 50 listed, and lists.candidates tells the truth', async () => {
    const dir = await directory();
    const listedCandidates = dir.items.filter((i) => i.memberStatus === 'candidate');
    expect(listedCandidates).toHaveLength(50);
    expect(dir.lists.candidates).toEqual({ total: CANDIDATES, shown: 50, truncated: true });
    expect(dir.items.map((i) => i.did)).toEqual(expect.arrayContaining([reader.did, other.did]));
    const mx = await fetch(`${reader.url}/api/v1/institutions?country=MX`);
    const mxBody = (await mx.json()) as { items: { memberStatus: string }[] };
    expect(mxBody.items.filter((i) => i.memberStatus === 'candidate').length).toBeLessThanOrEqual(50);
  });

  it('the network status lists the feeds of members, of the candidates it lists and of this node, and says how many feeds there are', async () => {
    const r = await fetch(`${reader.url}/api/v1/network`);
    expect(r.status).toBe(200);
    const net = (await r.json()) as {
      members: { did: string; status: string }[];
      feeds: { author: string }[];
      lists: Record<string, { total: number; shown: number; truncated: boolean }>;
    };
    const listed = new Set(net.members.map((m) => m.did));
    expect(net.feeds.every((f) => listed.has(f.author) || f.author === reader.did)).toBe(true);
    expect(net.feeds).toHaveLength(2 + 50);
    expect(net.lists.feeds).toEqual({ total: 2 + CANDIDATES, shown: 2 + 50, truncated: true });
  });

  it('endorsements withdrawn: the former candidates (non-members with a profile) are not listed at all', async () => {
    const batch = candidates.map((k) => ingestOther('endorsement', { subject: k.did, withdrawn: true }));
    expect(reader.node.services.feed.ingestBatch(other.did, batch).rejected).toEqual([]);
    const dir = await directory();
    expect(dir.items.filter((i) => i.memberStatus === 'none')).toEqual([]);
    expect(dir.items.map((i) => i.did).sort()).toEqual([reader.did, other.did].sort());
    expect(dir.lists.candidates).toEqual({ total: 0, shown: 0, truncated: false });
    const net = (await (await fetch(`${reader.url}/api/v1/network`)).json()) as {
      feeds: { author: string }[];
      lists: Record<string, unknown>;
    };
    expect(net.feeds.map((f) => f.author).sort()).toEqual([reader.did, other.did].sort());
    expect(net.lists.feeds).toEqual({ total: 2 + CANDIDATES, shown: 2, truncated: true });
    // the institution's own page still answers (a profile in the replica)
    expect((await fetch(`${reader.url}/api/v1/institutions/${encodeURIComponent(candidates[0]!.did)}`)).status).toBe(200);
  });
  it('candidates dated in the future (or in a date format that sorts above ISO times) are not pinned as the newest', async () => {
    // an entry's ts is the author's word: any string Date.parse reads, of at most 40 characters
    const pinned = Array.from({ length: 50 }, (_, i) =>
      ingestOther('endorsement', { subject: generateKey().did }, i % 2 ? '9999-12-31T00:00:00.000Z' : 'Wed, 31 Dec 2098 00:00:00 GMT'),
    );
    expect(reader.node.services.feed.ingestBatch(other.did, pinned).rejected).toEqual([]);
    // a genuine candidate, endorsed now by this node (a founder)
    const newcomer = generateKey();
    const r = await fetch(`${reader.url}/api/v1/admin/endorsements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: newcomer.did }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const dir = await directory();
    expect(dir.lists.candidates).toEqual({ total: 51, shown: 50, truncated: true });
    expect(dir.items.filter((i) => i.memberStatus === 'candidate').map((i) => i.did)).toContain(newcomer.did);
    const net = (await (await fetch(`${reader.url}/api/v1/network`)).json()) as { members: { did: string; status: string }[] };
    expect(net.members.filter((m) => m.status === 'candidate').map((m) => m.did)).toContain(newcomer.did);
  });
});
