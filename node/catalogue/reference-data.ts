/**
 * Reference data (credit systems, level frameworks, ISCED-F fields) loaded from `schemas/reference/*.json`, where it
 * lives as data with its sources. Must never hard-code a conversion factor or a label in code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas/reference');

type LangMap = { es?: string; en?: string; pt?: string };

export interface CreditSystem {
  id: string;
  name: LangMap;
  region: string;
  hoursPerCredit: { min: number; max: number };
  ratios?: { activity: string; hoursPerCredit: number; description: LangMap }[];
  creditsPerYear?: number;
  confidence: 'official' | 'to-confirm';
  note?: LangMap;
  source: { title: string; issuer?: string; year: number; url: string };
}

export interface LevelFramework {
  id: string;
  name: LangMap;
  levels: { value: string; label: LangMap; eqf?: number }[];
  note?: LangMap;
  source: { title: string; issuer?: string; year: number; url: string };
}

export interface IscedField {
  code: string;
  level: 'broad' | 'narrow' | 'detailed';
  label: LangMap;
}

export interface ReferenceData {
  creditSystems: { description: string; systems: CreditSystem[] };
  levels: { description: string; frameworks: LevelFramework[] };
  iscedF: { description: string; source: unknown; fields: IscedField[] };
}

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
