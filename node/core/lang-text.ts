/**
 * The text of a language map ({es, en, pt}) in one language with a fallback: the language asked for, then Spanish,
 * English, Portuguese; a plain string is its own text. The one rule for the node side (the printable report, the
 * CLI, link previews, institution names): a blank or whitespace-only string counts as absent, so the next language
 * is tried. Why: the schemas ask each text for at least one character, so a blank can only be a member's mistake or
 * a hostile entry; it is never a translation, and showing it would print an empty title, name or reason where
 * another language has the text. Texts that are not blank are returned as given (not trimmed). Must never read
 * anything but its arguments.
 */

export type TextLang = 'es' | 'en' | 'pt';

/** A language map as records, profiles and decisions carry it. */
export type LangTexts = Partial<Record<TextLang, string>>;

const ORDER: Readonly<Record<TextLang, readonly TextLang[]>> = { es: ['es', 'en', 'pt'], en: ['en', 'es', 'pt'], pt: ['pt', 'es', 'en'] };

const present = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The map's text in `lang`, else es → en → pt; a plain string as is; '' when none is present (blank counts as absent). */
export function langText(m: LangTexts | string | null | undefined, lang: TextLang = 'es'): string {
  if (typeof m === 'string') return present(m) ? m : '';
  if (!m || typeof m !== 'object') return '';
  for (const l of ORDER[lang] ?? ORDER.es) {
    const v = (m as Record<string, unknown>)[l];
    if (present(v)) return v;
  }
  return '';
}
