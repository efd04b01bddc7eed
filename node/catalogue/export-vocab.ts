/**
 * The vendored vocabularies the ELM and CTDL exports map to (schemas/vendor/elm, schemas/vendor/ctdl; provenance in
 * their READMEs): concept schemes with their published concept URIs, read once from disk. Lookups only — a value
 * with no concept returns null so the caller leaves it out and says so. Must never make up a concept or a term, and
 * never touch the network.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../core/schema-registry.js';

export const ELM_VENDOR_DIR = path.join(SCHEMAS_DIR, 'vendor', 'elm');
export const CTDL_VENDOR_DIR = path.join(SCHEMAS_DIR, 'vendor', 'ctdl');

/** One EU concept scheme as bundled: concept URI = base + key. */
export interface ElmScheme {
  source: string;
  targetNamespace: string;
  base: string;
  concepts: Record<string, string>;
}
export type ElmSchemeName =
  | 'europass-learning-assessment-types'
  | 'europass-modes'
  | 'europass-learning-activity-types'
  | 'europass-accreditation-types'
  | 'eqf'
  | 'isced-f'
  | 'credit-points'
  | 'europass-learning-setting-types'
  | 'country'
  | 'language';

export interface CtdlScheme {
  source: string;
  label: Record<string, string>;
  concepts: Record<string, Record<string, string>>;
}

let elmSchemes: Record<ElmSchemeName, ElmScheme> | null = null;
let ctdlSchemes: Record<string, CtdlScheme> | null = null;

export function elmConceptSchemes(): Record<ElmSchemeName, ElmScheme> {
  elmSchemes ??= JSON.parse(readFileSync(path.join(ELM_VENDOR_DIR, 'concepts.json'), 'utf8')) as Record<ElmSchemeName, ElmScheme>;
  return elmSchemes;
}

export function ctdlConceptSchemes(): Record<string, CtdlScheme> {
  ctdlSchemes ??= JSON.parse(readFileSync(path.join(CTDL_VENDOR_DIR, 'concepts.json'), 'utf8')) as Record<string, CtdlScheme>;
  return ctdlSchemes;
}

/** An EU concept by the key the bundled scheme lists it under, or null when the scheme has no such concept. */
export function elmConcept(scheme: ElmSchemeName, key: string): { uri: string; scheme: string; label: string } | null {
  const s = elmConceptSchemes()[scheme];
  const label = Object.prototype.hasOwnProperty.call(s.concepts, key) ? s.concepts[key] : undefined;
  return label === undefined ? null : { uri: s.base + key, scheme: s.targetNamespace, label };
}

/** The one concept of a scheme whose English label is exactly `label` (null when none or several). */
export function elmConceptByLabel(scheme: ElmSchemeName, label: string): { uri: string; scheme: string; label: string } | null {
  const s = elmConceptSchemes()[scheme];
  const keys = Object.keys(s.concepts).filter((k) => s.concepts[k] === label);
  return keys.length === 1 ? elmConcept(scheme, keys[0]!) : null;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/**
 * The EU Publications Office language concept of a BCP 47 tag (es, pt-BR → its primary language): matched by the
 * English name (CLDR, through Intl) against the bundled authority table's labels. Null when no single concept matches.
 */
export function euLanguage(tag: string) {
  const primary = tag.split('-')[0]!.toLowerCase();
  if (!/^[a-z]{2,3}$/.test(primary)) return null;
  let name: string | undefined;
  try {
    name = languageNames.of(primary);
  } catch {
    return null;
  }
  return name ? elmConceptByLabel('language', name) : null;
}

/** The EU Publications Office country concept of an ISO 3166-1 alpha-2 code, matched by English name; null when none. */
export function euCountry(alpha2: string) {
  if (!/^[A-Z]{2}$/.test(alpha2)) return null;
  let name: string | undefined;
  try {
    name = regionNames.of(alpha2);
  } catch {
    return null;
  }
  return name ? elmConceptByLabel('country', name) : null;
}

/** A CTDL concept (compact id such as `deliveryType:OnlineOnly`) with its scheme, or null when not in the bundled scheme. */
export function ctdlConcept(
  schemeId: string,
  conceptId: string,
): { id: string; scheme: string; schemeLabel: Record<string, string>; label: Record<string, string> } | null {
  const s = ctdlConceptSchemes()[schemeId];
  const label = s && Object.prototype.hasOwnProperty.call(s.concepts, conceptId) ? s.concepts[conceptId] : undefined;
  return s && label ? { id: conceptId, scheme: schemeId, schemeLabel: s.label, label } : null;
}

/** ESCO skill/occupation/knowledge concept URIs as ESCO publishes them (data.europa.eu/esco/<kind>/<uuid>). */
export const ESCO_URI = /^http:\/\/data\.europa\.eu\/esco\/(skill|occupation|isco)\/[0-9a-zA-Z-]{1,64}$/;
