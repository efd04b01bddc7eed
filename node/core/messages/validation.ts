/**
 * Schema validation problems (node/core/schema-registry.ts issues) said in the asker's language: the common Ajv
 * keywords from the node's catalogues, a human sentence per field that has a pattern (a table keyed by the schema
 * file and pointer: a regex is never shown to people), and ajv-i18n (es, en, pt-BR) for the rare other keywords.
 * The English sentence stays in `technicalMessage`; `path`, `keyword`, `params` and `schemaPath` are kept.
 * Must never know about HTTP, nor validate anything itself.
 */
import ajvI18nImport from 'ajv-i18n';
import type { ErrorObject } from 'ajv';
import { isMessageRef, message, type MessageLang, type MessageParams, type MessageRef, type ServerMessageKey } from './index.js';

type Localize = (errors?: null | ErrorObject[]) => void;
const ajvI18n = ajvI18nImport as unknown as Record<'es' | 'en' | 'pt-BR', Localize>;
const AJV_LANG: Record<MessageLang, 'es' | 'en' | 'pt-BR'> = { es: 'es', en: 'en', pt: 'pt-BR' };

const slug = (min: number, max: number) => ['validation.pattern.identifier', { min, max }] as const;
const ref = (min: number, max: number) => ['validation.pattern.referenceId', { min, max }] as const;
type PatternSentence = readonly [ServerMessageKey, MessageParams?];

/**
 * What a value with a pattern must look like, per field: `<schema file>#<pointer of the schema holding the pattern>`
 * (schemaPath without its `/pattern`). test/unit/server-messages.test.ts checks that every pattern of schemas/
 * (vendor schemas aside) is here or in PATTERNS_NOT_FOR_PEOPLE.
 */
export const PATTERN_SENTENCES: Record<string, PatternSentence> = {
  'microcredential.schema.json#/properties/code': ['validation.pattern.code'],
  'microcredential.schema.json#/properties/workload/properties/credits/properties/system': ['validation.pattern.creditSystem'],
  'microcredential.schema.json#/properties/level/properties/framework': ['validation.pattern.levelFramework'],
  'microcredential.schema.json#/properties/fieldOfStudy/properties/iscedF': ['validation.pattern.iscedF'],
  'microcredential.schema.json#/properties/awardingBody/properties/did': ['validation.pattern.didKey'],
  'microcredential.schema.json#/properties/country': ['validation.pattern.country'],
  'microcredential.schema.json#/properties/languages/items': ['validation.pattern.languageTag'],
  'microcredential.schema.json#/properties/stackability/properties/stacksFrom/items/properties/id': ['validation.pattern.microcredentialId'],
  'microcredential.schema.json#/$defs/httpUrl': ['validation.pattern.httpUrl'],
  'profile.schema.json#/properties/country': ['validation.pattern.country'],
  'manifest.schema.json#/properties/founders/items': ['validation.pattern.didKey'],
  'manifest.schema.json#/properties/referencePublishers/items': ['validation.pattern.didKey'],
  'manifest.schema.json#/properties/qaAgencies/items': ['validation.pattern.didKey'],
  'api/agreement-proposal.schema.json#/properties/agreementId': slug(3, 64),
  'api/credential-list-query.schema.json#/properties/issuerKey': ['validation.pattern.didKey'],
  'api/credential-list-query.schema.json#/properties/limit': ['validation.pattern.wholeNumber'],
  'api/credential-list-query.schema.json#/properties/offset': ['validation.pattern.wholeNumber'],
  'api/credential-reissue.schema.json#/properties/issuerKey': ['validation.pattern.didKey'],
  'api/issue-credential.schema.json#/$defs/dateOrDateTime': ['validation.pattern.dateOrDateTime'],
  'api/issue-credential.schema.json#/properties/learner/properties/did': ['validation.pattern.did'],
  'api/key-compromise.schema.json#/properties/keyId': ['validation.pattern.didKey'],
  'entries/accreditation.schema.json#/properties/accreditationId': slug(1, 64),
  'entries/accreditation.schema.json#/properties/standards/items/properties/id': ['validation.pattern.standardId'],
  'entries/agreement.schema.json#/properties/agreementId': slug(3, 64),
  'entries/agreement.schema.json#/properties/termsHash': ['validation.pattern.sha256'],
  'entries/agreement.schema.json#/properties/terms/properties/parties/items': ['validation.pattern.didKey'],
  'entries/agreement.schema.json#/properties/terms/properties/scope/properties/fields/items': ['validation.pattern.iscedF'],
  'entries/endorsement.schema.json#/properties/subject': ['validation.pattern.didKey'],
  'entries/issuer-key-revocation.schema.json#/properties/keyId': ['validation.pattern.didKey'],
  'entries/issuer-key.schema.json#/properties/keyId': ['validation.pattern.didKey'],
  'entries/issuer-key.schema.json#/properties/replaces': ['validation.pattern.didKey'],
  'entries/membership.schema.json#/properties/manifestHash': ['validation.pattern.sha256'],
  'entries/microcredential.schema.json#/oneOf/0/properties/microcredential/allOf/2/properties/stackability/properties/stacksFrom/items/properties/id': ['validation.pattern.microcredentialId'],
  'entries/microcredential.schema.json#/oneOf/1/properties/code': ['validation.pattern.code'],
  'entries/microcredential.schema.json#/$defs/referenceVersion/properties/id': ref(2, 40),
  'entries/microcredential.schema.json#/$defs/referenceVersion/properties/version': ['validation.pattern.date'],
  'entries/microcredential.schema.json#/$defs/referenceVersion/properties/publishedBy/oneOf/1': ['validation.pattern.didKey'],
  'entries/recognition.schema.json#/properties/decisionId': slug(3, 64),
  'entries/recognition.schema.json#/properties/supersedes': slug(3, 64),
  'entries/reference.schema.json#/$defs/version': ['validation.pattern.date'],
  'entries/status-list.schema.json#/properties/listId': slug(1, 64),
  'reference/common.schema.json#/$defs/country': ['validation.pattern.country'],
  'reference/common.schema.json#/$defs/date': ['validation.pattern.partialDate'],
  'reference/correspondence-tables.schema.json#/$defs/table/properties/id': ref(2, 60),
  'reference/correspondence-tables.schema.json#/$defs/side/properties/id': ref(2, 40),
  'reference/credit-systems.schema.json#/properties/version': ['validation.pattern.date'],
  'reference/credit-systems.schema.json#/$defs/id': ['validation.pattern.creditSystem'],
  'reference/credit-systems.schema.json#/$defs/qualificationsFramework/properties/framework': ['validation.pattern.levelFramework'],
  'reference/isced-f.schema.json#/properties/fields/items/properties/code': ['validation.pattern.iscedF'],
  'reference/levels.schema.json#/properties/version': ['validation.pattern.date'],
  'reference/levels.schema.json#/$defs/framework/properties/id': ['validation.pattern.levelFramework'],
  'reference/levels.schema.json#/$defs/level/properties/value': ref(1, 30),
};

/** Patterns only machines write (protocol tokens, encodings): the generic sentence "does not have the expected format". */
export const PATTERNS_NOT_FOR_PEOPLE: readonly string[] = [
  'api/oid4vci-offer.schema.json#/properties/offer/properties/grants/properties/urn:ietf:params:oauth:grant-type:pre-authorized_code/properties/pre-authorized_code',
  'api/oid4vci-offer.schema.json#/properties/uri',
  'api/oid4vci-offer.schema.json#/properties/qr',
  'entries/issuer-key.schema.json#/properties/publicKeyMultibase',
  'entries/status-list.schema.json#/properties/encodedList',
  'reference/credit-systems.schema.json#/$defs/system/properties/ratios/items/properties/activity',
  'api/list-bound.schema.json#/properties/all',
];

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);
const FORMATS: Record<string, ServerMessageKey> = {
  date: 'validation.format.date',
  'date-time': 'validation.format.dateTime',
  email: 'validation.format.email',
  uri: 'validation.format.uri',
};

const num = (lang: MessageLang, v: unknown) => (typeof v === 'number' ? new Intl.NumberFormat(lang === 'pt' ? 'pt-BR' : lang).format(v) : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : String(v));

/** The catalogue sentence for an Ajv keyword, or null (then ajv-i18n says it). */
function keyed(lang: MessageLang, keyword: string, p: Record<string, unknown>, schemaPath: string | undefined): MessageRef | null {
  switch (keyword) {
    case 'required':
      return { key: 'validation.required', params: { property: String(p.missingProperty) } };
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return { key: 'validation.additionalProperties', params: { property: String(p.additionalProperty ?? p.unevaluatedProperty) } };
    case 'enum':
      return { key: 'validation.enum', params: { values: list(p.allowedValues) } };
    case 'const':
      return { key: 'validation.const', params: { value: list([p.allowedValue]) } };
    case 'type': {
      const t = String(p.type);
      return TYPES.has(t) ? { key: `validation.type.${t}` as ServerMessageKey } : { key: 'validation.type', params: { type: t } };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { key: `validation.${keyword}`, params: { limit: num(lang, p.limit) } };
    case 'minLength':
    case 'minItems':
      if (p.limit === 1) return { key: `validation.${keyword}.one` };
      return { key: `validation.${keyword}`, params: { limit: num(lang, p.limit) } };
    case 'maxLength':
    case 'maxItems':
      return { key: `validation.${keyword}`, params: { limit: num(lang, p.limit) } };
    case 'minProperties':
      return p.limit === 1 ? { key: 'validation.minProperties.one' } : null;
    case 'uniqueItems':
      return { key: 'validation.uniqueItems' };
    case 'format': {
      const k = FORMATS[String(p.format)];
      return k ? { key: k } : { key: 'validation.format', params: { format: String(p.format) } };
    }
    case 'oneOf':
    case 'anyOf':
      return { key: 'validation.oneOf' };
    case 'pattern': {
      const field = schemaPath?.replace(/\/pattern$/, '');
      const s = field ? PATTERN_SENTENCES[field] : undefined;
      return s ? { key: s[0], ...(s[1] ? { params: s[1] } : {}) } : { key: 'validation.pattern' };
    }
    default:
      return null;
  }
}

/** One issue as the reader sees it; anything that is not an issue is returned as it is. */
export function localizeIssue(lang: MessageLang, issue: unknown): unknown {
  if (!issue || typeof issue !== 'object' || Array.isArray(issue)) return issue;
  const { ref: own, ...rest } = issue as { ref?: unknown; message?: unknown; keyword?: unknown; params?: unknown; schemaPath?: unknown; path?: unknown };
  const english = typeof rest.message === 'string' ? rest.message : undefined;
  let text: string | null = null;
  if (isMessageRef(own)) text = message(lang, own.key, own.params);
  else if (typeof rest.keyword === 'string') {
    const params = rest.params && typeof rest.params === 'object' ? (rest.params as Record<string, unknown>) : {};
    const schemaPath = typeof rest.schemaPath === 'string' ? rest.schemaPath : undefined;
    const k = keyed(lang, rest.keyword, params, schemaPath);
    if (k) text = message(lang, k.key, k.params);
    else {
      const e = [{ keyword: rest.keyword, params, instancePath: String(rest.path ?? ''), schemaPath: schemaPath ?? '', message: english }] as ErrorObject[];
      ajvI18n[AJV_LANG[lang]](e);
      text = e[0]!.message ?? null;
    }
  }
  if (text === null) return rest;
  return { ...rest, message: text, ...(english !== undefined ? { technicalMessage: english } : {}) };
}

/** A list of issues (problem+json `errors` / `warnings`) in the reader's language; not a list: returned as it is. */
export function localizeIssues(lang: MessageLang, issues: unknown): unknown {
  return Array.isArray(issues) ? issues.slice(0, 100).map((i) => localizeIssue(lang, i)) : issues;
}
