/**
 * Language state of the web app: Spanish, English or Brazilian Portuguese, mirrored in <html lang>. The first
 * language is, in order: `?lang=` in the address, the language the user picked before (localStorage, written only
 * when the user picks one), the browser's languages (navigator.languages), Spanish. `t()` looks texts up in
 * es.ts / en.ts / pt.ts; `pick()` shows a record's {es,en,pt} map in the chosen language with a fallback
 * (pt → es → en). Must never hold texts itself.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { es, type MessageKey } from './es.js';
import { en } from './en.js';
import { pt } from './pt.js';
import { formatNumber } from './format.js';
import { interpolate } from './messages.js';
import { setAnswerLanguage } from '../api.js';

export type Lang = 'es' | 'en' | 'pt';
/** The interface languages, in the switcher's order, each named in itself. */
export const LANGS: readonly { code: Lang; label: string }[] = [
  { code: 'es', label: 'Español' },
  { code: 'en', label: 'English' },
  { code: 'pt', label: 'Português' },
];
export type LangMap = Partial<Record<'es' | 'en' | 'pt', string>> | null | undefined;

const DICTS: Record<Lang, Record<MessageKey, string>> = { es, en, pt };
const STORAGE_KEY = 'mochila.lang';
/** BCP 47 locale for dates, numbers and Intl.DisplayNames. */
const LOCALES: Record<Lang, string> = { es: 'es', en: 'en', pt: 'pt-BR' };

/** `pt-BR` → pt, `en-GB` → en, `es-419` → es; anything else → null. */
export function asLang(tag: string | null | undefined): Lang | null {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return base === 'es' || base === 'en' || base === 'pt' ? base : null;
}

/** The first language: `?lang=` > the user's earlier pick > the browser's languages > Spanish. */
export function initialLang(
  search: string = typeof location === 'undefined' ? '' : location.search,
  browser: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): Lang {
  const fromUrl = asLang(new URLSearchParams(search).get('lang'));
  if (fromUrl) return fromUrl;
  try {
    const stored = asLang(localStorage.getItem(STORAGE_KEY));
    if (stored) return stored;
  } catch {}
  for (const tag of browser) {
    const l = asLang(tag);
    if (l) return l;
  }
  return 'es';
}

export interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** A dynamic key (`enum.participation.` + value); the raw value when the dictionary has no such key. */
  tx(prefix: string, value: string | null | undefined): string;
  pick(m: LangMap): string;
  date(iso: string | null | undefined, withTime?: boolean): string;
  num(n: number): string;
  region(code: string | null | undefined): string;
  language(code: string): string;
}

export { interpolate };

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  const dict = DICTS[lang];
  const locale = LOCALES[lang];
  let regions: Intl.DisplayNames | null = null;
  let languages: Intl.DisplayNames | null = null;
  try {
    regions = new Intl.DisplayNames([locale], { type: 'region' });
    languages = new Intl.DisplayNames([locale], { type: 'language' });
  } catch {}
  return {
    lang,
    setLang,
    t: (key, vars) => interpolate(dict[key] ?? key, vars),
    tx: (prefix, value) => {
      if (!value) return '';
      const k = `${prefix}${value}` as MessageKey;
      return dict[k] ?? value;
    },
    pick: (m) => {
      if (!m) return '';
      return m[lang] ?? m.es ?? m.en ?? m.pt ?? Object.values(m).find((v) => typeof v === 'string') ?? '';
    },
    date: (iso, withTime = false) => {
      if (!iso) return '';
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      return d.toLocaleString(locale, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
    },
    // the same number format as the printable report (format.ts)
    num: (n) => formatNumber(lang, n),
    region: (code) => {
      if (!code) return '';
      try {
        return regions?.of(code.toUpperCase()) ?? code;
      } catch {
        return code;
      }
    },
    language: (code) => {
      try {
        const name = languages?.of(code) ?? code;
        return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
      } catch {
        return code;
      }
    },
  };
}

const Ctx = createContext<I18n>(makeI18n('es', () => {}));

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang());
  // before any child fetches (their effects run before this component's): the node answers in this language
  setAnswerLanguage(lang);
  useEffect(() => {
    document.documentElement.lang = LOCALES[lang];
  }, [lang]);
  // Only a pick in the switcher is remembered: a first visit's `?lang=` or browser language is not a choice.
  const pickLang = useMemo(
    () => (l: Lang) => {
      try {
        localStorage.setItem(STORAGE_KEY, l);
      } catch {}
      setLangState(l);
    },
    [],
  );
  const value = useMemo(() => makeI18n(lang, pickLang), [lang, pickLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}

export const DICTIONARIES = DICTS;
