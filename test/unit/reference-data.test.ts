/**
 * The region's reference data (schemas/reference/*.json, issue 18) against its JSON Schemas, plus what a schema cannot
 * say: every record cites a source with an http(s) URL and a year, ranges have min ≤ max, ids are unique, countries are
 * ISO 3166-1 alpha-2, names come in es/en/pt, and an EQF or MCESCA referencing appears only with its source.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { SCHEMAS_DIR } from '../../node/core/schema-registry.js';
import {
  REFERENCE_DIR,
  loadReferenceData,
  type CreditSystem,
  type LevelFramework,
  type ReferenceData,
} from '../../node/catalogue/reference-data.js';
import { CreditSystems } from '../../node/catalogue/credit-systems.js';

const Ajv2020 = Ajv2020Import as unknown as typeof Ajv2020Import.default;
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

const read = (dir: string, f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
/** xs[i], failing loudly when absent (the data this test mutates must be there). */
function at<T>(xs: T[] | undefined, i: number): T {
  const x = xs?.[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

/** One ajv with the shared URL rule (microcredential.schema.json#/$defs/httpUrl) and the reference schemas. */
function validators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  for (const f of [path.join(SCHEMAS_DIR, 'microcredential.schema.json')].concat(
    ['common', 'credit-systems', 'levels', 'isced-f'].map((n) => path.join(REFERENCE_DIR, `${n}.schema.json`)),
  )) {
    const s = JSON.parse(readFileSync(f, 'utf8')) as { $id: string };
    ajv.addSchema(s, s.$id);
  }
  const get = (n: string) => {
    const v = ajv.getSchema(`https://mochila.network/schemas/reference/${n}.schema.json`);
    if (!v) throw new Error(`no schema ${n}`);
    return (data: unknown) => (v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  };
  return { creditSystems: get('credit-systems'), levels: get('levels'), iscedF: get('isced-f') };
}

// ISO 3166-1 alpha-2 codes of Latin America and the Caribbean (the region this data covers).
const ISO_AMERICAS = new Set(
  'AG AR BB BO BR BS BZ CL CO CR CU DM DO EC GD GT GY HN HT JM KN LC MX NI PA PE PY SR SV TT UY VC VE'.split(' '),
);

type Src = { title?: string; url?: string; year?: number };
type Names = { es?: string; en?: string; pt?: string };

function rangeProblems(systems: CreditSystem[]): string[] {
  const out: string[] = [];
  for (const s of systems) {
    if (s.hoursPerCredit.min > s.hoursPerCredit.max) out.push(`${s.id}: hoursPerCredit min > max`);
    if (s.hoursPerYear && s.hoursPerYear.min > s.hoursPerYear.max) out.push(`${s.id}: hoursPerYear min > max`);
    for (const r of s.ratios ?? [])
      if (r.hoursPerCredit < s.hoursPerCredit.min || r.hoursPerCredit > s.hoursPerCredit.max)
        out.push(`${s.id}: ratio ${r.activity} outside the range`);
    // the year's hours divided by its credits must land on the per-credit range (within an hour: sources round)
    if (s.hoursPerYear && s.creditsPerYear) {
      if (
        s.hoursPerYear.min / s.creditsPerYear < s.hoursPerCredit.min - 1 ||
        s.hoursPerYear.max / s.creditsPerYear > s.hoursPerCredit.max + 1
      )
        out.push(`${s.id}: hours per year disagree with credits per year`);
    }
  }
  return out;
}

function idProblems(d: ReferenceData): string[] {
  const out: string[] = [];
  const dups = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
  for (const x of dups([...d.creditSystems.systems, ...(d.creditSystems.unconfirmed ?? [])].map((s) => s.id)))
    out.push(`credit system ${x}`);
  for (const x of dups(d.levels.frameworks.map((f) => f.id))) out.push(`framework ${x}`);
  for (const f of d.levels.frameworks) for (const x of dups(f.levels.map((l) => l.value))) out.push(`${f.id} level ${x}`);
  return out;
}

function referencingProblems(frameworks: LevelFramework[]): string[] {
  const out: string[] = [];
  for (const f of frameworks) {
    for (const r of f.referencing ?? []) {
      const cited = !!r.source && /^https?:\/\/[^\s/?#]+/.test(r.source.url) && Number.isInteger(r.source.year);
      if (r.status === 'official' && !cited) out.push(`${f.id} → ${r.to}: official referencing without a source`);
      if (r.status !== 'official' && r.source) out.push(`${f.id} → ${r.to}: a source for a referencing that does not exist`);
    }
    const official = (to: 'EQF' | 'MCESCA') =>
      f.id === to || (f.referencing ?? []).some((r) => r.to === to && r.status === 'official' && r.source);
    for (const l of f.levels) {
      if (l.eqf !== undefined && !official('EQF')) out.push(`${f.id} ${l.value}: eqf without an official EQF referencing`);
      if ((l as Record<string, unknown>).mcesca !== undefined && !official('MCESCA'))
        out.push(`${f.id} ${l.value}: mcesca without an official referencing`);
    }
  }
  return out;
}

describe('reference data (schemas/reference)', () => {
  const v = validators();
  const cs = read(REFERENCE_DIR, 'credit-systems.json');
  const lv = read(REFERENCE_DIR, 'levels.json');
  const isc = read(REFERENCE_DIR, 'isced-f.json');
  const data: ReferenceData = loadReferenceData();
  const systems = data.creditSystems.systems;
  const unconfirmed = data.creditSystems.unconfirmed ?? [];
  const frameworks = data.levels.frameworks;

  it('every ISCED-F field is named in the three interface languages (a Portuguese page showed the Spanish name)', () => {
    for (const f of (isc as { fields: { code: string; label: Record<string, string> }[] }).fields)
      for (const l of ['es', 'en', 'pt']) expect(f.label[l]?.trim(), `${f.code} ${l}`).toBeTruthy();
  });

  it('every file validates against its JSON Schema', () => {
    expect(v.creditSystems(cs)).toEqual([]);
    expect(v.levels(lv)).toEqual([]);
    expect(v.iscedF(isc)).toEqual([]);
  });

  it('the schemas refuse what the data must never hold', () => {
    const bad = (mutate: (d: { systems: Record<string, unknown>[]; unconfirmed: Record<string, unknown>[] }) => void) => {
      const d = clone(cs) as unknown as { systems: Record<string, unknown>[]; unconfirmed: Record<string, unknown>[] };
      mutate(d);
      return v.creditSystems(d);
    };
    expect(bad((d) => delete at(d.systems, 0).source)).not.toEqual([]);
    expect(bad((d) => ((at(d.systems, 0).source as Src).url = 'javascript:alert(1)'))).not.toEqual([]);
    expect(bad((d) => delete (at(d.systems, 0).source as Src).year)).not.toEqual([]);
    expect(bad((d) => delete (at(d.systems, 0).name as Names).pt)).not.toEqual([]);
    expect(bad((d) => ((at(d.systems, 0).countries as string[]) = ['Chile']))).not.toEqual([]);
    const toConfirm = (d: { systems: Record<string, unknown>[] }) => d.systems.find((s) => s.confidence === 'to-confirm')!;
    expect(bad((d) => delete toConfirm(d).note)).not.toEqual([]); // uncertain without saying why
    expect(bad((d) => (at(d.unconfirmed, 0).hoursPerCredit = { min: 1, max: 2 }))).not.toEqual([]); // an unconfirmed system has no figure
    const badLevels = (mutate: (fw: Record<string, unknown>[]) => void) => {
      const d = clone(lv) as unknown as { frameworks: Record<string, unknown>[] };
      mutate(d.frameworks);
      return v.levels(d);
    };
    const qf = (fws: Record<string, unknown>[]) => fws.find((f) => f.id === 'QF-EHEA')!;
    expect(badLevels((fws) => delete at(qf(fws).referencing as Record<string, unknown>[], 0).source)).not.toEqual([]);
    expect(badLevels((fws) => (at(at(fws, 0).levels as Record<string, unknown>[], 0).eqf = 9))).not.toEqual([]);
  });

  it('every record cites a source with an http(s) URL and a year; further sources have http(s) URLs too', () => {
    const records: { id: string; source: Src; otherSources?: Src[] }[] = [...systems, ...unconfirmed, ...frameworks];
    expect(records.length).toBeGreaterThanOrEqual(20);
    for (const r of records) {
      expect(r.source?.url, r.id).toMatch(/^https?:\/\/[^\s/?#]+/);
      expect(Number.isInteger(r.source?.year), r.id).toBe(true);
      expect(r.source.title?.length, r.id).toBeGreaterThan(2);
      for (const o of r.otherSources ?? []) expect(o.url, `${r.id}: ${o.title}`).toMatch(/^https?:\/\/[^\s/?#]+/);
    }
    expect((isc.source as Src).url).toMatch(/^https?:\/\//);
  });

  it('every range has min ≤ max, ratios fall inside it, and a year in hours agrees with credits per year', () => {
    expect(rangeProblems(systems)).toEqual([]);
    const broken = clone(systems);
    at(broken, 4).hoursPerCredit = { min: 50, max: 48 };
    at(broken, 1).ratios = [{ activity: 'theory', hoursPerCredit: 99, description: { en: 'x' } }];
    expect(rangeProblems(broken)).toHaveLength(2);
  });

  it('ids are unique: credit systems (usable and unconfirmed together), frameworks, and levels within a framework', () => {
    expect(idProblems(data)).toEqual([]);
    const dup = clone(data);
    at(dup.creditSystems.unconfirmed, 0).id = 'ECTS';
    at(at(dup.levels.frameworks, 0).levels, 1).value = at(at(dup.levels.frameworks, 0).levels, 0).value;
    expect(idProblems(dup)).toHaveLength(2);
  });

  it('covers Mexico, Chile, Guatemala and at least nine more countries of the region, plus ECTS and EQF', () => {
    const countries = new Set([...systems, ...unconfirmed].flatMap((s) => s.countries ?? []));
    for (const c of ['MX', 'CL', 'GT']) expect(countries.has(c), c).toBe(true);
    expect(countries.size).toBeGreaterThanOrEqual(12);
    for (const c of countries) expect(ISO_AMERICAS.has(c), `${c} is not an ISO 3166-1 alpha-2 code of the region`).toBe(true);
    for (const f of frameworks) for (const c of f.countries ?? []) expect(ISO_AMERICAS.has(c), `${f.id}: ${c}`).toBe(true);
    expect(systems.some((s) => s.id === 'ECTS')).toBe(true);
    expect(frameworks.some((f) => f.id === 'EQF')).toBe(true);
  });

  it('names come in Spanish, English and Portuguese', () => {
    for (const r of [...systems, ...unconfirmed, ...frameworks]) {
      for (const lang of ['es', 'en', 'pt'] as const) expect(r.name[lang]?.length, `${r.id} ${lang}`).toBeGreaterThan(0);
    }
  });

  it('an EQF or MCESCA referencing appears only with its source, and `eqf` on a level only where it is official', () => {
    expect(referencingProblems(frameworks)).toEqual([]);
    const broken = clone(frameworks);
    const cl = broken.find((f) => f.id === 'MNC-CL')!;
    at(cl.levels, 0).eqf = 5; // a national level claiming an EQF level without an official referencing
    cl.referencing = [{ to: 'EQF', status: 'official', basis: { en: 'claimed' } }]; // and an official referencing without a source
    expect(referencingProblems(broken).length).toBeGreaterThanOrEqual(1);
    expect(referencingProblems([{ ...cl, referencing: [] }])).toHaveLength(1);
    // the national and regional frameworks of the region have no official EQF referencing today
    for (const id of ['MNC-CL', 'MNC-MX', 'MCESCA']) {
      const f = frameworks.find((x) => x.id === id)!;
      expect(f.referencing?.find((r) => r.to === 'EQF')?.status, id).toBe('none');
    }
  });

  it('the loader converts with every usable system and refuses the unconfirmed ones', () => {
    const credits = new CreditSystems(data);
    expect(credits.list().map((s) => s.id)).toEqual(systems.map((s) => s.id));
    expect(credits.hoursToCredits(96, 'CO-MEN')).toEqual({ system: 'CO-MEN', min: 2, max: 2 });
    expect(credits.hoursToCredits(120, 'AR-SACAU')).toEqual({ system: 'AR-SACAU', min: 4, max: 4.8 });
    expect(credits.creditsToHours(3, 'PE-L30220')).toEqual({ system: 'PE-L30220', min: 48, max: 96 });
    expect(unconfirmed.length).toBeGreaterThan(0);
    for (const u of unconfirmed) {
      expect(credits.known(u.id), u.id).toBe(false);
      expect(() => credits.get(u.id)).toThrowError(/unknown credit system/);
    }
  });
});
