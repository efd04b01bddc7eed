/**
 * The sentence of a status change, as the verification headline, the claim page and the registrar's printable report
 * say it: "Revocada el 3 dic 2026 — motivo: emitida por error". One function for the web app (through its I18n) and the
 * node's report (through messages.ts), so both use the same words. Pure: the reason is a category of
 * schemas/status-reason.schema.json (the issuer's free text never reaches a verifier), shown as its label.
 */
import type { MessageKey } from './es.js';

export interface StatusChangeLike {
  purpose: 'revocation' | 'suspension';
  since: string | null;
  reason?: string;
}

export function statusChangeSentence(
  sc: StatusChangeLike,
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
  tx: (prefix: string, value: string) => string,
  date: (iso: string) => string,
): string {
  const what =
    sc.purpose === 'suspension'
      ? sc.since
        ? t('verify.headline.suspendedOn', { date: date(sc.since) })
        : t('verify.headline.suspended')
      : sc.since
        ? t('verify.headline.revokedOn', { date: date(sc.since) })
        : t('verify.headline.revoked');
  return sc.reason ? t('verify.headline.withReason', { headline: what, reason: tx('verify.statusReason.', sc.reason) }) : what;
}
