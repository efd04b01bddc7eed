/**
 * Builds the unsigned Open Badges 3.0 `OpenBadgeCredential` (VC Data Model 2.0) of an issued microcredential from
 * a catalogue record, carrying the eleven mandatory EU elements and the optional ones the record has. The mapping
 * is documented in README-mapping.md. Pure: must never sign, store, read a clock or touch the network (the issue
 * date, ids and salt are inputs; randomness is only the default salt / credential id).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RegistryError } from '../core/errors.js';
import { CONTEXTS } from '../identity/document-loader.js';

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
  stackability?: { standalone: boolean; stackableTowards?: ({ name: LangMap; id?: string } | string)[] };
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
}

/**
 * Only the VC 2.0 and Open Badges 3.0.3 contexts: every property of the credential is a term one of them defines, so
 * any verifier holding those two reproduces the signature offline (no `@vocab` fallback is needed or used).
 */
export const OB3_CONTEXTS = Object.freeze([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3]);
/** The contexts of credentials issued before that change (EU elements as undefined-terms properties): still verified. */
export const LEGACY_OB3_CONTEXTS = Object.freeze([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3, CONTEXTS.VC_UNDEFINED_TERMS_V2]);
export const LEARNING_OUTCOME_TARGET_TYPE = 'ext:LearningOutcome';
export const LEVEL_TARGET_TYPE = 'ext:QualificationsFrameworkLevel';
export const SKILL_TARGET_TYPE = 'ceasn:Competency';

/**
 * `targetType` of the achievement alignments that carry the EU elements OB 3.0 has no property for (OB 3.0's
 * extension form of the AlignmentTargetType vocabulary, `ext:<name>`). See README-mapping.md.
 */
export const EU_TARGET_TYPES = Object.freeze({
  workload: 'ext:NotionalWorkload',
  credits: 'ext:Credits',
  level: LEVEL_TARGET_TYPE,
  assessment: 'ext:AssessmentType',
  participation: 'ext:ParticipationForm',
  participationContext: 'ext:ParticipationContext',
  qualityAssurance: 'ext:QualityAssurance',
  qualityAssuranceBody: 'ext:QualityAssuranceBody',
  prerequisites: 'ext:Prerequisites',
  supervision: 'ext:Supervision',
  stackability: 'ext:Stackability',
  stackableTowards: 'ext:StackableTowards',
  furtherInformation: 'ext:FurtherInformation',
});

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

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
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
    result: input.grade ? [{ type: ['Result'], value: input.grade }] : undefined,
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
  });
}

function criteriaFromOutcomes(record: MicrocredentialRecordInput): string {
  return record.learningOutcomes.map((lo) => `- ${primaryText(lo.text) ?? ''}`).join('\n');
}

/** The EU elements OB 3.0 has no property for, as plain values (from a catalogue record or a legacy credential). */
export interface EuFacts {
  workload: { hours: number; creditSystem?: string; credits?: number };
  level: { framework: string; value: string };
  assessment: { type: string; description?: string };
  participation: { mode: string; context?: string[] };
  qualityAssurance: { type: string; description?: string; body?: string };
  prerequisites?: string;
  supervision?: string;
  stackability?: { standalone: boolean; stackableTowards?: { id?: string; name?: string }[] };
  furtherInformation?: { url?: string; text?: string };
}

type Alignment = Record<string, unknown>;

function euAlignment(targetType: string, targetUrl: string, fields: { name: string; code?: string; description?: string; framework?: string }): Alignment {
  return compact({
    type: ['Alignment'],
    targetType,
    targetName: fields.name,
    targetCode: fields.code,
    targetDescription: fields.description,
    targetFramework: fields.framework,
    targetUrl,
  });
}

/**
 * The alignments carrying the EU elements (OB 3.0 terms only: `targetType`, `targetName`, `targetCode`,
 * `targetDescription`, `targetFramework`, `targetUrl`). `targetUrl` is required by OB 3.0: a real URL when there is
 * one (EQF level, a stackable programme, further information), else a fragment of the achievement id.
 */
export function euAlignments(achievementId: string, f: EuFacts): Alignment[] {
  const at = (frag: string): string => `${achievementId}#${frag}`;
  const out: Alignment[] = [];
  out.push(euAlignment(EU_TARGET_TYPES.workload, at('workload'), { name: `${f.workload.hours} hours`, code: String(f.workload.hours), framework: 'hours' }));
  if (f.workload.credits !== undefined && f.workload.creditSystem) {
    out.push(
      euAlignment(EU_TARGET_TYPES.credits, at('credits'), {
        name: `${f.workload.credits} ${f.workload.creditSystem}`,
        code: String(f.workload.credits),
        framework: f.workload.creditSystem,
      }),
    );
  }
  const eqf = /^EQF$/i.test(f.level.framework) && /^[1-8]$/.test(f.level.value);
  out.push(
    euAlignment(EU_TARGET_TYPES.level, eqf ? `http://data.europa.eu/snb/eqf/${f.level.value}` : at('level'), {
      name: `${eqf ? 'EQF' : f.level.framework} level ${f.level.value}`,
      code: f.level.value,
      framework: eqf ? 'EQF' : f.level.framework,
    }),
  );
  out.push(euAlignment(EU_TARGET_TYPES.assessment, at('assessment'), { name: f.assessment.type, code: f.assessment.type, description: f.assessment.description }));
  out.push(euAlignment(EU_TARGET_TYPES.participation, at('participation'), { name: f.participation.mode, code: f.participation.mode }));
  (f.participation.context ?? []).forEach((c, i) =>
    out.push(euAlignment(EU_TARGET_TYPES.participationContext, at(`participation-context-${i + 1}`), { name: c, code: c })),
  );
  out.push(
    euAlignment(EU_TARGET_TYPES.qualityAssurance, at('quality-assurance'), {
      name: f.qualityAssurance.type,
      code: f.qualityAssurance.type,
      description: f.qualityAssurance.description,
    }),
  );
  if (f.qualityAssurance.body) {
    out.push(euAlignment(EU_TARGET_TYPES.qualityAssuranceBody, at('quality-assurance-body'), { name: f.qualityAssurance.body }));
  }
  if (f.prerequisites) out.push(euAlignment(EU_TARGET_TYPES.prerequisites, at('prerequisites'), { name: f.prerequisites }));
  if (f.supervision) out.push(euAlignment(EU_TARGET_TYPES.supervision, at('supervision'), { name: f.supervision, code: f.supervision }));
  if (f.stackability) {
    const code = f.stackability.standalone ? 'standalone' : 'not-standalone';
    out.push(euAlignment(EU_TARGET_TYPES.stackability, at('stackability'), { name: code, code }));
    (f.stackability.stackableTowards ?? []).forEach((s, i) =>
      out.push(euAlignment(EU_TARGET_TYPES.stackableTowards, s.id ?? at(`stackable-towards-${i + 1}`), { name: s.name ?? s.id ?? '' })),
    );
  }
  if (f.furtherInformation && (f.furtherInformation.url || f.furtherInformation.text)) {
    out.push(
      euAlignment(EU_TARGET_TYPES.furtherInformation, f.furtherInformation.url ?? at('further-information'), {
        name: f.furtherInformation.text ?? f.furtherInformation.url!,
      }),
    );
  }
  return out;
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

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/**
 * The mandatory EU elements OB 3.0 has no property for, read from an achievement of either shape: the alignments
 * of the current shape, or the undefined-terms properties of a credential issued before it. Never throws.
 */
export function euElementsOf(achievement: unknown): {
  workloadHours?: number;
  level?: { framework: string; value: string };
  assessmentType?: string;
  participationMode?: string;
  qualityAssuranceType?: string;
} {
  const a = (achievement && typeof achievement === 'object' ? achievement : {}) as Record<string, unknown>;
  const alignments = (Array.isArray(a['alignment']) ? a['alignment'] : [a['alignment']]).filter(
    (x): x is Record<string, unknown> => !!x && typeof x === 'object',
  );
  const find = (type: string): Record<string, unknown> | undefined => alignments.find((x) => x['targetType'] === type);
  const out: ReturnType<typeof euElementsOf> = {};
  const w = find(EU_TARGET_TYPES.workload);
  const legacyWorkload = a['workload'] as { hours?: unknown } | undefined;
  const hours = w ? num(w['targetCode']) : num(legacyWorkload?.hours);
  if (hours !== undefined && hours > 0) out.workloadHours = hours;
  const l = find(EU_TARGET_TYPES.level);
  const legacyLevel = a['level'] as { framework?: unknown; value?: unknown } | undefined;
  const framework = str(l?.['targetFramework']) ?? str(legacyLevel?.framework);
  const value = str(l?.['targetCode']) ?? (legacyLevel?.value !== undefined && legacyLevel.value !== null ? String(legacyLevel.value) : undefined);
  if (framework && value) out.level = { framework, value };
  const pick = (type: string, legacy: string): string | undefined => str(find(type)?.['targetCode']) ?? str(a[legacy]);
  const assessmentType = pick(EU_TARGET_TYPES.assessment, 'assessmentType');
  if (assessmentType) out.assessmentType = assessmentType;
  const participationMode = pick(EU_TARGET_TYPES.participation, 'participationMode');
  if (participationMode) out.participationMode = participationMode;
  const qualityAssuranceType = pick(EU_TARGET_TYPES.qualityAssurance, 'qualityAssuranceType');
  if (qualityAssuranceType) out.qualityAssuranceType = qualityAssuranceType;
  return out;
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
