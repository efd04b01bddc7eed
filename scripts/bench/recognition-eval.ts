/**
 * The labelled recognition evaluation (fixtures/recognition-eval/): loads the demo units' catalogues plus the records
 * added for the evaluation, and scores a ranking function on the labelled queries (top-1, top-3, the "no counterpart"
 * answer, score separation, bands against labels). Shared by the benchmark and the tests. Reads fixture files only;
 * must never decide a label: labels and their reasons are written by hand in pairs.json.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UNITS = path.join(ROOT, 'fixtures/units');
const EVAL = path.join(ROOT, 'fixtures/recognition-eval');

export type Label = 'equivalent' | 'partial' | 'unrelated';

export interface EvalRecord {
  /** `<unit>/<code>`, the id used throughout the evaluation */
  key: string;
  unit: string;
  country: string;
  record: MicrocredentialRecord;
  addedForEvaluation: boolean;
}

export interface EvalQuery {
  foreign: string;
  local: string;
  exclude?: string[];
  note?: string;
  pairs: { local: string; label: Label; reason: string }[];
}

export interface EvalSet {
  records: EvalRecord[];
  queries: EvalQuery[];
}

export function loadEvalSet(): EvalSet {
  const records: EvalRecord[] = [];
  for (const unit of readdirSync(UNITS).sort()) {
    const country = (JSON.parse(readFileSync(path.join(UNITS, unit, 'profile.json'), 'utf8')) as { country: string }).country;
    for (const record of JSON.parse(readFileSync(path.join(UNITS, unit, 'catalogue.json'), 'utf8')) as MicrocredentialRecord[])
      records.push({ key: `${unit}/${record.code}`, unit, country, record, addedForEvaluation: false });
  }
  const extra = JSON.parse(readFileSync(path.join(EVAL, 'catalogue.json'), 'utf8')) as {
    partners: Record<string, { country: string }>;
    records: { unit: string; record: MicrocredentialRecord }[];
  };
  const countryOf = (unit: string) => extra.partners[unit]?.country ?? records.find((r) => r.unit === unit)?.country ?? '';
  for (const { unit, record } of extra.records) records.push({ key: `${unit}/${record.code}`, unit, country: countryOf(unit), record, addedForEvaluation: true });
  const queries = (JSON.parse(readFileSync(path.join(EVAL, 'pairs.json'), 'utf8')) as { queries: EvalQuery[] }).queries;
  const keys = new Set(records.map((r) => r.key));
  for (const q of queries) {
    if (!keys.has(q.foreign)) throw new Error(`evaluation: unknown foreign record ${q.foreign}`);
    for (const p of q.pairs) if (!keys.has(`${q.local}/${p.local}`)) throw new Error(`evaluation: unknown local record ${q.local}/${p.local}`);
  }
  return { records, queries };
}

/** The local catalogue of a query: the local unit's records, without those the query excludes. */
export function localCatalogue(set: EvalSet, q: EvalQuery): EvalRecord[] {
  return set.records.filter((r) => r.unit === q.local && !(q.exclude ?? []).includes(r.record.code));
}

/** What a ranking answered for one query: candidates best first, and whether it said "no comparable microcredential". */
export interface RankedAnswer {
  /** what the registrar is offered, best first */
  candidates: { key: string; score: number; band?: string }[];
  noCounterpart: boolean;
  /** the score of every local record, offered or not (for separation); defaults to the candidates' scores */
  scores?: Map<string, number>;
}

const RANK: Record<Label, number> = { equivalent: 2, partial: 1, unrelated: 0 };

export interface EvalMetrics {
  queries: number;
  pairs: number;
  labels: Record<Label, number>;
  withCounterpart: number;
  withoutCounterpart: number;
  top1: number;
  top3: number;
  noCounterpart: { answered: number; correct: number; precision: number; recall: number; wrongOnQueriesWithCounterpart: number; wrongRate: number };
  separation: { pairs: number; separated: number; share: number };
  meanScore: Record<Label, number>;
  bands: Record<string, Record<Label, number>>;
  failures: { query: string; problem: string }[];
}

/**
 * Scores answers against the labels. Every record of the local catalogue a query does not label equivalent or partial
 * counts as unrelated (each catalogue was read in full when the labels were written).
 * - top-1: the first candidate carries the query's best label (equivalent if it has one, else partial); a "no
 *   counterpart" answer on a query that has one is a miss. top-3: such a candidate among the first three.
 * - no counterpart: precision = answered none and truly none / answered none; recall = the same over the queries that
 *   have none; wrong rate = answered none / queries that have a counterpart.
 * - separation: for every (labelled counterpart, best-scoring unrelated record of the same query), whether the
 *   counterpart scores higher.
 */
export function evaluate(set: EvalSet, answer: (q: EvalQuery) => RankedAnswer): EvalMetrics {
  const labels: Record<Label, number> = { equivalent: 0, partial: 0, unrelated: 0 };
  const scores: Record<Label, number[]> = { equivalent: [], partial: [], unrelated: [] };
  const bands: Record<string, Record<Label, number>> = {};
  const failures: { query: string; problem: string }[] = [];
  let withCounterpart = 0;
  let top1 = 0;
  let top3 = 0;
  let answeredNone = 0;
  let correctNone = 0;
  let wrongNone = 0;
  let sepPairs = 0;
  let separated = 0;
  for (const q of set.queries) {
    for (const p of q.pairs) labels[p.label]++;
    const labelOf = (key: string): Label => q.pairs.find((p) => `${q.local}/${p.local}` === key)?.label ?? 'unrelated';
    const best = Math.max(...q.pairs.map((p) => RANK[p.label]), 0);
    const a = answer(q);
    const name = `${q.foreign} → ${q.local}`;
    const scoreOf = a.scores ?? new Map(a.candidates.map((c) => [c.key, c.score]));
    for (const p of q.pairs) {
      const key = `${q.local}/${p.local}`;
      scores[p.label].push(scoreOf.get(key) ?? 0);
      const band = a.candidates.find((c) => c.key === key)?.band ?? 'not offered';
      bands[band] ??= { equivalent: 0, partial: 0, unrelated: 0 };
      bands[band]![p.label]++;
    }
    if (a.noCounterpart) answeredNone++;
    if (best === 0) {
      if (a.noCounterpart) correctNone++;
      else failures.push({ query: name, problem: `offered ${a.candidates[0]?.key} (${a.candidates[0]?.score}) where there is no counterpart` });
      continue;
    }
    withCounterpart++;
    if (a.noCounterpart) {
      wrongNone++;
      const closest = [...scoreOf].sort((x, y) => y[1] - x[1])[0];
      failures.push({ query: name, problem: `answered "no counterpart" (closest ${closest ? `${closest[0]} at ${closest[1]}` : 'none'}, below the lowest band)` });
    } else {
      const ok = (i: number) => a.candidates[i] !== undefined && RANK[labelOf(a.candidates[i]!.key)] === best;
      if (ok(0)) top1++;
      else failures.push({ query: name, problem: `first ${a.candidates[0]?.key} (${a.candidates[0]?.score})` });
      if ([0, 1, 2].some(ok)) top3++;
    }
    const unrelated = localCatalogue(set, q)
      .map((r) => r.key)
      .filter((k) => labelOf(k) === 'unrelated')
      .map((k) => scoreOf.get(k) ?? 0);
    const worst = unrelated.length ? Math.max(...unrelated) : 0;
    for (const p of q.pairs.filter((x) => x.label !== 'unrelated')) {
      sepPairs++;
      if ((scoreOf.get(`${q.local}/${p.local}`) ?? 0) > worst) separated++;
    }
  }
  const r = (n: number) => Math.round(n * 1000) / 1000;
  const mean = (xs: number[]) => (xs.length ? r(xs.reduce((s, x) => s + x, 0) / xs.length) : Number.NaN);
  const without = set.queries.length - withCounterpart;
  return {
    queries: set.queries.length,
    pairs: labels.equivalent + labels.partial + labels.unrelated,
    labels,
    withCounterpart,
    withoutCounterpart: without,
    top1: r(top1 / withCounterpart),
    top3: r(top3 / withCounterpart),
    noCounterpart: {
      answered: answeredNone,
      correct: correctNone,
      precision: answeredNone ? r(correctNone / answeredNone) : Number.NaN,
      recall: without ? r(correctNone / without) : Number.NaN,
      wrongOnQueriesWithCounterpart: wrongNone,
      wrongRate: r(wrongNone / withCounterpart),
    },
    separation: { pairs: sepPairs, separated, share: r(separated / sepPairs) },
    meanScore: { equivalent: mean(scores.equivalent), partial: mean(scores.partial), unrelated: mean(scores.unrelated) },
    bands,
    failures,
  };
}
