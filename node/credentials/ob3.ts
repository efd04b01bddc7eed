/**
 * Builds the unsigned Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0) of an issued microcredential from
 * a catalogue record, carrying the eleven mandatory EU elements and the optional ones the record has. The mapping
 * is documented in README-mapping.md. Pure: must never sign, store, read a clock or touch the network (the issue
 * date, ids and salt are inputs; randomness is only the default salt / credential id). The EU-element alignments
 * (writing and reading them) live in eu-alignments.ts and are re-exported from here.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RegistryError } from '../core/errors.js';
import { CONTEXTS } from '../identity/document-loader.js';
import { compact, euAlignments, LEVEL_TARGET_TYPE, num, str, type Alignment, type EuFacts } from './eu-alignments.js';
import { evidenceEntries, resultParts, type EvidenceEntry, type ResultRequest } from './ob3-evidence.js';

export { EU_TARGET_TYPES, euAlignments, euElementsOf, LEVEL_TARGET_TYPE, type EuFacts } from './eu-alignments.js';

export type LangMap = { es?: string; en?: string; pt?: string };
type Text = LangMap | string;

/**
 * The catalogue record as the credential core reads it (mirrors `schemas/microcredential.schema.json`, owned by the
 * catalogue; fields the schema marks optional are optional here so the catalogue's type is assignable to it).
 */
export interface MicrocredentialRecordInput {
  code: string;
  version: number | string;
  title: LangMap;
  description?: LangMap;
  criteria?: LangMap;
  learningOutcomes: { text: LangMap; escoUri?: string }[];
  workload: { hours: number; credits: { system: string; value: number } };
  level: { framework: string; value: string | number };
  fieldOfStudy: { iscedF: string };
  assessment: { type: string; description?: Text };
  participation: { mode: 'online' | 'onsite' | 'blended' | string; context?: string | string[] };
  qualityAssurance: { type: 'internal' | 'external' | 'internal-and-external' | string; description?: Text; body?: string };
  awardingBody?: { name: string; did?: string };
  country?: string;
  languages: string[];
  skills?: { name: LangMap; framework?: string; uri?: string }[];
  prerequisites?: Text;
  supervision?: string;
  stackability?: { standalone: boolean; stackableTowards?: ({ name: LangMap; id?: string } | string)[]; stacksFrom?: { id: string; name?: LangMap; minVersion?: number }[] };
  furtherInformation?: { url?: string; text?: LangMap } | Text;
  url?: string;
  image?: string;
}

export interface InstitutionInput {
  did: string;
  name: string;
  country: string; // ISO 3166-1 alpha-2
  url?: string;
}

export interface LearnerInput {
  name?: string;
  /** Hashed into an OB3 IdentityObject (never written in clear). */
  email?: string;
  /** A learner DID becomes `credentialSubject.id`. */
  did?: string;
}

export interface StatusEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation' | 'suspension';
  statusListIndex: string;
  statusListCredential: string;
}

export interface BuildCredentialInput {
  record: MicrocredentialRecordInput;
  /** The network-wide microcredential id (`<code>.<16 hex>`) or already a URI. */
  microcredentialId: string;
  /** Public base URL of the issuing node; without it the achievement id is `urn:mochila:microcredential:<id>`. */
  baseUrl?: string;
  institution: InstitutionInput;
  /** did:key of the issuer key that will sign (becomes `issuer.id`). */
  issuerDid: string;
  learner: LearnerInput;
  issuedAt: Date | string;
  /** `urn:uuid:...`; random when absent. */
  credentialId?: string;
  validUntil?: Date | string;
  /**
   * The credential's one status entry (revocation): OB 3.0 allows a single `credentialStatus` object. A suspension
   * entry is not written into the credential (see `pairedSuspensionListId` in status-list.ts).
   */
  credentialStatus?: StatusEntry;
  /** Salt for the learner's identityHash; random when absent. */
  salt?: string;
  /** EU optional element "grade achieved". */
  grade?: string;
  /** Evidence added at issuance: narratives, links, files this node stores (ob3-evidence.ts). */
  evidence?: EvidenceEntry[];
  /** Assessed results: each a ResultDescription on the achievement and a Result on the subject (ob3-evidence.ts). */
  results?: ResultRequest[];
  /** `credentialSubject.creditsEarned` (at most the achievement's credits). */
  creditsEarned?: number;
  /** `credentialSubject.activityStartDate` / `activityEndDate` (ISO 8601 date or date-time). */
  activityStartDate?: Date | string;
  activityEndDate?: Date | string;
  /**
   * A programme's badge: the module credentials the learner presented (checked by programmes.ts), each linked as an
   * OB 3.0 `Evidence` entry whose id is the module credential's id (see moduleEvidence).
   */
  modules?: ModuleCredentialLink[];
}

/** One module credential a programme badge stacks from, as the badge links it. */
export interface ModuleCredentialLink {
  /** The module credential's id (`urn:uuid:...`). */
  credentialId: string;
  /** Its achievement id (the module's microcredential URI) and network-wide microcredential id. */
  achievementId: string;
  microcredentialId: string;
  /** Its achievement name, issuer name and issuance date, for people reading the badge. */
  name: string;
  issuerName: string;
  issuedAt: string;
}

/** `genre` of the Evidence entries that link a programme badge to its module credentials. */
export const MODULE_EVIDENCE_GENRE = 'Module credential';

/**
 * The Evidence entries linking a programme badge to its module credentials: `id` is the module credential's id,
 * `genre` MODULE_EVIDENCE_GENRE, `description` names the module's achievement id (terms of the VC 2.0 and OB 3.0
 * contexts only).
 */
export function moduleEvidence(modules: readonly ModuleCredentialLink[] | undefined): Record<string, unknown>[] {
  return (modules ?? []).map((m) => ({
    id: m.credentialId,
    type: ['Evidence'],
    name: m.name,
    description: `${m.microcredentialId} (${m.achievementId}), issued by ${m.issuerName} on ${m.issuedAt}`,
    genre: MODULE_EVIDENCE_GENRE,
  }));
}

/**
 * Only the VC 2.0 and Open Badges 3.0.3 contexts: every property of the credential is a term one of them defines, so
 * any verifier holding those two reproduces the signature offline (no `@vocab` fallback is needed or used).
 */
export const OB3_CONTEXTS = Object.freeze([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3]);
/** The contexts of credentials issued before that change (EU elements as undefined-terms properties): still verified. */
export const LEGACY_OB3_CONTEXTS = Object.freeze([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3, CONTEXTS.VC_UNDEFINED_TERMS_V2]);
export const LEARNING_OUTCOME_TARGET_TYPE = 'ext:LearningOutcome';
export const SKILL_TARGET_TYPE = 'ceasn:Competency';

const LANG_ORDER = ['es', 'en', 'pt'] as const;

/** URI form of a microcredential global id, used as the OB3 achievement id (same rule as the catalogue's). */
export function achievementUri(microcredentialId: string, baseUrl?: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(microcredentialId)) return microcredentialId;
  return baseUrl
    ? `${baseUrl.replace(/\/$/, '')}/api/v1/microcredentials/${encodeURIComponent(microcredentialId)}`
    : `urn:mochila:microcredential:${microcredentialId}`;
}

/** Global id from an achievement URI (either form), or null when the URI is not a MOCHILA microcredential. */
export function microcredentialIdFromUri(uri: string): string | null {
  const m = /\/api\/v1\/microcredentials\/([^/?#]+)$/.exec(uri) ?? /^urn:mochila:microcredential:([^#?]+)$/.exec(uri);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** OB3 identityHash of an e-mail address: `sha256$` + hex(sha256(lowercased trimmed e-mail + salt)). */
export function identityHash(email: string, salt: string): string {
  return 'sha256$' + createHash('sha256').update(email.trim().toLowerCase() + salt, 'utf8').digest('hex');
}

export function primaryText(t: Text | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'string') return t;
  for (const l of LANG_ORDER) if (t[l]) return t[l];
  return undefined;
}

function primaryLang(t: LangMap): string | undefined {
  return LANG_ORDER.find((l) => t[l]);
}

export function isoSeconds(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) throw new RegistryError('validation_failed', `not a date: ${String(d)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds the unsigned credential. Throws `validation_failed` when a mandatory EU element is missing. */
export function buildOpenBadgeCredential(input: BuildCredentialInput): Record<string, unknown> {
  const { record, institution, learner } = input;
  const missing: string[] = [];
  if (!learner.did && !learner.email && !learner.name) missing.push('learner identification');
  if (!primaryText(record.title)) missing.push('title');
  if (!institution.country && !record.country) missing.push('country');
  if (!record.learningOutcomes?.length) missing.push('learning outcomes');
  if (!record.workload || !(record.workload.hours > 0)) missing.push('workload');
  if (!record.level?.framework || record.level.value === undefined) missing.push('level');
  if (!record.assessment?.type) missing.push('assessment type');
  if (!record.participation?.mode) missing.push('participation form');
  if (!record.qualityAssurance?.type) missing.push('quality assurance type');
  if (missing.length) {
    throw new RegistryError('missing_eu_elements', `missing EU elements: ${missing.join(', ')}`, { missing });
  }
  if (!input.issuerDid.startsWith('did:key:')) throw new RegistryError('validation_failed', 'issuerDid must be a did:key');

  const achievementId = achievementUri(input.microcredentialId, input.baseUrl);
  const title = primaryText(record.title)!;
  const mainLang = primaryLang(record.title) ?? 'es';
  const description = primaryText(record.description) ?? title;
  const country = (record.country ?? institution.country).toUpperCase();
  const issuedAt = isoSeconds(input.issuedAt);

  const alignment: Record<string, unknown>[] = record.learningOutcomes.map((lo, i) =>
    compact({
      type: ['Alignment'],
      targetType: LEARNING_OUTCOME_TARGET_TYPE,
      targetName: primaryText(lo.text)!,
      targetUrl: lo.escoUri ?? `${achievementId}#learning-outcome-${i + 1}`,
      targetFramework: lo.escoUri ? 'ESCO' : undefined,
    }),
  );
  (record.skills ?? []).forEach((s, i) =>
    alignment.push(
      compact({
        type: ['Alignment'],
        targetType: SKILL_TARGET_TYPE,
        targetName: primaryText(s.name)!,
        targetUrl: s.uri ?? `${achievementId}#skill-${i + 1}`,
        targetFramework: s.framework ?? (s.uri?.includes('data.europa.eu/esco') ? 'ESCO' : undefined),
      }),
    ),
  );
  const levelValue = String(record.level.value);
  alignment.push(
    ...euAlignments(achievementId, {
      workload: { hours: record.workload.hours, creditSystem: record.workload.credits?.system, credits: record.workload.credits?.value },
      level: { framework: record.level.framework, value: levelValue },
      assessment: { type: record.assessment.type, description: primaryText(record.assessment.description) },
      participation: {
        mode: record.participation.mode,
        context: record.participation.context === undefined ? undefined : ([] as string[]).concat(record.participation.context),
      },
      qualityAssurance: {
        type: record.qualityAssurance.type,
        description: primaryText(record.qualityAssurance.description),
        body: record.qualityAssurance.body,
      },
      prerequisites: primaryText(record.prerequisites),
      supervision: record.supervision,
      stackability: record.stackability
        ? {
            standalone: record.stackability.standalone,
            stackableTowards: record.stackability.stackableTowards?.map((s) =>
              typeof s === 'string'
                ? { name: s }
                : { id: s.id ? achievementUri(s.id, input.baseUrl) : undefined, name: primaryText(s.name) },
            ),
          }
        : undefined,
      furtherInformation: furtherInformationOf(record.furtherInformation),
    }),
  );

  const related = LANG_ORDER.filter((l) => l !== mainLang && record.title[l]).map((l) =>
    translation(achievementId, {
      inLanguage: l,
      name: record.title[l],
      description: record.description?.[l],
      narrative: record.criteria?.[l],
    }),
  );

  const assessed = resultParts(achievementId, input.results);
  const activity = activityDates(input.activityStartDate, input.activityEndDate);
  if (input.creditsEarned !== undefined) {
    if (!(typeof input.creditsEarned === 'number' && Number.isFinite(input.creditsEarned) && input.creditsEarned >= 0))
      throw new RegistryError('validation_failed', 'creditsEarned must be a number, 0 or more');
    const available = record.workload.credits?.value;
    if (typeof available === 'number' && input.creditsEarned > available)
      throw new RegistryError('validation_failed', `creditsEarned (${input.creditsEarned}) is more than the microcredential's credits (${available})`);
  }

  const achievement = compact({
    id: achievementId,
    type: ['Achievement'],
    achievementType: 'MicroCredential',
    name: title,
    description,
    criteria: { narrative: primaryText(record.criteria) ?? criteriaFromOutcomes(record) },
    humanCode: record.code,
    version: String(record.version),
    inLanguage: record.languages?.[0] ?? mainLang,
    creator: compact({
      id: record.awardingBody?.did ?? institution.did,
      type: ['Profile'],
      name: record.awardingBody?.name ?? institution.name,
      address: { type: ['Address'], addressCountryCode: country },
    }),
    creditsAvailable: record.workload.credits?.value,
    fieldOfStudy: `ISCED-F ${record.fieldOfStudy.iscedF}`,
    // every EU element OB 3.0 has no property for is an alignment (see euAlignments and README-mapping.md)
    alignment,
    image: record.image ? { id: record.image, type: 'Image' } : undefined,
    url: record.url,
    // the other languages of the title: alternate-language editions, as OB 3.0 intends `related` for
    related: related.length ? related : undefined,
    resultDescription: assessed.descriptions.length ? assessed.descriptions : undefined,
  });

  const subject: Record<string, unknown> = compact({
    id: learner.did,
    type: ['AchievementSubject'],
    name: learner.name,
    identifier: learner.email
      ? [
          (() => {
            const salt = input.salt ?? randomBytes(16).toString('hex');
            return {
              type: 'IdentityObject',
              identityType: 'emailAddress',
              hashed: true,
              identityHash: identityHash(learner.email, salt),
              salt,
            };
          })(),
        ]
      : undefined,
    achievement,
    result: input.grade || assessed.results.length ? [...(input.grade ? [{ type: ['Result'], value: input.grade }] : []), ...assessed.results] : undefined,
    creditsEarned: input.creditsEarned,
    activityStartDate: activity.start,
    activityEndDate: activity.end,
  });

  return compact({
    '@context': [...OB3_CONTEXTS],
    id: input.credentialId ?? `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: title,
    description,
    issuer: compact({
      id: input.issuerDid,
      type: ['Profile'],
      name: institution.name,
      url: institution.url,
      address: { type: ['Address'], addressCountryCode: institution.country.toUpperCase() },
      otherIdentifier: [{ type: 'IdentifierEntry', identifier: institution.did, identifierType: 'identifier' }],
    }),
    validFrom: issuedAt,
    validUntil: input.validUntil ? isoSeconds(input.validUntil) : undefined,
    awardedDate: issuedAt,
    credentialSubject: subject,
    credentialStatus: input.credentialStatus,
    // a programme's badge links the module credentials it stacks from
    // and evidence added at issuance (narratives, links, files this node stores)
    evidence: input.modules?.length || input.evidence?.length ? [...moduleEvidence(input.modules), ...evidenceEntries(input.evidence)] : undefined,
  });
}

/** The activity dates, in ISO 8601 seconds; the end may not come before the start. */
function activityDates(start: Date | string | undefined, end: Date | string | undefined): { start?: string; end?: string } {
  const s = start === undefined ? undefined : isoSeconds(start);
  const e = end === undefined ? undefined : isoSeconds(end);
  if (s && e && e < s) throw new RegistryError('validation_failed', 'activityEndDate comes before activityStartDate');
  return { ...(s ? { start: s } : {}), ...(e ? { end: e } : {}) };
}

function criteriaFromOutcomes(record: MicrocredentialRecordInput): string {
  return record.learningOutcomes.map((lo) => `- ${primaryText(lo.text) ?? ''}`).join('\n');
}

function furtherInformationOf(further: MicrocredentialRecordInput['furtherInformation']): EuFacts['furtherInformation'] {
  if (further === undefined) return undefined;
  if (typeof further === 'string' || !('url' in further || 'text' in further)) return { text: primaryText(further as Text) };
  return compact({ url: further.url, text: primaryText(further.text) });
}

/** An alternate-language edition of the achievement (`Related`: its id is a fragment of the achievement id). */
function translation(achievementId: string, t: { inLanguage: string; name?: string; description?: string; narrative?: string }): Record<string, unknown> {
  return compact({ id: `${achievementId}#lang-${t.inLanguage}`, type: ['Related'], inLanguage: t.inLanguage, name: t.name, description: t.description, narrative: t.narrative });
}

const LEGACY_ACHIEVEMENT_PROPERTIES = [
  'workload',
  'level',
  'assessmentType',
  'assessmentDescription',
  'participationMode',
  'participationContext',
  'qualityAssuranceType',
  'qualityAssuranceDescription',
  'qualityAssuranceBody',
  'prerequisites',
  'supervision',
  'stackability',
  'furtherInformation',
  'translations',
] as const;

/**
 * A credential body (no proof) issued before the current shape, rewritten in it: the two contexts only, the legacy
 * EU properties of the achievement as alignments, `translations` as `related`. Used when re-issuing; a body already
 * in the current shape comes back unchanged. Pure.
 */
export function toCurrentShape(body: Record<string, unknown>): Record<string, unknown> {
  const subject = body['credentialSubject'] as Record<string, unknown> | undefined;
  const a = subject?.['achievement'] as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { ...body, '@context': [...OB3_CONTEXTS] };
  if (!a || typeof a !== 'object' || !LEGACY_ACHIEVEMENT_PROPERTIES.some((k) => k in a)) return out;
  const id = String(a['id']);
  const workload = (a['workload'] ?? {}) as { hours?: unknown; creditSystem?: unknown; credits?: unknown };
  const level = (a['level'] ?? {}) as { framework?: unknown; value?: unknown };
  const stack = a['stackability'] as { standalone?: unknown; stackableTowards?: unknown } | undefined;
  const further = a['furtherInformation'] as { url?: unknown; text?: unknown } | undefined;
  const facts: EuFacts = {
    workload: { hours: num(workload.hours) ?? 0, creditSystem: str(workload.creditSystem), credits: num(workload.credits) },
    level: { framework: str(level.framework) ?? '', value: level.value === undefined ? '' : String(level.value) },
    assessment: { type: str(a['assessmentType']) ?? '', description: str(a['assessmentDescription']) },
    participation: {
      mode: str(a['participationMode']) ?? '',
      context: Array.isArray(a['participationContext']) ? (a['participationContext'] as unknown[]).map(String) : undefined,
    },
    qualityAssurance: { type: str(a['qualityAssuranceType']) ?? '', description: str(a['qualityAssuranceDescription']), body: str(a['qualityAssuranceBody']) },
    prerequisites: str(a['prerequisites']),
    supervision: str(a['supervision']),
    stackability: stack
      ? {
          standalone: stack.standalone !== false,
          stackableTowards: Array.isArray(stack.stackableTowards)
            ? (stack.stackableTowards as { id?: unknown; name?: unknown }[]).map((s) => compact({ id: str(s?.id), name: str(s?.name) }))
            : undefined,
        }
      : undefined,
    furtherInformation: further ? compact({ url: str(further.url), text: str(further.text) }) : undefined,
  };
  const kept = (Array.isArray(a['alignment']) ? (a['alignment'] as Alignment[]) : []).filter((x) => x?.['targetType'] !== LEVEL_TARGET_TYPE);
  const translations = Array.isArray(a['translations']) ? (a['translations'] as Record<string, unknown>[]) : [];
  const achievement: Record<string, unknown> = { ...a };
  for (const k of LEGACY_ACHIEVEMENT_PROPERTIES) delete achievement[k];
  achievement['alignment'] = [...kept, ...euAlignments(id, facts)];
  const related = translations
    .filter((t) => str(t?.['inLanguage']))
    .map((t) => translation(id, { inLanguage: String(t['inLanguage']), name: str(t['name']), description: str(t['description']), narrative: str(t['narrative']) }));
  if (related.length) achievement['related'] = related;
  out['credentialSubject'] = { ...subject, achievement };
  return out;
}

/**
 * The signed credential with its proof as a one-element array: 1EdTech's published OB 3.0 schema requires `proof` to
 * be an array (VC 2.0 and Data Integrity accept both forms; the signature is the same).
 */
export function asProofSet<T extends Record<string, unknown>>(signed: T): T & { proof: unknown[] } {
  const proof = signed['proof'];
  return { ...signed, proof: Array.isArray(proof) ? proof : [proof] };
}
