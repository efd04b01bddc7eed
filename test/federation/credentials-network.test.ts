// A credential issued by one unit is verified at another, from that node's replica: the issuer key, membership,
// catalogue entry and status lists all arrive by replication; a suspension, a reinstatement and a revocation reach the
// other node too, with the reason category A gave (never the free-text reason); a reinstatement clears the category.
// The issuing node being offline does not stop verification elsewhere.
import { afterAll, describe, expect, it } from 'vitest';
import { LIVENESS_MS, startIssuingNetwork, waitFor, type TestNet } from './net.js';

describe('credentials across the network', () => {
  let net: TestNet | undefined;
  afterAll(async () => {
    await net?.close();
  });

  it('another node verifies a credential from its replica, follows its suspension and revocation, and still knows once the issuer is offline', async () => {
    const w = await startIssuingNetwork({ issuerUnit: 'gt-usm', issuerRecords: 1, learner: { name: 'Ana Lucía Xicará Tzoc', email: 'ana.xicara@correo.example.gt' } });
    net = w.net;
    const { issuer: a, other: b, issued: c } = w;

    const onB = await b.node.services.credentials.verify(c.credential);
    expect(onB.checks.filter((x) => x.status !== 'ok'), JSON.stringify(onB.checks)).toEqual([]);
    expect(onB.verified).toBe(true);
    // the status list credential is served by B as A signed it
    const listUrl = (c.credential as { credentialStatus: { statusListCredential: string } }).credentialStatus.statusListCredential;
    const fromB = await fetch(`${b.url}/api/v1/status-lists/${listUrl.split('/').pop()}`);
    expect(fromB.status).toBe(200);
    expect((await fromB.json()).issuer).toBe((c.credential as { issuer: { id: string } }).issuer.id);

    const statusOnB = async () => (await b.node.services.credentials.verify(c.credential)).checks.find((x) => x.id === 'status')!;
    // suspension travels through the paired suspension list (the credential names only its revocation entry), with
    // its reason category through the list's companion
    await a.node.services.credentials.suspend(c.id, 'revisión pedida por Ana Lucía', 'learner-request');
    await waitFor(async () => (await statusOnB()).status === 'failed', LIVENESS_MS, 'the suspension to reach B');
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the companion list to reach B');
    expect(await statusOnB()).toMatchObject({ reason: 'the credential is suspended', statusChange: { purpose: 'suspension', reason: 'learner-request' } });
    await a.node.services.credentials.reinstate(c.id);
    await waitFor(async () => (await b.node.services.credentials.verify(c.credential)).verified, LIVENESS_MS, 'the reinstatement to reach B');
    // the reinstatement cleared the category: a new suspension without one shows none on B
    await a.node.services.credentials.suspend(c.id);
    await waitFor(async () => (await statusOnB()).status === 'failed', LIVENESS_MS, 'the second suspension to reach B');
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the feeds to converge');
    expect((await statusOnB()).statusChange).toEqual({ purpose: 'suspension', since: expect.any(String) });
    await a.node.services.credentials.reinstate(c.id);

    await a.node.services.credentials.revoke(c.id, 'error administrativo', 'issued-in-error');
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the new status list to reach B');
    await a.stop(); // the issuer goes offline: B still knows
    const after = await b.node.services.credentials.verify(c.credential);
    expect(after.checks.find((x) => x.id === 'status')).toMatchObject({ status: 'failed', statusChange: { purpose: 'revocation', reason: 'issued-in-error' } });
    expect(after.verified).toBe(false);
    // and over HTTP, as the web shows it
    const overHttp = (await (await fetch(`${b.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential: c.credential }) })).json()) as {
      checks: { id: string; statusChange?: { reason?: string } }[];
    };
    expect(overHttp.checks.find((x) => x.id === 'status')?.statusChange?.reason).toBe('issued-in-error');
    // the free-text reasons never left A: nothing B replicated holds them
    const replicated = b.node.services.store.sqlite.prepare("SELECT entry FROM entries WHERE type = 'status-list'").all() as { entry: string }[];
    expect(replicated.length).toBeGreaterThan(0);
    for (const r of replicated) expect(r.entry).not.toMatch(/error administrativo|Ana Lucía/);
  });
});
