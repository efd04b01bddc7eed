/** The demo units' fixtures (fixtures/units/<slug>/): a unit found by its country, with its catalogue records. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const UNITS_DIR = path.resolve(__dirname, '../../fixtures/units');

export type CatalogueRecord = Record<string, unknown> & { code: string };

/** The first unit (in name order) of a country, and its catalogue as published by the demo. */
export function unitOfCountry(country: string): { slug: string; catalogue: CatalogueRecord[] } {
  const slug = readdirSync(UNITS_DIR)
    .filter((d) => statSync(path.join(UNITS_DIR, d)).isDirectory())
    .sort()
    .find((u) => (JSON.parse(readFileSync(path.join(UNITS_DIR, u, 'profile.json'), 'utf8')) as { country: string }).country === country);
  if (!slug) throw new Error(`no fixture unit in ${country}`);
  return { slug, catalogue: JSON.parse(readFileSync(path.join(UNITS_DIR, slug, 'catalogue.json'), 'utf8')) as CatalogueRecord[] };
}
