/**
 * Shapes of the HTTP API the web app reads, under the names the pages use. The shapes are generated from the JSON
 * Schemas in `schemas/` into web/src/generated/ (`npm run gen:types`; test/unit/web-types.test.ts fails when they are
 * stale); this file only re-exports them and adds views that exist in the browser alone. Must never copy a shape a
 * schema defines: change or add the schema instead.
 */
export type { MicrocredentialRecord as McRecord } from './generated/microcredential.js';
export type { MicrocredentialSummary as McSummary, InstitutionRef } from './generated/api-microcredential-summary.js';
export type { SearchResponse, FacetValue } from './generated/api-microcredential-search.js';
export type { MicrocredentialDetail as McDetail } from './generated/api-microcredential-detail.js';
export type { Decision } from './generated/api-recognition-decision.js';
export type { Institution } from './generated/api-institution.js';
export type { InstitutionList } from './generated/api-institution-list.js';
export type { InstitutionDetail, Endorsement } from './generated/api-institution-detail.js';
export type { NetworkStatus } from './generated/api-network-status.js';
export type { VerificationReport, CheckStatus } from './generated/api-verification-report.js';
export type { Candidate as Comparison, Summary as ComparisonSummary } from './generated/api-recognition-comparison.js';

/**
 * How the web reads one accreditation: the detail and lookup responses carry them as open objects (their shape is
 * the node's projection of `entries/accreditation`), so every field is optional and checked before display.
 */
export interface Accreditation {
  agency?: { did?: string; name?: Record<string, string | undefined> } | string;
  institution?: { name?: Record<string, string | undefined> };
  scope?: string;
  outcome?: string;
  validFrom?: string;
  validUntil?: string;
  reportUrl?: string;
  [k: string]: unknown;
}
