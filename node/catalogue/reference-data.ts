/**
 * Reference data (credit systems, level frameworks, ISCED-F fields) loaded from `schemas/reference/*.json`, where it
 * lives as data with its sources: the bundled set, the floor a node starts from before it follows the network's
 * (reference-registry.ts). Must never hard-code a conversion factor or a label in code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas/reference');

type LangMap = { es?: string; en?: string; pt?: string };
type Range = { min: number; max: number };

/** Shapes below mirror schemas/reference/*.schema.json (the single source of shapes; test/unit/reference-data.test.ts
 * validates the files against them). */
export interface ReferenceSource {
  title: string;
  issuer?: string;
  year: number;
  /** ISO date or year-month when known. */
  date?: string;
  url: string;
  /** What the URL is: the official text, a copy, a draft, press… */
  kind?: string;
  note?: string;
}

export interface OtherSource {
  title: string;
  issuer?: string;
  year?: number;
  url: string;
  kind: string;
  note?: string;
}

export interface CreditSystem {
  id: string;
  name: LangMap;
  region: string;
  /** national | regional | international | institutional */
  scope?: string;
  /** ISO 3166-1 alpha-2 codes. */
  countries?: string[];
  unit?: LangMap;
  hoursPerCredit: Range;
  ratios?: { activity: string; hoursPerCredit: number; description: LangMap }[];
  /** What an hour counts: total learner workload, contact hours only, a ratio by activity, or plain clock hours. */
  workloadBasis?: 'total-learner-workload' | 'contact-hours' | 'mixed-by-activity' | 'clock-hours';
  creditsPerYear?: number;
  hoursPerYear?: Range;
  status?: 'in-force' | 'being-introduced' | 'in-force-reform-proposed';
  confidence: 'official' | 'to-confirm';
  note?: LangMap;
  source: ReferenceSource;
  otherSources?: OtherSource[];
  qualificationsFramework?: { framework?: string; note: LangMap };
}

/** A country researched whose hours per credit could not be found: listed, never used for conversion. */
export interface UnconfirmedCreditSystem {
  id: string;
  name: LangMap;
  countries: string[];
  confidence: 'to-confirm';
  missing: LangMap;
  source: ReferenceSource;
  otherSources?: OtherSource[];
}

export interface FrameworkReferencing {
  to: 'EQF' | 'MCESCA';
  /** official only with a source; none when no official referencing exists. */
  status: 'official' | 'none';
  basis: LangMap;
  source?: ReferenceSource;
}

export interface LevelFramework {
  id: string;
  name: LangMap;
  kind?: 'meta-framework' | 'regional-framework' | 'national-framework' | 'classification';
  scope?: string;
  countries?: string[];
  confidence?: 'official' | 'to-confirm';
  /** `eqf` only where official (the EQF itself, or a framework officially referenced to it); otherwise `indicativeEqf`. */
  levels: { value: string; label: LangMap; descriptor?: LangMap; eqf?: number; indicativeEqf?: number }[];
  note?: LangMap;
  source: ReferenceSource;
  otherSources?: OtherSource[];
  referencing?: FrameworkReferencing[];
  descriptorCategories?: LangMap[];
}

export interface IscedField {
  code: string;
  level: 'broad' | 'narrow' | 'detailed';
  label: LangMap;
}

/** A correspondence between the levels of two frameworks or the units of two credit systems (schemas/reference/correspondence-tables.schema.json). */
export interface CorrespondenceTable {
  id: string;
  name: LangMap;
  from: { kind: 'qualifications-framework' | 'credit-system'; id: string };
  to: { kind: 'qualifications-framework' | 'credit-system'; id: string };
  status: 'official' | 'indicative';
  rows: { from: string; to: string; note?: LangMap }[];
  note?: LangMap;
  source: ReferenceSource;
  otherSources?: OtherSource[];
}

export interface ReferenceData {
  creditSystems: { description: string; version?: string; systems: CreditSystem[]; unconfirmed?: UnconfirmedCreditSystem[] };
  levels: { description: string; version?: string; frameworks: LevelFramework[] };
  iscedF: { description: string; source: unknown; fields: IscedField[] };
  /** None bundled yet; published on the network as `reference` entries (node/catalogue/reference-registry.ts). */
  correspondenceTables?: { description: string; version?: string; tables: CorrespondenceTable[] };
}

/** Provides the reference data a node reads now: the live set (bundled floor + the network's), never a compiled constant. */
export type ReferenceSourceProvider = () => ReferenceData;

export function loadReferenceData(dir: string = REFERENCE_DIR): ReferenceData {
  const read = <T>(f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as T;
  return {
    creditSystems: read('credit-systems.json'),
    levels: read('levels.json'),
    iscedF: read('isced-f.json'),
  };
}

export function findLevel(data: ReferenceData, framework: string, value: string) {
  const fw = data.levels.frameworks.find((f) => f.id === framework);
  return fw ? (fw.levels.find((l) => l.value === String(value)) ?? null) : null;
}

export function findField(data: ReferenceData, code: string): IscedField | null {
  return data.iscedF.fields.find((f) => f.code === code) ?? null;
}
