// Public answers stay bounded however much another member publishes: a member (here a qa-agency, so it may also
// accredit) publishes 5,000 recognition decisions about one microcredential, 200 accreditations of it (half of them
// withdrawn), 60 agreements naming this node, 70 endorsements (each makes a candidate) and 60 versions of its own
// microcredential, all signed with signEntry and taken in through the ordinary ingest. The microcredential detail, the
// institution page, the registrar's lookup, the printable report, the directory, the network status and the decisions
// list carry at most 50 of each list (newest first), say how many there are in all and that the list was truncated,
// and GET /api/v1/recognitions pages through every decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEntry, type Entry } from '../../node/feed/entry.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

const DECISIONS = 5000;

interface Bound {
  total: number;
  shown: number;
  truncated: boolean;
  all?: string;
}

describe('public lists are bounded', () => {
  let reader: TestNode;
  let other: Ed25519Key;
  let mine: string; // the reader's microcredential, which the other member decides about and accredits
  let theirs: string; // the other member's microcredential, with many versions
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const readerKey = generateKey();
    other = generateKey();
    const manifest = createManifest({ name: `list bounds ${Date.now()}`, founders: [readerKey.did, other.did], endorsements: 2 });
    reader = await startTestNode({ name: 'Universidad Lectora', manifest, key: readerKey, config: { standalone: true } });
    const [record, second] = unitOfCountry('CL').catalogue;
    mine = reader.node.services.catalogue.create({ ...record! }).id;

    // the other member's feed, built and signed here, entry after entry
    const net = reader.node.services.network;
    const entries: Entry[] = [];
    const start = Date.parse('2026-01-01T00:00:00Z');
    const add = (type: Entry['type'], body: unknown) => {
      const prev = entries.at(-1);
      entries.push(signEntry(other, { v: 2, net, author: other.did, seq: entries.length + 1, prev: prev?.id ?? null, ts: new Date(start + entries.length * 1000).toISOString(), type, body }));
    };
    add('profile', { name: { es: 'Agencia Prolífica' }, country: 'MX', kind: 'qa-agency' });
    for (let v = 1; v <= 60; v++) add('microcredential', { op: 'put', microcredential: { ...second!, version: v, awardingBody: { name: 'Agencia Prolífica', did: other.did }, country: 'MX' } });
    for (let i = 0; i < DECISIONS; i++)
      add('recognition', { decisionId: `rec-${String(i).padStart(5, '0')}`, microcredential: { id: mine, version: 1 }, outcome: 'credits', credits: { system: 'ECTS', value: 3 }, validFrom: '2026-01-01', reasons: { es: `Decisión ${i}` } });
    for (let i = 0; i < 200; i++)
      add('accreditation', { accreditationId: `acc-${i}`, subject: { type: 'microcredential', id: mine }, status: i % 2 ? 'withdrawn' : 'accredited', validFrom: '2025-01-01' });
    for (let i = 0; i < 60; i++)
      add('agreement', { action: 'propose', agreementId: `agr-${i}`, terms: { title: { es: `Convenio ${i}` }, parties: [other.did, reader.did], scope: { type: 'catalogue' }, validFrom: '2026-01-01' } });
    for (let i = 0; i < 70; i++) add('endorsement', { subject: generateKey().did });
    for (let from = 0; from < entries.length; from += 1000) {
      const r = reader.node.services.feed.ingestBatch(other.did, entries.slice(from, from + 1000));
      expect(r.rejected, JSON.stringify(r.rejected.slice(0, 3))).toEqual([]);
    }
    expect(reader.node.services.feed.head(other.did)!.seq).toBe(entries.length);
    theirs = microcredentialId(other.did, second!.code);
  }, 300_000);
  afterAll(async () => {
    await reader?.close();
    // how long each answer took on this machine (not asserted: load would make it flaky)
    console.info('public list bounds, ms per answer:', JSON.stringify(timings));
  });

  const fetchJson = async <T>(name: string, path: string, init?: RequestInit): Promise<{ body: T; bytes: number }> => {
    const t0 = performance.now();
    const r = await fetch(`${reader.url}/api/v1${path}`, init);
    const text = await r.text();
    timings[name] = Math.round(performance.now() - t0);
    expect(r.status, text.slice(0, 300)).toBe(200);
    return { body: JSON.parse(text) as T, bytes: Buffer.byteLength(text) };
  };

  it('the microcredential detail carries the newest 50 decisions, accreditations and versions, and says how many there are', async () => {
    const { body, bytes } = await fetchJson<{ recognitions: { decisionId: string }[]; accreditations: { accreditationId: string }[]; accreditationHistory: unknown[]; lists: Record<string, Bound> }>(
      'detail',
      `/microcredentials/${encodeURIComponent(mine)}`,
    );
    expect(body.recognitions).toHaveLength(50);
    expect(body.recognitions[0]!.decisionId).toBe(`rec-0${DECISIONS - 1}`); // newest first
    expect(body.lists.recognitions).toEqual({ total: DECISIONS, shown: 50, truncated: true, all: `/api/v1/recognitions?microcredential=${encodeURIComponent(mine)}` });
    expect(body.accreditations).toHaveLength(50);
    expect(body.accreditationHistory).toHaveLength(50);
    expect(body.lists.accreditations).toMatchObject({ total: 100, shown: 50, truncated: true });
    expect(body.lists.accreditationHistory).toMatchObject({ total: 100, shown: 50, truncated: true });
    expect(body.accreditations[0]!.accreditationId).toBe('acc-198');
    expect(body.lists.versions).toMatchObject({ total: 1, shown: 1, truncated: false });
    expect(bytes).toBeLessThan(200_000);

    const other = await fetchJson<{ versions: { version: number }[]; lists: Record<string, Bound> }>('detail-versions', `/microcredentials/${encodeURIComponent(theirs)}`);
    expect(other.body.versions.map((v) => v.version)).toEqual(Array.from({ length: 50 }, (_, i) => 11 + i));
    expect(other.body.lists.versions).toEqual({ total: 60, shown: 50, truncated: true, all: `/api/v1/microcredentials/${encodeURIComponent(theirs)}/reference` });
    const ref = await fetchJson<{ total: number; versions: { version: number }[] }>('versions-page', `/microcredentials/${encodeURIComponent(theirs)}/reference?page=2&pageSize=50`);
    expect(ref.body.total).toBe(60);
    expect(ref.body.versions.map((v) => v.version)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i));
  });

  it("the deciding institution's page carries its newest 50 decisions and endorsements, and says how many there are", async () => {
    const { body, bytes } = await fetchJson<{ decisions: unknown[]; endorsements: unknown[]; lists: Record<string, Bound> }>('institution', `/institutions/${encodeURIComponent(other.did)}`);
    expect(body.decisions).toHaveLength(50);
    expect(body.lists.decisions).toEqual({ total: DECISIONS, shown: 50, truncated: true, all: `/api/v1/recognitions?institution=${encodeURIComponent(other.did)}` });
    expect(body.endorsements).toHaveLength(50);
    expect(body.lists.endorsements).toMatchObject({ total: 70, shown: 50, truncated: true });
    expect(body.lists.catalogue).toMatchObject({ total: 1, shown: 1, truncated: false });
    expect(bytes).toBeLessThan(200_000);
  });

  it('the directory and the network status list every member but only the newest 50 candidates the endorsements made', async () => {
    const dir = await fetchJson<{ items: { did: string; memberStatus: string }[]; endorsements: { author: string; subject: string }[]; lists: Record<string, Bound> }>('institutions', '/institutions');
    expect(dir.body.items.filter((i) => i.memberStatus === 'candidate')).toHaveLength(50);
    expect(dir.body.items.map((i) => i.did)).toEqual(expect.arrayContaining([reader.did, other.did]));
    expect(dir.body.lists.candidates).toEqual({ total: 70, shown: 50, truncated: true });
    const listed = new Set(dir.body.items.map((i) => i.did));
    expect(dir.body.endorsements.length).toBe(50);
    expect(dir.body.endorsements.every((e) => listed.has(e.author) && listed.has(e.subject))).toBe(true);
    const net = await fetchJson<{ members: { did: string; status: string }[]; lists: Record<string, Bound> }>('network', '/network');
    expect(net.body.members.filter((m) => m.status === 'candidate')).toHaveLength(50);
    expect(net.body.members.filter((m) => m.status === 'founder')).toHaveLength(2);
    expect(net.body.lists.candidates).toMatchObject({ total: 70, shown: 50, truncated: true });
  });

  it('GET /recognitions pages through every decision, newest first, with the total', async () => {
    const first = await fetchJson<{ items: { decisionId: string }[]; total: number; page: number; pageSize: number }>('recognitions', `/recognitions?microcredential=${encodeURIComponent(mine)}`);
    expect(first.body).toMatchObject({ total: DECISIONS, page: 1, pageSize: 50 });
    expect(first.body.items).toHaveLength(50);
    const last = await fetchJson<{ items: { decisionId: string }[]; total: number }>('recognitions-last', `/recognitions?microcredential=${encodeURIComponent(mine)}&page=50&pageSize=100`);
    expect(last.body.items.map((d) => d.decisionId)).toEqual(Array.from({ length: 100 }, (_, i) => `rec-${String(99 - i).padStart(5, '0')}`));
    const past = await fetchJson<{ items: unknown[]; total: number }>('recognitions-past', `/recognitions?institution=${encodeURIComponent(other.did)}&page=51&pageSize=100`);
    expect(past.body).toEqual({ items: [], total: DECISIONS, page: 51, pageSize: 100 });
    const all = await fetchJson<{ items: { decisionId: string }[]; total: number }>('recognitions-all', '/recognitions?page=2&pageSize=10');
    expect(all.body.total).toBe(DECISIONS);
    expect(all.body.items.map((d) => d.decisionId)).toEqual(Array.from({ length: 10 }, (_, i) => `rec-0${DECISIONS - 11 - i}`));
    for (const bad of ['pageSize=101', 'pageSize=0', 'page=0', 'page=1.5', 'page=x'])
      expect((await fetch(`${reader.url}/api/v1/recognitions?${bad}`)).status, bad).toBe(400);
    const agreements = await fetchJson<{ items: unknown[]; total: number }>('agreements', `/agreements?party=${encodeURIComponent(reader.did)}&pageSize=20`);
    expect(agreements.body.items).toHaveLength(20);
    expect(agreements.body.total).toBe(60);
  });

  it("the registrar's lookup and the printable report carry bounded lists", async () => {
    const { body, bytes } = await fetchJson<{ decisions: unknown[]; accreditations: unknown[]; agreements: unknown[]; lists: Record<string, Bound> }>('lookup', '/recognition/lookup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ microcredential: mine }),
    });
    expect(body.decisions).toHaveLength(50);
    expect(body.accreditations).toHaveLength(100);
    expect(body.agreements).toHaveLength(50);
    expect(body.lists).toMatchObject({
      decisions: { total: DECISIONS, shown: 50, truncated: true },
      accreditations: { total: 200, shown: 100, truncated: true },
      agreements: { total: 60, shown: 50, truncated: true },
    });
    expect(bytes).toBeLessThan(400_000);

    const t0 = performance.now();
    const report = await fetch(`${reader.url}/api/v1/recognition/report?microcredential=${encodeURIComponent(mine)}&lang=en`);
    const html = await report.text();
    timings.report = Math.round(performance.now() - t0);
    expect(report.status).toBe(200);
    expect(html.match(/Decisión \d+/g)).toHaveLength(50);
    expect(html).toContain('4,950 more');
  });

  it('what the verifier and the comparison read of accreditations is bounded too', () => {
    expect(reader.node.services.recognition.accreditationsInForceOf(mine)).toHaveLength(50);
    expect(reader.node.services.recognition.decisions({ microcredential: mine })).toHaveLength(50);
    expect(reader.node.services.recognition.decisionCount({ microcredential: mine })).toBe(DECISIONS);
  });
});
