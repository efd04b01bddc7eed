// The registrar's flow across real nodes: a Mexican unit issues a credential; the Chilean registrar looks it up on
// the Chilean node (verified from its replica, compared with the local catalogue), records a decision there, and
// the decision appears in the lookup on the Mexican node. A tampered credential still gets a lookup that shows
// what could be checked.
import { afterAll, describe, expect, it } from 'vitest';
import { adminFetch, LIVENESS_MS, startIssuingNetwork, waitFor, type TestNet } from './net.js';

describe('recognition across nodes', () => {
  let net: TestNet | undefined;
  afterAll(async () => {
    await net?.close();
  });

  it('a lookup on one node verifies and compares a foreign credential; the decision recorded there shows in the lookup on the issuing node; a tampered credential still gets its entry and decisions with a failed proof', async () => {
    // the Mexican unit issues, the Chilean registrar looks it up against its own catalogue
    const w = await startIssuingNetwork({ issuerUnit: 'mx-uan', otherUnit: 'cl-uac', microcredential: 'prev-iaas', learner: { name: 'Guadalupe Xóchitl Ramírez', email: 'guadalupe@correo.example.mx' } });
    net = w.net;
    const { issuer: mx, other: cl, issued: cred } = w;

    const lookup = async (url: string, body: unknown) => {
      const r = await fetch(`${url}/api/v1/recognition/lookup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBe(200);
      return r.json();
    };
    const onCl = await lookup(cl.url, { credential: cred.credential });
    expect(onCl.verification.verified, JSON.stringify(onCl.verification.checks)).toBe(true);
    expect(onCl.microcredentialId).toBe(cred.microcredential);
    expect(onCl.comparison.length).toBeGreaterThan(0);
    expect(onCl.decisions).toEqual([]);

    const decision = {
      microcredential: { id: cred.microcredential, version: 1 },
      outcome: 'credits',
      credits: { system: 'SCT-Chile', value: 1.5 },
      validFrom: '2026-12-01',
      reasons: { es: 'Resultados de aprendizaje comparables; carga menor que el curso local.' },
    };
    const rec = await adminFetch(cl, '/recognitions', decision);
    expect(rec.status, await rec.clone().text()).toBe(201);
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the decision to replicate');

    const onMx = await lookup(mx.url, { microcredential: cred.microcredential });
    expect(onMx.decisions).toHaveLength(1);
    expect(onMx.decisions[0].institution.did).toBe(cl.key.did);
    expect(onMx.decisions[0].outcome).toBe('credits');
    const listed = await (await fetch(`${mx.url}/api/v1/recognitions?institution=${encodeURIComponent(cl.key.did)}`)).json();
    expect(JSON.stringify(listed)).toContain(cred.microcredential);

    // a tampered credential: the lookup still shows the entry and the decisions, with a failed proof
    const tampered = structuredClone(cred.credential) as { credentialSubject: { achievement: { name: string } } };
    tampered.credentialSubject.achievement.name = 'Otra cosa';
    const bad = await lookup(cl.url, { credential: tampered });
    expect(bad.verification.verified).toBe(false);
    expect(bad.verification.checks.find((c: { id: string }) => c.id === 'proof').status).toBe('failed');
    expect(bad.decisions).toHaveLength(1);
  });
});
