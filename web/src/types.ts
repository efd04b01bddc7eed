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
export type { LookupAnswer } from './generated/api-recognition-lookup-answer.js';
export type { Accreditation } from './generated/api-accreditation.js';

