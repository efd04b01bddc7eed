// Issue 15 item 2, programmes and stacking: unit A issues the three modules of the seed's training programme (the
// demo unit's fixture), unit B publishes the programme badge stacking from A's modules and issues it through its admin
// API only to a learner who presents a credential in force of every module, verified from B's replica. Refused (422
// programme_modules_not_held, naming the module) to a learner missing a module, to one whose module was revoked on
// A, and to one presenting another learner's module; issued to one holding all three, the badge linking them and
// carrying a portfolio file B serves, its bytes matching the digest the badge names.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portfolioPdf } from '../../node/demo-programme.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { MODULE_EVIDENCE_GENRE } from '../../node/credentials/ob3.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';
import { adminFetch, LIVENESS_MS, startNet, unitCatalogue, waitFor, type NetNode, type TestNet } from './net.js';

type Rec = Record<string, unknown> & { code: string; stackability?: { standalone: boolean; stacksFrom?: { id: string }[] } };
type Problem = { code: string; detail: string; missing: { id: string; name: string }[]; failed: { index: number; credential?: string; module?: string; reasons: string[] }[] };

const fixture = unitCatalogue('mx-itpb') as Rec[];
const programmeFixture = fixture.find((r) => r.stackability?.stacksFrom?.length)!;
const moduleCodes = programmeFixture.stackability!.stacksFrom!.map((m) => m.id);
const moduleRecords = moduleCodes.map((c) => fixture.find((r) => r.code === c)!);

describe('programme badge stacking from module credentials issued on another node', () => {
  let net: TestNet;
  let a: NetNode;
  let b: NetNode;
  const mods: Record<string, Record<string, unknown>[]> = {};
  const moduleIds: string[] = [];
  let moduleIdsOfCredentials: Record<string, string[]> = {};
  let programme: string;

  beforeAll(async () => {
    net = await startNet(2);
    [a, b] = net.nodes as [NetNode, NetNode];
    await net.connect(a, b);
    for (const r of moduleRecords) {
      const res = await adminFetch(a, '/microcredentials', r);
      expect(res.status, await res.clone().text()).toBe(201);
      moduleIds.push(microcredentialId(a.key.did, r.code));
    }
    // the programme is B's, its modules A's: named by network-wide id
    const res = await adminFetch(b, '/microcredentials', { ...programmeFixture, stackability: { standalone: false, stacksFrom: moduleIds.map((id, i) => ({ id, name: (moduleRecords[i]!.title as object) })) } });
    expect(res.status, await res.clone().text()).toBe(201);
    programme = ((await res.json()) as { id: string }).id;
    const learners = { ana: 'ana.lopez@correo.example.mx', beto: 'beto.ruiz@correo.example.mx', carla: 'carla.mena@correo.example.mx' };
    moduleIdsOfCredentials = {};
    for (const [who, email] of Object.entries(learners)) {
      mods[who] = [];
      moduleIdsOfCredentials[who] = [];
      const held = who === 'beto' ? moduleRecords.slice(0, 2) : moduleRecords;
      for (const r of held) {
        const c = await a.node.services.credentials.issue({ microcredential: r.code, learner: { name: who, email } });
        mods[who]!.push(c.credential as Record<string, unknown>);
        moduleIdsOfCredentials[who]!.push(c.id);
      }
    }
    await waitFor(() => net.converged(), LIVENESS_MS, "A's keys, catalogue and status lists to reach B");
  }, 120_000);
  afterAll(async () => {
    await net?.close();
  });

  const issueOnB = (learner: { name: string; email: string }, modules: unknown[]) => adminFetch(b, '/credentials', { microcredential: programme, learner, modules });

  it('refuses a learner missing a module, naming it; another learner’s module does not count', async () => {
    const r = await issueOnB({ name: 'Beto Ruiz', email: 'beto.ruiz@correo.example.mx' }, [...mods['beto']!, mods['ana']![2]!]);
    expect(r.status).toBe(422);
    const p = (await r.json()) as Problem;
    expect(p.code).toBe('programme_modules_not_held');
    expect(p.missing.map((m) => m.id)).toEqual([moduleIds[2]]);
    expect(p.detail).toContain(moduleIds[2]);
    expect(p.detail).toContain('Módulo 3');
    // Ana's module 3 was verified but names another learner
    expect(p.failed).toHaveLength(1);
    expect(p.failed[0]).toMatchObject({ index: 2, module: moduleIds[2], credential: moduleIdsOfCredentials['ana']![2] });
    expect(p.failed[0]!.reasons.join(' ')).toMatch(/does not name this learner/);
    // nothing presented at all
    const none = await adminFetch(b, '/credentials', { microcredential: programme, learner: { name: 'Beto Ruiz', email: 'beto.ruiz@correo.example.mx' } });
    expect(none.status).toBe(422);
    expect(((await none.json()) as Problem).missing).toHaveLength(3);
  });

  it('refuses a learner whose module credential was revoked by its issuer (seen in B’s replica), naming it', async () => {
    // before the revocation Carla's modules count: prove it on a throwaway check that does not issue
    const before = await b.node.services.credentials.verify(mods['carla']![1]);
    expect(before.verified, JSON.stringify(before.checks)).toBe(true);
    await a.node.services.credentials.revoke(moduleIdsOfCredentials['carla']![1]!, 'error administrativo');
    await waitFor(async () => (await b.node.services.credentials.verify(mods['carla']![1])).checks.find((c) => c.id === 'status')!.status === 'failed', LIVENESS_MS, 'the revocation to reach B');
    const r = await issueOnB({ name: 'Carla Mena', email: 'carla.mena@correo.example.mx' }, mods['carla']!);
    expect(r.status).toBe(422);
    const p = (await r.json()) as Problem;
    expect(p.missing.map((m) => m.id)).toEqual([moduleIds[1]]);
    expect(p.failed).toEqual([expect.objectContaining({ index: 1, module: moduleIds[1], credential: moduleIdsOfCredentials['carla']![1] })]);
    expect(p.failed[0]!.reasons.join(' ')).toMatch(/status failed: the credential is revoked/);
  });

  it('refuses a tampered module credential and module credentials for a microcredential that is not a programme', async () => {
    const forged = structuredClone(mods['beto']![0]!) as { credentialSubject: { name: string } };
    forged.credentialSubject.name = 'Otro Nombre';
    const r = await issueOnB({ name: 'Beto Ruiz', email: 'beto.ruiz@correo.example.mx' }, [forged, mods['beto']![1]]);
    const p = (await r.json()) as Problem;
    expect(p.missing.map((m) => m.id)).toEqual([moduleIds[0], moduleIds[2]]);
    expect(p.failed[0]!.reasons.join(' ')).toMatch(/^proof failed/);
    const notProgramme = await adminFetch(a, '/credentials', { microcredential: moduleRecords[0]!.code, learner: { name: 'Dora', email: 'dora@correo.example.mx' }, modules: mods['ana'] });
    expect(notProgramme.status).toBe(400);
    const np = (await notProgramme.json()) as Problem & { technicalDetail?: string };
    expect(np.technicalDetail ?? np.detail).toMatch(/stacks from no modules/);
  });

  it('issues the badge to a learner holding all three, linking each module credential; it verifies on A', async () => {
    // the badge carries the final portfolio (a PDF file B stores and serves) and its assessment
    const pdf = await portfolioPdf('Ana López', 'Programa de capacitación', moduleRecords.map((m) => m.code));
    const r = await adminFetch(b, '/credentials', {
      microcredential: programme,
      learner: { name: 'Ana López', email: 'ana.lopez@correo.example.mx' },
      modules: mods['ana'],
      evidence: [{ name: 'Portafolio final', genre: 'Portafolio', file: { name: 'portafolio.pdf', mediaType: 'application/pdf', content: pdf.toString('base64') } }],
      results: [{ criterion: 'Pensamiento crítico', levels: [{ name: 'Inicial' }, { name: 'Logrado' }], achievedLevel: 'Logrado' }],
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const badge = ((await r.json()) as { credential: Record<string, unknown> }).credential as { evidence: { id: string; type: string[]; genre: string; description: string; digestSRI?: string }[] };
    const links = badge.evidence.filter((e) => e.genre === MODULE_EVIDENCE_GENRE);
    expect(links.map((e) => e.id)).toEqual(moduleIdsOfCredentials['ana']);
    links.forEach((e, i) => expect(e.description).toContain(moduleIds[i]));
    expect(ob3SchemaProblems(badge)).toEqual([]);
    const portfolio = badge.evidence.find((e) => e.genre === 'Portafolio')!;
    const served = Buffer.from(await (await fetch(portfolio.id)).arrayBuffer());
    expect(served.equals(pdf)).toBe(true);
    expect(portfolio.id.endsWith(createHash('sha256').update(served).digest('hex'))).toBe(true);
    expect(portfolio.digestSRI).toBe(`sha256-${createHash('sha256').update(served).digest('base64')}`);
    await waitFor(() => net.converged(), LIVENESS_MS, "B's status lists to reach A");
    const onA = await a.node.services.credentials.verify(badge);
    expect(onA.checks.filter((c) => c.status !== 'ok'), JSON.stringify(onA.checks)).toEqual([]);
    // the programme's detail on A lists its modules with their titles from A's own catalogue
    const detail = (await (await fetch(`${a.url}/api/v1/microcredentials/${encodeURIComponent(programme)}`)).json()) as {
      stackability: { stacksFrom: { id: string }[] };
      modules: { id: string; known: boolean; title: { es: string }; hours: number; institutionDid: string }[];
    };
    expect(detail.stackability.stacksFrom.map((m) => m.id)).toEqual(moduleIds);
    expect(detail.modules.map((m) => [m.id, m.known, m.hours, m.institutionDid])).toEqual(moduleIds.map((id) => [id, true, 12, a.key.did]));
    expect(detail.modules[0]!.title.es).toMatch(/^Módulo 1/);
    // and search results say it is a programme of three modules
    const found = (await (await fetch(`${a.url}/api/v1/microcredentials?q=${encodeURIComponent('capacitación microcredenciales')}`)).json()) as { items: { id: string; modules?: number }[] };
    expect(found.items.find((i) => i.id === programme)?.modules).toBe(3);
    expect(found.items.find((i) => i.id === moduleIds[0])?.modules).toBeUndefined();
  });
});
