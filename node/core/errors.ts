/**
 * The one error type of the registry. Every failure a caller can act on carries a stable snake_case `code`.
 * Only `node/http/` maps codes to HTTP statuses; this module must never know about HTTP.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'missing_eu_elements'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'evidence_file_too_large'
  | 'evidence_too_many_files'
  | 'evidence_type_not_allowed'
  | 'evidence_file_name_invalid'
  | 'invalid_entry'
  | 'bad_signature'
  | 'broken_chain'
  | 'sequence_gap'
  | 'not_a_member'
  | 'author_frozen'
  | 'equivocation'
  | 'unknown_credit_system'
  | 'unknown_level_framework'
  | 'not_authorised'
  | 'unknown_microcredential'
  | 'programme_modules_not_held'
  | 'key_file_permissions'
  | 'key_locked'
  | 'schema_too_new'
  | 'unsupported_feed_format'
  | 'already_initialised'
  | 'not_initialised'
  | 'unsupported'
  | 'not_acceptable'
  | 'timeout'
  | 'rate_limited'
  | 'busy'
  | 'own_feed_unconfirmed'
  | 'mirror_read_only'
  | 'backup_corrupt'
  | 'backup_foreign'
  | 'target_not_empty'
  | 'internal';

export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.code = code;
    this.details = details;
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}
