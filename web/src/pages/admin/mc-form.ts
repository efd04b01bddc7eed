/**
 * The publish form's model: a catalogue record as form fields and back (every field of
 * schemas/microcredential.schema.json the unit writes: texts in es/en/pt, outcomes with their ESCO URIs, skills,
 * languages, participation context, stackability with its modules, links and dates), the checks the form makes as
 * you type (EU elements, the schema's bounds), and which form field a server validation error belongs to.
 * Pure functions; must never call the API nor drop a field a record had (recordToForm → formToRecord is the identity
 * on the fields the unit writes: test/unit/mc-form.property.test.ts).
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
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  $ref?: string;
}
const S = mcSchema as unknown as { properties: Record<string, SchemaNode>; $defs: Record<string, SchemaNode> };
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

/** The interface languages a record's texts are written in, Spanish first (the schema's langMap keys). */
export const LANGS = ['es', 'en', 'pt'] as const;
export type Lang = (typeof LANGS)[number];
export type LangText = Record<Lang, string>;
export type LangMapIn = Partial<Record<Lang, string>>;

/** The multilingual groups of the form: each is shown one language at a time (a tab per language). */
export const LANG_GROUPS = ['title', 'description', 'outcomes', 'criteria', 'prerequisites', 'assessmentDescription', 'qaDescription', 'furtherText'] as const;
export type LangGroup = (typeof LANG_GROUPS)[number];

/** Most characters per text of a group (the schema's langMap / langMapLong). */
const SHORT_MAX = S.$defs.langMap!.properties!.es!.maxLength!;
const LONG_MAX = S.$defs.langMapLong!.properties!.es!.maxLength!;
export const GROUP_MAX: Record<LangGroup, number> = {
  title: SHORT_MAX,
  description: LONG_MAX,
  outcomes: LONG_MAX,
  criteria: LONG_MAX,
  prerequisites: LONG_MAX,
  assessmentDescription: LONG_MAX,
  qaDescription: LONG_MAX,
  furtherText: LONG_MAX,
};
export const LIMITS = {
  outcomes: S.properties.learningOutcomes!.maxItems!,
  skills: S.properties.skills!.maxItems!,
  languages: S.properties.languages!.maxItems!,
  towards: S.properties.stackability!.properties!.stackableTowards!.maxItems!,
  modules: S.properties.stackability!.properties!.stacksFrom!.maxItems!,
  qaBody: S.properties.qualityAssurance!.properties!.body!.maxLength!,
  skillFramework: S.properties.skills!.items!.properties!.framework!.maxLength!,
};
const HTTP_URL = new RegExp(S.$defs.httpUrl!.pattern!);
const LANG_CODE = new RegExp(S.properties.languages!.items!.pattern!);
const MODULE_ID = new RegExp(S.properties.stackability!.properties!.stacksFrom!.items!.properties!.id!.pattern!);
/** An absolute http(s) URL as the schema's httpUrl wants it (no spaces, a host). */
export const isHttpUrl = (s: string) => HTTP_URL.test(s) && !/\s/.test(s) && s.length <= 1000;
export const isLangCode = (s: string) => LANG_CODE.test(s);
export const isModuleId = (s: string) => MODULE_ID.test(s);

export interface SkillItem {
  name: LangMapIn;
  framework?: string;
  uri?: string;
}
export interface TowardsItem {
  name: LangMapIn;
  id?: string;
}
export interface ModuleItem {
  id: string;
  name?: LangMapIn;
  minVersion?: number;
}

export interface McForm {
  code: string;
  title: LangText;
  description: LangText;
  /** one outcome a line, in each language; line N of every language (and of outcomeUris) is outcome N */
  outcomes: LangText;
  outcomeUris: string;
  criteria: LangText;
  prerequisites: LangText;
  hours: string;
  creditSystem: string;
  credits: string;
  levelFramework: string;
  levelValue: string;
  field: string;
  assessment: string;
  assessmentDescription: LangText;
  participation: string;
  context: string[];
  qa: string;
  qaDescription: LangText;
  qaBody: string;
  /** the unit's internal QA procedure (optional): review cycle in months, last review date, reviewer roles, URL */
  qaCycle: string;
  qaLastReview: string;
  qaReviewers: string[];
  qaUrl: string;
  languages: string[];
  skills: SkillItem[];
  pilotArea: string;
  supervision: string;
  /** '' (not stated), 'yes', 'no' */
  standalone: string;
  towards: TowardsItem[];
  modules: ModuleItem[];
  furtherUrl: string;
  furtherText: LangText;
  url: string;
  image: string;
  validFrom: string;
}

const NO_TEXT: LangText = { es: '', en: '', pt: '' };

export const EMPTY: McForm = {
  code: '',
  title: NO_TEXT,
  description: NO_TEXT,
  outcomes: NO_TEXT,
  outcomeUris: '',
  criteria: NO_TEXT,
  prerequisites: NO_TEXT,
  hours: '',
  creditSystem: '',
  credits: '',
  levelFramework: '',
  levelValue: '',
  field: '',
  assessment: '',
  assessmentDescription: NO_TEXT,
  participation: '',
  context: [],
  qa: '',
  qaDescription: NO_TEXT,
  qaBody: '',
  qaCycle: '',
  qaLastReview: '',
  qaReviewers: [],
  qaUrl: '',
  languages: ['es'],
  skills: [],
  pilotArea: '',
  supervision: '',
  standalone: 'yes',
  towards: [],
  modules: [],
  furtherUrl: '',
  furtherText: NO_TEXT,
  url: '',
  image: '',
  validFrom: '',
};

/**
 * A place an error can be shown: a form field (`hours`), or one language of a multilingual group (`title.en`). The
 * control's id is `mc-` + the key with the dot as a hyphen (`mc-title-en`).
 */
export type ErrKey = string;
export const controlId = (k: ErrKey) => `mc-${k.replace('.', '-')}`;
/** The group and language of a multilingual key (`title.en`), or null. */
export function langKey(k: ErrKey): { group: LangGroup; lang: Lang } | null {
  const [g, l] = k.split('.');
  return (LANG_GROUPS as readonly string[]).includes(g!) && (LANGS as readonly string[]).includes(l!) ? { group: g as LangGroup, lang: l as Lang } : null;
}
const lk = (g: LangGroup) => LANGS.map((l) => `${g}.${l}`);
/** Every place an error can be shown, in the form's order (the error summary lists them so). */
export const ERR_ORDER: ErrKey[] = [
  'code',
  'pilotArea',
  ...lk('title'),
  ...lk('description'),
  ...lk('outcomes'),
  'outcomeUris',
  'hours',
  'creditSystem',
  'credits',
  'levelFramework',
  'levelValue',
  'assessment',
  ...lk('assessmentDescription'),
  ...lk('criteria'),
  'participation',
  'context',
  'qa',
  'qaBody',
  ...lk('qaDescription'),
  'qaCycle',
  'qaLastReview',
  'qaUrl',
  'qaReviewers',
  'field',
  'languages',
  'skills',
  ...lk('prerequisites'),
  'supervision',
  'standalone',
  'towards',
  'modules',
  'furtherUrl',
  ...lk('furtherText'),
  'url',
  'image',
  'validFrom',
];

/** The reviewer roles a QA procedure may name (schemas/microcredential.schema.json): roles, never people. */
export const QA_REVIEWERS = ['academic-committee', 'programme-lead', 'peer-faculty', 'external-expert', 'employer-representative', 'student-representative', 'qa-unit'];
/** Learning in a volunteering or work-based context (participation.context). */
export const CONTEXTS = ['volunteering', 'work-based'];
/** The EU elements a catalogue entry must name (country and awarding body are filled from the profile). */
export const ELEMENT_FIELD: Record<string, ErrKey> = {
  title: 'title.es',
  learning_outcomes: 'outcomes.es',
  workload: 'hours',
  level: 'levelValue',
  assessment_type: 'assessment',
  participation_form: 'participation',
  quality_assurance: 'qa',
};

const asLang = (s: string | undefined): Lang | null => ((LANGS as readonly string[]).includes(s ?? '') ? (s as Lang) : null);

/**
 * The form field a server validation error's JSON pointer (`/learningOutcomes/2/text/en`, split in segments, without
 * a leading `microcredential`) belongs to; null when it is none of the form's.
 */
export function fieldOfPath(segs: string[]): ErrKey | null {
  const [a, b, c, d] = segs;
  const lang = (g: LangGroup, s: string | undefined) => `${g}.${asLang(s) ?? 'es'}`;
  switch (a) {
    case 'code':
    case 'pilotArea':
    case 'languages':
    case 'skills':
    case 'supervision':
    case 'url':
    case 'image':
    case 'validFrom':
      return a;
    case 'title':
    case 'description':
    case 'criteria':
    case 'prerequisites':
      return lang(a, b);
    case 'learningOutcomes':
      return c === 'escoUri' ? 'outcomeUris' : lang('outcomes', d);
    case 'workload':
      return b === 'credits' ? (c === 'system' ? 'creditSystem' : 'credits') : 'hours';
    case 'level':
      return b === 'framework' ? 'levelFramework' : 'levelValue';
    case 'fieldOfStudy':
      return 'field';
    case 'assessment':
      return b === 'description' ? lang('assessmentDescription', c) : 'assessment';
    case 'participation':
      return b === 'context' ? 'context' : 'participation';
    case 'qualityAssurance':
      if (b === 'description') return lang('qaDescription', c);
      if (b === 'body') return 'qaBody';
      if (b === 'procedure') return c === 'lastReview' ? 'qaLastReview' : c === 'reviewers' ? 'qaReviewers' : c === 'url' ? 'qaUrl' : 'qaCycle';
      return 'qa';
    case 'stackability':
      return b === 'stacksFrom' ? 'modules' : b === 'stackableTowards' ? 'towards' : 'standalone';
    case 'furtherInformation':
      return b === 'text' ? lang('furtherText', c) : 'furtherUrl';
    default:
      return null;
  }
}
/** A server message without a pointer that still names a field ("stackability.stacksFrom: …"): that field. */
export function fieldOfDetail(detail: string): ErrKey | null {
  const m = /\b(stackability\.(?:stacksFrom|stackableTowards)|qualityAssurance\.procedure\.lastReview|learningOutcomes|skills|languages)\b/.exec(detail);
  return m ? fieldOfPath(m[1]!.split('.')) : null;
}

/** The lines of an outcomes text: trimmed, trailing blank lines dropped (inner blank lines keep the alignment). */
export function outcomeLines(s: string): string[] {
  const out = s.split('\n').map((l) => l.trim());
  while (out.length && !out[out.length - 1]) out.pop();
  return out;
}

/** The outcomes of the form, aligned by line: outcome k has line k of each language and of the URIs. */
export function outcomesOf(f: McForm): { text: LangMapIn; escoUri?: string; line: number }[] {
  const by = Object.fromEntries(LANGS.map((l) => [l, outcomeLines(f.outcomes[l])])) as Record<Lang, string[]>;
  const uris = outcomeLines(f.outcomeUris);
  const n = Math.max(uris.length, ...LANGS.map((l) => by[l].length));
  const out: { text: LangMapIn; escoUri?: string; line: number }[] = [];
  for (let k = 0; k < n; k++) {
    const text: LangMapIn = {};
    for (const l of LANGS) if (by[l][k]) text[l] = by[l][k];
    const uri = uris[k];
    if (!Object.keys(text).length && !uri) continue; // a line blank everywhere: no outcome
    out.push({ text, ...(uri ? { escoUri: uri } : {}), line: k + 1 });
  }
  return out;
}

export function missingElements(f: McForm): string[] {
  const miss: string[] = [];
  if (!LANGS.some((l) => f.title[l].trim())) miss.push('title');
  if (!outcomesOf(f).some((o) => Object.keys(o.text).length)) miss.push('learning_outcomes');
  if (!(Number(f.hours) > 0) || !f.creditSystem || !(Number(f.credits) > 0)) miss.push('workload');
  if (!f.levelFramework || !f.levelValue) miss.push('level');
  if (!f.assessment) miss.push('assessment_type');
  if (!f.participation) miss.push('participation_form');
  if (!f.qa) miss.push('quality_assurance');
  return miss;
}

/** A problem the form finds before sending: a message key of admin.err.* and its values. */
export type Problem = [key: string, vars?: Record<string, string | number>];

/**
 * What the schema would refuse in the fields that are not EU elements: texts too long, URLs that are not http(s),
 * an ESCO URI without an outcome, too many items, a stackability without its standalone answer.
 */
export function formProblems(f: McForm): Partial<Record<ErrKey, Problem>> {
  const p: Partial<Record<ErrKey, Problem>> = {};
  for (const g of LANG_GROUPS)
    for (const l of LANGS) {
      const max = GROUP_MAX[g];
      const texts = g === 'outcomes' ? outcomeLines(f.outcomes[l]) : [f[g][l].trim()];
      if (texts.some((x) => x.length > max)) p[`${g}.${l}`] = ['admin.err.tooLong', { max }];
    }
  const outcomes = outcomesOf(f);
  const orphan = outcomes.find((o) => !Object.keys(o.text).length);
  const badUri = outcomes.find((o) => o.escoUri && !isHttpUrl(o.escoUri));
  if (orphan) p.outcomeUris = ['admin.err.uriWithoutOutcome', { line: orphan.line }];
  else if (badUri) p.outcomeUris = ['admin.err.urlLine', { line: badUri.line }];
  if (outcomes.length > LIMITS.outcomes) p['outcomes.es'] = ['admin.err.tooMany', { max: LIMITS.outcomes }];
  for (const k of ['furtherUrl', 'url', 'image', 'qaUrl'] as const) if (f[k].trim() && !isHttpUrl(f[k].trim())) p[k] = ['admin.err.url'];
  if (f.qaBody.trim().length > LIMITS.qaBody) p.qaBody = ['admin.err.tooLong', { max: LIMITS.qaBody }];
  if (!f.languages.length) p.languages = ['admin.err.languages'];
  else if (f.languages.length > LIMITS.languages) p.languages = ['admin.err.tooMany', { max: LIMITS.languages }];
  if (f.skills.length > LIMITS.skills) p.skills = ['admin.err.tooMany', { max: LIMITS.skills }];
  if (f.towards.length > LIMITS.towards) p.towards = ['admin.err.tooMany', { max: LIMITS.towards }];
  if (f.modules.length > LIMITS.modules) p.modules = ['admin.err.tooMany', { max: LIMITS.modules }];
  if (!f.standalone && (f.towards.length || f.modules.length)) p.standalone = ['admin.err.standalone'];
  return p;
}

const textOf = (m: LangMapIn | undefined): LangText => ({ es: m?.es ?? '', en: m?.en ?? '', pt: m?.pt ?? '' });

export function recordToForm(r: OwnMc): McForm {
  const outs = r.learningOutcomes ?? [];
  const qa = r.qualityAssurance;
  return {
    code: r.code,
    title: textOf(r.title),
    description: textOf(r.description),
    outcomes: Object.fromEntries(LANGS.map((l) => [l, outs.map((o) => (o.text as LangMapIn)[l] ?? '').join('\n')])) as LangText,
    outcomeUris: outs.some((o) => o.escoUri) ? outs.map((o) => o.escoUri ?? '').join('\n') : '',
    criteria: textOf(r.criteria),
    prerequisites: textOf(r.prerequisites),
    hours: r.workload ? String(r.workload.hours) : '',
    creditSystem: r.workload?.credits.system ?? '',
    credits: r.workload ? String(r.workload.credits.value) : '',
    levelFramework: r.level?.framework ?? '',
    levelValue: r.level?.value ?? '',
    field: r.fieldOfStudy?.iscedF ?? '',
    assessment: r.assessment?.type ?? '',
    assessmentDescription: textOf(r.assessment?.description),
    participation: r.participation?.mode ?? '',
    context: [...(r.participation?.context ?? [])],
    qa: qa?.type ?? '',
    qaDescription: textOf(qa?.description),
    qaBody: qa?.body ?? '',
    qaCycle: qa?.procedure?.reviewCycleMonths !== undefined ? String(qa.procedure.reviewCycleMonths) : '',
    qaLastReview: qa?.procedure?.lastReview ?? '',
    qaReviewers: [...(qa?.procedure?.reviewers ?? [])],
    qaUrl: qa?.procedure?.url ?? '',
    languages: [...(r.languages ?? [])],
    skills: (r.skills ?? []).map((s) => structuredClone(s) as SkillItem),
    pilotArea: r.pilotArea ?? '',
    supervision: r.supervision ?? '',
    standalone: r.stackability ? (r.stackability.standalone ? 'yes' : 'no') : '',
    towards: (r.stackability?.stackableTowards ?? []).map((s) => structuredClone(s) as TowardsItem),
    modules: (r.stackability?.stacksFrom ?? []).map((s) => structuredClone(s) as ModuleItem),
    furtherUrl: r.furtherInformation?.url ?? '',
    furtherText: textOf(r.furtherInformation?.text),
    url: r.url ?? '',
    image: r.image ?? '',
    validFrom: r.validFrom ?? '',
  };
}

/** Fields the node adds to what it answers: never sent back. */
export const SERVER_ONLY = [
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
  'modules',
];

/** The fields the form writes (the others a base record had — awardingBody, country — are kept as they were). */
const FORM_FIELDS = [
  'code',
  'version',
  'title',
  'description',
  'criteria',
  'learningOutcomes',
  'workload',
  'level',
  'fieldOfStudy',
  'assessment',
  'participation',
  'qualityAssurance',
  'languages',
  'skills',
  'pilotArea',
  'prerequisites',
  'supervision',
  'stackability',
  'furtherInformation',
  'url',
  'image',
  'validFrom',
];

/** A language map of the texts given (trimmed), or undefined when none is. */
export function langMap(x: LangText): LangMapIn | undefined {
  const m: LangMapIn = {};
  for (const l of LANGS) if (x[l].trim()) m[l] = x[l].trim();
  return Object.keys(m).length ? m : undefined;
}

/** Drops the keys whose value is undefined (what the form left empty). */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
const nonEmpty = <T>(a: T[]): T[] | undefined => (a.length ? a : undefined);

export function formToRecord(f: McForm, base: OwnMc | null): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (base) for (const [k, v] of Object.entries(base)) if (!SERVER_ONLY.includes(k) && !FORM_FIELDS.includes(k)) r[k] = structuredClone(v);
  const procedure = compact({
    reviewCycleMonths: f.qaCycle.trim() ? Number(f.qaCycle) : undefined,
    lastReview: f.qaLastReview || undefined,
    reviewers: nonEmpty([...f.qaReviewers]),
    url: f.qaUrl.trim() || undefined,
  });
  const stackability = compact({
    standalone: f.standalone ? f.standalone === 'yes' : undefined,
    stackableTowards: nonEmpty(f.towards.map((x) => structuredClone(x))),
    stacksFrom: nonEmpty(f.modules.map((x) => structuredClone(x))),
  });
  const further = compact({ url: f.furtherUrl.trim() || undefined, text: langMap(f.furtherText) });
  // the node numbers versions: `version` is never sent
  return compact({
    ...r,
    code: f.code.trim(),
    title: langMap(f.title),
    description: langMap(f.description),
    criteria: langMap(f.criteria),
    learningOutcomes: nonEmpty(outcomesOf(f).map(({ text, escoUri }) => (escoUri ? { text, escoUri } : { text }))),
    workload: f.hours || f.credits || f.creditSystem ? { hours: Number(f.hours), credits: { system: f.creditSystem, value: Number(f.credits) } } : undefined,
    level: f.levelFramework || f.levelValue ? { framework: f.levelFramework, value: f.levelValue } : undefined,
    fieldOfStudy: f.field ? { iscedF: f.field } : undefined,
    assessment: f.assessment ? compact({ type: f.assessment, description: langMap(f.assessmentDescription) }) : undefined,
    participation: f.participation ? compact({ mode: f.participation, context: nonEmpty([...f.context]) }) : undefined,
    qualityAssurance: f.qa
      ? compact({ type: f.qa, description: langMap(f.qaDescription), body: f.qaBody.trim() || undefined, procedure: Object.keys(procedure).length ? procedure : undefined })
      : undefined,
    languages: nonEmpty([...f.languages]),
    skills: nonEmpty(f.skills.map((x) => structuredClone(x))),
    pilotArea: f.pilotArea || undefined,
    prerequisites: langMap(f.prerequisites),
    supervision: f.supervision || undefined,
    stackability: Object.keys(stackability).length ? stackability : undefined,
    furtherInformation: Object.keys(further).length ? further : undefined,
    url: f.url.trim() || undefined,
    image: f.image.trim() || undefined,
    validFrom: f.validFrom || undefined,
  });
}
