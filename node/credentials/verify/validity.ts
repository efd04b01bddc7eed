/**
 * The `validity_period` check: validFrom / validUntil (VC 2.0) or issuanceDate / expirationDate (VC 1.1) are
 * well-formed date-times and `now` (the injected clock, with the allowed skew) lies between them. It must never read
 * the system clock.
 */
import * as vc from '@digitalbazaar/vc';
import { CONTEXTS } from '../../identity/document-loader.js';
import type { VerifierContext } from './deps.js';
import { asArray, time } from './parse.js';
import type { Checks } from './report.js';

export function checkValidity(ctx: VerifierContext, c: Record<string, unknown>, now: Date, checks: Checks): void {
  const v2 = asArray(c['@context'])[0] === CONTEXTS.VC_V2;
  const fromKey = v2 ? 'validFrom' : 'issuanceDate';
  const untilKey = v2 ? 'validUntil' : 'expirationDate';
  const skew = ctx.skew * 1000;
  const nowMs = now.getTime();
  const from = c[fromKey];
  const until = c[untilKey];
  if (from === undefined && !v2) {
    checks.set('validity_period', 'failed', 'a VC 1.1 credential needs issuanceDate');
    return;
  }
  const fromMs = from === undefined ? null : time(from);
  const untilMs = until === undefined ? null : time(until);
  if (from !== undefined && (fromMs === null || !vc.dateRegex.test(String(from)))) {
    checks.set('validity_period', 'failed', `${fromKey} is not a valid date-time: ${JSON.stringify(from).slice(0, 60)}`);
    return;
  }
  if (until !== undefined && (untilMs === null || !vc.dateRegex.test(String(until)))) {
    checks.set('validity_period', 'failed', `${untilKey} is not a valid date-time: ${JSON.stringify(until).slice(0, 60)}`);
    return;
  }
  if (fromMs !== null && fromMs > nowMs + skew) {
    checks.set('validity_period', 'failed', `not yet valid: ${fromKey} is ${String(from)}`);
    return;
  }
  if (untilMs !== null && untilMs < nowMs - skew) {
    checks.set('validity_period', 'failed', `expired: ${untilKey} was ${String(until)}`);
    return;
  }
  checks.set(
    'validity_period',
    'ok',
    untilMs === null ? `valid from ${String(from ?? 'issuance')}, no end date` : `valid from ${String(from ?? 'issuance')} until ${String(until)}`,
  );
}
