/**
 * The interface's message catalogues (es.ts, en.ts, pt.ts) as plain functions, for code that runs outside the web
 * app's Preact context: the node's printable recognition report and the comparison's sentences
 * (node/recognition/report.ts, comparison.ts) use the same words as the app through this module. Pure: must never
 * touch the DOM, storage or the network, and never hold texts itself.
 */
import { es, type MessageKey } from './es.js';
import { en } from './en.js';
import { pt } from './pt.js';

export type MessageLang = 'es' | 'en' | 'pt';
export const MESSAGE_LANGS: readonly MessageLang[] = ['es', 'en', 'pt'];
const DICTS: Record<MessageLang, Record<MessageKey, string>> = { es, en, pt };

/**
 * `{name}` placeholders filled in; a text written "one|other" (`'{n} credencial|{n} credenciales'`) is a count's
 * singular and plural, chosen by `n` (a number, or a number already formatted for the locale): exactly 1 takes the
 * singular in es, en and pt ("0 resultados", "1 resultado"); without an `n` the plural. The one rule for the web app
 * (i18n/index.tsx) and the node's report and comparison sentences.
 */
export function interpolate(s: string, vars?: Record<string, string | number>): string {
  if (s.includes('|')) {
    const raw = vars?.n;
    const n = typeof raw === 'number' ? raw : raw !== undefined && /^\d+$/.test(String(raw).trim()) ? Number(String(raw).trim()) : NaN;
    const [one, other] = s.split('|', 2) as [string, string];
    s = n === 1 ? one : other;
  }
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] !== undefined ? String(vars[k]) : m)) : s;
}

/** The text of `key` in `lang` with its `{name}` placeholders filled. */
export function message(lang: MessageLang, key: MessageKey, vars?: Record<string, string | number>): string {
  return interpolate(DICTS[lang][key] ?? DICTS.es[key] ?? key, vars);
}

/** The label of a code (`enum.assessment.` + `exam`); the code itself when the catalogue has no label for it. */
export function codeLabel(lang: MessageLang, prefix: string, value: string | null | undefined): string {
  if (!value) return '';
  return DICTS[lang][`${prefix}${value}` as MessageKey] ?? value;
}

/** A message in every language, as a record's {es, en, pt} map (for sentences stored with a comparison). */
export function messageMap(build: (lang: MessageLang) => string): { es: string; en: string; pt: string } {
  return { es: build('es'), en: build('en'), pt: build('pt') };
}

/** The language a query parameter or header names, if it is one of the interface's; Spanish otherwise. */
export function messageLangOf(v: unknown): MessageLang {
  const base = typeof v === 'string' ? v.trim().toLowerCase().split(/[-_,;]/)[0] : '';
  return base === 'en' || base === 'pt' ? base : 'es';
}
