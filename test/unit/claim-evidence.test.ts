/**
 * The evidence and results a credential carries, as the claim page (web/src/pages/claim-evidence.tsx) and the share
 * page (node/http/routes/claims.routes.ts) show them: both read the same table the same way — rubric levels by name,
 * values, statuses; an evidence entry's id is a link only when it is http(s) (javascript:, data:, a module
 * credential's urn:uuid are not); junk where a list or an object should be is skipped; the share page escapes every
 * field.
 */
import { describe, expect, it } from 'vitest';
import { evidenceAndResults as webEvidence } from '../../web/src/pages/claim-evidence.js';
import { evidenceAndResults as nodeEvidence, sharePage } from '../../node/http/routes/claims.routes.js';
import type { IssuedCredential } from '../../node/credentials/issued-credentials.js';

const ach = 'https://uni.example/achievements/portafolio';
const credential = {
  id: 'urn:uuid:6f1c1b1e-0000-4000-8000-000000000001',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { name: 'Universidad <Prueba>' },
  evidence: [
    { id: 'https://uni.example/api/v1/evidence/ab12', type: ['Evidence'], name: 'portafolio.pdf', narrative: 'Producciones <script>alert(1)</script>' },
    { id: 'javascript:alert(document.cookie)', type: ['Evidence'], name: 'Enlace hostil' },
    { id: 'data:text/html,<script>alert(1)</script>', type: ['Evidence'], narrative: 'Otro enlace hostil' },
    { id: 'urn:uuid:6f1c1b1e-0000-4000-8000-000000000002', type: ['Evidence'], name: 'Módulo 1' },
    { type: ['Evidence'] },
    'no es un objeto',
    null,
  ],
  credentialSubject: {
    achievement: {
      id: ach,
      name: 'Programa',
      resultDescription: [
        {
          id: `${ach}#result-1`,
          name: 'Pensamiento crítico',
          rubricCriterionLevel: [
            { id: `${ach}#result-1-level-1`, name: 'Inicial' },
            { id: `${ach}#result-1-level-2`, name: 'Logrado' },
          ],
        },
        { id: `${ach}#result-2`, name: 'Nota final' },
        { id: `${ach}#result-3`, name: 'Estado' },
        { id: `${ach}#result-4`, name: 'Sin valor' },
      ],
    },
    result: [
      { type: ['Result'], resultDescription: `${ach}#result-1`, achievedLevel: `${ach}#result-1-level-2` },
      { type: ['Result'], resultDescription: `${ach}#result-2`, value: '6,5' },
      { type: ['Result'], resultDescription: `${ach}#result-3`, status: 'Completed' },
      { type: ['Result'], resultDescription: `${ach}#result-4` },
      { type: ['Result'], resultDescription: `${ach}#unknown`, value: '7' },
      42,
    ],
  },
};

describe('evidence and results of a credential, for display', () => {
  it('reads levels by name, values and statuses; links only http(s) ids; skips junk', () => {
    const got = nodeEvidence(credential);
    expect(got.results).toEqual([
      { criterion: 'Pensamiento crítico', value: 'Logrado' },
      { criterion: 'Nota final', value: '6,5' },
      { criterion: 'Estado', value: 'Completed' },
    ]);
    expect(got.evidence).toEqual([
      { name: 'portafolio.pdf', narrative: 'Producciones <script>alert(1)</script>', description: '', url: 'https://uni.example/api/v1/evidence/ab12' },
      { name: 'Enlace hostil', narrative: '', description: '', url: null },
      { name: '', narrative: 'Otro enlace hostil', description: '', url: null },
      { name: 'Módulo 1', narrative: '', description: '', url: null },
    ]);
    // the claim page reads the same table the same way
    expect(webEvidence(credential)).toEqual(got);
  });

  it('gives nothing for a credential without them, or with junk where they should be', () => {
    for (const c of [{}, { evidence: 'x', credentialSubject: 'y' }, { evidence: [[]], credentialSubject: { result: {}, achievement: [] } }, null, 'texto']) {
      expect(nodeEvidence(c)).toEqual({ evidence: [], results: [] });
      expect(webEvidence(c)).toEqual({ evidence: [], results: [] });
    }
  });

  it('the share page lists them escaped, with links only to http(s)', () => {
    const c: IssuedCredential = {
      id: credential.id,
      microcredential: 'mc',
      microcredentialVersion: 1,
      learnerName: 'Zoë',
      issuedAt: '2026-06-30T12:00:00Z',
      issuerKey: 'did:key:z6Mk',
      status: { revoked: false, suspended: false, revokedAt: null, suspendedAt: null, reason: null },
      credential,
      verifyUrl: 'https://uni.example/verify',
      qrUrl: 'https://uni.example/qr.svg',
      jobId: null,
      replacedBy: null,
    } as IssuedCredential;
    const html = sharePage(c, { url: 'https://uni.example/share/x', verified: true, lang: 'es' });
    expect(html).toContain('<h2>Evidencias</h2>');
    expect(html).toContain('<h2>Resultados de la evaluación</h2>');
    expect(html).toContain('<dt>Pensamiento crítico</dt><dd>Logrado</dd>');
    expect(html).toContain('<dt>Nota final</dt><dd>6,5</dd>');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect([...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'https:&#47;&#47;uni.example&#47;api&#47;v1&#47;evidence&#47;ab12',
      `/verify?credential=${encodeURIComponent(credential.id)}&amp;lang=es`,
    ]);
    expect(html).toContain('<strong>Enlace hostil</strong>');
    expect(sharePage(c, { url: 'https://uni.example/share/x', verified: true, lang: 'en' })).toContain('<h2>Assessment results</h2>');
    // none at all: no section
    const bare = sharePage({ ...c, credential: { credentialSubject: {} } }, { url: 'https://uni.example/share/x', verified: true, lang: 'es' });
    expect(bare).not.toContain('<h2>');
  });
});
