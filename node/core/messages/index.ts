/**
 * The node's messages for people, in Spanish, English and Brazilian Portuguese: one catalogue per language
 * (es.ts, en.ts, pt.ts), the Accept-Language negotiation, and errors that carry a message key so node/http can
 * answer in the asker's language. The `code` of an error never changes with the language; the CLI renders English.
 * Must never know about HTTP statuses (node/http/problem.ts) nor hold texts itself.
 */
import { RegistryError, type ErrorCode } from '../errors.js';
import { es, type ServerMessageKey } from './es.js';
import { en } from './en.js';
import { pt } from './pt.js';

export type { ServerMessageKey } from './es.js';
export type MessageLang = 'es' | 'en' | 'pt';
export const MESSAGE_LANGS: readonly MessageLang[] = ['es', 'en', 'pt'];
/**
 * Spanish when the asker names none of the three (no Accept-Language, `*`, or only other languages): the network's
 * working language and the web app's default; browsers always send their languages and the web app sends its own.
 */
export const DEFAULT_MESSAGE_LANG: MessageLang = 'es';

export const CATALOGUES: Record<MessageLang, Record<ServerMessageKey, string>> = { es, en, pt };

// every RegistryError code has a title and a sentence in the Spanish catalogue (and so, by their types, in all):
// adding a code to node/core/errors.ts without its messages fails typecheck here
type ErrorKeys = `error.${ErrorCode}` | `error.${ErrorCode}.detail`;
const _everyCodeHasMessages: Record<ErrorKeys, string> = es;
void _everyCodeHasMessages;

/** A message to render later in the reader's language; a parameter may itself be a message (rendered alike). */
export interface MessageRef {
  key: ServerMessageKey;
  params?: MessageParams;
}
export type MessageParams = Record<string, string | number | MessageRef>;

export function isMessageRef(v: unknown): v is MessageRef {
  return !!v && typeof v === 'object' && typeof (v as MessageRef).key === 'string' && (v as MessageRef).key in es;
}

/** The text of `key` in `lang`, `{name}` placeholders filled from `params` (unknown ones left as they are). */
export function message(lang: MessageLang, key: ServerMessageKey, params?: MessageParams): string {
  const s = CATALOGUES[lang][key] ?? es[key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = params[k];
    if (v === undefined) return m;
    return typeof v === 'object' ? (isMessageRef(v) ? message(lang, v.key, v.params) : m) : String(v);
  });
}

export function renderRef(lang: MessageLang, ref: MessageRef): string {
  return message(lang, ref.key, ref.params);
}

/**
 * A RegistryError whose message people may read: its `message` is the English text (logs, CLI), and
 * `details.message` the key and parameters node/http renders in the asker's language.
 */
export function userError(code: ErrorCode, key: ServerMessageKey, params?: MessageParams, details: Record<string, unknown> = {}): RegistryError {
  const ref: MessageRef = params ? { key, params } : { key };
  return new RegistryError(code, message('en', key, params), { ...details, message: ref });
}

/** The message key an error carries (from userError), if any. */
export function messageRefOf(e: RegistryError): MessageRef | null {
  const m = e.details?.message;
  return isMessageRef(m) ? m : null;
}

/**
 * The language to answer in, from an Accept-Language header (RFC 9110 §12.5.4): the listed language with the
 * highest q among es, en and pt (a region such as pt-BR or es-419 counts as its language; q=0 refuses); Spanish
 * when none of them is listed. Hostile input: at most 40 items are read.
 */
export function negotiateLanguage(header: string | string[] | undefined | null): MessageLang {
  const h = Array.isArray(header) ? header.join(',') : header;
  if (!h || typeof h !== 'string') return DEFAULT_MESSAGE_LANG;
  let best: { lang: MessageLang; q: number; i: number } | null = null;
  const items = h.slice(0, 2000).split(',').slice(0, 40);
  items.forEach((item, i) => {
    const [tag = '', ...ps] = item.trim().split(';');
    const base = tag.trim().toLowerCase().split('-')[0];
    if (base !== 'es' && base !== 'en' && base !== 'pt') return;
    let q = 1;
    for (const p of ps) {
      if (!/^\s*q\s*=/i.test(p)) continue;
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      q = m ? Math.min(1, Number(m[1])) : 0; // a malformed weight refuses the item rather than guessing
    }
    if (!(q > 0)) return;
    if (!best || q > best.q) best = { lang: base, q, i };
  });
  return (best as { lang: MessageLang } | null)?.lang ?? DEFAULT_MESSAGE_LANG;
}
