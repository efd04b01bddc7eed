/**
 * The `schema` check: the credential's structure as an Open Badges 3.0 AchievementCredential and the eleven
 * mandatory elements of an EU micro-credential (Council Recommendation 2022/C 243/02, Annex I). One boundary:
 * `checkStructure(credential)` gives the check's status and reason; nothing else of the verifier looks inside.
 * It must never throw on any input and never fetch anything.
 */
import { LEARNING_OUTCOME_TARGET_TYPE } from '../ob3.js';
import { asArray, time } from './parse.js';
import type { CheckStatus } from './report.js';

const OB_TYPES = new Set(['OpenBadgeCredential', 'AchievementCredential']);

/** OB 3.0 structure and the eleven mandatory EU elements. */
export function schemaProblems(c: Record<string, unknown>): { ob3: string[]; eu: string[] } {
  const ob3: string[] = [];
  const eu: string[] = [];
  const types = asArray(c['type']);
  if (!types.some((t) => OB_TYPES.has(t as string))) ob3.push('type is not OpenBadgeCredential / AchievementCredential');
  const subject = asArray(c['credentialSubject'])[0] as Record<string, unknown> | undefined;
  const ach = (subject?.['achievement'] ?? undefined) as Record<string, unknown> | undefined;
  if (!ach || typeof ach !== 'object') ob3.push('credentialSubject.achievement is missing');
  else {
    if (typeof ach['id'] !== 'string') ob3.push('achievement.id is missing');
    if (!asArray(ach['type']).includes('Achievement')) ob3.push('achievement.type must include Achievement');
    if (typeof ach['name'] !== 'string') ob3.push('achievement.name is missing');
    if (typeof ach['description'] !== 'string') ob3.push('achievement.description is missing');
    if (!ach['criteria'] || typeof ach['criteria'] !== 'object') ob3.push('achievement.criteria is missing');
  }
  if (subject && !asArray(subject['type']).some((t) => t === 'AchievementSubject')) ob3.push('credentialSubject.type must include AchievementSubject');
  const issuer = c['issuer'] as Record<string, unknown> | string | undefined;
  const issuerObj = typeof issuer === 'object' && issuer ? issuer : undefined;
  if (!issuerObj || !asArray(issuerObj['type']).includes('Profile')) ob3.push('issuer must be a Profile object');

  // EU elements (Council Recommendation 2022/C 243/02, Annex I, mandatory part).
  const a = ach ?? {};
  const identifiers = asArray(subject?.['identifier']);
  if (!subject || (typeof subject['id'] !== 'string' && identifiers.length === 0 && typeof subject['name'] !== 'string')) {
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
  const workload = a['workload'] as { hours?: unknown } | undefined;
  if (!(typeof workload?.hours === 'number' && workload.hours > 0)) eu.push('notional workload');
  const level = a['level'] as { framework?: unknown; value?: unknown } | undefined;
  if (typeof level?.framework !== 'string' || level.value === undefined) eu.push('level');
  if (typeof a['assessmentType'] !== 'string') eu.push('type of assessment');
  if (typeof a['participationMode'] !== 'string') eu.push('form of participation');
  if (typeof a['qualityAssuranceType'] !== 'string') eu.push('type of quality assurance');
  return { ob3, eu };
}

/** The `schema` check of one credential object (already past the `parse` check). */
export function checkStructure(c: Record<string, unknown>): { status: CheckStatus; reason: string } {
  const { ob3, eu } = schemaProblems(c);
  if (ob3.length) {
    return { status: 'failed', reason: `not a valid Open Badges 3.0 credential: ${ob3.join('; ')}` };
  } else if (eu.length) {
    return { status: 'failed', reason: `Open Badges 3.0 credential missing EU micro-credential elements: ${eu.join(', ')}` };
  } else {
    return { status: 'ok', reason: 'Open Badges 3.0 structure with all 11 mandatory EU micro-credential elements' };
  }
}
