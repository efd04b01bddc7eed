// The node's message catalogues (node/core/messages): every RegistryError code has a title and a sentence in
// Spanish, English and Portuguese; the three catalogues have the same keys and placeholders, no empty texts, and
// Portuguese is a translation; Accept-Language picks the language (Spanish when none of the three is asked for).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { localizeIssues, PATTERN_SENTENCES, PATTERNS_NOT_FOR_PEOPLE } from '../../node/core/messages/validation.js';
import { checkEuElements, MANDATORY_ELEMENTS } from '../../node/catalogue/eu-elements.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';
import { CreditSystems } from '../../node/catalogue/credit-systems.js';
import { EVIDENCE_LIMITS, prepareEvidenceFiles } from '../../node/credentials/evidence-files.js';
import { resultParts } from '../../node/credentials/ob3-evidence.js';
import type { RegistryError } from '../../node/core/errors.js';
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

// schema validation problems said to people (node/core/messages/validation.ts): a real invalid record, three languages
describe('field validation messages', () => {
  const schemas = new SchemaRegistry();
  const bad = {
    code: 'Análisis de datos',
    title: {},
    languages: ['Spanish'],
    workload: { hours: -3, credits: { system: 'E C T S', value: 0 } },
    country: 'es',
    url: 'ftp://example.org',
    surprise: true,
  };
  const issues = () => {
    const r = schemas.validate('microcredential', bad);
    if (r.ok) throw new Error('the record should be invalid');
    return r.errors;
  };
  const at = (list: unknown, p: string, keyword?: string) =>
    (list as { path: string; keyword?: string; message: string; technicalMessage?: string }[]).find((e) => e.path === p && (!keyword || e.keyword === keyword));

  it('says each problem in Spanish, English and Portuguese, keeping path, keyword, params and the English text', () => {
    const es = localizeIssues('es', issues());
    const en = localizeIssues('en', issues());
    const pt = localizeIssues('pt', issues());
    expect(at(es, '/workload/hours')).toMatchObject({ keyword: 'exclusiveMinimum', params: { limit: 0 }, message: 'Debe ser mayor que 0.', technicalMessage: 'must be > 0' });
    expect(at(en, '/workload/hours')?.message).toBe('Must be greater than 0.');
    expect(at(pt, '/workload/hours')?.message).toBe('Deve ser maior que 0.');
    // a missing property: the field's own path, its name in the sentence
    expect(at(es, '/version', 'required')).toMatchObject({ message: 'Falta el campo obligatorio version.', params: { missingProperty: 'version' } });
    expect(at(pt, '/version', 'required')?.message).toBe('Falta o campo obrigatório version.');
    expect(at(en, '', 'additionalProperties')?.message).toBe('Field not accepted: surprise.');
    expect(at(pt, '/title')?.message).toBe('Deve ter pelo menos um valor.');
  });

  it('never shows a regex to people: a sentence per field with a pattern', () => {
    for (const lang of ['es', 'en', 'pt'] as const) {
      const out = localizeIssues(lang, issues()) as { keyword: string; message: string; technicalMessage: string; params: { pattern?: string } }[];
      const patterns = out.filter((e) => e.keyword === 'pattern');
      expect(patterns.length).toBeGreaterThanOrEqual(5);
      for (const e of patterns) {
        expect(e.message).not.toContain(e.params.pattern!);
        expect(e.message).not.toMatch(/[\^$]|\[[^\]]*-[^\]]*\]|\{\d/);
        expect(e.technicalMessage).toContain(e.params.pattern!); // the English specifics are kept
      }
    }
    const es = localizeIssues('es', issues());
    expect(at(es, '/code')?.message).toMatch(/^Use de 3 a 64 letras minúsculas/);
    expect(at(es, '/languages/0')?.message).toBe('Un código de idioma como es, en o pt-BR.');
    expect(at(localizeIssues('pt', issues()), '/workload/credits/system')?.message).toMatch(/^O sistema de créditos/);
    expect(at(localizeIssues('en', issues()), '/country')?.message).toBe('A two-letter country code in capitals (e.g. ES, MX, BR).');
    expect(at(localizeIssues('en', issues()), '/url')?.message).toBe('A web address starting with http:// or https://.');
  });

  it('every pattern in schemas/ (vendor schemas aside) has a sentence, and every sentence names a real pattern', () => {
    const root = new URL('../../schemas/', import.meta.url).pathname;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) {
          if (name !== 'vendor' && name !== 'generated') walk(p);
        } else if (name.endsWith('.schema.json')) {
          const file = path.relative(root, p).split(path.sep).join('/');
          const visit = (o: unknown, ptr: string) => {
            if (!o || typeof o !== 'object') return;
            if (typeof (o as { pattern?: unknown }).pattern === 'string' && !ptr.endsWith('/properties')) found.push(`${file}#${ptr}`);
            for (const [k, v] of Object.entries(o)) visit(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
          };
          visit(JSON.parse(readFileSync(p, 'utf8')), '');
        }
      }
    };
    walk(root);
    expect(found.length).toBeGreaterThan(40);
    const known = new Set([...Object.keys(PATTERN_SENTENCES), ...PATTERNS_NOT_FOR_PEOPLE]);
    expect(found.filter((f) => !known.has(f))).toEqual([]);
    expect([...known].filter((k) => !found.includes(k))).toEqual([]);
    for (const [k, [key, params]] of Object.entries(PATTERN_SENTENCES)) {
      expect(es[key as keyof typeof es], k).toBeTruthy();
      expect(placeholders(es[key as keyof typeof es]), k).toEqual(Object.keys(params ?? {}).sort());
    }
  });

  it('other keywords come from ajv-i18n in the asker’s language', () => {
    const e = [{ path: '/x', message: 'must be multiple of 5', keyword: 'multipleOf', params: { multipleOf: 5 } }];
    expect((localizeIssues('es', e) as { message: string }[])[0]!.message).toBe('debe ser múltiplo de 5');
    expect((localizeIssues('pt', e) as { message: string }[])[0]!.message).toMatch(/múltiplo de 5/);
    expect((localizeIssues('en', e) as { message: string }[])[0]).toMatchObject({ message: 'must be a multiple of 5', technicalMessage: 'must be multiple of 5' });
  });

  it('a keyed issue (EU elements) is rendered; anything else passes through', () => {
    const eu = checkEuElements({ code: 'x', version: 1, title: { es: 'Algo' }, languages: ['es'] } as Partial<MicrocredentialRecord>);
    const out = localizeIssues('pt', eu.missing) as { element: string; message: string; technicalMessage: string; ref?: unknown }[];
    const lo = out.find((m) => m.element === 'learning_outcomes')!;
    expect(lo.message).toBe('É preciso pelo menos um resultado de aprendizagem com texto.');
    expect(lo.technicalMessage).toBe('at least one learning outcome with text is required');
    expect(lo.ref).toBeUndefined();
    for (const el of MANDATORY_ELEMENTS) expect(es[`eu.missing.${el.element}` as keyof typeof es], el.element).toBeTruthy();
    expect(localizeIssues('es', [{ path: 'sort', message: 'x' }, 3, null])).toEqual([{ path: 'sort', message: 'x' }, 3, null]);
    expect(localizeIssues('es', 'not a list')).toBe('not a list');
  });
});

// operator refusals carry a message key and parameters; their English message is the sentence they had before
describe('keyed refusals', () => {
  it('every key given to userError in node/ exists in the catalogues', () => {
    const root = new URL('../../node/', import.meta.url).pathname;
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/userError\(\s*'[a-z_]+',\s*'([\w.]+)'/g)) used.add(m[1]!);
      }
    };
    walk(root);
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter((k) => !(k in es))).toEqual([]);
  });

  it('evidence files: which file, what limit, in the reader’s language; the English unchanged', () => {
    const pdf = Buffer.from('%PDF-1.4 x').toString('base64');
    const many = Array.from({ length: EVIDENCE_LIMITS.files + 1 }, (_, i) => ({ name: `p${i}.pdf`, mediaType: 'application/pdf', content: pdf }));
    const tooMany = (() => {
      try {
        prepareEvidenceFiles(many);
      } catch (e) {
        return e as RegistryError;
      }
      throw new Error('accepted');
    })();
    expect(tooMany.code).toBe('evidence_too_many_files');
    expect(tooMany.message).toBe(`at most ${EVIDENCE_LIMITS.files} evidence files per credential (${EVIDENCE_LIMITS.files + 1} given)`);
    const ref = messageRefOf(tooMany)!;
    expect(message('pt', ref.key, ref.params)).toBe(`No máximo ${EVIDENCE_LIMITS.files} arquivos de evidência por credencial (foram enviados ${EVIDENCE_LIMITS.files + 1}).`);
    const wrongType = (() => {
      try {
        prepareEvidenceFiles([{ name: 'x.exe', mediaType: 'application/x-msdownload', content: pdf }]);
      } catch (e) {
        return e as RegistryError;
      }
      throw new Error('accepted');
    })();
    const w = messageRefOf(wrongType)!;
    expect(message('es', w.key, w.params)).toMatch(/^Los archivos de tipo "application\/x-msdownload" no se aceptan como evidencia\. Tipos aceptados: application\/pdf, /);
  });

  it('results and credit systems: the level, the value, the id in the reader’s language', () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as RegistryError;
      }
      throw new Error('accepted');
    };
    const lvl = refused(() => resultParts('urn:x', [{ criterion: 'Oral', levels: [{ name: 'Bajo' }, { name: 'Alto' }], achievedLevel: 'Medio' }]));
    expect(lvl.message).toBe('result "Oral": achieved level "Medio" is not one of its levels (Bajo, Alto)');
    const r = messageRefOf(lvl)!;
    expect(message('pt', r.key, r.params)).toBe('Resultado «Oral»: «Medio» não é um dos seus níveis (Bajo, Alto).');
    const cs = refused(() => new CreditSystems().get('XYZ-1'));
    expect(cs.code).toBe('unknown_credit_system');
    expect(cs.message).toMatch(/^unknown credit system "XYZ-1"; known: .*ECTS/);
    const c = messageRefOf(cs)!;
    expect(message('en', c.key, c.params)).toBe(cs.message);
    expect(message('es', c.key, c.params)).toMatch(/^El sistema de créditos «XYZ-1» no está en los datos de referencia de la red\. Sistemas conocidos: .*ECTS/);
  });
});
