/**
 * Number, percentage, date and relative-time formats of the interface as plain functions of a language, shared by
 * the web app (i18n/index.tsx) and the node's printable recognition report (node/recognition/report.ts) so both
 * write "1,5" or "45 %" the same way. Pure: must never touch the DOM, storage, the clock or the network (the
 * current time is always passed in).
 */

export type FormatLang = 'es' | 'en' | 'pt';

/** The BCP 47 locale a language's numbers and dates are written in (Brazilian Portuguese for pt). */
export function localeOf(lang: FormatLang): string {
  return lang === 'pt' ? 'pt-BR' : lang;
}

export function formatNumber(lang: FormatLang, n: number, maxFractionDigits = 2): string {
  return new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: maxFractionDigits }).format(n);
}

/** A share 0..1 as a whole percentage, "45 %" (a space before the sign, as the app has always written it). */
export function formatPercent(lang: FormatLang, share: number): string {
  return `${formatNumber(lang, Math.round(share * 100), 0)} %`;
}

/** A date (and time) in the language's usual medium form; an unparseable value is returned as given. */
export function formatDate(lang: FormatLang, iso: string | null | undefined, withTime = false): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(localeOf(lang), withTime ? { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' } : { dateStyle: 'medium', timeZone: 'UTC' });
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/**
 * How long ago (or in how long) `iso` is from `nowMs`, in words: "hace 2 min", "2 min ago", "há 2 min". Under ten
 * seconds it says "now" in the language. `nowMs` is always passed (the server's clock or an injected one in tests).
 */
export function relativeTime(lang: FormatLang, iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - nowMs) / 1000);
  const rtf = new Intl.RelativeTimeFormat(localeOf(lang), { numeric: 'auto', style: 'short' });
  if (Math.abs(seconds) < 10) return rtf.format(0, 'second');
  for (const [unit, size] of UNITS) if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  return rtf.format(seconds, 'second');
}
