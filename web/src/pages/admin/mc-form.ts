/**
 * The publish form's model: a catalogue record as form fields and back, the EU elements the form checks as you type,
 * and which form field a server validation error belongs to. Pure functions; must never call the API.
 */
import type { OwnMc } from './types.js';
import mcSchema from '../../../../schemas/microcredential.schema.json' with { type: 'json' };

/**
 * The bounds of the workload as the node's schema sets them (schemas/microcredential.schema.json): the form refuses
 * what the node would refuse, with a sentence that says which bound.
 */
interface NumberBounds {
  exclusiveMinimum?: number;
  minimum?: number;
  maximum?: number;
}
const WL = (mcSchema as unknown as { properties: { workload: { properties: { hours: NumberBounds; credits: { properties: { value: NumberBounds } } } } } }).properties.workload.properties;
export const WORKLOAD_BOUNDS = { hours: WL.hours, credits: WL.credits.properties.value } as const;

/** Why a workload number is out of the schema's bounds: 'notNumber' | 'notPositive' | 'tooLarge', or null when fine. */
export function workloadProblem(value: string, b: NumberBounds): 'notNumber' | 'notPositive' | 'tooLarge' | null {
  if (!value.trim()) return null; // missing: the EU element check says so
  const n = Number(value);
  if (!Number.isFinite(n)) return 'notNumber';
  if ((b.exclusiveMinimum !== undefined && n <= b.exclusiveMinimum) || (b.minimum !== undefined && n < b.minimum)) return 'notPositive';
  if (b.maximum !== undefined && n > b.maximum) return 'tooLarge';
  return null;
}

export interface McForm {
  code: string;
  titleEs: string;
  titleEn: string;
  descriptionEs: string;
  outcomesEs: string;
  outcomesEn: string;
  hours: string;
  creditSystem: string;
  credits: string;
  levelFramework: string;
  levelValue: string;
  field: string;
  assessment: string;
  participation: string;
  qa: string;
  /** the unit's internal QA procedure (optional): review cycle in months, last review date, reviewer roles, URL */
  qaCycle: string;
  qaLastReview: string;
  qaReviewers: string[];
  qaUrl: string;
  languages: string;
  pilotArea: string;
  prerequisitesEs: string;
  supervision: string;
  standalone: boolean;
  furtherUrl: string;
}

export const EMPTY: McForm = {
  code: '',
  titleEs: '',
  titleEn: '',
  descriptionEs: '',
  outcomesEs: '',
  outcomesEn: '',
  hours: '',
  creditSystem: '',
  credits: '',
  levelFramework: '',
  levelValue: '',
  field: '',
  assessment: '',
  participation: '',
  qa: '',
  qaCycle: '',
  qaLastReview: '',
  qaReviewers: [],
  qaUrl: '',
  languages: 'es',
  pilotArea: '',
  prerequisitesEs: '',
  supervision: '',
  standalone: true,
  furtherUrl: '',
};

export type FieldName = keyof McForm;
/** The reviewer roles a QA procedure may name (schemas/microcredential.schema.json): roles, never people. */
export const QA_REVIEWERS = ['academic-committee', 'programme-lead', 'peer-faculty', 'external-expert', 'employer-representative', 'student-representative', 'qa-unit'];
/** The EU elements a catalogue entry must name (country and awarding body are filled from the profile). */
export const ELEMENT_FIELD: Record<string, FieldName> = {
  title: 'titleEs',
  learning_outcomes: 'outcomesEs',
  workload: 'hours',
  level: 'levelValue',
  assessment_type: 'assessment',
  participation_form: 'participation',
  quality_assurance: 'qa',
};
/** First segment of a JSON pointer in a server validation error → form field. */
export const PATH_FIELD: Record<string, FieldName> = {
  code: 'code',
  title: 'titleEs',
  description: 'descriptionEs',
  learningOutcomes: 'outcomesEs',
  workload: 'hours',
  level: 'levelValue',
  fieldOfStudy: 'field',
  assessment: 'assessment',
  participation: 'participation',
  qualityAssurance: 'qa',
  languages: 'languages',
  pilotArea: 'pilotArea',
  prerequisites: 'prerequisitesEs',
  supervision: 'supervision',
  furtherInformation: 'furtherUrl',
};

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function missingElements(f: McForm): string[] {
  const miss: string[] = [];
  if (!f.titleEs.trim() && !f.titleEn.trim()) miss.push('title');
  if (lines(f.outcomesEs).length === 0 && lines(f.outcomesEn).length === 0) miss.push('learning_outcomes');
  if (!(Number(f.hours) > 0) || !f.creditSystem || !(Number(f.credits) > 0)) miss.push('workload');
  if (!f.levelFramework || !f.levelValue) miss.push('level');
  if (!f.assessment) miss.push('assessment_type');
  if (!f.participation) miss.push('participation_form');
  if (!f.qa) miss.push('quality_assurance');
  return miss;
}

export function recordToForm(r: OwnMc): McForm {
  return {
    code: r.code,
    titleEs: r.title?.es ?? '',
    titleEn: r.title?.en ?? '',
    descriptionEs: r.description?.es ?? '',
    outcomesEs: (r.learningOutcomes ?? [])
      .map((o) => o.text?.es ?? '')
      .filter(Boolean)
      .join('\n'),
    outcomesEn: (r.learningOutcomes ?? [])
      .map((o) => o.text?.en ?? '')
      .filter(Boolean)
      .join('\n'),
    hours: r.workload ? String(r.workload.hours) : '',
    creditSystem: r.workload?.credits.system ?? '',
    credits: r.workload ? String(r.workload.credits.value) : '',
    levelFramework: r.level?.framework ?? '',
    levelValue: r.level?.value ?? '',
    field: r.fieldOfStudy?.iscedF ?? '',
    assessment: r.assessment?.type ?? '',
    participation: r.participation?.mode ?? '',
    qa: r.qualityAssurance?.type ?? '',
    qaCycle: r.qualityAssurance?.procedure?.reviewCycleMonths !== undefined ? String(r.qualityAssurance.procedure.reviewCycleMonths) : '',
    qaLastReview: r.qualityAssurance?.procedure?.lastReview ?? '',
    qaReviewers: [...(r.qualityAssurance?.procedure?.reviewers ?? [])],
    qaUrl: r.qualityAssurance?.procedure?.url ?? '',
    languages: (r.languages ?? []).join(', '),
    pilotArea: r.pilotArea ?? '',
    prerequisitesEs: r.prerequisites?.es ?? '',
    supervision: r.supervision ?? '',
    standalone: r.stackability?.standalone ?? true,
    furtherUrl: r.furtherInformation?.url ?? '',
  };
}

const SERVER_ONLY = [
  'id',
  'status',
  'updatedAt',
  'entryId',
  'createdAt',
  'withdrawal',
  'institution',
  'versions',
  'accreditations',
  'accreditationHistory',
  'recognitions',
];

export function formToRecord(f: McForm, base: OwnMc | null): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (base) for (const [k, v] of Object.entries(base)) if (!SERVER_ONLY.includes(k)) r[k] = v;
  const lm = (es: string, en?: string, prev?: Record<string, string | undefined> | null) => {
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(prev ?? {})) if (v) m[k] = v;
    if (es.trim()) m.es = es.trim();
    else delete m.es;
    if (en !== undefined) {
      if (en.trim()) m.en = en.trim();
      else delete m.en;
    }
    return Object.keys(m).length ? m : undefined;
  };
  const set = (k: string, v: unknown) => {
    if (v === undefined || v === '') delete r[k];
    else r[k] = v;
  };
  r.code = f.code.trim();
  delete r.version; // the node numbers versions
  set('title', lm(f.titleEs, f.titleEn, base?.title as never));
  set('description', lm(f.descriptionEs, undefined, base?.description as never));
  const es = lines(f.outcomesEs);
  const en = lines(f.outcomesEn);
  const outcomes = Array.from({ length: Math.max(es.length, en.length) }, (_, k) => ({
    text: { ...(es[k] ? { es: es[k] } : {}), ...(en[k] ? { en: en[k] } : {}) },
  }));
  set('learningOutcomes', outcomes.length ? outcomes : undefined);
  set(
    'workload',
    f.hours || f.credits || f.creditSystem
      ? { hours: Number(f.hours), credits: { system: f.creditSystem, value: Number(f.credits) } }
      : undefined,
  );
  set('level', f.levelFramework || f.levelValue ? { framework: f.levelFramework, value: f.levelValue } : undefined);
  set('fieldOfStudy', f.field ? { iscedF: f.field } : undefined);
  set('assessment', f.assessment ? { ...((base?.assessment as object) ?? {}), type: f.assessment } : undefined);
  set('participation', f.participation ? { ...((base?.participation as object) ?? {}), mode: f.participation } : undefined);
  // the internal QA procedure: only the parts filled in (the node checks the cycle's range and that the review is past)
  const procedure = {
    ...(f.qaCycle.trim() ? { reviewCycleMonths: Number(f.qaCycle) } : {}),
    ...(f.qaLastReview ? { lastReview: f.qaLastReview } : {}),
    ...(f.qaReviewers.length ? { reviewers: f.qaReviewers } : {}),
    ...(f.qaUrl.trim() ? { url: f.qaUrl.trim() } : {}),
  };
  const qa: Record<string, unknown> = { ...((base?.qualityAssurance as object) ?? {}), type: f.qa };
  if (Object.keys(procedure).length) qa.procedure = procedure;
  else delete qa.procedure;
  set('qualityAssurance', f.qa ? qa : undefined);
  const langs = f.languages
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  set('languages', langs.length ? langs : undefined);
  set('pilotArea', f.pilotArea || undefined);
  set('prerequisites', lm(f.prerequisitesEs, undefined, base?.prerequisites as never));
  set('supervision', f.supervision || undefined);
  set('stackability', { ...((base?.stackability as object) ?? {}), standalone: f.standalone });
  set(
    'furtherInformation',
    f.furtherUrl.trim()
      ? { ...((base?.furtherInformation as object) ?? {}), url: f.furtherUrl.trim() }
      : base?.furtherInformation?.text
        ? { text: base.furtherInformation.text }
        : undefined,
  );
  return r;
}
