// The web app's dictionaries: Spanish and English have exactly the same keys, no empty texts, same placeholders.
import { describe, expect, it } from 'vitest';
import { es } from '../../web/src/i18n/es.js';
import { en } from '../../web/src/i18n/en.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('web i18n dictionaries', () => {
  it('have identical keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });
  it('have no empty strings', () => {
    for (const [lang, dict] of Object.entries({ es, en }))
      for (const [k, v] of Object.entries(dict)) expect(typeof v === 'string' && v.trim().length > 0, `${lang}:${k}`).toBe(true);
  });
  it('use the same placeholders in both languages', () => {
    for (const k of Object.keys(es) as (keyof typeof es)[]) expect(placeholders(en[k]), k).toEqual(placeholders(es[k]));
  });
});
