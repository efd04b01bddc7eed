// The node's message catalogues (node/core/messages): every RegistryError code has a title and a sentence in
// Spanish, English and Portuguese; the three catalogues have the same keys and placeholders, no empty texts, and
// Portuguese is a translation; Accept-Language picks the language (Spanish when none of the three is asked for).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { es } from '../../node/core/messages/es.js';
import { en } from '../../node/core/messages/en.js';
import { pt } from '../../node/core/messages/pt.js';
import { message, messageRefOf, negotiateLanguage, userError } from '../../node/core/messages/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
// the codes as node/core/errors.ts declares them (read from the source: a type has no runtime value)
const CODES = [...readFileSync(new URL('../../node/core/errors.ts', import.meta.url), 'utf8').matchAll(/^\s*\|\s*'([a-z_]+)'/gm)].map((m) => m[1]!);

describe('server message catalogues', () => {
  it('list the error codes of node/core/errors.ts', () => expect(CODES.length).toBeGreaterThan(30));
  it('every error code has a title and a sentence in every language', () => {
    for (const [lang, cat] of Object.entries({ es, en, pt }) as [string, Record<string, string>][])
      for (const code of CODES) {
        expect(cat[`error.${code}`], `${lang}: error.${code}`).toBeTruthy();
        expect(cat[`error.${code}.detail`], `${lang}: error.${code}.detail`).toBeTruthy();
      }
  });
  it('have identical keys and no empty texts', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
    expect(Object.keys(pt).sort()).toEqual(Object.keys(es).sort());
    for (const [lang, cat] of Object.entries({ es, en, pt })) for (const [k, v] of Object.entries(cat)) expect(v.trim().length > 0, `${lang}:${k}`).toBe(true);
  });
  it('use the same placeholders in every language', () => {
    for (const k of Object.keys(es) as (keyof typeof es)[]) {
      expect(placeholders(en[k]), `en:${k}`).toEqual(placeholders(es[k]));
      expect(placeholders(pt[k]), `pt:${k}`).toEqual(placeholders(es[k]));
    }
  });
  it('Portuguese is a translation, not a copy', () => {
    const keys = Object.keys(es) as (keyof typeof es)[];
    const copied = keys.filter((k) => pt[k] === es[k] || pt[k] === en[k]);
    expect(copied.length / keys.length).toBeLessThan(0.1);
  });
  it('fills placeholders and keeps unknown ones', () => {
    expect(message('pt', 'csv.notEmail', { value: 'x@' })).toBe('Não é um endereço de e-mail: x@');
    expect(message('es', 'csv.cellCount', { cells: 3 })).toBe('La fila tiene 3 celdas y el encabezado {header}.');
  });
  it('userError keeps the code, an English message and the key', () => {
    const e = userError('validation_failed', 'issue.notDid', { value: 'nope' });
    expect(e.code).toBe('validation_failed');
    expect(e.message).toBe('not a DID: nope');
    expect(messageRefOf(e)).toEqual({ key: 'issue.notDid', params: { value: 'nope' } });
  });
});

describe('Accept-Language', () => {
  it.each([
    [undefined, 'es'],
    ['', 'es'],
    ['*', 'es'],
    ['fr-FR, de;q=0.8', 'es'],
    ['pt-BR,pt;q=0.9,en;q=0.8', 'pt'],
    ['en-US,en;q=0.9', 'en'],
    ['fr, en;q=0.5, pt;q=0.7', 'pt'],
    ['es-419', 'es'],
    ['pt;q=0, en', 'en'],
    ['EN', 'en'],
    [['fr', 'pt'], 'pt'],
  ] as const)('%j → %s', (h, lang) => expect(negotiateLanguage(h as string | string[] | undefined)).toBe(lang));
  it('reads a hostile header without trouble', () => {
    expect(negotiateLanguage('x;q=1,'.repeat(100_000) + 'pt')).toBe('es');
    expect(negotiateLanguage('pt;q=abc')).toBe('es');
  });
});
