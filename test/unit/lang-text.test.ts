// The one rule for a language map's text on the node side (node/core/lang-text.ts): the language asked for, then
// Spanish, English, Portuguese; a plain string as is; a blank or whitespace-only text counts as absent. The four
// places that show such texts (the printable report, `mochila recognize`, link previews, institution names) use it.
import { describe, expect, it } from 'vitest';
import { langText } from '../../node/core/lang-text.js';
import { displayName, type Profile } from '../../node/trust/institutions.js';
import { renderRecognitionReport } from '../../node/recognition/report.js';

describe('langText', () => {
  it('takes the language asked for, then es → en → pt', () => {
    const m = { es: 'Hola', en: 'Hello', pt: 'Olá' };
    expect(langText(m, 'en')).toBe('Hello');
    expect(langText(m, 'pt')).toBe('Olá');
    expect(langText(m)).toBe('Hola');
    expect(langText({ en: 'Hello', pt: 'Olá' }, 'es')).toBe('Hello');
    expect(langText({ pt: 'Olá' }, 'en')).toBe('Olá');
    expect(langText({ es: 'Hola', pt: 'Olá' }, 'en')).toBe('Hola');
  });

  it('a blank or whitespace-only text counts as absent: the next language is shown', () => {
    expect(langText({ es: '', en: 'Hello' })).toBe('Hello');
    expect(langText({ es: '   ', en: 'Hello' })).toBe('Hello');
    expect(langText({ es: '\n\t\u00a0', en: ' ', pt: 'Olá' })).toBe('Olá');
    expect(langText({ en: ' ', es: 'Hola' }, 'en')).toBe('Hola');
    expect(langText({ es: ' ', en: ' ' })).toBe('');
    expect(langText('  ')).toBe('');
  });

  it('returns texts as given (no trimming), plain strings as is, and nothing for what is not a map', () => {
    expect(langText({ es: '  Hola  ' })).toBe('  Hola  ');
    expect(langText('Texto')).toBe('Texto');
    expect(langText(null)).toBe('');
    expect(langText(undefined)).toBe('');
    expect(langText({ es: 42, en: 'Hello' } as unknown as Record<string, string>)).toBe('Hello');
    expect(langText({ de: 'Hallo' } as unknown as Record<string, string>)).toBe('');
    expect(langText({ es: 'Hola' }, 'de' as 'es')).toBe('Hola');
  });

  it('the institution name and the report follow the same rule', () => {
    const p = (name: Record<string, string>, shortName?: string) => ({ name, country: 'CL', kind: 'hei', ...(shortName ? { shortName } : {}) }) as unknown as Profile;
    expect(displayName(p({ es: ' ', en: 'University' }))).toBe('University');
    expect(displayName(p({ es: ' ' }, 'UDP'))).toBe('UDP');
    expect(displayName(p({ es: ' ' }, ' '))).toBe('');
    const html = renderRecognitionReport({ microcredential: { id: 'x', title: { es: ' ', en: 'Applied statistics' } }, accreditations: [], decisions: [], agreements: [], comparison: [] }, { lang: 'es', generatedAt: new Date('2026-12-01T00:00:00Z'), node: 'n', network: 'n' });
    expect(html).toContain('Applied statistics');
  });
});
