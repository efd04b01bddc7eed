// QA agencies first-class (issue 18 item 4) on a real 3-node network: a university (A: mx-uan's catalogue and the
// seed's training programme with its modules), another (B: cl-uac's catalogue) and a quality-assurance agency (C,
// profile kind qa-agency). The agency accredits A's institution, A's programme, B's microcredential and B's
// institution (expiring soon), and accredits then withdraws another of A's microcredentials. On EVERY node: the
// detail API shows the accreditations in force with standards, decision and report link (the programme's on its
// modules too, viaProgramme), the withdrawal stays as history (withdrawnOn), the institution API and the
// verification report carry them, and the comparison names each side's ("acreditada por … hasta …"; the agency has
// no catalogue of its own, so its comparison is empty and its lookup is checked). The node's injected clock decides
// expiry: moved past B's validUntil, that accreditation leaves force and joins the history on every node. An
// accreditation signed by a member that is not a qa-agency is refused at ingest (not_authorised) by the others.
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { adminFetch, LIVENESS_MS, startNet, unitCatalogue, waitFor, type NetNode, type TestNet } from './net.js';

interface Acc {
  accreditationId: string;
  subject: { type: string; id: string };
  status: string;
  inForce: boolean;
  withdrawnOn?: string;
  validUntil?: string;
  standards?: { id: string; url?: string }[];
  decision?: Record<string, string>;
  reportUrl?: string;
  viaProgramme?: { id: string };
  agency: { did: string };
}
interface AccBy {
  agencyDid: string;
  subject: string;
  validUntil?: string;
}

describe('accreditations by a qa-agency node on every node of a 3-node network', () => {
  let net: TestNet | undefined;
  afterAll(async () => {
    await net?.close();
  });

  it('detail, institution, verification report and comparison show them; withdrawal and expiry keep them as history; a non-agency is refused at ingest', async () => {
    let offsetMs = 0;
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const day = (d: number) => new Date(clock.now().getTime() + d * 86_400_000).toISOString().slice(0, 10);
    net = await startNet(3, { clock });
    const [a, b, c] = net.nodes as [NetNode, NetNode, NetNode];
    await net.connect(a, b);
    await net.connect(a, c);
    await net.connect(b, c);

    for (const r of unitCatalogue('mx-uan')) a.node.services.catalogue.create(r);
    // the seed's training programme: modules first, then the programme that stacks from them
    const itpb = unitCatalogue('mx-itpb').filter((r) => r.code.startsWith('dim-'));
    for (const r of itpb) a.node.services.catalogue.create(r);
    for (const r of unitCatalogue('cl-uac')) b.node.services.catalogue.create(r);
    const programme = microcredentialId(a.key.did, 'dim-programa-microcredenciales');
    const module1 = microcredentialId(a.key.did, 'dim-modulo-1-potencial');
    const aMc = microcredentialId(a.key.did, 'prev-iaas');
    const aGone = microcredentialId(a.key.did, 'farmacovigilancia');
    const bMc = microcredentialId(b.key.did, 'control-iaas');
    expect(a.node.services.catalogue.get(programme)?.record.stackability?.stacksFrom?.map((m) => m.id)).toContain(module1);

    const profile = c.node.services.institutions.get(c.key.did)!.profile;
    const prof = await adminFetch(c, '/profile', { ...profile, kind: 'qa-agency' }, 'PUT');
    expect(prof.status, await prof.clone().text()).toBe(200);
    const accredit = async (body: Record<string, unknown>) => {
      const r = await adminFetch(c, '/accreditations', body);
      expect(r.status, await r.clone().text()).toBe(201);
    };
    const standards = [{ id: 'ACAP-MC-2024', name: { es: 'Criterios ACAP 2024' }, url: 'https://acap.example.org/criterios' }];
    const decision = { es: 'Acreditada por cinco años.' };
    const reportUrl = 'https://acap.example.org/informes/x.pdf';
    await accredit({ accreditationId: 'inst-a', subject: { type: 'institution', id: a.key.did }, status: 'accredited', validFrom: day(-30), validUntil: day(1000), standards, decision, reportUrl });
    await accredit({ accreditationId: 'prog-a', subject: { type: 'programme', id: programme }, status: 'accredited', validFrom: day(-30), validUntil: day(900), standards, decision, reportUrl });
    await accredit({ accreditationId: 'mc-b', subject: { type: 'microcredential', id: bMc }, status: 'conditional', validFrom: day(-30), validUntil: day(800), standards, decision, reportUrl });
    await accredit({ accreditationId: 'inst-b', subject: { type: 'institution', id: b.key.did }, status: 'accredited', validFrom: day(-300), validUntil: day(10) });
    await accredit({ accreditationId: 'gone-a', subject: { type: 'microcredential', id: aGone }, status: 'accredited', validFrom: day(-30), validUntil: day(700) });
    await accredit({ accreditationId: 'gone-a', subject: { type: 'microcredential', id: aGone }, status: 'withdrawn', validFrom: day(-30), validUntil: day(700) });
    const issued = await a.node.services.credentials.issue({ microcredential: 'prev-iaas', learner: { name: 'Ana Prueba', email: 'ana@example.org' } });
    await waitFor(() => net!.converged(), LIVENESS_MS, 'catalogues, the agency profile, its accreditations and the issuer key to replicate');

    const schemas = new SchemaRegistry();
    const get = async <T>(n: NetNode, p: string, schema: string): Promise<T> => {
      const r = await fetch(`${n.url}/api/v1${p}`);
      expect(r.status, `${n.name} ${p}`).toBe(200);
      const body = (await r.json()) as T;
      expect(schemas.validate(schema, body), `${n.name} ${p}`).toEqual({ ok: true });
      return body;
    };
    const detail = (n: NetNode, id: string) => get<{ accreditations: Acc[]; accreditationHistory: Acc[] }>(n, `/microcredentials/${encodeURIComponent(id)}`, 'api/microcredential-detail');
    const inst = (n: NetNode, did: string) => get<{ accreditations: Acc[]; accreditationHistory: Acc[] }>(n, `/institutions/${encodeURIComponent(did)}`, 'api/institution-detail');
    const ids = (xs: { accreditationId: string }[]) => xs.map((x) => x.accreditationId).sort();
    const comparisonOn = async (n: NetNode, foreign: string) =>
      (await get<{ items: { candidate: { id: string }; qualityAssurance: { foreignAccreditedBy: AccBy[]; localAccreditedBy: AccBy[] } }[] }>(n, `/microcredentials/${encodeURIComponent(foreign)}/comparison`, 'api/recognition-comparison')).items;

    for (const n of [a, b, c]) {
      // the programme: its own accreditation and its institution's, with standards, decision and report
      const prog = await detail(n, programme);
      expect(ids(prog.accreditations), n.name).toEqual(['inst-a', 'prog-a']);
      const pa = prog.accreditations.find((x) => x.accreditationId === 'prog-a')!;
      expect(pa).toMatchObject({ subject: { type: 'programme', id: programme }, inForce: true, decision, reportUrl, agency: { did: c.key.did } });
      expect(pa.standards?.map((s) => s.id)).toEqual(['ACAP-MC-2024']);
      // its module: the programme's accreditation noted (viaProgramme)
      const mod = await detail(n, module1);
      expect(mod.accreditations.find((x) => x.accreditationId === 'prog-a')?.viaProgramme?.id, n.name).toBe(programme);
      // the withdrawn one: out of force, kept as history with the day it was withdrawn
      const gone = await detail(n, aGone);
      expect(ids(gone.accreditations), n.name).toEqual(['inst-a']);
      expect(gone.accreditationHistory.map((x) => [x.accreditationId, x.status, x.inForce, typeof x.withdrawnOn])).toEqual([['gone-a', 'withdrawn', false, 'string']]);
      // the institutions
      expect(ids((await inst(n, a.key.did)).accreditations), n.name).toEqual(['inst-a']);
      expect(ids((await inst(n, b.key.did)).accreditations), n.name).toEqual(['inst-b']);
      // the verification report of A's credential names the accreditations in force of its microcredential
      const vr = await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(issued.credential) });
      const report = (await vr.json()) as { verified: boolean; microcredential?: { accreditations?: Acc[] } };
      expect(schemas.validate('api/verification-report', report), n.name).toEqual({ ok: true });
      expect(report.verified, n.name).toBe(true);
      expect(ids(report.microcredential?.accreditations ?? []), n.name).toEqual(['inst-a']);
    }
    // the comparison names each side's accreditations: on A, B's control-iaas against A's catalogue, and back on B
    const onA = (await comparisonOn(a, bMc)).find((x) => x.candidate.id === aMc);
    expect(onA, 'prev-iaas is a candidate for control-iaas').toBeTruthy();
    expect(onA!.qualityAssurance.foreignAccreditedBy.map((x) => [x.agencyDid, x.subject, x.validUntil]).sort()).toEqual([
      [c.key.did, 'institution', day(10)],
      [c.key.did, 'microcredential', day(800)],
    ]);
    expect(onA!.qualityAssurance.localAccreditedBy.map((x) => [x.subject, x.validUntil])).toEqual([['institution', day(1000)]]);
    const onB = (await comparisonOn(b, aMc)).find((x) => x.candidate.id === bMc)!;
    expect(onB.qualityAssurance.foreignAccreditedBy.map((x) => x.subject)).toEqual(['institution']);
    expect(onB.qualityAssurance.localAccreditedBy.map((x) => x.subject).sort()).toEqual(['institution', 'microcredential']);
    // the agency has no catalogue to compare with: its registrar's lookup still lists every accreditation, marked
    const lookup = await fetch(`${c.url}/api/v1/recognition/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ microcredential: bMc }) });
    expect(lookup.status).toBe(200);
    const found = (await lookup.json()) as { accreditations: Acc[]; comparison: unknown[] };
    expect(found.accreditations.map((x) => [x.accreditationId, x.inForce]).sort()).toEqual([
      ['inst-b', true],
      ['mc-b', true],
    ]);
    // the printable report names them too
    const html = await (await fetch(`${a.url}/api/v1/recognition/report?microcredential=${encodeURIComponent(bMc)}&lang=es`)).text();
    expect(html).toContain(`acreditada por`);

    // the node's clock decides expiry: 20 days on, B's institution accreditation (until day 10) is history everywhere
    offsetMs = 20 * 86_400_000;
    for (const n of [a, b, c]) {
      const bi = await inst(n, b.key.did);
      expect(bi.accreditations, n.name).toEqual([]);
      expect(ids(bi.accreditationHistory), n.name).toEqual(['inst-b']);
      expect(ids((await detail(n, bMc)).accreditations), n.name).toEqual(['mc-b']);
    }
    const later = (await comparisonOn(a, bMc)).find((x) => x.candidate.id === aMc)!;
    expect(later.qualityAssurance.foreignAccreditedBy.map((x) => x.subject)).toEqual(['microcredential']);
    offsetMs = 0;

    // a member that is not a qa-agency: its own node appends the entry (no service check), the others refuse it
    const forged = b.node.services.feed.append('accreditation', { accreditationId: 'self', subject: { type: 'institution', id: b.key.did }, status: 'accredited', validFrom: day(-1) });
    for (const n of [a, c]) {
      const r = n.node.services.feed.ingestOne(forged);
      expect(r.accepted, n.name).toBe(0);
      expect(r.rejected.map((x) => x.code), n.name).toEqual(['not_authorised']);
      expect(ids((await inst(n, b.key.did)).accreditations), n.name).toEqual(['inst-b']);
    }
  });
});
