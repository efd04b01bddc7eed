import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { importCatalogue } from '../../node/catalogue/import.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { renderRecognitionReport } from '../../node/recognition/report.js';
import { memoryServices } from '../helpers/nodes.js';
import { replicate } from '../helpers/replicate.js';
import type { Services } from '../../node/context.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const load = (slug: string, f: string) => JSON.parse(readFileSync(path.join(FIX, slug, f), 'utf8'));

describe('recognition', () => {
  const kMx = generateKey();
  const kCl = generateKey();
  const kGt = generateKey();
  const manifest = createManifest({ name: 'rec test', founders: [kMx.did, kCl.did, kGt.did], endorsements: 2 });
  let mx: Services, cl: Services, gt: Services;

  beforeAll(() => {
    mx = memoryServices({ key: kMx, manifest });
    cl = memoryServices({ key: kCl, manifest });
    gt = memoryServices({ key: kGt, manifest });
    for (const [s, slug] of [[mx, 'mx-uan'], [cl, 'cl-uac'], [gt, 'gt-uoc']] as const) {
      s.institution.publishProfile(load(slug, 'profile.json'));
      const r = importCatalogue(s.catalogue, load(slug, 'catalogue.json'));
      expect(r.errors).toEqual([]);
    }
    for (const a of [mx, cl, gt]) for (const b of [mx, cl, gt]) if (a !== b) replicate(a, b);
  });
  afterAll(() => {
    for (const s of [mx, cl, gt]) s.store.close();
  });

  it('ranks the closest Chilean health course first for a Mexican infection-control microcredential and flags the workload gap', () => {
    const id = microcredentialId(kMx.did, 'prev-iaas');
    const ranked = cl.recognition.compare(id);
    expect(ranked[0]!.candidate.code).toBe('control-iaas');
    expect(ranked[0]!.field.match).toBe('detailed');
    expect(ranked[0]!.workload).toMatchObject({ foreignHours: 40, localHours: 81 });
    expect(ranked[0]!.flags.some((f) => f.aspect === 'workload' && f.severity === 'substantial')).toBe(true);
    // ranges, not a single factor, for both systems
    expect(ranked[0]!.workload.foreignInLocalSystem).toEqual({ system: 'SCT-Chile', min: 1.3, max: 1.7 });
    expect(ranked[0]!.workload.localInForeignSystem?.system).toBe('SATCA');
    // explainable: which outcomes matched which
    const m = ranked[0]!.learningOutcomes.matches;
    expect(m.length).toBe(3);
    expect(m.some((x) => x.sharedTerms.includes('higiene') || x.sharedTerms.includes('aislamiento'))).toBe(true);
    expect(m.every((x) => x.foreignText.length > 0)).toBe(true);
    // engineering courses rank below
    const robot = ranked.find((c) => c.candidate.code === 'bim-construccion');
    expect(robot === undefined || robot.score < ranked[0]!.score).toBe(true);
  });

  it('matches outcomes written in another language', () => {
    const id = microcredentialId(kMx.did, 'prev-iaas');
    const foreign = mx.catalogue.get(id)!.record;
    const english = { ...foreign, code: 'prev-iaas-en', learningOutcomes: [{ text: { en: 'Apply standard precautions and isolation measures according to the transmission route.' } }, { text: { en: 'Perform hand hygiene at the five moments recommended by the WHO.' } }] };
    mx.catalogue.create(english);
    replicate(mx, cl);
    const ranked = cl.recognition.compare(microcredentialId(kMx.did, 'prev-iaas-en'));
    expect(ranked[0]!.candidate.code).toBe('control-iaas');
    expect(ranked[0]!.learningOutcomes.score).toBeGreaterThan(0.25);
  });

  it('records decisions, refuses bad ones with clear reasons, and supersedes without editing', () => {
    const id = microcredentialId(kMx.did, 'prev-iaas');
    const d1 = cl.recognition.recordDecision({
      decisionId: 'rec-prev-iaas-1',
      microcredential: { id, version: 1 },
      outcome: 'credits',
      credits: { system: 'SCT-Chile', value: 1.5 },
      validFrom: '2026-01-01',
      reasons: { es: 'Resultados comparables; carga menor que el curso local.' },
    });
    expect(d1.status).toBe('current');
    // refusals
    expect(() => cl.recognition.recordDecision({ microcredential: { id: 'nope.0000000000000000', version: 1 }, outcome: 'credits', credits: { system: 'SCT-Chile', value: 1 }, validFrom: '2026-01-01', reasons: { es: 'x' } })).toThrowError(/does not know the microcredential/);
    expect(() => cl.recognition.recordDecision({ microcredential: { id, version: 1 }, outcome: 'credits', credits: { system: 'PUNTOS', value: 1 }, validFrom: '2026-01-01', reasons: { es: 'x' } })).toThrowError(/unknown credit system/);
    expect(() => cl.recognition.recordDecision({ microcredential: { id, version: 1 }, outcome: 'not-recognised', validFrom: '2026-01-01', reasons: { es: 'x' } })).toThrowError(/substantialDifferences/);
    expect(() => cl.recognition.recordDecision({ decisionId: 'rec-prev-iaas-1', microcredential: { id, version: 1 }, outcome: 'credits', credits: { system: 'SCT-Chile', value: 2 }, validFrom: '2026-01-01', reasons: { es: 'x' } })).toThrowError(/superseded, never edited/);
    // supersede
    const d2 = cl.recognition.recordDecision({
      decisionId: 'rec-prev-iaas-2',
      supersedes: 'rec-prev-iaas-1',
      microcredential: { id, version: 1 },
      outcome: 'not-recognised',
      substantialDifferences: [{ aspect: 'workload', description: { es: '40 h frente a 81 h del curso local.' } }],
      validFrom: '2026-02-01',
      reasons: { es: 'Diferencia sustancial de carga.' },
    });
    expect(d2.status).toBe('current');
    const all = cl.recognition.decisions({ microcredential: id });
    expect(all.find((d) => d.decisionId === 'rec-prev-iaas-1')!.status).toBe('superseded');
    expect(all.find((d) => d.decisionId === 'rec-prev-iaas-1')!.credits).toEqual({ system: 'SCT-Chile', value: 1.5 });
    // visible on another node once replicated, with who decided
    replicate(cl, gt);
    const seen = gt.recognition.decisions({ microcredential: id });
    expect(seen.map((d) => d.decisionId).sort()).toEqual(['rec-prev-iaas-1', 'rec-prev-iaas-2']);
    expect(seen[0]!.institution.did).toBe(kCl.did);
    expect(gt.recognition.lookup(id)!.decisions).toHaveLength(2);
  });

  it('refuses decisions by a non-member', () => {
    const outsider = memoryServices({ manifest }); // its key is not in the manifest
    replicate(mx, outsider);
    const id = microcredentialId(kMx.did, 'prev-iaas');
    expect(() => outsider.recognition.recordDecision({ microcredential: { id, version: 1 }, outcome: 'credits', credits: { system: 'SCT-Chile', value: 1 }, validFrom: '2026-01-01', reasons: { es: 'x' } })).toThrowError(/not a member/);
    outsider.store.close();
  });

  it('agreements are pending until every party signs the same terms, then in force', () => {
    const a = cl.recognition.proposeAgreement({
      agreementId: 'salud-cl-mx',
      terms: { title: { es: 'Convenio de reconocimiento en salud' }, parties: [kCl.did, kMx.did], scope: { type: 'field', fields: ['09'] }, validFrom: '2026-01-01', creditRules: [{ description: { es: '1 SCT por cada 27 horas' }, hoursPerLocalCredit: 27 }] },
    });
    expect(a.status).toBe('pending');
    replicate(cl, mx);
    const signed = mx.recognition.signAgreement(a.id);
    expect(signed.status).toBe('in-force');
    replicate(mx, cl);
    expect(cl.recognition.agreement(a.id)!.status).toBe('in-force');
    const mc = cl.catalogue.get(microcredentialId(kMx.did, 'prev-iaas'))!;
    expect(cl.recognition.agreementsFor(mc).items.map((x) => x.id)).toEqual([a.id]);
    const eng = cl.catalogue.get(microcredentialId(kMx.did, 'robotica-industrial'))!;
    expect(cl.recognition.agreementsFor(eng)).toEqual({ items: [], total: 0 });
  });

  it('renders the printable report in Spanish and in English', () => {
    const data = cl.recognition.lookup(microcredentialId(kMx.did, 'prev-iaas'));
    const es = renderRecognitionReport({ verification: null, ...data }, { lang: 'es', generatedAt: new Date('2026-11-24T10:00:00Z'), node: kCl.did, network: cl.network });
    const en = renderRecognitionReport({ verification: null, ...data }, { lang: 'en', generatedAt: new Date('2026-11-24T10:00:00Z'), node: kCl.did, network: cl.network });
    expect(es).toContain('<html lang="es">');
    expect(es).toContain('Informe de reconocimiento');
    expect(es).toContain('Control de infecciones intrahospitalarias');
    expect(es).toContain('Diferencia sustancial de carga');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Microcredential recognition report');
    expect(en).toContain('Control of hospital-acquired infections');
    expect(en).not.toContain('Comparación con el catálogo local');
  });
});
