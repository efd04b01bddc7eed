// `mochila recognize` names each accreditation of the looked-up microcredential (agency, subject, status, validity,
// standards, report), those no longer in force marked as history with the day of the withdrawal — not a bare count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCli } from '../../node/cli.js';
import { withServices } from '../../node/cli-common.js';
import { generateKey } from '../../node/identity/keys.js';
import { initNode } from '../../node/init.js';
import { createManifest } from '../../node/trust/manifest.js';
import { unitCatalogue } from '../federation/net.js';

describe('mochila recognize lists the accreditations', () => {
  const dirs: string[] = [];
  let mcId = '';
  beforeAll(() => {
    const keys = [generateKey(), generateKey(), generateKey()];
    const manifest = createManifest({ name: `cli recognize ${Date.now()}`, founders: keys.map((k) => k.did), endorsements: 2 });
    for (let i = 0; i < 3; i++) dirs.push(mkdtempSync(path.join(tmpdir(), 'mochila-cli-acc-')));
    const [registrar, university, agency] = dirs as [string, string, string];
    initNode({ dir: registrar, name: 'Universidad Receptora', country: 'CL', manifest, institutionKey: keys[0]! });
    initNode({ dir: university, name: 'Universidad de Origen', country: 'MX', manifest, institutionKey: keys[1]! });
    initNode({ dir: agency, name: 'Agencia de Acreditación', country: 'CR', manifest, institutionKey: keys[2]!, profile: { kind: 'qa-agency' } });
    mcId = withServices(university, {}, (s) => s.catalogue.create(unitCatalogue('mx-uan')[0]).id);
    withServices(agency, {}, (s) => {
      const base = { subject: { type: 'microcredential', id: mcId }, validFrom: '2025-01-01', validUntil: '2029-12-31', reportUrl: 'https://agencia.example.org/informe.pdf' };
      s.accreditations.publish({ ...base, accreditationId: 'vigente', status: 'accredited', standards: [{ id: 'CRIT-2024', name: { es: 'Criterios 2024' } }] });
      s.accreditations.publish({ ...base, accreditationId: 'retirada', status: 'accredited' });
      s.accreditations.publish({ ...base, accreditationId: 'retirada', status: 'withdrawn' });
    });
    // the registrar's replica gets both feeds (as replication would bring them)
    for (const from of [university, agency]) {
      const [did, entries] = withServices(from, {}, (s) => [s.feed.author, s.feed.read(s.feed.author, 1, 1000)] as const);
      const r = withServices(registrar, {}, (s) => s.feed.ingestBatch(did, entries));
      expect(r.rejected).toEqual([]);
    }
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints one line per accreditation, history marked', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      await buildCli().exitOverride().parseAsync(['node', 'mochila', 'recognize', '--dir', dirs[0]!, '--microcredential', mcId]);
    } finally {
      console.log = log;
    }
    const out = lines.join('\n');
    expect(out).toContain('Acreditaciones: 1');
    expect(out).toMatch(/^ {2}Agencia de Acreditación · microcredential · accredited · 2025-01-01 – 2029-12-31 · CRIT-2024 · https:\/\/agencia\.example\.org\/informe\.pdf$/m);
    expect(out).toMatch(/^ {2}\(historial\) Agencia de Acreditación · microcredential · withdrawn \d{4}-\d{2}-\d{2} · 2025-01-01 – 2029-12-31/m);
  });
});
