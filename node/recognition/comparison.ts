/**
 * Comparison of a foreign microcredential with each candidate of the local catalogue, for a registrar. The score is
 * the similarity's evidence (similarity.ts: learning outcomes, ISCED-F distance, skills, title, description), placed
 * in calibrated bands (strong / partial / weak; below the lowest band the answer is "no comparable local
 * microcredential"). Workload in hours and in both credit systems (ranges from the credit-system table, never a single
 * factor), level, participation, assessment, quality assurance and accreditations are explained differences and
 * potential substantial differences (Lisbon Recognition Convention), never reasons to rank a course higher. Only
 * real differences are flagged as substantial or minor; what the numbers cannot decide (different assessment,
 * participation, level frameworks) is an `info` note. Sentences are in es/en/pt from the web app's catalogues, with
 * labels rather than codes. It suggests; the registrar decides. Pure: must never read the store.
 */
import type { LangMap, MicrocredentialRecord } from '../catalogue/model.js';
import type { ReferenceData } from '../catalogue/reference-data.js';
import { codeLabel, message, messageMap, type MessageLang } from '../../web/src/i18n/messages.js';
import { formatNumber, formatPercent } from '../../web/src/i18n/format.js';
import { Analyzer, CorpusStats, similarity, weighRecord, type FieldMatch, type OutcomeMatch, type ScorePart, type Similarity, type TitlePair, type WeightedRecord } from './similarity.js';

/**
 * Score thresholds of the bands, chosen on the labelled evaluation set (fixtures/recognition-eval/; README
 * "Recognition"): round numbers between the score ranges of the labels, not fitted to the last decimal.
 */
export const BANDS = { strong: 0.5, partial: 0.3, weak: 0.2 } as const;
export type Band = keyof typeof BANDS;

export function bandOf(score: number): Band | null {
  return score >= BANDS.strong ? 'strong' : score >= BANDS.partial ? 'partial' : score >= BANDS.weak ? 'weak' : null;
}

export interface CreditTable {
  /** Hours of learner work per credit as a range, or null for an unknown system. */
  hoursPerCredit(system: string): { min: number; max: number } | null;
  label(system: string): string;
  /** The live reference data (for EQF equivalents); absent: no EQF equivalent is shown. */
  reference?(): Pick<ReferenceData, 'levels'>;
}

/**
 * The EQF level of a level, only where the data states it officially: the EQF itself, or a framework whose EQF
 * referencing is official (its levels then carry `eqf`). An indicative correspondence is never an equivalent.
 */
export interface EqfEquivalent {
  level: number;
  basis: 'eqf' | 'official-referencing';
  source: { title: string; url: string } | null;
}

export function eqfEquivalent(data: Pick<ReferenceData, 'levels'> | undefined, l: { framework: string; value: string }): EqfEquivalent | null {
  const fw = data?.levels.frameworks.find((f) => f.id === l.framework);
  const level = fw?.levels.find((x) => x.value === String(l.value));
  if (!fw || !level || level.eqf === undefined) return null;
  if (fw.id === 'EQF') return { level: level.eqf, basis: 'eqf', source: { title: fw.source.title, url: fw.source.url } };
  const ref = fw.referencing?.find((r) => r.to === 'EQF' && r.status === 'official');
  return ref ? { level: level.eqf, basis: 'official-referencing', source: ref.source ? { title: ref.source.title, url: ref.source.url } : null } : null;
}

/** One accreditation in force of a compared side: the agency, what it accredits and until when. */
export interface AccreditedBy {
  agency: LangMap;
  agencyDid: string;
  /** the microcredential itself, its institution, or a programme (it, or one it is a module of) */
  subject: 'institution' | 'programme' | 'microcredential';
  validUntil?: string;
}

export interface ComparedSide {
  id: string;
  record: MicrocredentialRecord;
  accreditations: number;
  /** the accreditations in force behind that count, named for the registrar ("acreditada por … hasta …") */
  accreditedBy?: AccreditedBy[];
}

/** A record ready for ranking: its similarity evidence already weighted with the replica's document frequencies. */
export interface RankedSide {
  id: string;
  record: MicrocredentialRecord;
  weighted: WeightedRecord;
}

export type Flag = {
  aspect: 'workload' | 'level' | 'field' | 'learning-outcomes' | 'quality-assurance' | 'assessment' | 'participation';
  severity: 'substantial' | 'minor' | 'info';
  message: LangMap;
};

export interface Comparison {
  candidate: { id: string; code: string; title: LangMap; version: number };
  score: number; // 0..1, higher = closer; the sum of scoreParts' contributions
  band: Band | null; // null: below the lowest band (shown only when a recorded decision names it)
  scoreParts: ScorePart[];
  workload: {
    foreignHours: number;
    localHours: number;
    gapHours: number; // local - foreign
    gapPercent: number; // relative to local
    foreignCredits: { system: string; value: number };
    localCredits: { system: string; value: number };
    foreignInLocalSystem: { system: string; min: number; max: number } | null;
    localInForeignSystem: { system: string; min: number; max: number } | null;
    /** Both workloads in ECTS (through hours, with the ECTS range), when ECTS is in the reference data. */
    ects: { foreign: { system: string; min: number; max: number }; local: { system: string; min: number; max: number } } | null;
  };
  level: {
    foreign: { framework: string; value: string };
    local: { framework: string; value: string };
    comparable: boolean;
    difference: number | null;
    /** EQF levels where an official referencing exists (null on a side without one). */
    eqf: { foreign: EqfEquivalent | null; local: EqfEquivalent | null };
  };
  field: { foreign: string; local: string; match: FieldMatch };
  skills: Similarity['skills'];
  title: Similarity['title'];
  description: Similarity['description'];
  participation: { foreign: string; local: string; same: boolean };
  assessment: { foreign: string; local: string; same: boolean };
  qualityAssurance: {
    foreign: string;
    local: string;
    foreignAccreditations: number;
    localAccreditations: number;
    foreignAccreditedBy: AccreditedBy[];
    localAccreditedBy: AccreditedBy[];
  };
  learningOutcomes: {
    score: number;
    foreignCovered: number;
    localCovered: number;
    matches: (OutcomeMatch & { foreignText: string; localText: string | null })[];
    /** a title against an outcome of the other side, where that was the strongest pair (see similarity.ts) */
    titlePair: (TitlePair & { titleText: string; outcomeText: string }) | null;
  };
  flags: Flag[];
  /** set when a recorded decision of this institution names this candidate (it is then shown first) */
  precedent?: { decisionId: string; outcome: string; publishedAt: string; rankedLow: boolean };
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function first(m: LangMap | undefined): string {
  return m?.es ?? m?.en ?? m?.pt ?? '';
}

/** Numeric level on EQF-like scales where the framework maps to EQF (same framework, or both EQF-aligned). */
function levelNumber(l: { framework: string; value: string }): number | null {
  const n = Number(String(l.value).replace(/[^0-9.]/g, ''));
  return Number.isFinite(n) && String(l.value).match(/\d/) ? n : null;
}

/** The explained comparison of one candidate, given the similarity evidence already computed for the pair. */
export function compare(foreign: ComparedSide, local: ComparedSide, credits: CreditTable, sim: Similarity): Comparison {
  const f = foreign.record;
  const l = local.record;
  const flags: Flag[] = [];

  // workload
  const fh = f.workload.hours;
  const lh = l.workload.hours;
  const gap = lh - fh;
  const gapPct = lh > 0 ? gap / lh : 0;
  const conv = (hours: number, system: string) => {
    const r = credits.hoursPerCredit(system);
    return r ? { system, min: round(hours / r.max), max: round(hours / r.min) } : null;
  };
  const pctText = (lang: MessageLang, share: number) => formatPercent(lang, share);
  if (gapPct > 0.25)
    flags.push({
      aspect: 'workload',
      severity: 'substantial',
      message: messageMap((g) => message(g, 'cmp.workloadLower', { foreign: formatNumber(g, fh), local: formatNumber(g, lh), percent: pctText(g, gapPct) })),
    });
  else if (gapPct > 0.1)
    flags.push({
      aspect: 'workload',
      severity: 'minor',
      message: messageMap((g) => message(g, 'cmp.workloadDiffers', { foreign: formatNumber(g, fh), local: formatNumber(g, lh), percent: pctText(g, gapPct) })),
    });

  // level: only a lower level on one ordered scale is a difference; anything the numbers cannot order is a note
  // (two frameworks are ordered through EQF where both sides have an official referencing in the reference data)
  const ref = credits.reference?.();
  const feqf = eqfEquivalent(ref, f.level);
  const leqf = eqfEquivalent(ref, l.level);
  const sameFramework = f.level.framework === l.level.framework;
  const viaEqf = !sameFramework && feqf !== null && leqf !== null;
  const fl = viaEqf ? feqf.level : levelNumber(f.level);
  const ll = viaEqf ? leqf.level : levelNumber(l.level);
  const comparable = (sameFramework || viaEqf) && fl !== null && ll !== null;
  const diff = comparable ? fl! - ll! : null;
  const lvl = (x: { framework: string; value: string }) => `${x.framework} ${x.value}${viaEqf && x.framework !== 'EQF' ? ` (EQF ${eqfEquivalent(ref, x)!.level})` : ''}`;
  if (diff !== null && diff < 0)
    flags.push({ aspect: 'level', severity: 'substantial', message: messageMap((g) => message(g, 'cmp.levelLower', { foreign: lvl(f.level), local: lvl(l.level) })) });
  if (!sameFramework && !viaEqf)
    flags.push({ aspect: 'level', severity: 'info', message: messageMap((g) => message(g, 'cmp.levelFrameworks', { foreign: lvl(f.level), local: lvl(l.level) })) });
  else if (!comparable && String(f.level.value) !== String(l.level.value))
    flags.push({ aspect: 'level', severity: 'info', message: messageMap((g) => message(g, 'cmp.levelUnordered', { foreign: lvl(f.level), local: lvl(l.level) })) });

  // field
  const ff = f.fieldOfStudy.iscedF;
  const lf = l.fieldOfStudy.iscedF;
  const fieldMatch = sim.field;
  if (fieldMatch === 'none') flags.push({ aspect: 'field', severity: 'substantial', message: messageMap((g) => message(g, 'cmp.fieldDiffers', { foreign: ff, local: lf })) });

  // outcomes
  const om = sim.outcomes;
  const uncovered = om.matches.filter((m) => m.score < 0.2).length;
  if (om.score < 0.25)
    flags.push({ aspect: 'learning-outcomes', severity: 'substantial', message: messageMap((g) => message(g, 'cmp.outcomesDiffer', { percent: pctText(g, om.score) })) });
  else if (uncovered > 0)
    flags.push({ aspect: 'learning-outcomes', severity: 'minor', message: messageMap((g) => message(g, 'cmp.outcomesUncovered', { n: formatNumber(g, uncovered) })) });

  // QA, assessment, participation: labels, never codes; a different assessment or participation is a note
  const qaRank = (t: string) => (t === 'internal-and-external' ? 2 : t === 'external' ? 1 : 0);
  const pair = (prefix: string, a: string, b: string) => (g: MessageLang) => ({ foreign: codeLabel(g, prefix, a), local: codeLabel(g, prefix, b) });
  if (qaRank(f.qualityAssurance.type) + (foreign.accreditations > 0 ? 1 : 0) < qaRank(l.qualityAssurance.type))
    flags.push({ aspect: 'quality-assurance', severity: 'minor', message: messageMap((g) => message(g, 'cmp.qa', pair('enum.qa.', f.qualityAssurance.type, l.qualityAssurance.type)(g))) });
  const sameAssessment = f.assessment.type === l.assessment.type;
  if (!sameAssessment)
    flags.push({ aspect: 'assessment', severity: 'info', message: messageMap((g) => message(g, 'cmp.assessment', pair('enum.assessment.', f.assessment.type, l.assessment.type)(g))) });
  const sameMode = f.participation.mode === l.participation.mode;
  if (!sameMode)
    flags.push({ aspect: 'participation', severity: 'info', message: messageMap((g) => message(g, 'cmp.participation', pair('enum.participation.', f.participation.mode, l.participation.mode)(g))) });

  return {
    candidate: { id: local.id, code: l.code, title: l.title, version: l.version },
    score: sim.score,
    band: bandOf(sim.score),
    scoreParts: sim.parts,
    workload: {
      foreignHours: fh,
      localHours: lh,
      gapHours: gap,
      gapPercent: round(gapPct * 100),
      foreignCredits: f.workload.credits,
      localCredits: l.workload.credits,
      foreignInLocalSystem: conv(fh, l.workload.credits.system),
      localInForeignSystem: conv(lh, f.workload.credits.system),
      ects: ((fe, le) => (fe && le ? { foreign: fe, local: le } : null))(conv(fh, 'ECTS'), conv(lh, 'ECTS')),
    },
    level: { foreign: f.level, local: l.level, comparable, difference: diff, eqf: { foreign: feqf, local: leqf } },
    field: { foreign: ff, local: lf, match: fieldMatch },
    skills: sim.skills,
    title: sim.title,
    description: sim.description,
    participation: { foreign: f.participation.mode, local: l.participation.mode, same: sameMode },
    assessment: { foreign: f.assessment.type, local: l.assessment.type, same: sameAssessment },
    qualityAssurance: {
      foreign: f.qualityAssurance.type,
      local: l.qualityAssurance.type,
      foreignAccreditations: foreign.accreditations,
      localAccreditations: local.accreditations,
      foreignAccreditedBy: foreign.accreditedBy ?? [],
      localAccreditedBy: local.accreditedBy ?? [],
    },
    learningOutcomes: {
      score: om.score,
      foreignCovered: om.foreignCovered,
      localCovered: om.localCovered,
      matches: om.matches.map((m) => ({
        ...m,
        foreignText: first(f.learningOutcomes[m.foreign]?.text),
        localText: m.local === null ? null : first(l.learningOutcomes[m.local]?.text),
      })),
      titlePair: om.titlePair
        ? {
            ...om.titlePair,
            titleText: first(om.titlePair.title === 'foreign' ? f.title : l.title),
            outcomeText: first((om.titlePair.title === 'foreign' ? l : f).learningOutcomes[om.titlePair.outcome]?.text),
          }
        : null,
    },
    flags,
  };
}

export interface Ranking {
  /** candidates in a band, best first (at most `limit`) */
  candidates: Comparison[];
  /** true when no local microcredential reaches the lowest band: "no comparable local microcredential" */
  noCounterpart: boolean;
  /** how many local microcredentials were compared */
  considered: number;
  /** the closest local microcredential below the lowest band, for the registrar's information */
  closestBelowBands: { id: string; code: string; title: LangMap; score: number } | null;
}

/**
 * Ranks the local catalogue against a foreign microcredential: the similarity of every candidate (cheap: weighted
 * vectors are precomputed), then the full explained comparison only for the candidates in a band.
 */
export function rankCandidates(
  foreign: RankedSide,
  locals: RankedSide[],
  credits: CreditTable,
  opts: { limit?: number; accreditations?: (id: string) => AccreditedBy[]; keepBelowBands?: boolean } = {},
): Ranking {
  const limit = opts.limit ?? 10;
  const named = opts.accreditations ?? (() => []);
  const acc = (id: string) => {
    const by = named(id);
    return { accreditations: by.length, accreditedBy: by };
  };
  const scored = locals.filter((l) => l.id !== foreign.id).map((l) => ({ l, score: similarity(foreign.weighted, l.weighted, false).score }));
  scored.sort((a, b) => b.score - a.score || (a.l.id < b.l.id ? -1 : 1));
  const inBand = scored.filter((x) => opts.keepBelowBands || bandOf(x.score) !== null).slice(0, limit);
  const below = scored.find((x) => bandOf(x.score) === null);
  const f: ComparedSide = { id: foreign.id, record: foreign.record, ...acc(foreign.id) };
  return {
    candidates: inBand.map((x) => compare(f, { id: x.l.id, record: x.l.record, ...acc(x.l.id) }, credits, similarity(foreign.weighted, x.l.weighted))),
    noCounterpart: inBand.length === 0,
    considered: scored.length,
    closestBelowBands: inBand.length === 0 && below ? { id: below.l.id, code: below.l.record.code, title: below.l.record.title, score: below.score } : null,
  };
}

/** Convenience for callers holding plain records (tests, the evaluation): document frequencies from `corpus`. */
export function rankRecords(
  foreign: { id: string; record: MicrocredentialRecord },
  locals: { id: string; record: MicrocredentialRecord }[],
  corpus: MicrocredentialRecord[],
  credits: CreditTable,
  opts: { limit?: number } = {},
): Ranking {
  const analyzer = new Analyzer();
  const stats = new CorpusStats(corpus.map((r) => analyzer.analyse(r).terms));
  const side = (x: { id: string; record: MicrocredentialRecord }): RankedSide => ({ ...x, weighted: weighRecord(analyzer.analyse(x.record), stats) });
  return rankCandidates(side(foreign), locals.map(side), credits, opts);
}
