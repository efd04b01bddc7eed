/**
 * Importing a catalogue file (an array of records in the admin API shape) into the unit's own catalogue: new codes
 * are created, changed ones get a new version, identical ones are left alone; a bad record is reported and skipped.
 * Must never stop at the first bad record.
 */
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../core/canonical.js';
import { RegistryError, isRegistryError } from '../core/errors.js';
import type { CatalogueService } from './catalogue.service.js';
import { microcredentialId } from '../feed/ids.js';

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: { index: number; code?: string; message: string }[];
}

export function importCatalogue(catalogue: CatalogueService, records: unknown): ImportResult {
  if (!Array.isArray(records)) throw new RegistryError('validation_failed', 'a catalogue file is a JSON array of microcredentials');
  catalogue.assertCanPublish(); // refused once, with what to do, rather than once per record
  const out: ImportResult = { created: 0, updated: 0, unchanged: 0, errors: [] };
  records.forEach((rec, index) => {
    try {
      const code = (rec as { code?: unknown })?.code;
      const existing = typeof code === 'string' ? catalogue.get(microcredentialId(catalogue.author, code)) : null;
      if (!existing) {
        catalogue.create(rec);
        out.created++;
        return;
      }
      const prepared = catalogue.prepare(rec, { version: existing.record.version });
      const { version: _a, ...a } = prepared;
      const { version: _b, ...b } = existing.record;
      if (canonicalJson(a) === canonicalJson(b) && existing.status === 'active') {
        out.unchanged++;
        return;
      }
      const { version: _v, ...input } = rec as Record<string, unknown>;
      catalogue.update(code as string, input);
      out.updated++;
    } catch (e) {
      out.errors.push({ index, ...(isRegistryError(e) ? { code: e.code } : {}), message: (e as Error).message });
    }
  });
  return out;
}

export function importCatalogueFile(catalogue: CatalogueService, file: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RegistryError('validation_failed', `cannot read ${file}: ${(e as Error).message}`);
  }
  return importCatalogue(catalogue, data);
}
