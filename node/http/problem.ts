/**
 * The HTTP edge's error mapping: RegistryError codes → HTTP status and `application/problem+json` (RFC 9457).
 * The only place that knows status codes. 5xx answers never leak internals.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { isRegistryError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  missing_eu_elements: 400,
  invalid_entry: 400,
  bad_signature: 400,
  broken_chain: 400,
  sequence_gap: 409,
  unknown_credit_system: 400,
  not_found: 404,
  unknown_microcredential: 422,
  conflict: 409,
  equivocation: 409,
  author_frozen: 409,
  unauthorized: 401,
  forbidden: 403,
  not_a_member: 403,
  payload_too_large: 413,
  evidence_file_too_large: 413,
  evidence_too_many_files: 413,
  evidence_type_not_allowed: 415,
  evidence_file_name_invalid: 400,
  unsupported: 415,
  timeout: 504,
  rate_limited: 429,
  busy: 503,
  own_feed_unconfirmed: 503,
  mirror_read_only: 403,
  backup_corrupt: 400,
  backup_foreign: 400,
  target_not_empty: 409,
  key_file_permissions: 500,
  key_locked: 500,
  schema_too_new: 500,
  unsupported_feed_format: 500,
  already_initialised: 409,
  not_initialised: 500,
  internal: 500,
};

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `https://mochila.network/problems/${code.replace(/_/g, '-')}`,
        title: TITLES[status] ?? 'Error',
        status,
        code,
        detail,
        ...extra,
      }),
    );
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (isRegistryError(err)) {
      const status = statusFor(err.code);
      // limits of the public endpoints (node/http/limits.ts): when to come back, and a message that leaks nothing
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
      if (err.code === 'busy') return sendProblem(res, status, err.code, err.message);
      // the node is catching up its own feed before it may publish: the operator's message says what to do
      if (err.code === 'own_feed_unconfirmed') {
        res.setHeader('Retry-After', '5');
        return sendProblem(res, status, err.code, err.message);
      }
      if (status >= 500) {
        logger.error('request failed', { path: loggablePath(req.path), code: err.code, error: err.message });
        return sendProblem(res, status, err.code, 'The node could not complete the request. The operator can find details in the node log.');
      }
      const extra: Record<string, unknown> = {};
      if (err.details?.errors) extra.errors = err.details.errors;
      if (err.details?.warnings) extra.warnings = err.details.warnings;
      return sendProblem(res, status, err.code, err.message, extra);
    }
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    if (e?.type === 'entity.too.large' || e?.status === 413)
      return sendProblem(res, 413, 'payload_too_large', 'The request body is larger than this node accepts.');
    if (e?.type === 'entity.parse.failed')
      return sendProblem(res, 400, 'validation_failed', 'The request body is not valid JSON.');
    if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
      return sendProblem(res, 415, 'unsupported', 'Unsupported body encoding.');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
      return sendProblem(res, e.status, 'validation_failed', e.message ?? 'Bad request');
    logger.error('unhandled error', { path: loggablePath(req.path), error: String((err as Error)?.stack ?? err) });
    return sendProblem(res, 500, 'internal', 'The node could not complete the request. The operator can find details in the node log.');
  };
}

/** A request path as the log may show it: a claim token (a capability) never reaches the log. */
export function loggablePath(p: string): string {
  return p.replace(/(\/claims?\/)[^/]+/, '$1…');
}
