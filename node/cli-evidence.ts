/**
 * The evidence and results options of `mochila issue` (issue 15 item 1): evidence files read from disk (one credential:
 * `--evidence-file`; a cohort: the files its CSV's evidencia_archivo column names, next to the CSV), links, a
 * narrative, results (`--result "criterion=value"`, a JSON `--results-file` with each criterion's levels), credits
 * earned and activity dates. It turns them into the same issue-request fields the API takes; every check is the
 * credential service's. Must never read a file a CSV names outside the CSV's own folder, nor follow a symbolic link.
 */
import type { Command } from 'commander';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RegistryError } from './core/errors.js';
import { rowAdditions, type BatchFiles } from './credentials/batch-jobs.js';
import type { CohortRow } from './credentials/csv.js';
import { checkFileName, EVIDENCE_LIMITS, mediaTypeForName, prepareEvidenceFiles, type EvidenceFileInput } from './credentials/evidence-files.js';
import type { EvidenceRequest, ResultRequest } from './credentials/ob3-evidence.js';

const collect = (v: string, all: string[] = []) => [...all, v];

/** Adds the options to a command. */
export function evidenceOptions(cmd: Command): Command {
  return cmd
    .option('--evidence-file <path>', 'evidence file stored with the credential (PDF, PNG, JPEG, WebP, TXT/MD, DOCX, PPTX, XLSX, ODT; 5 MiB each, 5 per credential); repeat for several', collect)
    .option('--evidence-url <url>', 'evidence published elsewhere (http/https); repeat for several', collect)
    .option('--evidence-narrative <text>', 'how the evidence shows the achievement (on the first file, or evidence of its own)')
    .option('--result <criterion=value>', 'a result: the value, or the level achieved when --results-file gives that criterion levels; repeat per criterion', collect)
    .option('--results-file <json>', 'results and their descriptions: a JSON array of {criterion, levels?, resultType?, allowedValues?, valueMin?, valueMax?, requiredLevel?, value?, achievedLevel?, status?} (for --csv: the description of each "resultado: <criterion>" column)')
    .option('--credits-earned <n>', 'credits the learner earned (at most the microcredential\'s)')
    .option('--activity-start <date>', 'when the learner\'s activity started (ISO 8601)')
    .option('--activity-end <date>', 'when it ended (ISO 8601)');
}

export interface EvidenceCliOptions {
  evidenceFile?: string[];
  evidenceUrl?: string[];
  evidenceNarrative?: string;
  result?: string[];
  resultsFile?: string;
  creditsEarned?: string;
  activityStart?: string;
  activityEnd?: string;
}

/** Reads one evidence file from disk: a regular file (no symbolic link), its type from its extension, bounded. */
export function readEvidenceFile(file: string): EvidenceFileInput & { content: Buffer } {
  const name = path.basename(file);
  const mediaType = mediaTypeForName(name);
  if (!mediaType) throw new RegistryError('evidence_type_not_allowed', `${name}: not an accepted evidence file type (pdf, png, jpg, jpeg, webp, txt, md, docx, pptx, xlsx, odt)`);
  let st;
  try {
    st = lstatSync(file);
  } catch {
    throw new RegistryError('not_found', `${file}: no such file`);
  }
  if (!st.isFile()) throw new RegistryError('validation_failed', `${file}: not a regular file (symbolic links are not followed)`);
  if (st.size > EVIDENCE_LIMITS.fileBytes) throw new RegistryError('evidence_file_too_large', `${file} is larger than ${EVIDENCE_LIMITS.fileBytes} bytes`);
  return { name, mediaType, content: readFileSync(file) };
}

/** A `--results-file`: a JSON array of results (descriptions, possibly with values), at most 1 MiB. */
export function readResultsFile(file: string | undefined): ResultRequest[] | undefined {
  if (!file) return undefined;
  const text = readFileSync(file, 'utf8');
  if (text.length > 1024 * 1024) throw new RegistryError('validation_failed', `${file}: at most 1 MiB`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RegistryError('validation_failed', `${file}: not JSON`);
  }
  if (!Array.isArray(v) || v.some((r) => !r || typeof r !== 'object' || typeof (r as { criterion?: unknown }).criterion !== 'string'))
    throw new RegistryError('validation_failed', `${file}: a JSON array of results, each with a criterion`);
  return v as ResultRequest[];
}

function resultCells(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const r of list) {
    const i = r.indexOf('=');
    if (i <= 0 || i === r.length - 1) throw new RegistryError('validation_failed', `--result ${r}: write criterion=value`);
    out[r.slice(0, i).trim()] = r.slice(i + 1).trim();
  }
  return out;
}

/** The issue-request fields of one credential's options (files read from disk). */
export function evidenceRequest(o: EvidenceCliOptions): { evidence?: EvidenceRequest[]; results?: ResultRequest[]; creditsEarned?: number; activityStartDate?: string; activityEndDate?: string } {
  const files = new Map<string, EvidenceFileInput & { content: Buffer }>();
  for (const f of o.evidenceFile ?? []) {
    const read = readEvidenceFile(f);
    if (files.has(read.name)) throw new RegistryError('validation_failed', `two evidence files named ${read.name}`);
    files.set(read.name, read);
  }
  if (o.creditsEarned !== undefined && !/^\d{1,4}(?:[.,]\d{1,3})?$/.test(o.creditsEarned)) throw new RegistryError('validation_failed', `--credits-earned must be a number, not ${o.creditsEarned}`);
  const template = readResultsFile(o.resultsFile);
  const cells = resultCells(o.result);
  // the same mapping as a CSV row's (batch-jobs.ts rowAdditions): --result cells completed from the template
  const row: CohortRow = {
    line: 0,
    extras: {
      ...(files.size ? { evidenceFiles: [...files.keys()] } : {}),
      ...(o.evidenceUrl?.length ? { evidenceUrls: o.evidenceUrl } : {}),
      ...(o.evidenceNarrative ? { evidenceNarrative: o.evidenceNarrative } : {}),
      ...(o.creditsEarned !== undefined ? { creditsEarned: Number(o.creditsEarned.replace(',', '.')) } : {}),
      ...(o.activityStart ? { activityStartDate: o.activityStart } : {}),
      ...(o.activityEnd ? { activityEndDate: o.activityEnd } : {}),
      ...(cells ? { results: cells } : {}),
    },
  };
  const out = rowAdditions(row, { files, ...(template ? { results: template } : {}) });
  // template entries that carry their own value / level / status and have no --result: results as given
  const given = (template ?? []).filter((t) => (t.value !== undefined || t.achievedLevel !== undefined || t.status !== undefined) && !Object.keys(cells ?? {}).some((c) => c.toLowerCase() === t.criterion.trim().toLowerCase()));
  if (given.length) out.results = [...(out.results ?? []), ...given];
  return out;
}

/**
 * The files a cohort's rows name (evidencia_archivo), read from the CSV's folder. A name with a path, or a file that
 * is missing, is left out: the rows naming it fail on their own ("no file named …"); a file that is there but not
 * acceptable (type, content, size) stops the whole command, as the API refuses the whole request.
 */
export function cohortFiles(csvPath: string, rows: readonly CohortRow[]): BatchFiles {
  const dir = path.dirname(path.resolve(csvPath));
  const names = new Set(rows.flatMap((r) => (r.error ? [] : (r.extras?.evidenceFiles ?? []))));
  const out = new Map<string, EvidenceFileInput & { content: Buffer }>();
  for (const raw of names) {
    const mediaType = mediaTypeForName(raw);
    let name: string;
    try {
      name = checkFileName(raw, mediaType ?? '');
    } catch {
      continue; // a path or a hostile name: never opened; its rows fail with "no file named …"
    }
    const file = path.join(dir, name);
    if (path.dirname(file) !== dir) continue;
    let read;
    try {
      read = readEvidenceFile(file);
    } catch (e) {
      if (e instanceof RegistryError && e.code === 'not_found') continue;
      throw e;
    }
    const [p] = prepareEvidenceFiles([read]);
    out.set(p!.name, { name: p!.name, mediaType: p!.mediaType, content: p!.bytes });
  }
  return out;
}
