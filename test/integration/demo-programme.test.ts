// The demo's programme (issue 15 item 2) on a started node of the seed's unit (mx-itpb): the fixture catalogue loads
// (the programme names its modules by code, completed to network-wide ids), the demo issues the three modules and the
// programme badge to the learners of fixtures/learners/programme-mx-itpb.csv, refuses the learner missing a module,
// and each badge carries its module credentials, its final portfolio (served at its URL, bytes matching the digest in
// the URL and in digestSRI) and its assessment on the seed's four dimensions; a re-run issues nothing twice.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalogueFile } from '../../node/catalogue/import.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { MODULE_EVIDENCE_GENRE } from '../../node/credentials/ob3.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';
import { demoProgrammeFile, issueDemoProgramme, PORTFOLIO_DIMENSIONS } from '../../node/demo-programme.js';
import { FIXTURES_DIR } from '../../node/devnet.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe("the demo's programme: the seed's training programme issued with a portfolio", () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await startTestNode({ name: 'Instituto Tecnológico del Pacífico y el Bajío', country: 'MX' });
  });
  afterAll(async () => {
    await n?.close();
  });

  it('loads the fixture, issues modules and badges, refuses the learner missing a module, and a re-run adds nothing', async () => {
    const imported = importCatalogueFile(n.node.services.catalogue, path.join(FIXTURES_DIR, 'units', 'mx-itpb', 'catalogue.json'));
    expect(imported.errors).toEqual([]);
    const programmeId = microcredentialId(n.did, 'dim-programa-microcredenciales');
    const programme = n.node.services.catalogue.get(programmeId)!;
    const moduleIds = ['dim-modulo-1-potencial', 'dim-modulo-2-diseno', 'dim-modulo-3-gestion-qa'].map((c) => microcredentialId(n.did, c));
    expect(programme.record.stackability!.stacksFrom!.map((m) => m.id)).toEqual(moduleIds);
    expect(n.node.services.catalogue.get(moduleIds[0]!)!.record.stackability!.stackableTowards![0]!.id).toBe(programmeId);

    const file = demoProgrammeFile(FIXTURES_DIR, 'mx-itpb');
    const run = (await issueDemoProgramme(n.node, file))!;
    expect(run.programme).toBe(programmeId);
    expect(run.issued.map((i) => i.name)).toEqual(['Lucía Fernández Ortega', 'Andrés Villalobos Cruz', 'Marisol Quispe Mamani']);
    expect(run.refused.map((r) => r.name)).toEqual(['Rodrigo Sandoval Peña']);
    expect(run.refused[0]!.reason).toContain(moduleIds[2]);

    const badge = n.node.services.credentials.get(run.issued[0]!.id)!.credential as {
      evidence: { id: string; genre?: string; name?: string; digestSRI?: string; mediaType?: string }[];
      credentialSubject: { result: { achievedLevel?: string }[]; achievement: { resultDescription: { name: string }[] } };
    };
    expect(ob3SchemaProblems(badge)).toEqual([]);
    expect(badge.evidence.filter((e) => e.genre === MODULE_EVIDENCE_GENRE)).toHaveLength(3);
    expect(badge.credentialSubject.achievement.resultDescription.map((d) => d.name)).toEqual([...PORTFOLIO_DIMENSIONS]);
    expect(badge.credentialSubject.result).toHaveLength(4);

    // the portfolio: served at its URL, the bytes hash to the digest the credential names (URL and digestSRI)
    const portfolio = badge.evidence.find((e) => e.mediaType === 'application/pdf')!;
    expect(portfolio.name).toBe('Portafolio final');
    const res = await fetch(portfolio.id);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(portfolio.id.endsWith(`/api/v1/evidence/${createHash('sha256').update(bytes).digest('hex')}`)).toBe(true);
    expect(portfolio.digestSRI).toBe(`sha256-${createHash('sha256').update(bytes).digest('base64')}`);

    const report = await n.node.services.credentials.verify(badge);
    expect(report.checks.filter((c) => c.status !== 'ok'), JSON.stringify(report.checks)).toEqual([]);

    const again = (await issueDemoProgramme(n.node, file))!;
    expect(again.issued).toEqual([]);
    expect(again.already).toBe(3);
    expect(again.refused.map((r) => r.name)).toEqual(['Rodrigo Sandoval Peña']);
  });
});
