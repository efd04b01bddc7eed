/**
 * The optional columns of a cohort CSV that enrich each credential (issue 15 item 1): evidence links, a narrative and
 * files (by name, among the files sent with the batch), credits earned, activity dates, and one result column per
 * assessed criterion (`resultado: Pensamiento crítico`). Reads the header once and each row's cells into the row's
 * `extras`; a bad cell is that row's error (never the file's). Pure: no I/O (files are looked up by the caller).
 */
import { renderRef, type MessageParams, type MessageRef, type ServerMessageKey } from '../core/messages/index.js';

export interface CohortExtras {
  /** `evidencia_url` / `evidence_url`: http(s) links, `|`-separated. */
  evidenceUrls?: string[];
  /** `evidencia` / `evidencia_narrativa` / `evidence_narrative`. */
  evidenceNarrative?: string;
  /** `evidencia_archivo` / `evidence_file`: names of files sent with the batch, `|`-separated. */
  evidenceFiles?: string[];
  /** `creditos` / `credits` (a comma decimal accepted). */
  creditsEarned?: number;
  /** `fecha_inicio` / `fecha_fin` (`start date` / `end date`): ISO 8601 date or date-time. */
  activityStartDate?: string;
  activityEndDate?: string;
  /** `resultado: <criterion>` / `result: <criterion>`: the learner's value or level for that criterion. */
  results?: Record<string, string>;
}

type ExtraKey = 'evidenceUrls' | 'evidenceNarrative' | 'evidenceFiles' | 'creditsEarned' | 'activityStartDate' | 'activityEndDate';

const EXTRA_HEADERS: Record<string, ExtraKey> = {
  evidencia_url: 'evidenceUrls',
  'evidencia url': 'evidenceUrls',
  evidence_url: 'evidenceUrls',
  'evidence url': 'evidenceUrls',
  evidencia: 'evidenceNarrative',
  evidencia_narrativa: 'evidenceNarrative',
  'evidencia narrativa': 'evidenceNarrative',
  evidence: 'evidenceNarrative',
  evidence_narrative: 'evidenceNarrative',
  'evidence narrative': 'evidenceNarrative',
  evidencia_archivo: 'evidenceFiles',
  'evidencia archivo': 'evidenceFiles',
  evidence_file: 'evidenceFiles',
  'evidence file': 'evidenceFiles',
  creditos: 'creditsEarned',
  créditos: 'creditsEarned',
  'creditos obtenidos': 'creditsEarned',
  'créditos obtenidos': 'creditsEarned',
  credits: 'creditsEarned',
  'credits earned': 'creditsEarned',
  creditsearned: 'creditsEarned',
  fecha_inicio: 'activityStartDate',
  'fecha inicio': 'activityStartDate',
  'fecha de inicio': 'activityStartDate',
  'start date': 'activityStartDate',
  activitystartdate: 'activityStartDate',
  fecha_fin: 'activityEndDate',
  'fecha fin': 'activityEndDate',
  'fecha de término': 'activityEndDate',
  'fecha de termino': 'activityEndDate',
  'end date': 'activityEndDate',
  activityenddate: 'activityEndDate',
};
/** The headers the optional columns answer to (for documentation and the CLI's help). */
export const EXTRA_COLUMN_HEADERS: Readonly<Record<string, ExtraKey>> = EXTRA_HEADERS;

/** `resultado: Pensamiento crítico` or `result: Critical thinking`. */
const RESULT_HEADER = /^(?:resultado|result)\s*:\s*(.+)$/i;
/** Several links or file names in one cell are separated by `|`. */
const LIST_SEPARATOR = /\s*\|\s*/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+\S*$/i;

/** The reader of one file's optional columns; `read` returns the row's first problem as a sentence, or null. */
export interface ExtraColumns {
  read(cells: readonly string[]): { extras: CohortExtras | null; error: string | null; reason?: MessageRef };
  /** The criteria of the file's result columns, as written in the header. */
  criteria: string[];
}

/**
 * Reads the header's optional columns. A header problem (two result columns for one criterion, a criterion longer
 * than 300 characters) is every row's error, so the file is reported row by row like any other bad value.
 */
export function extraColumns(headerCells: readonly string[]): ExtraColumns {
  const extra = headerCells.map((h) => EXTRA_HEADERS[h.trim().toLowerCase()] ?? null);
  const results = headerCells.map((h) => RESULT_HEADER.exec(h.trim())?.[1]?.trim() || null);
  const criteria = results.filter((c): c is string => c !== null);
  const headerError: MessageRef | null =
    new Set(criteria.map((c) => c.toLowerCase())).size !== criteria.length
      ? { key: 'csv.duplicateResultColumn' }
      : criteria.some((c) => c.length > 300)
        ? { key: 'csv.criterionTooLong' }
        : null;
  return {
    criteria,
    read(cells) {
      if (headerError) return { extras: null, error: renderRef('en', headerError), reason: headerError };
      const x: CohortExtras = {};
      let reason: MessageRef | null = null;
      // the row's first problem, as a message key (the reader's language) and in English (CLI, logs)
      const fail = (key: ServerMessageKey, params?: MessageParams) => void (reason ??= params ? { key, params } : { key });
      extra.forEach((col, j) => {
        const v = cells[j]?.trim();
        if (!col || !v) return;
        if (col === 'evidenceUrls') {
          const urls = v.split(LIST_SEPARATOR).filter(Boolean);
          const bad = urls.find((u) => !HTTP_URL.test(u) || u.length > 2000);
          if (bad) fail('csv.notHttpLink', { value: bad.slice(0, 200) });
          else x.evidenceUrls = [...(x.evidenceUrls ?? []), ...urls];
        } else if (col === 'evidenceFiles') x.evidenceFiles = [...(x.evidenceFiles ?? []), ...v.split(LIST_SEPARATOR).filter(Boolean)];
        else if (col === 'evidenceNarrative') {
          if (v.length > 20_000) fail('csv.narrativeTooLong');
          else x.evidenceNarrative = v;
        } else if (col === 'creditsEarned') {
          if (!/^\d{1,4}(?:[.,]\d{1,3})?$/.test(v)) fail('csv.creditsNotNumber', { value: v.slice(0, 50) });
          else x.creditsEarned = Number(v.replace(',', '.'));
        } else if (Number.isNaN(Date.parse(v)) || v.length > 40) fail('csv.notDate', { value: v.slice(0, 50) });
        else x[col] = v;
      });
      results.forEach((criterion, j) => {
        const v = cells[j]?.trim();
        if (!criterion || !v) return;
        if (v.length > 100) fail('csv.resultTooLong', { criterion: criterion.slice(0, 100) });
        else x.results = { ...(x.results ?? {}), [criterion]: v };
      });
      if (!reason && x.activityStartDate && x.activityEndDate && Date.parse(x.activityEndDate) < Date.parse(x.activityStartDate)) fail('csv.endBeforeStart');
      const r = reason as MessageRef | null;
      return { extras: Object.keys(x).length ? x : null, error: r ? renderRef('en', r) : null, ...(r ? { reason: r } : {}) };
    },
  };
}
