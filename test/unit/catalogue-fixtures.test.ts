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
      expect(cat.length).toBeGreaterThanOrEqual(8);
      expect(new Set(cat.map((r) => r.pilotArea))).toEqual(new Set(['engineering', 'health']));
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
