// The web app's dictionaries: Spanish, English and Portuguese have exactly the same keys, no empty texts, same
// placeholders; Portuguese is a translation, not a copy of another language; the first language follows
// ?lang= > the user's pick > the browser's languages > Spanish.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { es } from '../../web/src/i18n/es.js';
import { en } from '../../web/src/i18n/en.js';
import { pt } from '../../web/src/i18n/pt.js';
import { asLang, initialLang, makeI18n } from '../../web/src/i18n/index.js';
import { message } from '../../web/src/i18n/messages.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const DICTS = { es, en, pt } as const;

describe('web i18n dictionaries', () => {
  it('have identical keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
    expect(Object.keys(pt).sort()).toEqual(Object.keys(es).sort());
  });
  it('have no empty strings', () => {
    for (const [lang, dict] of Object.entries(DICTS))
      for (const [k, v] of Object.entries(dict)) expect(typeof v === 'string' && v.trim().length > 0, `${lang}:${k}`).toBe(true);
  });
  it('use the same placeholders in every language', () => {
    for (const k of Object.keys(es) as (keyof typeof es)[]) {
      expect(placeholders(en[k]), `en:${k}`).toEqual(placeholders(es[k]));
      expect(placeholders(pt[k]), `pt:${k}`).toEqual(placeholders(es[k]));
    }
  });
  it('Portuguese is translated: most texts differ from both Spanish and English', () => {
    const keys = Object.keys(es) as (keyof typeof es)[];
    const copied = keys.filter((k) => pt[k] === es[k] || pt[k] === en[k]);
    // Only proper names, placeholders-only texts and words spelled alike (Catálogo, Microcredencial) may repeat.
    expect(copied.length / keys.length).toBeLessThan(0.2);
  });
});

describe('codes are shown as labels', () => {
  // every value a schema allows for a field the pages print through tx(prefix, value) has a label in every
  // language (tx falls back to the raw code), read from the schemas so a new enum value fails here
  const schema = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/${f}`, import.meta.url), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const mc = schema('microcredential.schema.json').properties;
  const rec = schema('entries/recognition.schema.json').properties;
  const acc = schema('entries/accreditation.schema.json').properties;
  const cases: [string, string[]][] = [
    ['enum.assessment.', mc.assessment.properties.type.enum],
    ['enum.participation.', mc.participation.properties.mode.enum],
    ['enum.context.', mc.participation.properties.context.items.enum],
    ['enum.qa.', mc.qualityAssurance.properties.type.enum],
    ['enum.qaReviewer.', mc.qualityAssurance.properties.procedure.properties.reviewers.items.enum],
    ['enum.pilotArea.', mc.pilotArea.enum],
    ['enum.supervision.', mc.supervision.enum],
    ['enum.outcome.', rec.outcome.enum],
    ['enum.equivalentKind.', rec.equivalentTo.properties.kind.enum],
    ['enum.aspect.', rec.substantialDifferences.items.properties.aspect.enum],
    ['enum.accreditationStatus.', acc.status.enum],
    ['enum.rowStatus.', ['issued', 'skipped', 'failed']],
    ['enum.jobState.', ['queued', 'running', 'done', 'failed']],
    ['enum.syncReason.', ['connected', 'periodic', 'manual', 'deferred', 'peer ahead', 'gossip hint', 'fork announced']],
  ];
  it.each(cases)('%s has a label for every value in es, en and pt', (prefix, values) => {
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) for (const [lang, dict] of Object.entries(DICTS)) expect((dict as Record<string, string>)[`${prefix}${v}`], `${lang}: ${prefix}${v}`).toBeTruthy();
  });
});

describe('first language', () => {
  const store = new Map<string, string>();
  const g = globalThis as unknown as { localStorage?: Storage };
  const saved = g.localStorage;
  beforeAll(() => {
    g.localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as Storage;
  });
  afterAll(() => {
    g.localStorage = saved;
  });
  afterEach(() => store.clear());
  it('maps language tags to interface languages', () => {
    expect(asLang('pt-BR')).toBe('pt');
    expect(asLang('es-419')).toBe('es');
    expect(asLang('EN_gb')).toBe('en');
    expect(asLang('fr-FR')).toBeNull();
    expect(asLang(null)).toBeNull();
  });
  it('?lang= wins, then the stored pick, then the browser, then Spanish', () => {
    expect(initialLang('', [])).toBe('es');
    expect(initialLang('', ['fr-FR', 'pt-BR', 'en'])).toBe('pt');
    expect(initialLang('?lang=en', ['pt-BR'])).toBe('en');
    expect(initialLang('?lang=xx', ['pt-BR'])).toBe('pt');
    store.set('mochila.lang', 'en');
    expect(initialLang('', ['pt-BR'])).toBe('en');
    expect(initialLang('?lang=pt', ['es'])).toBe('pt');
  });
  it('formats dates and numbers as pt-BR and falls back pt → es → en in pick()', () => {
    const i = makeI18n('pt', () => {});
    expect(i.num(1234.5)).toBe('1.234,5');
    expect(i.date('2026-12-03T10:00:00Z')).toMatch(/3 de dez\.? de 2026/);
    expect(i.pick({ es: 'hola', en: 'hello', pt: 'olá' })).toBe('olá');
    expect(i.pick({ en: 'hello', es: 'hola' })).toBe('hola');
    expect(i.pick({ en: 'hello' })).toBe('hello');
    expect(i.t('app.retry')).toBe('Tentar novamente');
  });
  it('counts read in the singular for exactly one ("1 credencial", not "1 credenciales")', () => {
    const es1 = makeI18n('es', () => {});
    expect(es1.t('creds.total', { n: 1 })).toBe('1 credencial');
    expect(es1.t('creds.total', { n: 0 })).toBe('0 credenciales');
    expect(es1.t('creds.total', { n: 12 })).toBe('12 credenciales');
    expect(es1.t('inst.count', { n: 1 })).toBe('1 microcredencial');
    expect(es1.t('rec.considered', { n: 1 })).toBe('Se comparó 1 microcredencial local.');
    expect(es1.t('net.pending', { n: es1.num(1) })).toBe('falta 1 entrada por recibir');
    expect(es1.t('net.pending', { n: es1.num(1924) })).toBe('faltan 1924 entradas por recibir'.replace('1924', es1.num(1924)));
    expect(makeI18n('en', () => {}).t('creds.total', { n: 1 })).toBe('1 credential');
    expect(es1.t('rec.part', { part: 'Título', value: 11, weight: '0,12', contribution: 1, n: 1 })).toBe('Título: 11\u00a0% × 0,12 = 1 punto');
    expect(es1.t('rec.part', { part: 'Título', value: 20, weight: '0,12', contribution: 2, n: 2 })).toBe('Título: 20\u00a0% × 0,12 = 2 puntos');
    expect(makeI18n('pt', () => {}).t('inst.count', { n: 1 })).toBe('1 microcredencial');
    expect(makeI18n('pt', () => {}).t('verify.freshnessLag', { n: 3 })).toBe('3 entradas pendentes de sincronização');
    // every text with a "one|other" form has exactly two forms in every language, the same count in each
    for (const [lang, d] of Object.entries(DICTS))
      for (const [k, v] of Object.entries(d)) {
        const forms = (v as string).split('|').length;
        expect(forms, `${lang}:${k}`).toBeLessThanOrEqual(2);
        expect(forms, `${lang}:${k} vs es`).toBe((es as Record<string, string>)[k]!.split('|').length);
      }
  });
  it('the node side (printable report, comparison sentences) reads counts by the same rule: never both forms', () => {
    expect(message('es', 'rec.part', { part: 'Título', value: 11, weight: '0,12', contribution: 1, n: 1 })).toBe('Título: 11\u00a0% × 0,12 = 1 punto');
    expect(message('pt', 'rec.considered', { n: 4 })).not.toContain('|');
    for (const lang of ['es', 'en', 'pt'] as const)
      for (const k of Object.keys(es) as (keyof typeof es)[]) expect(message(lang, k), `${lang}:${k} without n`).not.toContain('|');
  });
});
