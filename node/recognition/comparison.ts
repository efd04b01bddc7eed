/**
 * Comparison of a foreign microcredential with each candidate of the local catalogue, for a registrar: workload in
 * hours and in both credit systems (ranges from the credit-system table, never a single factor), level, field,
 * participation, assessment, quality assurance and accreditations, and explainable learning-outcome similarity.
 * It ranks candidates and flags potential substantial differences (Lisbon Recognition Convention). It suggests;
 * the registrar decides. Pure: must never read the store.
 */
import type { LangMap, MicrocredentialRecord } from '../catalogue/model.js';
import { matchOutcomes, type OutcomeMatch } from './text-similarity.js';

export interface CreditTable {
  /** Hours of learner work per credit as a range, or null for an unknown system. */
  hoursPerCredit(system: string): { min: number; max: number } | null;
  label(system: string): string;
}

export interface ComparedSide {
  id: string;
  record: MicrocredentialRecord;
  accreditations: number;
}

export type Flag = {
  aspect: 'workload' | 'level' | 'field' | 'learning-outcomes' | 'quality-assurance' | 'assessment' | 'participation';
  severity: 'substantial' | 'minor' | 'info';
  message: LangMap;
};

export interface Comparison {
  candidate: { id: string; code: string; title: LangMap; version: number };
  score: number; // 0..1, higher = closer
  workload: {
    foreignHours: number;
    localHours: number;
    gapHours: number; // local - foreign
    gapPercent: number; // relative to local
    foreignCredits: { system: string; value: number };
    localCredits: { system: string; value: number };
    foreignInLocalSystem: { system: string; min: number; max: number } | null;
    localInForeignSystem: { system: string; min: number; max: number } | null;
  };
  level: { foreign: { framework: string; value: string }; local: { framework: string; value: string }; comparable: boolean; difference: number | null };
  field: { foreign: string; local: string; match: 'detailed' | 'narrow' | 'broad' | 'none' };
  participation: { foreign: string; local: string; same: boolean };
  assessment: { foreign: string; local: string; same: boolean };
  qualityAssurance: { foreign: string; local: string; foreignAccreditations: number; localAccreditations: number };
  learningOutcomes: { score: number; matches: (OutcomeMatch & { foreignText: string; localText: string | null })[] };
  flags: Flag[];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

function outcomeTexts(r: MicrocredentialRecord): string[][] {
  return (r.learningOutcomes ?? []).map((o) => [o.text.es, o.text.en, o.text.pt].filter((t): t is string => !!t));
}

function first(m: LangMap | undefined): string {
  return m?.es ?? m?.en ?? m?.pt ?? '';
}

/** Numeric level on EQF-like scales where the framework maps to EQF (same framework, or both EQF-aligned). */
function levelNumber(l: { framework: string; value: string }): number | null {
  const n = Number(String(l.value).replace(/[^0-9.]/g, ''));
  return Number.isFinite(n) && String(l.value).match(/\d/) ? n : null;
}

export function compare(foreign: ComparedSide, local: ComparedSide, credits: CreditTable): Comparison {
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
  if (gapPct > 0.25)
    flags.push({
      aspect: 'workload',
      severity: 'substantial',
      message: {
        es: `La carga de trabajo extranjera (${fh} h) es ${Math.round(gapPct * 100)} % menor que la local (${lh} h).`,
        en: `The foreign workload (${fh} h) is ${Math.round(gapPct * 100)}% lower than the local one (${lh} h).`,
      },
    });
  else if (gapPct > 0.1)
    flags.push({
      aspect: 'workload',
      severity: 'minor',
      message: { es: `Diferencia de carga de ${Math.round(gapPct * 100)} % (${fh} h frente a ${lh} h).`, en: `Workload differs by ${Math.round(gapPct * 100)}% (${fh} h vs ${lh} h).` },
    });

  // level
  const fl = levelNumber(f.level);
  const ll = levelNumber(l.level);
  const comparable = f.level.framework === l.level.framework && fl !== null && ll !== null;
  const diff = comparable ? fl! - ll! : null;
  if (diff !== null && diff < 0)
    flags.push({
      aspect: 'level',
      severity: 'substantial',
      message: { es: `Nivel inferior (${f.level.framework} ${f.level.value} frente a ${l.level.value}).`, en: `Lower level (${f.level.framework} ${f.level.value} vs ${l.level.value}).` },
    });
  if (!comparable)
    flags.push({
      aspect: 'level',
      severity: 'info',
      message: {
        es: `Marcos de nivel distintos (${f.level.framework} ${f.level.value} / ${l.level.framework} ${l.level.value}): compare con la tabla de correspondencias.`,
        en: `Different level frameworks (${f.level.framework} ${f.level.value} / ${l.level.framework} ${l.level.value}): check the correspondence table.`,
      },
    });

  // field
  const ff = f.fieldOfStudy.iscedF;
  const lf = l.fieldOfStudy.iscedF;
  const fieldMatch = ff === lf ? 'detailed' : ff.slice(0, 3) === lf.slice(0, 3) ? 'narrow' : ff.slice(0, 2) === lf.slice(0, 2) ? 'broad' : 'none';
  if (fieldMatch === 'none')
    flags.push({ aspect: 'field', severity: 'substantial', message: { es: `Campos de estudio distintos (ISCED-F ${ff} / ${lf}).`, en: `Different fields of study (ISCED-F ${ff} / ${lf}).` } });

  // outcomes
  const fo = outcomeTexts(f);
  const lo = outcomeTexts(l);
  const om = matchOutcomes(fo, lo);
  const uncovered = om.matches.filter((m) => m.score < 0.2).length;
  if (om.score < 0.25)
    flags.push({
      aspect: 'learning-outcomes',
      severity: 'substantial',
      message: { es: `Los resultados de aprendizaje se parecen poco (similitud ${Math.round(om.score * 100)} %).`, en: `Learning outcomes differ (similarity ${Math.round(om.score * 100)}%).` },
    });
  else if (uncovered > 0)
    flags.push({
      aspect: 'learning-outcomes',
      severity: 'minor',
      message: { es: `${uncovered} resultado(s) extranjero(s) sin equivalente local claro.`, en: `${uncovered} foreign outcome(s) without a clear local counterpart.` },
    });

  // QA, assessment, participation
  const qaRank = (t: string) => (t === 'internal-and-external' ? 2 : t === 'external' ? 1 : 0);
  if (qaRank(f.qualityAssurance.type) + (foreign.accreditations > 0 ? 1 : 0) < qaRank(l.qualityAssurance.type))
    flags.push({
      aspect: 'quality-assurance',
      severity: 'minor',
      message: {
        es: `Aseguramiento de la calidad distinto (${f.qualityAssurance.type} frente a ${l.qualityAssurance.type}).`,
        en: `Different quality assurance (${f.qualityAssurance.type} vs ${l.qualityAssurance.type}).`,
      },
    });
  const sameAssessment = f.assessment.type === l.assessment.type;
  if (!sameAssessment)
    flags.push({ aspect: 'assessment', severity: 'info', message: { es: `Evaluación: ${f.assessment.type} / ${l.assessment.type}.`, en: `Assessment: ${f.assessment.type} / ${l.assessment.type}.` } });
  const sameMode = f.participation.mode === l.participation.mode;
  if (!sameMode)
    flags.push({ aspect: 'participation', severity: 'info', message: { es: `Modalidad: ${f.participation.mode} / ${l.participation.mode}.`, en: `Participation: ${f.participation.mode} / ${l.participation.mode}.` } });

  const fieldScore = { detailed: 1, narrow: 0.7, broad: 0.4, none: 0 }[fieldMatch];
  const workloadScore = Math.max(0, 1 - Math.abs(gapPct));
  const levelScore = diff === null ? 0.5 : Math.max(0, 1 - Math.abs(diff) / 2);
  const score = round(0.45 * om.score + 0.25 * fieldScore + 0.2 * workloadScore + 0.1 * levelScore, 3);

  return {
    candidate: { id: local.id, code: l.code, title: l.title, version: l.version },
    score,
    workload: {
      foreignHours: fh,
      localHours: lh,
      gapHours: gap,
      gapPercent: round(gapPct * 100),
      foreignCredits: f.workload.credits,
      localCredits: l.workload.credits,
      foreignInLocalSystem: conv(fh, l.workload.credits.system),
      localInForeignSystem: conv(lh, f.workload.credits.system),
    },
    level: { foreign: f.level, local: l.level, comparable, difference: diff },
    field: { foreign: ff, local: lf, match: fieldMatch },
    participation: { foreign: f.participation.mode, local: l.participation.mode, same: sameMode },
    assessment: { foreign: f.assessment.type, local: l.assessment.type, same: sameAssessment },
    qualityAssurance: { foreign: f.qualityAssurance.type, local: l.qualityAssurance.type, foreignAccreditations: foreign.accreditations, localAccreditations: local.accreditations },
    learningOutcomes: {
      score: om.score,
      matches: om.matches.map((m) => ({
        ...m,
        foreignText: first(f.learningOutcomes[m.foreign]?.text),
        localText: m.local === null ? null : first(l.learningOutcomes[m.local]?.text),
      })),
    },
    flags,
  };
}

export function rankCandidates(foreign: ComparedSide, locals: ComparedSide[], credits: CreditTable, limit = 10): Comparison[] {
  return locals
    .filter((l) => l.id !== foreign.id)
    .map((l) => compare(foreign, l, credits))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
