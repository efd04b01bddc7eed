import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { checkEuElements } from '../../node/catalogue/eu-elements.js';
import { CreditSystems } from '../../node/catalogue/credit-systems.js';
import { loadReferenceData } from '../../node/catalogue/reference-data.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const schemas = new SchemaRegistry();

describe('fixtures and catalogue rules', () => {
  const units = readdirSync(FIX).sort();

  it('has six units, two per country, each with at least 8 microcredentials in engineering and health', () => {
    expect(units).toHaveLength(6);
    const countries = units.map((u) => JSON.parse(readFileSync(path.join(FIX, u, 'profile.json'), 'utf8')).country).sort();
    expect(countries).toEqual(['CL', 'CL', 'GT', 'GT', 'MX', 'MX']);
    for (const u of units) {
      const cat = JSON.parse(readFileSync(path.join(FIX, u, 'catalogue.json'), 'utf8')) as MicrocredentialRecord[];
      // the pilots' two areas; besides them one unit offers the seed's training programme (area "other")
      const pilots = cat.filter((r) => r.pilotArea !== 'other');
      expect(pilots.length).toBeGreaterThanOrEqual(8);
      expect(new Set(pilots.map((r) => r.pilotArea))).toEqual(new Set(['engineering', 'health']));
    }
  });

  it('every profile and record validates and names every EU element, with no warnings', () => {
    for (const u of units) {
      const profile = JSON.parse(readFileSync(path.join(FIX, u, 'profile.json'), 'utf8'));
      expect(schemas.validate('profile', profile)).toEqual({ ok: true });
      for (const r of JSON.parse(readFileSync(path.join(FIX, u, 'catalogue.json'), 'utf8')) as MicrocredentialRecord[]) {
        expect(schemas.validate('microcredential', r), `${u}/${r.code}`).toEqual({ ok: true });
        const eu = checkEuElements({ ...r, awardingBody: { name: profile.name.es }, country: profile.country });
        expect(eu.missing, `${u}/${r.code}`).toEqual([]);
        expect(eu.warnings, `${u}/${r.code}`).toEqual([]);
      }
    }
  });

  it('names each missing EU element', () => {
    const eu = checkEuElements({ code: 'x', version: 1, title: { es: 'Algo' }, languages: ['es'] } as Partial<MicrocredentialRecord>);
    expect(eu.ok).toBe(false);
    expect(eu.missing.map((m) => m.element).sort()).toEqual(
      ['assessment_type', 'awarding_body', 'country', 'learning_outcomes', 'level', 'participation_form', 'quality_assurance', 'workload'].sort(),
    );
  });

  it('converts hours and credits as ranges and knows unknown systems', () => {
    const cs = new CreditSystems(loadReferenceData());
    expect(cs.hoursToCredits(120, 'ECTS')).toEqual({ system: 'ECTS', min: 4, max: 4.8 });
    expect(cs.hoursToCredits(81, 'SCT-Chile')).toEqual({ system: 'SCT-Chile', min: 2.6, max: 3.4 });
    expect(cs.creditsToHours(60, 'SCT-Chile')).toEqual({ system: 'SCT-Chile', min: 1440, max: 1860 });
    // every usable system of the reference table, the pilots' four first (the region's others follow, issue 18)
    const side = cs.sideBySide(40).map((s) => s.system);
    expect(side.slice(0, 4)).toEqual(['ECTS', 'SCT-Chile', 'SATCA', 'CSUCA-GT']);
    expect(side).toEqual(cs.list().map((s) => s.id));
    expect(side.length).toBeGreaterThanOrEqual(12);
    expect(() => cs.get('XYZ')).toThrowError(/unknown credit system/);
    for (const s of cs.list()) expect(s.source.url).toMatch(/^https?:\/\//); // some official sources are only served over http
  });
});

describe("the seed's training programme (INQAAHE/REALCUP) as a demo unit's catalogue", () => {
  const records = JSON.parse(readFileSync(path.join(FIX, 'mx-itpb', 'catalogue.json'), 'utf8')) as MicrocredentialRecord[];
  const programme = records.find((r) => r.stackability?.stacksFrom?.length)!;

  it('three modules of 12 hours stack into a programme badge assessed by portfolio, in Spanish and English', () => {
    expect(programme.code).toBe('dim-programa-microcredenciales');
    const modules = programme.stackability!.stacksFrom!.map((m) => records.find((r) => r.code === m.id)!);
    expect(modules.map((m) => m.code)).toEqual(['dim-modulo-1-potencial', 'dim-modulo-2-diseno', 'dim-modulo-3-gestion-qa']);
    for (const m of modules) {
      expect(m.workload.hours).toBe(12);
      expect(m.languages).toEqual(['es']);
      expect(m.title.es && m.title.en).toBeTruthy();
      for (const lo of m.learningOutcomes) expect(lo.text.es && lo.text.en).toBeTruthy();
      expect(m.stackability?.stackableTowards?.[0]?.id).toBe(programme.code);
    }
    expect(modules.map((m) => m.learningOutcomes.length)).toEqual([4, 3, 4]);
    // 3 x 12 hours of modules + 10 hours of final project
    expect(programme.workload.hours).toBe(3 * 12 + 10);
    expect(programme.assessment.type).toBe('portfolio');
    expect(programme.assessment.description?.es).toMatch(/Pensamiento crítico|pensamiento crítico/);
    // the programme's outcomes are its modules' outcomes, nothing else
    expect(programme.learningOutcomes).toEqual(modules.flatMap((m) => m.learningOutcomes));
  });
});
