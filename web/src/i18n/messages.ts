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

function interpolate(s: string, vars?: Record<string, string | number>): string {
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
