// The demo's fixture quality-assurance agency (issue 18 item 4): `mochila devnet` starts ACAP
// (fixtures/agencies/acap) as a founder of kind qa-agency beside the units; it accredits an institution and a
// microcredential of the started pilots and accredits then withdraws another, so every node of the demo shows
// accreditations (and one as history) once replicated; a restart publishes nothing twice. The fixture's programme
// accreditation names the seed's programme of mx-itpb (a microcredential that stacks from modules).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, runDevnet, type Devnet } from '../../node/devnet.js';
import { demoAccreditationBodies } from '../../node/demo-agency.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { generateKey } from '../../node/identity/keys.js';
import { LIVENESS_MS, waitFor } from '../federation/net.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mochila-demo-agency-'));
let net: Devnet | null = null;

afterAll(async () => {
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Acc {
  accreditationId: string;
  status: string;
  inForce: boolean;
  withdrawnOn?: string;
  agency: { did: string };
}

describe("the demo's quality-assurance agency", () => {
  it('resolves the fixture: institution, microcredential and the seed programme of the started units only', () => {
    const itpb = generateKey().did;
    const uac = generateKey().did;
    const bodies = demoAccreditationBodies(FIXTURES_DIR, new Map([['mx-itpb', itpb], ['cl-uac', uac]]));
    expect(bodies.map((b) => [b.subject.type, b.subject.id])).toEqual([
      ['institution', uac],
      ['microcredential', microcredentialId(uac, 'cuidados-paliativos')],
      ['programme', microcredentialId(itpb, 'dim-programa-microcredenciales')],
    ]);
    // the programme is one (it stacks from modules) in mx-itpb's catalogue; every body has standards, decision, report
    const itpbCatalogue = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'units', 'mx-itpb', 'catalogue.json'), 'utf8')) as { code: string; stackability?: { stacksFrom?: unknown[] } }[];
    expect(itpbCatalogue.find((r) => r.code === 'dim-programa-microcredenciales')?.stackability?.stacksFrom?.length).toBe(3);
    for (const b of bodies) expect(b.standards?.length && b.decision && b.reportUrl, b.accreditationId).toBeTruthy();
  });

  it('starts the agency with two units; every node shows its accreditations, a withdrawal as history; a restart adds nothing', async () => {
    const lines: string[] = [];
    net = await runDevnet({ dir, units: 2, httpPort: 0, p2pPort: 0, fresh: true, logLevel: 'error', log: (l) => lines.push(l) });
    const agency = net.agency!;
    expect(agency, lines.join('\n')).toBeTruthy();
    expect(agency.node.services.institutions.get(agency.did)?.profile.kind).toBe('qa-agency');
    const [uac, upn] = net.units as [Devnet['units'][0], Devnet['units'][0]];
    expect([uac.slug, upn.slug]).toEqual(['cl-uac', 'cl-upn']);
    await waitFor(() => net!.converged(60_000), LIVENESS_MS * 2, 'the demo network to converge');
    const palliative = microcredentialId(uac.did, 'cuidados-paliativos');
    const hydrogen = microcredentialId(upn.did, 'hidrogeno-verde');
    for (const n of [uac, upn, agency]) {
      const d = (await (await fetch(`${n.node.httpUrl}/api/v1/microcredentials/${encodeURIComponent(palliative)}`)).json()) as { accreditations: Acc[] };
      expect(d.accreditations.map((a) => a.accreditationId).sort(), n.slug).toEqual(['acap-2025-inst-cl-uac', 'acap-2025-mc-cl-uac-cuidados']);
      expect(d.accreditations.every((a) => a.agency.did === agency.did)).toBe(true);
      const h = (await (await fetch(`${n.node.httpUrl}/api/v1/microcredentials/${encodeURIComponent(hydrogen)}`)).json()) as { accreditations: Acc[]; accreditationHistory: Acc[] };
      expect(h.accreditations, n.slug).toEqual([]);
      expect(h.accreditationHistory.map((a) => [a.accreditationId, a.status, a.inForce, typeof a.withdrawnOn]), n.slug).toEqual([['acap-2025-mc-cl-upn-hidrogeno', 'withdrawn', false, 'string']]);
      const i = (await (await fetch(`${n.node.httpUrl}/api/v1/institutions/${encodeURIComponent(uac.did)}`)).json()) as { accreditations: Acc[] };
      expect(i.accreditations.map((a) => a.accreditationId), n.slug).toEqual(['acap-2025-inst-cl-uac']);
    }
    const seq = agency.node.services.feed.head(agency.did)!.seq;
    await net.close();
    net = null;
    net = await runDevnet({ dir, units: 2, httpPort: 0, p2pPort: -1, logLevel: 'error' });
    expect(net.agency!.node.services.feed.head(net.agency!.did)!.seq).toBe(seq);
  });
});
