/**
 * Cohort spreadsheets as registrars export them: UTF-8 with or without BOM, `,` or `;` separated, Spanish or
 * English headers, accented names. Parsing never throws on a bad row: each row comes back with its line number
 * and either the learner or the reason it cannot be used. Pure: no I/O.
 */
import { parse } from 'csv-parse/sync';
import { RegistryError } from '../core/errors.js';

export interface CohortRow {
  line: number; // 1-based line in the file (the header is line 1)
  name?: string;
  email?: string;
  did?: string;
  microcredential?: string;
  validUntil?: string;
  error?: string;
}

const HEADERS: Record<string, keyof Omit<CohortRow, 'line' | 'error'>> = {
  name: 'name',
  nombre: 'name',
  'nombre completo': 'name',
  'full name': 'name',
  email: 'email',
  'e-mail': 'email',
  correo: 'email',
  'correo electrónico': 'email',
  'correo electronico': 'email',
  did: 'did',
  microcredential: 'microcredential',
  microcredencial: 'microcredential',
  code: 'microcredential',
  código: 'microcredential',
  codigo: 'microcredential',
  validuntil: 'validUntil',
  'valid until': 'validUntil',
  vigencia: 'validUntil',
  'válido hasta': 'validUntil',
  'valido hasta': 'validUntil',
};

export const MAX_CSV_ROWS = 100_000;
/** What counts as a learner's e-mail and DID, for a CSV row and for one issuance alike. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const DID = /^did:[a-z0-9]+:\S+$/;

export function parseCohortCsv(text: string): { rows: CohortRow[]; columns: string[] } {
  const clean = text.replace(/^\uFEFF/, '');
  const firstLine = clean.split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.trim()) throw new RegistryError('validation_failed', 'the CSV file is empty');
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(clean, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true, bom: true, info: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (e) {
    throw new RegistryError('validation_failed', `the CSV file cannot be read: ${(e as Error).message}`);
  }
  const records = parsed.map((p) => p.record);
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const columns = header.map((h) => HEADERS[h] ?? '');
  if (!columns.includes('name')) throw new RegistryError('validation_failed', `the CSV has no name column (nombre / name); columns: ${header.join(', ')}`);
  if (!columns.includes('email') && !columns.includes('did'))
    throw new RegistryError('validation_failed', 'the CSV needs an e-mail (correo / email) or a did column to identify each learner');
  if (records.length - 1 > MAX_CSV_ROWS) throw new RegistryError('payload_too_large', `at most ${MAX_CSV_ROWS} rows per file`);
  const rows: CohortRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.every((c) => !c.trim())) continue; // blank line
    const row: CohortRow = { line: parsed[i]!.info.lines };
    columns.forEach((col, j) => {
      const v = rec[j]?.trim();
      if (col && v) row[col] = v;
    });
    if (rec.length > header.length && rec.slice(header.length).some((c) => c.trim())) row.error = `row has ${rec.length} cells, the header has ${header.length}`;
    else if (!row.name) row.error = 'missing name';
    else if (!row.email && !row.did) row.error = 'missing e-mail or DID';
    else if (row.email && !EMAIL.test(row.email)) row.error = `not an e-mail address: ${row.email}`;
    else if (row.did && !DID.test(row.did)) row.error = `not a DID: ${row.did}`;
    else if (row.validUntil && Number.isNaN(Date.parse(row.validUntil))) row.error = `not a date: ${row.validUntil}`;
    rows.push(row);
  }
  return { rows, columns: header };
}
