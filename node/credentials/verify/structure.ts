/**
 * The `schema` check: the credential validated against 1EdTech's published Open Badges 3.0 AchievementCredential
 * JSON Schema (bundled, see ob3-schema.ts), and the eleven mandatory elements of an EU micro-credential (Council
 * Recommendation 2022/C 243/02, Annex I) in either credential shape (alignments, or the undefined-terms properties of
 * credentials issued before). One boundary: `checkStructure(credential)` gives the check's status and reason; nothing
 * else of the verifier looks inside. It must never throw on any input and never fetch anything.
 */
import { euElementsOf, LEARNING_OUTCOME_TARGET_TYPE } from '../ob3.js';
import { ob3SchemaProblems } from '../ob3-schema.js';
import { asArray, time } from './parse.js';
import type { CheckStatus } from './report.js';

/**
 * The 1EdTech schema applied to the credential. Two VC 2.0 forms the 2024 schema does not take are read in the form
 * it does: a single proof object as a one-proof set, and a status array (credentials issued by this network before
 * OB 3.0's one-entry rule was followed) one entry at a time. Issuance produces the schema's own form exactly.
 */
function ob3Problems(c: Record<string, unknown>): string[] {
  const view: Record<string, unknown> = { ...c };
  if (view['proof'] !== undefined && !Array.isArray(view['proof'])) view['proof'] = [view['proof']];
  const statuses = Array.isArray(view['credentialStatus']) ? (view['credentialStatus'] as unknown[]) : [view['credentialStatus']];
  const out = new Set<string>();
  for (const st of statuses.length ? statuses : [undefined]) {
    if (st === undefined) delete view['credentialStatus'];
    else view['credentialStatus'] = st;
    for (const p of ob3SchemaProblems(view, 10)) out.add(`${p.path} ${p.message}`);
  }
  return [...out].slice(0, 10);
}

/** OB 3.0 schema problems and the missing mandatory EU elements. */
export function schemaProblems(c: Record<string, unknown>): { ob3: string[]; eu: string[] } {
  const ob3 = ob3Problems(c);
  const eu: string[] = [];
  const subject = asArray(c['credentialSubject'])[0] as Record<string, unknown> | undefined;
  const ach = (subject && typeof subject === 'object' ? subject['achievement'] : undefined) as Record<string, unknown> | undefined;
  const issuer = c['issuer'] as Record<string, unknown> | string | undefined;
  const issuerObj = typeof issuer === 'object' && issuer ? issuer : undefined;

  // EU elements (Council Recommendation 2022/C 243/02, Annex I, mandatory part).
  const a = ach && typeof ach === 'object' ? ach : {};
  const identifiers = asArray(subject?.['identifier']);
  if (!subject || typeof subject !== 'object' || (typeof subject['id'] !== 'string' && identifiers.length === 0 && typeof subject['name'] !== 'string')) {
    eu.push('identification of the learner');
  }
  if (typeof a['name'] !== 'string' || !a['name']) eu.push('title');
  const countryOf = (p: unknown): unknown => ((p as { address?: { addressCountryCode?: unknown } } | undefined)?.address)?.addressCountryCode;
  if (typeof countryOf(issuerObj) !== 'string' && typeof countryOf(a['creator']) !== 'string') eu.push('country of the issuer');
  if (!(a['creator'] as { name?: unknown } | undefined)?.name && !issuerObj?.['name']) eu.push('awarding body');
  if (time(c['validFrom'] ?? c['issuanceDate'] ?? c['awardedDate']) === null) eu.push('date of issuing');
  const outcomes = asArray(a['alignment']).filter(
    (x) => (x as { targetType?: unknown })?.targetType === LEARNING_OUTCOME_TARGET_TYPE,
  );
  if (outcomes.length === 0) eu.push('learning outcomes');
  const e = euElementsOf(a);
  if (e.workloadHours === undefined) eu.push('notional workload');
  if (!e.level) eu.push('level');
  if (!e.assessmentType) eu.push('type of assessment');
  if (!e.participationMode) eu.push('form of participation');
  if (!e.qualityAssuranceType) eu.push('type of quality assurance');
  return { ob3, eu };
}

/** The `schema` check of one credential object (already past the `parse` check). */
export function checkStructure(c: Record<string, unknown>): { status: CheckStatus; reason: string } {
  let problems: { ob3: string[]; eu: string[] };
  try {
    problems = schemaProblems(c);
  } catch (err) {
    return { status: 'failed', reason: `not a valid Open Badges 3.0 credential: ${(err as Error).message}` };
  }
  const { ob3, eu } = problems;
  if (ob3.length) {
    return { status: 'failed', reason: `not a valid Open Badges 3.0 credential (1EdTech AchievementCredential schema): ${ob3.join('; ')}` };
  } else if (eu.length) {
    return { status: 'failed', reason: `Open Badges 3.0 credential missing EU micro-credential elements: ${eu.join(', ')}` };
  } else {
    return { status: 'ok', reason: 'valid against the 1EdTech Open Badges 3.0 schema, with all 11 mandatory EU micro-credential elements' };
  }
}
