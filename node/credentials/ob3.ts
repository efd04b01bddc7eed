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
  credentialStatus?: StatusEntry[];
  /** Salt for the learner's identityHash; random when absent. */
  salt?: string;
  /** EU optional element "grade achieved". */
  grade?: string;
}

export const OB3_CONTEXTS = Object.freeze([CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3, CONTEXTS.VC_UNDEFINED_TERMS_V2]);
export const LEARNING_OUTCOME_TARGET_TYPE = 'ext:LearningOutcome';
export const LEVEL_TARGET_TYPE = 'ext:QualificationsFrameworkLevel';
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
  if (/^EQF$/i.test(record.level.framework) && /^[1-8]$/.test(levelValue)) {
    alignment.push({
      type: ['Alignment'],
      targetType: LEVEL_TARGET_TYPE,
      targetName: `EQF level ${levelValue}`,
      targetUrl: `http://data.europa.eu/snb/eqf/${levelValue}`,
      targetFramework: 'EQF',
      targetCode: levelValue,
    });
  }

  const translations = LANG_ORDER.filter((l) => l !== mainLang && record.title[l]).map((l) =>
    compact({
      inLanguage: l,
      name: record.title[l],
      description: record.description?.[l],
      narrative: record.criteria?.[l],
    }),
  );

  const further = record.furtherInformation;
  const furtherInformation =
    further === undefined
      ? undefined
      : typeof further === 'string' || !('url' in further || 'text' in further)
        ? { text: primaryText(further as Text) }
        : compact({ url: further.url, text: primaryText(further.text) });

  const participationContext = record.participation.context;

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
    alignment,
    image: record.image ? { id: record.image, type: 'Image' } : undefined,
    // EU elements OB3 has no term for: expanded by the W3C undefined-terms context (see README-mapping.md).
    workload: compact({
      hours: record.workload.hours,
      creditSystem: record.workload.credits?.system,
      credits: record.workload.credits?.value,
    }),
    level: { framework: record.level.framework, value: levelValue },
    assessmentType: record.assessment.type,
    assessmentDescription: primaryText(record.assessment.description),
    participationMode: record.participation.mode,
    participationContext:
      participationContext === undefined
        ? undefined
        : Array.isArray(participationContext)
          ? participationContext
          : [participationContext],
    qualityAssuranceType: record.qualityAssurance.type,
    qualityAssuranceDescription: primaryText(record.qualityAssurance.description),
    qualityAssuranceBody: record.qualityAssurance.body,
    prerequisites: primaryText(record.prerequisites),
    supervision: record.supervision,
    stackability: record.stackability
      ? compact({
          standalone: record.stackability.standalone,
          stackableTowards: record.stackability.stackableTowards?.map((s) =>
            typeof s === 'string'
              ? { name: s }
              : compact({ id: s.id ? achievementUri(s.id, input.baseUrl) : undefined, name: primaryText(s.name) }),
          ),
        })
      : undefined,
    furtherInformation,
    url: record.url,
    translations: translations.length ? translations : undefined,
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
    credentialStatus: input.credentialStatus?.length
      ? input.credentialStatus.length === 1
        ? input.credentialStatus[0]
        : input.credentialStatus
      : undefined,
  });
}

function criteriaFromOutcomes(record: MicrocredentialRecordInput): string {
  return record.learningOutcomes.map((lo) => `- ${primaryText(lo.text) ?? ''}`).join('\n');
}
