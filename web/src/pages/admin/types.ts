/**
 * The admin API responses the admin pages read, under the names the pages use: generated from schemas/api
 * (own-microcredential, issued-credential, issued-credential-list, credential-job, skill-list) into web/src/generated. Must never
 * copy a shape a schema defines.
 */
export type { OwnMicrocredential as OwnMc } from '../../generated/api-own-microcredential.js';
export type { OwnMicrocredentialList as OwnMcList } from '../../generated/api-own-microcredential-list.js';
export type { IssuedCredential as Issued } from '../../generated/api-issued-credential.js';
export type { CredentialJob as Job } from '../../generated/api-credential-job.js';
export type { IssuedCredentialList } from '../../generated/api-issued-credential-list.js';
export type { SkillList } from '../../generated/api-skill-list.js';
