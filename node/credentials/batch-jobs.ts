/**
 * Issuing a cohort from a CSV file as a background job: each row on its own (a bad row is reported with its line and
 * never stops the others; a row already issued is skipped, so re-running a file issues nothing twice), each row's
 * result stored as it is processed, progress read from the database (what a job reports is what happened, even
 * after a crash); jobs interrupted by a stop are marked failed at the next start. Must never hold the event loop
 * for a whole file, and never report a row issued whose credential was not stored.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isMessageRef, message, messageRefOf, renderRef, userError, type MessageLang, type MessageRef } from '../core/messages/index.js';
import type { FeedService } from '../feed/feed.service.js';
import { and, asc, count, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { jobRows, jobs } from '../store/schema.js';
import { parseCohortCsv, type CohortRow } from './csv.js';
import { deliveryLanguage, type DeliveryLanguage } from './deliveries.js';
import type { IssuanceService } from './issuance.js';
import { prepareEvidenceFiles, type EvidenceFileInput } from './evidence-files.js';
import type { EvidenceRequest, ResultRequest } from './ob3-evidence.js';

export interface BatchRowResult {
  line: number;
  status: 'issued' | 'skipped' | 'failed';
  id?: string;
  name?: string;
  /** Why the row was skipped or failed, in the language asked for (English when none). */
  error?: string;
  /** The same as a message key (stored, so a reader in another language reads it in theirs). */
  reason?: MessageRef;
}

/**
 * A row's reason as stored in job_rows.error: the message key and parameters as JSON when there is one (rendered
 * in the reader's language when read), else the English text (rows stored before messages had keys).
 */
function storedError(r: BatchRowResult): string | null {
  return r.reason ? JSON.stringify(r.reason) : (r.error ?? null);
}
function readError(stored: string, lang: MessageLang): { error: string; reason?: MessageRef } {
  if (stored.startsWith('{"key":')) {
    try {
      const ref = JSON.parse(stored) as unknown;
      if (isMessageRef(ref)) return { error: renderRef(lang, ref), reason: ref };
    } catch {
      // not a stored key after all: shown as it is
    }
  }
  return { error: stored };
}

/** A row of a cohort's preview: what issuing it would do, and why. */
export interface PreviewRow {
  line: number;
  status: 'ok' | 'skipped' | 'failed';
  name?: string;
  email?: string;
  did?: string;
  /** The microcredential the row would get: from the file's column, or the one given for the rows without one. */
  microcredential?: { ref: string; from: 'file' | 'form'; id?: string; title?: Record<string, string> };
  /** The credential the learner already holds (skipped rows). */
  id?: string;
  error?: string;
  reason?: MessageRef;
}

/** A cohort's preview: the file's header and each row's verdict. */
export interface BatchPreview {
  /** The header's cells, lower-cased, as the file has them. */
  columns: string[];
  total: number;
  ok: number;
  skipped: number;
  failed: number;
  rows: PreviewRow[];
}

export interface BatchJob {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  issued: number;
  skipped: number;
  failed: number;
  rows: BatchRowResult[];
  error?: string;
  createdAt: string;
  updatedAt: string;
}

export interface BatchJobDeps {
  store: Store;
  feed: FeedService;
  clock: Clock;
  logger: Logger;
  issuance: IssuanceService;
  /** True once the node is stopping: a job stops after its current row. */
  isStopping: () => boolean;
}

export class BatchJobService {
  private readonly running = new Map<string, Promise<void>>();
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: BatchJobDeps) {
    this.st = prepareStatements(d.store);
  }

  /**
   * Issues a cohort. Each row on its own: a bad row is reported with its line and never stops the others; a row
   * already issued (same microcredential version and learner) is skipped, so re-running a file issues nothing twice.
   * With a `jobId`, each row's result is stored in job_rows as it is processed; an issued row's result in the same
   * transaction as its credential.
   */
  async issueRows(rows: CohortRow[], opts: { microcredential?: string; jobId?: string; notify?: boolean; language?: DeliveryLanguage; files?: BatchFiles; results?: ResultRequest[]; onProgress?: (done: number, last: BatchRowResult) => void } = {}): Promise<BatchRowResult[]> {
    const out: BatchRowResult[] = [];
    const seen = new Map<string, number>();
    for (const [idx, row] of rows.entries()) {
      if (this.d.isStopping()) throw userError('timeout', 'csv.stopping', { line: row.line });
      const r = (await this.rowVerdict(row, idx, opts, seen, 'issue')) as BatchRowResult;
      // issued rows were stored with their credential; OR IGNORE keeps that result if anything threw after the commit
      if (opts.jobId && r.status !== 'issued') this.st.insertJobRowIfNone.run({ jobId: opts.jobId, idx, line: r.line, status: r.status, credentialId: r.id ?? null, name: r.name ?? null, error: storedError(r) });
      out.push(r);
      opts.onProgress?.(out.length, r);
      // let HTTP requests in between rows
      if (out.length % 20 === 0) await new Promise((res) => setImmediate(res));
    }
    return out;
  }

  /**
   * A cohort's dry run: every row through the very rule `issueRows` applies (`rowVerdict`), nothing signed or
   * stored. Each row comes back with what it would do (`ok`: would be issued; `skipped`; `failed`) and why, its
   * learner and the microcredential it would get (from the file's column, or the one given for the rest).
   */
  async previewRows(rows: CohortRow[], opts: { microcredential?: string; notify?: boolean; language?: DeliveryLanguage; files?: BatchFiles; results?: ResultRequest[] } = {}): Promise<PreviewRow[]> {
    const out: PreviewRow[] = [];
    const seen = new Map<string, number>();
    for (const [idx, row] of rows.entries()) {
      const v = (await this.rowVerdict(row, idx, opts, seen, 'preview')) as PreviewRow;
      out.push(v);
      if (out.length % 20 === 0) await new Promise((res) => setImmediate(res));
    }
    return out;
  }

  /**
   * One row through the batch's rule — the ONE function both the batch and its preview run, so the preview's verdict
   * is the batch's: the row's parse error, else the issuance's own checks (IssuanceService.check), then a learner
   * already holding it (skipped, "ya emitida el …") or a row repeating an earlier row of the same file (skipped);
   * in 'issue' mode a row that passes is then issued, in 'preview' mode it is reported `ok`. `seen` maps the
   * dedupe keys of the rows passed so far to their lines.
   */
  private async rowVerdict(row: CohortRow, idx: number, opts: { microcredential?: string; jobId?: string; notify?: boolean; language?: DeliveryLanguage; files?: BatchFiles; results?: ResultRequest[] }, seen: Map<string, number>, mode: 'issue' | 'preview'): Promise<BatchRowResult | PreviewRow> {
    const who = { ...(row.name ? { name: row.name } : {}), ...(mode === 'preview' && row.email ? { email: row.email } : {}), ...(mode === 'preview' && row.did ? { did: row.did } : {}) };
    const mcRef = row.microcredential ?? opts.microcredential;
    const mcOf = (): Partial<PreviewRow> => {
      if (mode !== 'preview' || !mcRef) return {};
      const mc = this.d.issuance.findMicrocredential(mcRef);
      const title = mc?.record.title as Record<string, string> | undefined;
      return { microcredential: { ref: mcRef, from: row.microcredential ? 'file' : 'form', ...(mc ? { id: mc.id } : {}), ...(title ? { title } : {}) } };
    };
    const fail = (reason: MessageRef | null, english: string, status: 'failed' | 'skipped' = 'failed', id?: string): BatchRowResult | PreviewRow => ({ line: row.line, status, ...who, ...mcOf(), ...(id ? { id } : {}), error: english, ...(reason ? { reason } : {}) });
    if (row.error) return fail(row.reason ?? null, row.error);
    try {
      if (!mcRef) throw userError('validation_failed', 'csv.noMicrocredential');
      const learner = { name: row.name!, ...(row.email ? { email: row.email } : {}), ...(row.did ? { did: row.did } : {}) };
      const language = (row.language ? deliveryLanguage(row.language) : null) ?? opts.language;
      const req = { microcredential: mcRef, learner, ...(row.validUntil ? { validUntil: row.validUntil } : {}), ...rowAdditions(row, opts), ...(opts.notify ? { notify: true } : {}), ...(language ? { language } : {}) };
      const checked = await this.d.issuance.check(req);
      const earlier = seen.get(checked.dedupeKey);
      if (earlier !== undefined) {
        const reason: MessageRef = { key: 'csv.duplicateInFile', params: { line: earlier } };
        return fail(reason, renderRef('en', reason), 'skipped', checked.existing?.id);
      }
      if (checked.existing) {
        // "already issued on <date>": the learner's credential in force, and when it was issued
        const at = checked.existing.issuedAt;
        const reason: MessageRef = at ? { key: 'csv.alreadyIssuedOn', params: { date: at.slice(0, 10) } } : { key: 'csv.alreadyIssued' };
        return fail(reason, renderRef('en', reason), 'skipped', checked.existing.id);
      }
      if (mode === 'preview') {
        seen.set(checked.dedupeKey, row.line);
        return { line: row.line, status: 'ok', ...who, ...mcOf() };
      }
      const c = await this.d.issuance.issueChecked(checked, req, opts.jobId ? { jobId: opts.jobId, jobRow: { idx, line: row.line } } : {});
      seen.set(checked.dedupeKey, row.line);
      return { line: row.line, status: 'issued', id: c.id, name: row.name! };
    } catch (e) {
      if (e instanceof RegistryError && e.code === 'conflict' && typeof (e.details as { existing?: unknown } | undefined)?.existing === 'string') {
        // a concurrent issuance of the same credential won the race
        const at = (e.details as { existingIssuedAt?: unknown }).existingIssuedAt;
        const reason: MessageRef = typeof at === 'string' && at ? { key: 'csv.alreadyIssuedOn', params: { date: at.slice(0, 10) } } : { key: 'csv.alreadyIssued' };
        return fail(reason, renderRef('en', reason), 'skipped', (e.details as { existing: string }).existing);
      }
      if (!(e instanceof RegistryError)) this.d.logger.error('batch row failed', { line: row.line, error: String(e) });
      // the issuance's own reason with its key when it has one; any other RegistryError in English as before
      const ref = e instanceof RegistryError ? messageRefOf(e) : { key: 'csv.internal' as const };
      return fail(ref ?? null, e instanceof RegistryError ? e.message : message('en', 'csv.internal'));
    }
  }

  /**
   * What a batch refuses as a whole before any row (the same for its preview): no CSV, a file that cannot be read
   * (no name column…), a bad evidence file, an unknown microcredential for the rest, e-mail without SMTP, this
   * unit's feed not able to take entries. Answers the parsed rows and the checked files.
   */
  private prepare(csv: string, opts: { microcredential?: string; notify?: boolean; files?: EvidenceFileInput[] }): { rows: CohortRow[]; columns: string[]; files: BatchFiles } {
    if (typeof csv !== 'string' || !csv.trim()) throw userError('validation_failed', 'csv.required');
    this.d.feed.assertCanAppend(); // refused at once (own feed not confirmed current), not row by row in the background
    const { rows, columns } = parseCohortCsv(csv);
    // the files rows name (evidencia_archivo), each checked once here; the file as a whole is refused for a bad one
    const files = batchFiles(opts.files);
    if (opts.microcredential) this.d.issuance.resolveMicrocredential(opts.microcredential);
    // e-mail asked of a node without SMTP: refused at once, not row by row
    if (opts.notify) this.d.issuance.checkExtras({ microcredential: opts.microcredential ?? '', learner: { name: '' }, notify: true });
    return { rows, columns, files };
  }

  /**
   * A cohort's dry run from CSV text, as `startBatch` would take it: refused as a whole for what refuses the batch,
   * else each row's verdict (previewRows) in `lang`, with the file's header cells (for its error file).
   */
  async previewBatch(csv: string, opts: { microcredential?: string; notify?: boolean; language?: DeliveryLanguage; files?: EvidenceFileInput[]; results?: ResultRequest[] } = {}, lang: MessageLang = 'en'): Promise<BatchPreview> {
    const { rows, columns, files } = this.prepare(csv, opts);
    const verdicts = await this.previewRows(rows, { ...(files.size ? { files } : {}), ...(opts.results?.length ? { results: opts.results } : {}), ...(opts.microcredential ? { microcredential: opts.microcredential } : {}), ...(opts.notify ? { notify: true } : {}), ...(opts.language ? { language: opts.language } : {}) });
    const counts = { ok: 0, skipped: 0, failed: 0 };
    for (const v of verdicts) counts[v.status]++;
    return { columns, total: verdicts.length, ...counts, rows: verdicts.map((v) => (v.reason ? { ...v, error: renderRef(lang, v.reason) } : v)) };
  }

  /** Starts a batch job from CSV text; runs in the background, progress through `job(id)`. */
  startBatch(csv: string, opts: { microcredential?: string; notify?: boolean; language?: DeliveryLanguage; files?: EvidenceFileInput[]; results?: ResultRequest[] } = {}): BatchJob {
    const { rows, files } = this.prepare(csv, opts);
    const id = randomUUID();
    const now = this.d.clock.now().toISOString();
    this.st.insertJob.run({ id, total: rows.length, now });
    const setState = (state: BatchJob['state'], error?: string) => this.st.setJobState.run({ status: state, error: error ?? null, now: this.d.clock.now().toISOString(), id });
    const run = (async () => {
      await new Promise((res) => setImmediate(res));
      setState('running');
      try {
        await this.issueRows(rows, { ...(files.size ? { files } : {}), ...(opts.results?.length ? { results: opts.results } : {}), ...(opts.microcredential ? { microcredential: opts.microcredential } : {}), ...(opts.notify ? { notify: true } : {}), ...(opts.language ? { language: opts.language } : {}), jobId: id });
        setState('done');
      } catch (e) {
        this.d.logger.error('batch job failed', { job: id, error: String(e) });
        const ref = e instanceof RegistryError ? messageRefOf(e) : null;
        setState('failed', ref ? JSON.stringify(ref) : String((e as Error)?.message ?? e));
      }
    })().finally(() => this.running.delete(id));
    this.running.set(id, run);
    return this.job(id)!;
  }

  /**
   * A job with its counts and its row results from index `from` on (pollers ask only for what is new). Read from the
   * database, where each row's result is stored as it is processed: what a job reports is what happened, even after
   * a crash. Reasons in `lang` (English by default: the CLI's language).
   */
  job(id: string, from = 0, lang: MessageLang = 'en'): BatchJob | null {
    const r = this.st.job.get({ id });
    if (!r) return null;
    const counts = { issued: 0, skipped: 0, failed: 0 };
    for (const c of this.st.jobCounts.all({ id })) counts[c.status in counts ? (c.status as keyof typeof counts) : 'failed'] += c.n;
    const rows = this.st.jobRows.all({ id, from: Math.max(0, Math.floor(from) || 0) }).map(
      (x): BatchRowResult => ({ line: x.line, status: x.status as BatchRowResult['status'], ...(x.credentialId !== null ? { id: x.credentialId } : {}), ...(x.name !== null ? { name: x.name } : {}), ...(x.error !== null ? { error: readError(x.error, lang).error } : {}) }),
    );
    const job: BatchJob = {
      id: r.id,
      state: r.status as BatchJob['state'],
      total: r.total,
      processed: counts.issued + counts.skipped + counts.failed,
      ...counts,
      rows,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
    if (r.error !== null) job.error = readError(r.error, lang).error;
    return job;
  }

  /** Waits for running jobs (they stop after their current row once isStopping() is true). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Jobs left queued or running by the last stop (or a crash) are marked failed on the next start. Their row results
   * need no repair: each was stored as its row was processed, an issued row with its credential.
   */
  recoverInterruptedJobs(): number {
    return this.st.failInterruptedJobs.run({ error: JSON.stringify({ key: 'csv.interrupted' } satisfies MessageRef), now: this.d.clock.now().toISOString() }).changes;
  }
}

/** The batch-job statements (hot: run per row and per poll), prepared once. */
function prepareStatements(store: Store) {
  const db = store.db;
  const p = (name: string) => sql.placeholder(name);
  // update's set() types take no placeholder: wrapped in sql``
  const v = (name: string) => sql`${p(name)}`;
  const jobRow = { jobId: p('jobId'), idx: p('idx'), line: p('line'), status: p('status'), credentialId: p('credentialId'), name: p('name'), error: p('error') };
  return {
    insertJob: db.insert(jobs).values({ id: p('id'), kind: 'credential-batch', status: 'queued', total: p('total'), createdAt: p('now'), updatedAt: p('now') }).prepare(),
    setJobState: db.update(jobs).set({ status: v('status'), error: v('error'), updatedAt: v('now') }).where(eq(jobs.id, p('id'))).prepare(),
    failInterruptedJobs: db
      .update(jobs)
      .set({ status: 'failed', error: v('error'), updatedAt: v('now') })
      .where(inArray(jobs.status, ['queued', 'running']))
      .prepare(),
    // a row already stored (an issued row, written with its credential) is kept (INSERT OR IGNORE)
    insertJobRowIfNone: db.insert(jobRows).values(jobRow).onConflictDoNothing().prepare(),
    job: db
      .select({ id: jobs.id, status: jobs.status, total: jobs.total, error: jobs.error, createdAt: jobs.createdAt, updatedAt: jobs.updatedAt })
      .from(jobs)
      .where(eq(jobs.id, p('id')))
      .prepare(),
    jobCounts: db.select({ status: jobRows.status, n: count() }).from(jobRows).where(eq(jobRows.jobId, p('id'))).groupBy(jobRows.status).prepare(),
    jobRows: db
      .select({ line: jobRows.line, status: jobRows.status, credentialId: jobRows.credentialId, name: jobRows.name, error: jobRows.error })
      .from(jobRows)
      .where(and(eq(jobRows.jobId, p('id')), gte(jobRows.idx, p('from'))))
      .orderBy(asc(jobRows.idx))
      .prepare(),
  };
}

/** Files sent with a cohort, by name: each already checked (name, type, content, size) and decoded. */
export type BatchFiles = ReadonlyMap<string, EvidenceFileInput & { content: Buffer }>;
/** At most this many files with one cohort (each row names at most 5 of them). */
export const MAX_BATCH_FILES = 50;

/**
 * Checks the files sent with a cohort once: unique names, at most MAX_BATCH_FILES, each a valid evidence file.
 * Throws the file's own error code (evidence_file_name_invalid, evidence_type_not_allowed, ...).
 */
export function batchFiles(files: readonly EvidenceFileInput[] | undefined): BatchFiles {
  const out = new Map<string, EvidenceFileInput & { content: Buffer }>();
  if (!files?.length) return out;
  if (files.length > MAX_BATCH_FILES) throw userError('evidence_too_many_files', 'cohort.tooManyFiles', { limit: MAX_BATCH_FILES, given: files.length }, { limit: MAX_BATCH_FILES });
  for (const f of files) {
    const [p] = prepareEvidenceFiles([f]);
    if (out.has(p!.name)) throw userError('validation_failed', 'cohort.fileTwice', { name: p!.name });
    out.set(p!.name, { name: p!.name, mediaType: p!.mediaType, content: p!.bytes });
  }
  return out;
}

/**
 * A CSV row's optional columns (csv-extras.ts) as issue-request fields: its evidence (links, a narrative, files it
 * names among the batch's), credits earned, activity dates, and its results, each completed from the cohort's result
 * template of the same criterion (a level name when the template has levels, else a value). Throws for a file name
 * the batch did not send: that row fails, the others go on.
 */
export function rowAdditions(row: CohortRow, opts: { files?: BatchFiles; results?: readonly ResultRequest[] }): { evidence?: EvidenceRequest[]; results?: ResultRequest[]; creditsEarned?: number; activityStartDate?: string; activityEndDate?: string } {
  const x = row.extras;
  if (!x) return {};
  const evidence: EvidenceRequest[] = [];
  for (const name of x.evidenceFiles ?? []) {
    const f = opts.files?.get(name.normalize('NFC'));
    if (!f) throw userError('validation_failed', 'cohort.noSuchFile', { name: name.slice(0, 200) });
    evidence.push({ file: f });
  }
  for (const url of x.evidenceUrls ?? []) evidence.push({ url });
  // the narrative describes the row's files when there are any (on the first), else it is evidence of its own
  if (x.evidenceNarrative) {
    if (evidence[0]) evidence[0] = { ...evidence[0], narrative: x.evidenceNarrative };
    else evidence.push({ narrative: x.evidenceNarrative });
  }
  const results = Object.entries(x.results ?? {}).map(([criterion, cell]): ResultRequest => {
    const t = opts.results?.find((r) => r.criterion.trim().toLowerCase() === criterion.toLowerCase());
    const { value: _v, achievedLevel: _l, status: _s, ...description } = t ?? { criterion };
    if (description.resultType === 'Status') return { ...description, status: cell as ResultRequest['status'] };
    return description.levels?.length ? { ...description, achievedLevel: cell } : { ...description, value: cell };
  });
  return {
    ...(evidence.length ? { evidence } : {}),
    ...(results.length ? { results } : {}),
    ...(x.creditsEarned !== undefined ? { creditsEarned: x.creditsEarned } : {}),
    ...(x.activityStartDate ? { activityStartDate: x.activityStartDate } : {}),
    ...(x.activityEndDate ? { activityEndDate: x.activityEndDate } : {}),
  };
}
