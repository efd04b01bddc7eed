/**
 * Reference data on the network (issue 18 items 1 and 3), on real nodes: the nodes' bundled reference data lacks
 * Colombia's credit system; a Colombian unit joins (admitted by endorsements) and cannot publish until the member the
 * manifest authorises publishes CO-MEN as a `reference` entry (the record of schemas/reference/credit-systems.json,
 * moved as it is); then its catalogue entry is accepted by every node and compared with each node's own catalogue
 * (SATCA, CSUCA-GT, SCT-Chile: any pair, through hours, with ECTS and official EQF equivalents). The same kind of
 * entry from a member the manifest does not name is refused at ingest, with its reason, on both ingest paths; a
 * catalogue entry published before a newer reference version keeps the version it was published under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceData, type ReferenceData } from '../../node/catalogue/reference-data.js';
import { ENTRY_VERSION, signEntry, type Entry } from '../../node/feed/entry.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';
import { adminFetch, LIVENESS_MS, startNet, unitCatalogue, waitFor, type NetNode, type TestNet } from './net.js';

const full = loadReferenceData();
const coMen = full.creditSystems.systems.find((s) => s.id === 'CO-MEN')!;
const sctChile = full.creditSystems.systems.find((s) => s.id === 'SCT-Chile')!;
/** What the nodes are built with: the bundled data as it was before Colombia's system was researched. */
const withoutColombia: ReferenceData = { ...full, creditSystems: { ...full.creditSystems, systems: full.creditSystems.systems.filter((s) => s.id !== 'CO-MEN') } };
const BUNDLED = full.creditSystems.version!;
/** A version newer than the bundled credit systems (the floor), so that a network version of them is live. */
const NEWER = new Date(Date.parse(`${BUNDLED}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

type Cmp = {
  items: {
    workload: {
      foreignCredits: { system: string; value: number };
      foreignInLocalSystem: { system: string; min: number; max: number } | null;
      localInForeignSystem: { system: string; min: number; max: number } | null;
      ects: { foreign: { min: number; max: number }; local: { min: number; max: number } } | null;
    };
    level: { comparable: boolean; difference: number | null; eqf: { foreign: { level: number; basis: string } | null; local: { level: number; basis: string } | null } };
  }[];
};

describe('reference data as signed entries, and a new country joining without a code change', () => {
  let net: TestNet;
  let a: NetNode; // the coordinating unit: the manifest authorises it to publish reference data
  let b: NetNode;
  let c: NetNode; // a Chilean unit
  let co: NetNode; // the Colombian unit that joins
  const base = unitCatalogue('cl-uac')[0] as unknown as MicrocredentialRecord;
  const variant = (code: string, o: Partial<MicrocredentialRecord>): MicrocredentialRecord => ({ ...structuredClone(base), code, ...o });

  beforeAll(async () => {
    net = await startNet(3, { referencePublishers: [0], referenceData: withoutColombia });
    [a, b, c] = net.nodes as [NetNode, NetNode, NetNode];
    await net.connect(a, b);
    await net.connect(b, c);
    await net.connect(a, c);
    // each founder's own catalogue, in its own country's credit system (81 h, the Chilean record's workload)
    a.node.services.catalogue.create(variant('mx-control', { country: 'MX', workload: { hours: 81, credits: { system: 'SATCA', value: 4.5 } }, level: { framework: 'QF-EHEA', value: 'first-cycle' } }));
    b.node.services.catalogue.create(variant('gt-control', { country: 'GT', workload: { hours: 81, credits: { system: 'CSUCA-GT', value: 3 } }, level: { framework: 'MCESCA', value: '2' } }));
    c.node.services.catalogue.create(base);
    await waitFor(() => net.converged([a, b, c]), LIVENESS_MS, 'the founders to converge');
  }, 400_000);

  afterAll(async () => {
    await net?.close();
  });

  it('a member the manifest does not name cannot publish reference data: refused by its node, and refused at ingest with the reason on every path', async () => {
    const body = { kind: 'credit-system', version: NEWER, record: coMen };
    expect(() => b.node.services.referencePublisher.publish(body)).toThrow(expect.objectContaining({ code: 'not_authorised' }));
    const res = await adminFetch(b, '/reference', body);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('not_authorised');
    // the entry signed by b anyway (as a modified node would), offered to a and c: refused, with the reason
    const head = a.node.services.feed.head(b.key.did)!;
    const forged = signEntry(b.key, { v: ENTRY_VERSION, net: net.nodes[0]!.node.services.network, author: b.key.did, seq: head.seq + 1, prev: head.id, ts: new Date().toISOString(), type: 'reference', body }) as Entry;
    const one = a.node.services.feed.ingestOne(forged);
    expect(one.accepted).toBe(0);
    expect(one.rejected[0]).toMatchObject({ code: 'not_authorised', author: b.key.did, seq: head.seq + 1 });
    expect(one.rejected[0]!.reason).toContain('referencePublishers');
    const batch = c.node.services.feed.ingestBatch(b.key.did, [forged]);
    expect(batch.accepted).toBe(0);
    expect(batch.rejected[0]).toMatchObject({ code: 'not_authorised' });
    expect(a.node.services.feed.head(b.key.did)!.seq).toBe(head.seq);
    expect(a.node.services.reference.get('credit-system', 'CO-MEN')).toBeNull();
  });

  it('a Colombian unit joins, publishes once the authorised member has put CO-MEN on the network, and every node accepts and compares its entry', async () => {
    co = await net.add('CO');
    await net.connect(co, a);
    await net.connect(co, b);
    for (const n of [a, b]) n.node.services.endorsements.endorse({ subject: co.key.did, statement: 'Universidad colombiana del piloto' });
    await waitFor(() => [a, b, c, co].every((n) => n.node.services.membership.isMember(co.key.did)), LIVENESS_MS, 'the Colombian unit to be admitted everywhere');

    const record = variant('co-control', { country: 'CO', workload: { hours: 81, credits: { system: 'CO-MEN', value: 1.7 } }, level: { framework: 'EQF', value: '6' } });
    // the bundled data of these nodes has no CO-MEN: the unit cannot describe its microcredential yet
    expect(() => co.node.services.catalogue.create(record)).toThrow(expect.objectContaining({ code: 'unknown_credit_system' }));

    // the coordinating unit publishes Colombia's credit system through the admin API
    const res = await adminFetch(a, '/reference', { kind: 'credit-system', version: NEWER, record: coMen, statement: 'Colombia joins the pilot' });
    expect(res.status).toBe(201);
    await waitFor(() => [a, b, c, co].every((n) => n.node.services.reference.get('credit-system', 'CO-MEN')?.provenance.publishedBy === a.key.did), LIVENESS_MS, 'CO-MEN to be live on every node');

    // the live set says who published it
    const list = (await (await fetch(`${c.url}/api/v1/reference?kind=credit-system`)).json()) as { publishers: { did: string }[]; items: { id: string; origin: string; version: string; publishedBy: { did: string } | null }[] };
    expect(list.publishers.map((p) => p.did)).toEqual([a.key.did]);
    expect(list.items.find((i) => i.id === 'CO-MEN')).toMatchObject({ origin: 'network', version: NEWER, publishedBy: { did: a.key.did } });
    expect(list.items.find((i) => i.id === 'ECTS')).toMatchObject({ origin: 'bundled', version: BUNDLED, publishedBy: null });
    const systems = (await (await fetch(`${c.url}/api/v1/reference/credit-systems`)).json()) as { systems: { id: string; hoursPerCredit: { min: number } }[] };
    expect(systems.systems.find((s) => s.id === 'CO-MEN')?.hoursPerCredit.min).toBe(48);

    // now it publishes, and every node accepts the entry
    const mc = co.node.services.catalogue.create(record);
    await waitFor(() => [a, b, c].every((n) => n.node.services.catalogue.get(mc.id) !== null), LIVENESS_MS, 'the Colombian entry on every node');

    // and compares it with its own catalogue: any pair of systems, through hours, with ECTS and official EQF levels
    const cmp = async (n: NetNode) => (await (await fetch(`${n.url}/api/v1/microcredentials/${mc.id}/comparison`)).json()) as Cmp;
    const atA = (await cmp(a)).items[0]!;
    expect(atA.workload.foreignCredits).toEqual({ system: 'CO-MEN', value: 1.7 });
    expect(atA.workload.foreignInLocalSystem).toEqual({ system: 'SATCA', min: 4.1, max: 5.1 }); // 81 h at 16–20 h per credit
    expect(atA.workload.localInForeignSystem).toEqual({ system: 'CO-MEN', min: 1.7, max: 1.7 }); // 81 h at 48 h per credit
    expect(atA.workload.ects).toEqual({ foreign: { system: 'ECTS', min: 2.7, max: 3.2 }, local: { system: 'ECTS', min: 2.7, max: 3.2 } });
    // EQF 6 and QF-EHEA first cycle: the EQF Recommendation's official referencing makes them comparable
    expect(atA.level).toMatchObject({ comparable: true, difference: 0, eqf: { foreign: { level: 6, basis: 'eqf' }, local: { level: 6, basis: 'official-referencing' } } });
    const atB = (await cmp(b)).items[0]!;
    expect(atB.workload.foreignInLocalSystem).toEqual({ system: 'CSUCA-GT', min: 2.5, max: 5.1 });
    // MCESCA has no official EQF referencing: no equivalent is invented
    expect(atB.level).toMatchObject({ comparable: false, eqf: { foreign: { level: 6 }, local: null } });
    const atC = (await cmp(c)).items[0]!;
    expect(atC.workload.foreignInLocalSystem).toEqual({ system: 'SCT-Chile', min: 2.6, max: 3.4 });
    expect(atC.workload.localInForeignSystem).toEqual({ system: 'CO-MEN', min: 1.7, max: 1.7 });

    // the entry carries the reference version it was published under, on every node
    for (const n of [a, b, c]) {
      const ref = (await (await fetch(`${n.url}/api/v1/microcredentials/${mc.id}/reference`)).json()) as { versions: { version: number; reference: unknown }[] };
      expect(ref.versions).toEqual([expect.objectContaining({ version: 1, reference: { creditSystem: { id: 'CO-MEN', version: NEWER, publishedBy: a.key.did }, levelFramework: { id: 'EQF', version: full.levels.version!, publishedBy: null } } })]);
    }
  }, 400_000);

  it('a catalogue entry published before a newer reference version keeps the version it was published under', async () => {
    const id = c.node.services.catalogue.byInstitution(c.key.did)[0]!.id;
    // an older date than the bundled one is not published (it would never be live)
    expect(() => a.node.services.referencePublisher.publish({ kind: 'credit-system', version: '2020-01-01', record: sctChile })).toThrow(expect.objectContaining({ code: 'conflict' }));
    a.node.services.referencePublisher.publish({ kind: 'credit-system', version: NEWER, record: sctChile, statement: 'same figures, re-published by the coordinating unit' });
    await waitFor(() => c.node.services.reference.get('credit-system', 'SCT-Chile')?.provenance.version === NEWER, LIVENESS_MS, 'the new SCT-Chile version at the Chilean unit');
    c.node.services.catalogue.update(base.code, { ...base, version: 2 });
    await waitFor(() => b.node.services.catalogue.get(id)?.record.version === 2, LIVENESS_MS, 'version 2 at b');
    const ref = (await (await fetch(`${b.url}/api/v1/microcredentials/${id}/reference`)).json()) as { versions: { version: number; reference: { creditSystem: unknown } }[] };
    expect(ref.versions.map((v) => [v.version, v.reference.creditSystem])).toEqual([
      [1, { id: 'SCT-Chile', version: BUNDLED, publishedBy: null }],
      [2, { id: 'SCT-Chile', version: NEWER, publishedBy: a.key.did }],
    ]);
    // the record's history on the network: the bundled floor, then the network's version
    const one = (await (await fetch(`${b.url}/api/v1/reference/credit-system/SCT-Chile`)).json()) as { origin: string; history: { version: string; origin: string }[] };
    expect(one.origin).toBe('network');
    expect(one.history.map((h) => [h.version, h.origin])).toEqual([
      [BUNDLED, 'bundled'],
      [NEWER, 'network'],
    ]);
    // a rebuild from the stored entries gives the same live set and stamps
    b.node.services.feed.rebuild();
    expect(b.node.services.reference.get('credit-system', 'CO-MEN')?.provenance.publishedBy).toBe(a.key.did);
    expect(b.node.services.catalogue.referenceOf(id, 1)?.creditSystem?.version).toBe(BUNDLED);
  }, 400_000);
});
