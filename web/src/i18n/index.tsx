/**
 * Language state of the web app: Spanish by default, English on request, remembered in localStorage and mirrored
 * in <html lang>. `t()` looks texts up in es.ts / en.ts; `pick()` shows a record's {es,en,pt} map in the chosen
 * language with a fallback. Must never hold texts itself.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { es, type MessageKey } from './es.js';
import { en } from './en.js';

export type Lang = 'es' | 'en';
export type LangMap = Partial<Record<'es' | 'en' | 'pt', string>> | null | undefined;

const DICTS: Record<Lang, Record<MessageKey, string>> = { es, en };
const STORAGE_KEY = 'mochila.lang';

export function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'es' || v === 'en') return v;
  } catch {}
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

function interpolate(s: string, vars?: Record<string, string | number>): string {
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] !== undefined ? String(vars[k]) : m)) : s;
}

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  const dict = DICTS[lang];
  const locale = lang === 'es' ? 'es' : 'en';
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
    num: (n) => n.toLocaleString(locale),
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
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {}
  }, [lang]);
  const value = useMemo(() => makeI18n(lang, setLangState), [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}

export const DICTIONARIES = DICTS;
