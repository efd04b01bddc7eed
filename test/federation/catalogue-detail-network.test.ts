// The detail of a microcredential (GET /api/v1/microcredentials/{id}) tells what the network decided about it, from
// the replica of any node: the accreditations in force that a quality-assurance agency published (of the
// microcredential or of its institution; withdrawn and expired ones left out) and the recognition decisions other
// institutions recorded; an institution's page, the accreditations of the institution in force and the decisions it
// published. Only an agency that is a member may accredit, by HTTP as by the CLI's service.
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { adminFetch as adminPost, LIVENESS_MS, startNet, unitCatalogue as fixture, waitFor, type NetNode, type TestNet } from './net.js';

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('microcredential detail across nodes', () => {
  let net: TestNet | undefined;
  afterAll(async () => {
    await net?.close();
  });

  it('shows the accreditations in force published by an agency node and the decisions recorded by another node', async () => {
    net = await startNet(3);
    const [mx, cl, qa] = net.nodes as [NetNode, NetNode, NetNode];
    await net.connect(mx, cl);
    await net.connect(mx, qa);
    await net.connect(cl, qa);
    const mc = mx.node.services.catalogue.create(fixture('mx-uan')[0]);
    for (const r of fixture('cl-uac')) cl.node.services.catalogue.create(r);

    // a university may not accredit; the agency's profile says what it is
    const notAgency = await adminPost(cl, '/accreditations', { accreditationId: 'acc-cl', subject: { type: 'microcredential', id: mc.id }, status: 'accredited', validFrom: day(-10) });
    expect(notAgency.status, await notAgency.clone().text()).toBe(403);
    const profile = qa.node.services.institutions.get(qa.key.did)!.profile;
    const prof = await adminPost(qa, '/profile', { ...profile, kind: 'qa-agency' }, 'PUT');
    expect(prof.status, await prof.clone().text()).toBe(200);

    const accredit = async (body: Record<string, unknown>) => {
      const r = await adminPost(qa, '/accreditations', body);
      expect(r.status, await r.clone().text()).toBe(201);
    };
    await accredit({ accreditationId: 'acc-mc', subject: { type: 'microcredential', id: mc.id }, status: 'accredited', validFrom: day(-30), validUntil: day(365) });
    await accredit({ accreditationId: 'acc-inst', subject: { type: 'institution', id: mx.key.did }, status: 'conditional', validFrom: day(-30) });
    await accredit({ accreditationId: 'acc-expired', subject: { type: 'institution', id: mx.key.did }, status: 'accredited', validFrom: day(-800), validUntil: day(-400) });
    await accredit({ accreditationId: 'acc-later', subject: { type: 'microcredential', id: mc.id }, status: 'accredited', validFrom: day(30) });
    await accredit({ accreditationId: 'acc-gone', subject: { type: 'microcredential', id: mc.id }, status: 'accredited', validFrom: day(-30) });
    await accredit({ accreditationId: 'acc-gone', subject: { type: 'microcredential', id: mc.id }, status: 'withdrawn', validFrom: day(-30) });
    // an accreditation of another institution's microcredential is not this one's
    await accredit({ accreditationId: 'acc-other', subject: { type: 'institution', id: cl.key.did }, status: 'accredited', validFrom: day(-30) });

    await waitFor(() => net!.converged(), LIVENESS_MS, 'the catalogue and the agency profile to replicate');
    const decision = await adminPost(cl, '/recognitions', {
      microcredential: { id: mc.id, version: 1 },
      outcome: 'credits',
      credits: { system: 'SCT-Chile', value: 1.5 },
      validFrom: day(0),
      reasons: { es: 'Resultados de aprendizaje comparables.' },
    });
    expect(decision.status, await decision.clone().text()).toBe(201);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the decision and the accreditations to replicate');

    const schemas = new SchemaRegistry();
    for (const n of [cl, mx]) {
      const r = await fetch(`${n.url}/api/v1/microcredentials/${encodeURIComponent(mc.id)}`);
      expect(r.status).toBe(200);
      const detail = (await r.json()) as {
        accreditations: { accreditationId: string; agency: { did: string }; subject: { type: string; id: string }; status: string }[];
        recognitions: { institution: { did: string }; outcome: string; microcredential: { id: string } }[];
      };
      expect(detail.accreditations.map((a) => a.accreditationId).sort(), n.name).toEqual(['acc-inst', 'acc-mc']);
      expect(detail.accreditations.every((a) => a.agency.did === qa.key.did)).toBe(true);
      expect(detail.recognitions).toHaveLength(1);
      expect(detail.recognitions[0]).toMatchObject({ institution: { did: cl.key.did }, outcome: 'credits', microcredential: { id: mc.id } });
      // the body, accreditations and decisions included, is what the documented schema says
      expect(schemas.validate('api/microcredential-detail', detail)).toEqual({ ok: true });
    }

    // the institution's page: its own accreditations in force (not its microcredentials', not expired ones), and the
    // decisions it published
    const inst = async (n: NetNode, did: string) => {
      const r = await fetch(`${n.url}/api/v1/institutions/${encodeURIComponent(did)}`);
      expect(r.status).toBe(200);
      const body = (await r.json()) as { accreditations: { accreditationId: string }[]; decisions: { institution: { did: string }; outcome: string }[] };
      expect(schemas.validate('api/institution-detail', body), n.name).toEqual({ ok: true });
      return body;
    };
    const mxOnCl = await inst(cl, mx.key.did);
    expect(mxOnCl.accreditations.map((a) => a.accreditationId)).toEqual(['acc-inst']);
    expect(mxOnCl.decisions).toEqual([]);
    const clOnMx = await inst(mx, cl.key.did);
    expect(clOnMx.accreditations.map((a) => a.accreditationId)).toEqual(['acc-other']);
    expect(clOnMx.decisions.map((d) => [d.institution.did, d.outcome])).toEqual([[cl.key.did, 'credits']]);
  });
});
