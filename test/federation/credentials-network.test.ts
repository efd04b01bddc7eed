// A credential issued by one unit is verified at another, from that node's replica: the issuer key, membership,
// catalogue entry and status lists all arrive by replication; a revocation reaches the other node too. The issuing
// node being offline does not stop verification elsewhere.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LIVENESS_MS, startNet, waitFor, type TestNet } from './net.js';

const records = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/units/gt-usm/catalogue.json'), 'utf8')) as { code: string }[];

describe('credentials across the network', () => {
  let net: TestNet | undefined;
  afterAll(async () => {
    await net?.close();
  });

  it('verifies at another node, offline from the issuer, and sees a revocation', async () => {
    net = await startNet(2);
    const [a, b] = net.nodes as [TestNet['nodes'][0], TestNet['nodes'][0]];
    await net.connect(a, b);
    a.node.services.catalogue.create(records[0]);
    const c = await a.node.services.credentials.issue({ microcredential: records[0]!.code, learner: { name: 'Ana Lucía Xicará Tzoc', email: 'ana.xicara@correo.example.gt' } });
    await waitFor(() => net!.converged(), LIVENESS_MS, 'B to hold A’s key, catalogue and status lists');

    const onB = await b.node.services.credentials.verify(c.credential);
    expect(onB.checks.filter((x) => x.status !== 'ok'), JSON.stringify(onB.checks)).toEqual([]);
    expect(onB.verified).toBe(true);
    // the status list credential is served by B as A signed it
    const listUrl = (c.credential as { credentialStatus: { statusListCredential: string } }).credentialStatus.statusListCredential;
    const fromB = await fetch(`${b.url}/api/v1/status-lists/${listUrl.split('/').pop()}`);
    expect(fromB.status).toBe(200);
    expect((await fromB.json()).issuer).toBe((c.credential as { issuer: { id: string } }).issuer.id);

    // suspension travels through the paired suspension list (the credential names only its revocation entry)
    await a.node.services.credentials.suspend(c.id, 'revisión');
    await waitFor(async () => (await b.node.services.credentials.verify(c.credential)).checks.find((x) => x.id === 'status')!.status === 'failed', LIVENESS_MS, 'the suspension to reach B');
    expect((await b.node.services.credentials.verify(c.credential)).checks.find((x) => x.id === 'status')!.reason).toBe('the credential is suspended');
    await a.node.services.credentials.reinstate(c.id);
    await waitFor(async () => (await b.node.services.credentials.verify(c.credential)).verified, LIVENESS_MS, 'the reinstatement to reach B');

    await a.node.services.credentials.revoke(c.id, 'error administrativo');
    await waitFor(() => net!.converged(), LIVENESS_MS, 'the new status list to reach B');
    await a.stop(); // the issuer goes offline: B still knows
    const after = await b.node.services.credentials.verify(c.credential);
    expect(after.checks.find((x) => x.id === 'status')!.status).toBe('failed');
    expect(after.verified).toBe(false);
  });
});
