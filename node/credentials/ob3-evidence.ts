/**
 * The Open Badges 3.0 parts a unit may add at issuance (issue 15 item 1), built from the issue request: `evidence`
 * entries (a narrative, a link, or a file this node stores, named by its URL ending in the hex SHA-256 and by
 * `digestSRI`), the learner's `result`s with their `ResultDescription`s (and rubric levels) on the achievement, and
 * the checks those requests must pass. Only terms the VC 2.0 and OB 3.0 contexts define are written (`digestSRI` and
 * `mediaType` are VC 2.0's; the rest OB 3.0's), so the credential still expands with those two contexts alone.
 * Pure: must never store, sign, read a clock or touch the network.
 */
import { RegistryError } from '../core/errors.js';
import type { MessageRef } from '../core/messages/index.js';

/** An evidence entry as the issue request gives it (a file's bytes are checked by evidence-files.ts). */
export interface EvidenceRequest {
  name?: string;
  description?: string;
  narrative?: string;
  genre?: string;
  audience?: string;
  /** Evidence published elsewhere (http/https). */
  url?: string;
  /** A file this node stores and serves (see evidence-files.ts). */
  file?: { name: string; mediaType: string; content: string | Buffer };
}

/** An evidence entry ready to be written: a stored file is named by its URL, SRI digest and media type. */
export interface EvidenceEntry {
  name?: string;
  description?: string;
  narrative?: string;
  genre?: string;
  audience?: string;
  url?: string;
  file?: { url: string; sri: string; mediaType: string; name: string };
}

export const RESULT_TYPES = [
  'GradePointAverage',
  'LetterGrade',
  'Percent',
  'PerformanceLevel',
  'PredictedScore',
  'RawScore',
  'Result',
  'RubricCriterion',
  'RubricCriterionLevel',
  'RubricScore',
  'ScaledScore',
  'Status',
] as const;
export const RESULT_STATUSES = ['Completed', 'Enrolled', 'Failed', 'InProgress', 'OnHold', 'Provisional', 'Withdrew'] as const;

/**
 * One assessed result: its description (a criterion, with rubric levels, allowed values or a range) and what the
 * learner achieved (a value, a level or a status).
 */
export interface ResultRequest {
  /** The name of the result description (e.g. "Pensamiento crítico"). */
  criterion: string;
  /** Default: RubricCriterionLevel when levels are given, else Result. */
  resultType?: (typeof RESULT_TYPES)[number];
  /** Rubric levels, low to high. */
  levels?: { name: string; description?: string; points?: string }[];
  allowedValues?: string[];
  valueMin?: string;
  valueMax?: string;
  requiredValue?: string;
  /** Name of the level required to pass. */
  requiredLevel?: string;
  value?: string;
  /** Name of the level achieved. */
  achievedLevel?: string;
  status?: (typeof RESULT_STATUSES)[number];
}

// `msg` in English (logs, CLI, technicalDetail); `ref`, when given, what a person reads in their language (a cohort row too)
const bad = (msg: string, ref?: MessageRef) => new RegistryError('validation_failed', msg, ref ? { message: ref } : undefined);
const text = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The Evidence objects of a credential (OB 3.0 `Evidence`; a stored file with `digestSRI` and `mediaType`). */
export function evidenceEntries(entries: readonly EvidenceEntry[] | undefined): Record<string, unknown>[] {
  return (entries ?? []).map((e) => {
    const out: Record<string, unknown> = {};
    const id = e.file?.url ?? e.url;
    if (id) out['id'] = id;
    out['type'] = ['Evidence'];
    const name = e.name ?? e.file?.name;
    if (name) out['name'] = name;
    for (const k of ['description', 'narrative', 'genre', 'audience'] as const) if (text(e[k])) out[k] = e[k];
    if (e.file) {
      out['mediaType'] = e.file.mediaType;
      out['digestSRI'] = e.file.sri;
    }
    return out;
  });
}

/** Checks the evidence entries of a request (shape only; a file's content is checked by evidence-files.ts). */
export function checkEvidenceRequests(list: unknown): EvidenceRequest[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw bad('evidence must be a list');
  list.forEach((e: EvidenceRequest, i) => {
    const where = `evidence ${i + 1}`;
    if (!e || typeof e !== 'object') throw bad(`${where} is not an object`);
    if (!text(e.narrative) && !text(e.url) && !e.file) throw bad(`${where} needs a narrative, a URL or a file`, { key: 'evidence.entryEmpty', params: { n: i + 1 } });
    if (e.url !== undefined && e.file !== undefined) throw bad(`${where} has both a URL and a file: give one`);
    if (e.url !== undefined && (!text(e.url) || !/^https?:\/\/[^\s]+$/i.test(e.url))) throw bad(`${where}: the URL must be http(s)`, { key: 'evidence.entryUrl', params: { n: i + 1 } });
    for (const k of ['name', 'description', 'narrative', 'genre', 'audience'] as const)
      if (e[k] !== undefined && typeof e[k] !== 'string') throw bad(`${where}: ${k} must be text`);
  });
  return list as EvidenceRequest[];
}

/**
 * The result descriptions (for the achievement) and results (for the subject) of a request, with ids under the
 * achievement id. Throws `validation_failed` when a result names a level its description does not have, or a value
 * outside its allowed values or range.
 */
export function resultParts(achievementId: string, results: readonly ResultRequest[] | undefined): { descriptions: Record<string, unknown>[]; results: Record<string, unknown>[] } {
  const descriptions: Record<string, unknown>[] = [];
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  (results ?? []).forEach((r, i) => {
    if (!r || typeof r !== 'object' || !text(r.criterion)) throw bad(`result ${i + 1} needs a criterion (the name of what was assessed)`, { key: 'result.criterionMissing', params: { n: i + 1 } });
    const where = `result "${r.criterion}"`;
    const criterion = r.criterion.trim().slice(0, 300);
    if (seen.has(r.criterion.trim())) throw bad(`${where} is given twice`, { key: 'result.twice', params: { criterion } });
    seen.add(r.criterion.trim());
    const levels = r.levels ?? [];
    const resultType = r.resultType ?? (levels.length ? 'RubricCriterionLevel' : 'Result');
    if (!(RESULT_TYPES as readonly string[]).includes(resultType)) throw bad(`${where}: unknown result type ${String(resultType)}`);
    const id = `${achievementId}#result-${i + 1}`;
    const levelIds = new Map<string, string>();
    levels.forEach((l, k) => {
      if (!l || !text(l.name)) throw bad(`${where}: level ${k + 1} needs a name`);
      if (levelIds.has(l.name.trim())) throw bad(`${where}: level "${l.name}" is given twice`);
      levelIds.set(l.name.trim(), `${id}-level-${k + 1}`);
    });
    const levelId = (name: string | undefined, what: string): string | undefined => {
      if (name === undefined) return undefined;
      const lid = levelIds.get(String(name).trim());
      if (!lid)
        throw bad(`${where}: ${what} "${name}" is not one of its levels (${[...levelIds.keys()].join(', ') || 'none given'})`, {
          key: 'result.levelNotListed',
          params: { criterion, level: String(name).slice(0, 100), levels: [...levelIds.keys()].join(', ') || '—' },
        });
      return lid;
    };
    const allowed = r.allowedValues;
    if (r.value !== undefined && allowed?.length && !allowed.includes(r.value))
      throw bad(`${where}: value "${r.value}" is not one of ${allowed.join(', ')}`, { key: 'result.valueNotAllowed', params: { criterion, value: String(r.value).slice(0, 100), allowed: allowed.join(', ') } });
    const num = (v: string | undefined) => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
    const [min, max, value] = [num(r.valueMin), num(r.valueMax), num(r.value)];
    if (min !== undefined && max !== undefined && min > max) throw bad(`${where}: valueMin is above valueMax`);
    if (value !== undefined && ((min !== undefined && value < min) || (max !== undefined && value > max)))
      throw bad(`${where}: value ${r.value} is outside ${r.valueMin ?? '…'}–${r.valueMax ?? '…'}`, {
        key: 'result.valueOutside',
        params: { criterion, value: String(r.value), min: r.valueMin ?? '…', max: r.valueMax ?? '…' },
      });
    if (resultType === 'Status' && !r.status) throw bad(`${where}: a Status result needs a status`);
    if (r.status !== undefined && !(RESULT_STATUSES as readonly string[]).includes(r.status)) throw bad(`${where}: unknown status ${String(r.status)}`);
    if (r.value === undefined && r.achievedLevel === undefined && r.status === undefined)
      throw bad(`${where} needs a value, an achieved level or a status`, { key: 'result.needsValue', params: { criterion } });

    const d: Record<string, unknown> = { id, type: ['ResultDescription'], name: r.criterion.trim(), resultType };
    if (allowed?.length) d['allowedValue'] = [...allowed];
    const requiredLevel = levelId(r.requiredLevel, 'required level');
    if (requiredLevel) d['requiredLevel'] = requiredLevel;
    if (r.requiredValue !== undefined) d['requiredValue'] = r.requiredValue;
    if (levels.length)
      d['rubricCriterionLevel'] = levels.map((l, k) => {
        const o: Record<string, unknown> = { id: `${id}-level-${k + 1}`, type: ['RubricCriterionLevel'], name: l.name.trim() };
        if (text(l.description)) o['description'] = l.description;
        if (text(l.points)) o['points'] = l.points;
        return o;
      });
    if (r.valueMax !== undefined) d['valueMax'] = r.valueMax;
    if (r.valueMin !== undefined) d['valueMin'] = r.valueMin;
    descriptions.push(d);

    const res: Record<string, unknown> = { type: ['Result'], resultDescription: id };
    const achieved = levelId(r.achievedLevel, 'achieved level');
    if (achieved) res['achievedLevel'] = achieved;
    if (r.status !== undefined) res['status'] = r.status;
    if (r.value !== undefined) res['value'] = r.value;
    out.push(res);
  });
  return { descriptions, results: out };
}
