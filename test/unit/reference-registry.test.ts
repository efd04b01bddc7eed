// The live reference data of a node (node/catalogue/reference-registry.ts) and the manifest's rule of who may publish
// it (node/trust/reference-policy.ts), on in-memory nodes replicating through the verified ingest path: an entry of a
// member the manifest does not name is refused with its reason; a network version is live only when newer than the
// bundled one (the floor); among network versions of one date the later entry wins; a framework that claims an
// official EQF level without an official referencing is refused; CreditSystems and the catalogue read the live set.
import { afterEach, describe, expect, it } from 'vitest';
import { loadReferenceData, type ReferenceData } from '../../node/catalogue/reference-data.js';
import { generateKey } from '../../node/identity/keys.js';
import { signEntry } from '../../node/feed/entry.js';
import { createManifest } from '../../node/trust/manifest.js';
import type { Services } from '../../node/context.js';
import { memoryServices } from '../helpers/nodes.js';
import { replicate } from '../helpers/replicate.js';
import { unitCatalogue } from '../federation/net.js';

const full = loadReferenceData();
const coMen = full.creditSystems.systems.find((s) => s.id === 'CO-MEN')!;
const satca = full.creditSystems.systems.find((s) => s.id === 'SATCA')!;
const withoutColombia: ReferenceData = { ...full, creditSystems: { ...full.creditSystems, systems: full.creditSystems.systems.filter((s) => s.id !== 'CO-MEN') } };
/** A version newer than the bundled credit systems (the floor), so that a network version of them is live. */
const NEWER = new Date(Date.parse(`${full.creditSystems.version!}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('reference data: the live set and who may publish it', () => {
  const ka = generateKey();
  const kb = generateKey();
  const manifest = createManifest({ name: 'ref test', founders: [ka.did, kb.did], endorsements: 1, referencePublishers: [ka.did], createdAt: new Date('2026-01-01T00:00:00Z') });
  const open: Services[] = [];
  const node = (key: typeof ka) => {
    const s = memoryServices({ key, manifest });
    open.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of open.splice(0)) s.store.close();
  });

  it('refuses at ingest a reference entry of a member the manifest does not name, with the reason', () => {
    const a = node(ka);
    const b = node(kb);
    // b's own node would refuse to publish; signed anyway (as a modified node would), it reaches a
    expect(() => b.referencePublisher.publish({ kind: 'credit-system', version: NEWER, record: coMen })).toThrow(expect.objectContaining({ code: 'not_authorised' }));
    const forged = b.feed.append('reference', { kind: 'credit-system', version: NEWER, record: coMen });
    const r = a.feed.ingestBatch(kb.did, b.feed.read(kb.did, 1, 100));
    expect(r.accepted).toBe(0);
    expect(r.rejected).toEqual([expect.objectContaining({ code: 'not_authorised', seq: forged.seq, reason: expect.stringContaining(ka.did) })]);
    expect(a.feed.head(kb.did)).toBeNull();
  });

  it('a credit system published by the authorised member becomes known to the catalogue of another node, with no code change', () => {
    const a = node(ka);
    const b = memoryServices({ key: kb, manifest, referenceData: withoutColombia });
    open.push(b);
    const record = { ...structuredClone(unitCatalogue('cl-uac')[0]!), code: 'co-control', country: 'CO', awardingBody: { name: 'Universidad de prueba (Colombia)' }, workload: { hours: 96, credits: { system: 'CO-MEN', value: 2 } } };
    expect(b.credits.known('CO-MEN')).toBe(false);
    expect(() => b.catalogue.create(record)).toThrow(expect.objectContaining({ code: 'unknown_credit_system' }));
    a.referencePublisher.publish({ kind: 'credit-system', version: NEWER, record: coMen });
    replicate(a, b);
    expect(b.reference.get('credit-system', 'CO-MEN')?.provenance).toMatchObject({ origin: 'network', version: NEWER, publishedBy: ka.did });
    expect(b.credits.hoursToCredits(96, 'CO-MEN')).toEqual({ system: 'CO-MEN', min: 2, max: 2 });
    const mc = b.catalogue.create(record);
    expect(b.catalogue.referenceOf(mc.id, 1)?.creditSystem).toEqual({ id: 'CO-MEN', version: NEWER, publishedBy: ka.did });
  });

  it('the bundled set is the floor; among network versions the newest wins, the later entry on the same date', () => {
    const a = node(ka);
    const b = node(kb);
    // an older date than the bundled data (appended directly: the publisher would refuse it)
    a.feed.append('reference', { kind: 'credit-system', version: '2020-01-01', record: { ...satca, hoursPerCredit: { min: 10, max: 10 } } });
    replicate(a, b);
    expect(b.reference.get('credit-system', 'SATCA')?.provenance.origin).toBe('bundled');
    expect(b.credits.hoursPerCredit('SATCA')).toEqual(satca.hoursPerCredit);
    a.referencePublisher.publish({ kind: 'credit-system', version: NEWER, record: { ...satca, hoursPerCredit: { min: 16, max: 21 } } });
    a.referencePublisher.publish({ kind: 'credit-system', version: NEWER, record: { ...satca, hoursPerCredit: { min: 16, max: 22 } } });
    replicate(a, b);
    expect(b.credits.hoursPerCredit('SATCA')).toEqual({ min: 16, max: 22 });
    expect(b.reference.history('credit-system', 'SATCA').map((h) => [h.version, h.origin])).toEqual([
      [full.creditSystems.version, 'bundled'],
      ['2020-01-01', 'network'],
      [NEWER, 'network'], // the same publisher's second entry of one date replaces its first
    ]);
    // a rebuild from the entries gives the same live set
    b.feed.rebuild();
    expect(b.credits.hoursPerCredit('SATCA')).toEqual({ min: 16, max: 22 });
  });

  it('refuses a version dated later than the day after its entry: a far-future version would pin the record for good', () => {
    const a = node(ka);
    const b = node(kb);
    const satca = full.creditSystems.systems.find((s) => s.id === 'SATCA')!;
    expect(() => a.referencePublisher.publish({ kind: 'credit-system', version: '9999-12-31', record: satca })).toThrow();
    // a hostile publisher signing it anyway: every node refuses the entry at ingest
    const head = a.feed.head(ka.did);
    const forged = signEntry(ka, { v: 2, net: a.feed.network, author: ka.did, seq: (head?.seq ?? 0) + 1, prev: head?.id ?? null, ts: new Date().toISOString(), type: 'reference', body: { kind: 'credit-system', version: '9999-12-31', record: satca } });
    const r = b.feed.ingestBatch(ka.did, [...a.feed.read(ka.did, 1, 100), forged]);
    expect(r.rejected.map((x) => x.reason).join(' ')).toMatch(/later than the day after/);
    expect(b.reference.get('credit-system', 'SATCA')?.provenance.origin).toBe('bundled');
  });

  it('refuses a framework that claims an official EQF level without an official referencing', () => {
    const a = node(ka);
    const mncCl = structuredClone(full.levels.frameworks.find((f) => f.id === 'MNC-CL')!);
    mncCl.levels[0]!.eqf = 5;
    expect(() => a.referencePublisher.publish({ kind: 'qualifications-framework', version: '2026-12-02', record: mncCl })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    // with an official referencing citing its source, the same levels are accepted
    mncCl.referencing = [{ to: 'EQF', status: 'official', basis: { en: 'test' }, source: full.levels.frameworks.find((f) => f.id === 'EQF')!.source }];
    expect(() => a.referencePublisher.publish({ kind: 'qualifications-framework', version: '2026-12-02', record: mncCl })).not.toThrow();
    expect(a.reference.data().levels.frameworks.find((f) => f.id === 'MNC-CL')?.levels[0]?.eqf).toBe(5);
  });
});

