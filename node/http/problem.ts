/**
 * The HTTP edge's error mapping: RegistryError codes → HTTP status and `application/problem+json` (RFC 9457),
 * with `title` and `detail` in the asker's language (Accept-Language: es, en, pt; Spanish otherwise) from the
 * catalogues of node/core/messages, and `code` unchanged whatever the language. The only place that knows status
 * codes. 5xx answers never leak internals.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { isRegistryError, type ErrorCode, type RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { CATALOGUES, isMessageRef, message, messageRefOf, negotiateLanguage, renderRef, type MessageLang, type MessageRef, type ServerMessageKey } from '../core/messages/index.js';
import { localizeIssues } from '../core/messages/validation.js';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  missing_eu_elements: 400,
  invalid_entry: 400,
  bad_signature: 400,
  broken_chain: 400,
  sequence_gap: 409,
  unknown_credit_system: 400,
  unknown_level_framework: 400,
  not_found: 404,
  unknown_microcredential: 422,
  programme_modules_not_held: 422,
  conflict: 409,
  equivocation: 409,
  author_frozen: 409,
  unauthorized: 401,
  forbidden: 403,
  not_a_member: 403,
  not_authorised: 403,
  payload_too_large: 413,
  evidence_file_too_large: 413,
  evidence_too_many_files: 413,
  evidence_type_not_allowed: 415,
  evidence_file_name_invalid: 400,
  unsupported: 415,
  not_acceptable: 406,
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

export function statusFor(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/**
 * The language of an answer to this request, from its Accept-Language; the answer says so (Content-Language) and
 * that it varies with the header (Vary: Accept-Language), so no cache serves one language to another reader.
 */
export function answerLanguage(req: Request, res: Response): MessageLang {
  const lang = negotiateLanguage(req.headers['accept-language']);
  res.setHeader('Content-Language', lang);
  res.vary('Accept-Language');
  return lang;
}

/**
 * Sends a problem. `detail` is either a message key (rendered in the asker's language) or an English sentence: an
 * English asker reads it as is; others read the code's sentence in their language, and the English one stays in
 * `technicalDetail` so no specifics are lost; with a key, `extra.technicalDetail` (the error's English) is kept when
 * it differs from what the asker reads. `extra.errors` / `extra.warnings` (field problems) are said in the
 * asker's language too (node/core/messages/validation.ts), each keeping its English as `technicalMessage`.
 */
export function sendProblem(res: Response, status: number, code: string, detail: string | MessageRef, extra: Record<string, unknown> = {}): void {
  const lang = res.req ? answerLanguage(res.req, res) : 'es';
  const known = `error.${code}` in CATALOGUES.es;
  const title = known ? message(lang, `error.${code}` as ServerMessageKey) : code;
  let text: string;
  const more: Record<string, unknown> = {};
  // field problems (schema validation, EU elements): each in the asker's language, the English kept as technicalMessage
  const fields: Record<string, unknown> = {};
  for (const k of ['errors', 'warnings'] as const) if (k in extra) fields[k] = localizeIssues(lang, extra[k]);
  const { technicalDetail: technical, ...rest } = extra;
  if (isMessageRef(detail)) {
    text = renderRef(lang, detail);
    // a keyed error's own English (its specifics: the state, the reason, what is known) when it says more
    if (typeof technical === 'string' && technical !== text) more.technicalDetail = technical;
  } else if (lang === 'en' || !known) text = detail;
  else {
    text = message(lang, `error.${code}.detail` as ServerMessageKey);
    if (detail && detail !== message('en', `error.${code}.detail` as ServerMessageKey)) more.technicalDetail = detail;
  }
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `https://mochila.network/problems/${code.replace(/_/g, '-')}`,
        title,
        status,
        code,
        detail: text,
        ...more,
        ...rest,
        ...fields,
      }),
    );
}

/** What a RegistryError says to people: its message key when it has one, else its (English) message. */
function detailOf(err: RegistryError): string | MessageRef {
  return messageRefOf(err) ?? err.message;
}

/** A keyed error's English message, kept as technicalDetail (sendProblem drops it when it is what the asker reads). */
function technicalOf(err: RegistryError): Record<string, unknown> {
  return messageRefOf(err) ? { technicalDetail: err.message } : {};
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (isRegistryError(err)) {
      const status = statusFor(err.code);
      // limits of the public endpoints (node/http/limits.ts): when to come back, and a message that leaks nothing
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
      if (err.code === 'busy') return sendProblem(res, status, err.code, detailOf(err));
      // the node is catching up its own feed before it may publish: the operator's message says what to do
      if (err.code === 'own_feed_unconfirmed') {
        res.setHeader('Retry-After', '5');
        return sendProblem(res, status, err.code, detailOf(err), technicalOf(err));
      }
      if (status >= 500) {
        logger.error('request failed', { path: loggablePath(req.path), code: err.code, error: err.message });
        return sendProblem(res, status, err.code, { key: 'error.internal.detail' });
      }
      const extra: Record<string, unknown> = technicalOf(err);
      if (err.details?.errors) extra.errors = err.details.errors;
      if (err.details?.warnings) extra.warnings = err.details.warnings;
      // a programme badge refused: which modules the learner lacks and why each presented credential did not count
      if (err.code === 'programme_modules_not_held') Object.assign(extra, { missing: err.details?.missing, failed: err.details?.failed });
      return sendProblem(res, status, err.code, detailOf(err), extra);
    }
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    if (e?.type === 'entity.too.large' || e?.status === 413)
      return sendProblem(res, 413, 'payload_too_large', { key: 'http.bodyTooLarge' });
    if (e?.type === 'entity.parse.failed')
      return sendProblem(res, 400, 'validation_failed', { key: 'http.bodyNotJson' });
    if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
      return sendProblem(res, 415, 'unsupported', { key: 'http.unsupportedEncoding' });
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
      return sendProblem(res, e.status, 'validation_failed', e.message ?? 'Bad request');
    logger.error('unhandled error', { path: loggablePath(req.path), error: String((err as Error)?.stack ?? err) });
    return sendProblem(res, 500, 'internal', { key: 'error.internal.detail' });
  };
}

/** A request path as the log may show it: a claim token (a capability) never reaches the log. */
export function loggablePath(p: string): string {
  return p.replace(/(\/claims?\/)[^/]+/, '$1…');
}
