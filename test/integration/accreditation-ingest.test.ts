// Who may accredit, at ingest (issue 18 item 4): an `accreditation` entry is admitted into a replica only from a
// member whose profile (earlier in its own feed) is of kind qa-agency. A university that signs one on its own node
// (bypassing the service's check) gets it refused by every other node with not_authorised; the same entry type from
// an agency is admitted, and so are the university's other entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe('accreditations at ingest', () => {
  let reader: TestNode, university: TestNode, agency: TestNode;
  beforeAll(async () => {
    const keys = [generateKey(), generateKey(), generateKey()];
    const manifest = createManifest({ name: `accreditation ingest ${Date.now()}`, founders: keys.map((k) => k.did), endorsements: 2 });
    [reader, university, agency] = (await Promise.all(keys.map((key, i) => startTestNode({ name: `Nodo ${i}`, manifest, key, config: { standalone: true } })))) as [TestNode, TestNode, TestNode];
    const p = agency.node.services.institutions.get(agency.did)!.profile;
    agency.node.services.institution.publishProfile({ ...p, kind: 'qa-agency' });
  });
  afterAll(async () => {
    await Promise.all([reader, university, agency].map((n) => n?.close()));
  });

  const body = (id: string, subject: string) => ({ accreditationId: id, subject: { type: 'institution', id: subject }, status: 'accredited', validFrom: '2025-01-01' });
  const all = (n: TestNode) => n.node.services.feed.read(n.did, 1, 1000);

  it("refuses a university's accreditation with not_authorised, keeps its entries before it, admits an agency's", () => {
    const forged = university.node.services.feed.append('accreditation', body('self', university.did));
    const r = reader.node.services.feed.ingestBatch(university.did, all(university));
    expect(r.rejected.map((x) => [x.code, x.seq]), JSON.stringify(r.rejected)).toEqual([['not_authorised', forged.seq]]);
    expect(r.accepted).toBe(forged.seq - 1);
    expect(reader.node.services.feed.head(university.did)!.seq).toBe(forged.seq - 1);
    // one by one, as gossip delivers it, the same
    const one = reader.node.services.feed.ingestOne(forged);
    expect(one.rejected.map((x) => x.code)).toEqual(['not_authorised']);

    const ok = agency.node.services.accreditations.publish(body('inst', university.did));
    const a = reader.node.services.feed.ingestBatch(agency.did, all(agency));
    expect(a.rejected).toEqual([]);
    expect(reader.node.services.feed.head(agency.did)!.seq).toBe(ok.seq);
  });
});

describe('accreditations at ingest, in a network whose manifest names its agencies (qaAgencies)', () => {
  let reader: TestNode, pretender: TestNode, agency: TestNode;
  beforeAll(async () => {
    const keys = [generateKey(), generateKey(), generateKey()];
    const manifest = createManifest({ name: `accreditation agencies ${Date.now()}`, founders: keys.map((k) => k.did), endorsements: 2, qaAgencies: [keys[2]!.did] });
    [reader, pretender, agency] = (await Promise.all(keys.map((key, i) => startTestNode({ name: `Nodo ${i}`, manifest, key, config: { standalone: true } })))) as [TestNode, TestNode, TestNode];
    // both say qa-agency in their own profile; only one is named by the manifest
    for (const n of [pretender, agency]) n.node.services.institution.publishProfile({ ...n.node.services.institutions.get(n.did)!.profile, kind: 'qa-agency' });
  });
  afterAll(async () => {
    await Promise.all([reader, pretender, agency].map((n) => n?.close()));
  });

  const body = (id: string, subject: string) => ({ accreditationId: id, subject: { type: 'institution', id: subject }, status: 'accredited', validFrom: '2025-01-01' });
  const all = (n: TestNode) => n.node.services.feed.read(n.did, 1, 1000);

  it('a member that changed its profile to qa-agency may not accredit itself: its own node refuses, every other node refuses the entry', () => {
    expect(() => pretender.node.services.accreditations.publish(body('self', pretender.did))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    const forged = pretender.node.services.feed.append('accreditation', body('self', pretender.did));
    const r = reader.node.services.feed.ingestBatch(pretender.did, all(pretender));
    expect(r.rejected.map((x) => [x.code, x.seq])).toEqual([['not_authorised', forged.seq]]);
    expect(r.rejected[0]!.reason).toMatch(/qaAgencies do not name it/);
    const ok = agency.node.services.accreditations.publish(body('inst', pretender.did));
    expect(reader.node.services.feed.ingestBatch(agency.did, all(agency)).rejected).toEqual([]);
    expect(reader.node.services.feed.head(agency.did)!.seq).toBe(ok.seq);
  });
});
