/**
 * Cohort spreadsheets as registrars export them: UTF-8 with or without BOM, `,` or `;` separated, Spanish or
 * English headers, accented names, RFC 4180 quoting within a line. Parsing never throws on a bad row: each row
 * comes back with its line number and either the learner or the reason it cannot be used (a malformed line, such as
 * an unbalanced quote, included). And the one CSV writer: anything the node exports as CSV goes through `toCsv`,
 * which quotes every cell and neutralises cells (and parts of cells) a spreadsheet would run as a formula. Pure: no
 * I/O; must never write a cell unquoted.
 */
import { extraColumns, type CohortExtras } from './csv-extras.js';
import { message, userError, type MessageParams, type MessageRef, type ServerMessageKey } from '../core/messages/index.js';

export interface CohortRow {
  line: number; // 1-based line in the file (the header is line 1)
  name?: string;
  email?: string;
  did?: string;
  microcredential?: string;
  validUntil?: string;
  /** Language of the learner's e-mail (es / en / pt), column idioma / language. */
  language?: string;
  /** Optional evidence, credits earned, activity dates and result columns (csv-extras.ts). */
  extras?: CohortExtras;
  /** Why the row cannot be used, in English (CLI, logs)… */
  error?: string;
  /** …and as a message key, rendered in the reader's language by node/http. */
  reason?: MessageRef;
}

/** Marks a row unusable: the English text and the message key. */
function refuse(row: CohortRow, key: ServerMessageKey, params?: MessageParams): void {
  row.reason = params ? { key, params } : { key };
  row.error = message('en', key, params);
}

const HEADERS: Record<string, keyof Omit<CohortRow, 'line' | 'error' | 'reason' | 'extras'>> = {
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
  idioma: 'language',
  language: 'language',
  lengua: 'language',
  // Portuguese names of the same columns (the template in Portuguese uses them)
  nome: 'name',
  'nome completo': 'name',
  'válido até': 'validUntil',
  'valido ate': 'validUntil',
};

export const MAX_CSV_ROWS = 100_000;
/** What counts as a learner's e-mail and DID, for a CSV row and for one issuance alike. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const DID = /^did:[a-z0-9]+:\S+$/;

export function parseCohortCsv(text: string): { rows: CohortRow[]; columns: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstLine = lines[0] ?? '';
  if (!firstLine.trim()) throw userError('validation_failed', 'csv.empty');
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const head = splitCsvLine(firstLine, delimiter);
  if ('error' in head) throw userError('validation_failed', 'csv.headerUnreadable', { reason: head.reason });
  // every line is a record of its own (a cohort's cells never hold line breaks), so one malformed line — an
  // unbalanced quote — is that line's error and cannot swallow the lines after it
  const parsed: ({ record: string[]; line: number } | { error: string; reason: MessageRef; line: number })[] = [{ record: head.cells, line: 1 }];
  for (let i = 1; i < lines.length; i++) {
    const r = splitCsvLine(lines[i]!, delimiter);
    parsed.push('error' in r ? { error: r.error, reason: r.reason, line: i + 1 } : { record: r.cells, line: i + 1 });
  }
  const header = head.cells.map((h) => h.trim().toLowerCase());
  const columns = header.map((h) => HEADERS[h] ?? '');
  // the optional columns: evidence, credits earned, activity dates, results (csv-extras.ts)
  const extras = extraColumns(head.cells);
  if (!columns.includes('name')) throw userError('validation_failed', 'csv.noNameColumn', { columns: header.join(', ') });
  if (!columns.includes('email') && !columns.includes('did')) throw userError('validation_failed', 'csv.noIdColumn');
  if (parsed.length - 1 > MAX_CSV_ROWS && parsed.slice(MAX_CSV_ROWS + 1).some((p) => 'error' in p || p.record.some((c) => c.trim())))
    throw userError('payload_too_large', 'csv.tooManyRows', { max: MAX_CSV_ROWS });
  const rows: CohortRow[] = [];
  for (let i = 1; i < parsed.length; i++) {
    const p = parsed[i]!;
    if ('error' in p) {
      const row: CohortRow = { line: p.line };
      refuse(row, 'csv.lineUnreadable', { line: p.line, reason: p.reason });
      rows.push(row);
      continue;
    }
    const rec = p.record;
    if (rec.every((c) => !c.trim())) continue; // blank line
    const row: CohortRow = { line: p.line };
    columns.forEach((col, j) => {
      const v = rec[j]?.trim();
      if (col && v) row[col] = v;
    });
    if (rec.length > header.length && rec.slice(header.length).some((c) => c.trim())) refuse(row, 'csv.cellCount', { cells: rec.length, header: header.length });
    else if (!row.name) refuse(row, 'csv.missingName');
    else if (!row.email && !row.did) refuse(row, 'csv.missingId');
    else if (row.email && !EMAIL.test(row.email)) refuse(row, 'csv.notEmail', { value: row.email });
    else if (row.did && !DID.test(row.did)) refuse(row, 'csv.notDid', { value: row.did });
    else if (row.validUntil && Number.isNaN(Date.parse(row.validUntil))) refuse(row, 'csv.notDate', { value: row.validUntil });
    else if (row.language && !/^(es|en|pt|pt-br|español|espanol|english|inglés|ingles|spanish|castellano|português|portugues|portugués|portuguese)$/i.test(row.language)) refuse(row, 'csv.unknownLanguage', { value: row.language });
    if (!row.error) {
      const x = extras.read(rec);
      if (x.error) {
        row.error = x.error;
        if (x.reason) row.reason = x.reason;
      }
      else if (x.extras) row.extras = x.extras;
    }
    rows.push(row);
  }
  return { rows, columns: header };
}

/**
 * One line split into cells (RFC 4180 quoting: a cell in double quotes may hold the delimiter and "" for a quote;
 * a quote inside an unquoted cell is kept as text). Cells are trimmed. An opened quote that does not close on the
 * same line, or text after a closing quote, is an error for this line only.
 */
export function splitCsvLine(line: string, delimiter: string): { cells: string[] } | { error: string; reason: MessageRef } {
  const bad = (key: ServerMessageKey, column: number) => ({ error: message('en', key, { column }), reason: { key, params: { column } } });
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let j = i;
    while (line[j] === ' ' || line[j] === '\t') j++;
    if (line[j] === '"') {
      let cell = '';
      j++;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return bad('csv.unbalancedQuote', cells.length + 1);
        cell += line.slice(j, q);
        if (line[q + 1] === '"') {
          cell += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      while (line[j] === ' ' || line[j] === '\t') j++;
      if (j < line.length && line[j] !== delimiter) return bad('csv.textAfterQuote', cells.length + 1);
      cells.push(cell.trim());
    } else {
      const d = line.indexOf(delimiter, j);
      j = d < 0 ? line.length : d;
      cells.push(line.slice(i, j).trim());
    }
    if (j >= line.length) return { cells };
    i = j + 1; // past the delimiter
    if (i === line.length) {
      cells.push('');
      return { cells };
    }
  }
}

/** Characters that make a spreadsheet read a cell as a formula (CSV injection): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^\s*[=+\-@]|^[\t\r]/;
/**
 * A formula character right after a separator a spreadsheet might split on (`,` `;` tab, a line break), with any
 * spaces between: the part after it would start a cell of its own if the file were read with another delimiter.
 */
const FORMULA_AFTER_SEPARATOR = /([,;\t\r\n][ ]*)([=+\-@])/g;

/**
 * One cell for a CSV the node exports. Every cell is quoted (RFC 4180, quotes doubled), so no delimiter inside it
 * splits it, whatever delimiter the spreadsheet's locale expects; a cell that a spreadsheet would run as a formula
 * gets a leading apostrophe (shown as text, as OWASP recommends), and so does any part of it that starts with a
 * formula character right after `,`, `;`, a tab or a line break (in case a spreadsheet splits it all the same).
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  s = s.replace(FORMULA_AFTER_SEPARATOR, "$1'$2");
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** A whole CSV (header line, then one line per row, CRLF as RFC 4180 says), every cell through `csvCell`. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[], delimiter = ','): string {
  return [header, ...rows].map((r) => r.map((c) => csvCell(c)).join(delimiter)).join('\r\n') + '\r\n';
}

/**
 * A cohort's error file: the file's own header and, for each bad row, its own cells (as the file had them, so the
 * registrar can fix them and send the rows again) followed by the reason in a last column named `reasonHeader`.
 * A line that could not be split into cells is given whole in the first cell. Written by `toCsv` (';' separated).
 */
export function cohortErrorCsv(text: string, bad: readonly { line: number; error: string }[], reasonHeader: string): string {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstLine = lines[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const cellsOf = (line: string): string[] => {
    const r = splitCsvLine(line, delimiter);
    return 'error' in r ? [line] : r.cells;
  };
  const header = cellsOf(firstLine);
  const rows = bad.map((b) => {
    const cells = cellsOf(lines[b.line - 1] ?? '');
    return [...cells, ...Array<string>(Math.max(0, header.length - cells.length)).fill(''), b.error];
  });
  return toCsv([...header, reasonHeader], rows, ';');
}

/** The template's header names per language: required, then optional, then evidence and results columns. */
const TEMPLATE: Record<'es' | 'en' | 'pt', { header: string[]; example: string[] }> = {
  es: {
    header: ['nombre', 'correo', 'did', 'microcredencial', 'vigencia', 'idioma', 'evidencia_url', 'evidencia', 'evidencia_archivo', 'creditos', 'fecha_inicio', 'fecha_fin', 'resultado: <criterio>'],
    example: ['Ana Pérez', 'ana.perez@example.org', '', '', '', 'es', '', '', '', '', '', '', ''],
  },
  en: {
    header: ['name', 'email', 'did', 'microcredential', 'valid until', 'language', 'evidence_url', 'evidence_narrative', 'evidence_file', 'credits', 'start date', 'end date', 'result: <criterion>'],
    example: ['Ana Pérez', 'ana.perez@example.org', '', '', '', 'en', '', '', '', '', '', '', ''],
  },
  pt: {
    header: ['nome', 'e-mail', 'did', 'microcredencial', 'válido até', 'idioma', 'evidencia_url', 'evidencia', 'evidencia_archivo', 'creditos', 'fecha_inicio', 'fecha_fin', 'resultado: <criterio>'],
    example: ['Ana Pérez', 'ana.perez@example.org', '', '', '', 'pt', '', '', '', '', '', '', ''],
  },
};

/**
 * A cohort's template (';' separated, as spreadsheets in Spanish and Portuguese locales open them): every column
 * `parseCohortCsv` reads, named in `lang`, and one example row that the parser accepts. Only `nombre` and `correo`
 * (or `did`) are required; an empty cell of an optional column is as if the column were absent.
 */
export function cohortTemplateCsv(lang: 'es' | 'en' | 'pt'): string {
  const t = TEMPLATE[lang];
  return toCsv(t.header, [t.example], ';');
}
/** The template's header names (tests check that the parser reads each of them). */
export const TEMPLATE_HEADERS: Readonly<Record<'es' | 'en' | 'pt', readonly string[]>> = { es: TEMPLATE.es.header, en: TEMPLATE.en.header, pt: TEMPLATE.pt.header };
