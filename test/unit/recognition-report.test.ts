/**
 * The registrar's report and what the comparison counts as a difference: only real differences (a lower level on one
 * scale, less workload, different fields or outcomes, weaker quality assurance) are listed as such; a different
 * assessment or participation, or levels the numbers cannot order, are notes apart; equal levels of one framework are
 * nothing at all. The report is headed by the receiving institution's legal name, shows the case typed in (escaped),
 * labels instead of codes, decision boxes, signature lines and a QR code with the link to the live lookup.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';
import { rankRecords, type CreditTable } from '../../node/recognition/comparison.js';
import { legalName, renderRecognitionReport, splitFlags } from '../../node/recognition/report.js';
import { formatDate } from '../../web/src/i18n/format.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const base = (JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as MicrocredentialRecord[])[0]!;
const credits: CreditTable = { hoursPerCredit: () => ({ min: 24, max: 31 }), label: (s) => s };
const variant = (patch: Partial<MicrocredentialRecord>): MicrocredentialRecord => ({ ...structuredClone(base), ...patch });

/** The same course as `base` offered elsewhere: only what `patch` changes differs. */
function compareWith(patch: Partial<MicrocredentialRecord>, localPatch: Partial<MicrocredentialRecord> = {}) {
  const foreign = { id: 'foreign.1', record: variant({ code: 'foreign', ...patch }) };
  const local = { id: 'local.1', record: variant({ code: 'local', ...localPatch }) };
  const r = rankRecords(foreign, [local], [foreign.record, local.record], credits);
  expect(r.candidates.length).toBe(1);
  return r.candidates[0]!;
}

describe('what the comparison counts as a difference', () => {
  it('lists nothing for the same course, and a different assessment or participation only as notes, in words', () => {
    expect(compareWith({}).flags).toEqual([]);
    const c = compareWith({ assessment: { type: 'exam' }, participation: { mode: 'online' } });
    const { substantial, minor, notes } = splitFlags(c.flags);
    expect(substantial).toEqual([]);
    expect(minor).toEqual([]);
    expect(notes.map((f) => f.aspect).sort()).toEqual(['assessment', 'participation']);
    const text = notes.map((f) => `${f.message.es} ${f.message.en} ${f.message.pt}`).join(' ');
    // labels from the app's catalogues, never the codes
    expect(text).toContain('Examen / Evaluación práctica');
    expect(text).toContain('Online / Blended');
    expect(text).not.toMatch(/\b(exam|practical|onsite|blended)\b/);
  });

  it('says nothing about equal levels of a framework whose levels are not numbers, and notes unordered ones', () => {
    const level = { framework: 'MNC-CL', value: 'Técnico' };
    expect(compareWith({ level }, { level }).flags.filter((f) => f.aspect === 'level')).toEqual([]);
    const other = compareWith({ level }, { level: { framework: 'MNC-CL', value: 'Profesional' } }).flags.filter((f) => f.aspect === 'level');
    expect(other.map((f) => f.severity)).toEqual(['info']);
    expect(other[0]!.message.es).not.toContain('marcos distintos');
  });

  it('keeps real differences: a lower level, much less workload, weaker quality assurance', () => {
    const c = compareWith(
      { level: { framework: 'EQF', value: '5' }, workload: { hours: 40, credits: { system: 'SCT-Chile', value: 1 } }, qualityAssurance: { type: 'internal' } },
      {},
    );
    const { substantial, minor } = splitFlags(c.flags);
    expect(substantial.map((f) => f.aspect).sort()).toEqual(['level', 'workload']);
    expect(minor.map((f) => f.aspect)).toEqual(['quality-assurance']);
    expect(minor[0]!.message.es).toBe('Aseguramiento de la calidad más débil: Interno frente a Interno y externo.');
    expect(substantial.find((f) => f.aspect === 'workload')!.message.es).toContain('(40 h) es 51 % menor que la local (81 h)');
  });
});

describe('the printable report', () => {
  const local = { did: 'did:key:z6MkLocal', name: { es: 'Universidad del Altiplano Central', en: 'Central Highlands University' }, country: 'CL' };
  const data = () => {
    const c = compareWith({ assessment: { type: 'exam' }, participation: { mode: 'online' }, workload: { hours: 40, credits: { system: 'SCT-Chile', value: 1 } } });
    return {
      verification: null,
      microcredential: { ...variant({ assessment: { type: 'exam' }, participation: { mode: 'online' } }), id: 'foreign.1' },
      institution: { did: 'did:key:z6MkForeign', name: { es: 'Instituto Tecnológico de Puebla' }, country: 'MX', member: true },
      accreditations: [],
      decisions: [],
      agreements: [],
      comparison: [c],
      comparisonSummary: { own: false, noCounterpart: false, considered: 1, closestBelowBands: null, bands: { strong: 0.5, partial: 0.3, weak: 0.2 } },
      localInstitution: local,
    };
  };
  const opts = {
    generatedAt: new Date('2026-12-02T10:00:00Z'),
    node: local.did,
    network: 'mochila-test',
    case: { student: '<b>Ana</b> Núñez', request: 'SOL-2026/0042' },
    liveUrl: 'https://registro.example.cl/recognition?microcredential=foreign.1&lang=es',
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/></svg>',
    caseForm: { action: '/api/v1/recognition/report', microcredential: 'foreign.1' },
    labels: { field: (code: string) => (code === '0913' ? { es: 'Enfermería y partería', en: 'Nursing and midwifery' } : null), level: () => null },
  };

  it("a hostile level value is text: replacement patterns ($', $`, $&) in it are not expanded", () => {
    const d = data();
    const hostileLevel = { foreign: { framework: 'MNC', value: "$'$`$&<i>" }, local: { framework: 'EQF', value: '5' } };
    const html = renderRecognitionReport({ ...d, comparison: [{ ...d.comparison[0]!, level: hostileLevel }] }, { ...opts, lang: 'es' });
    expect(html).not.toContain('\u0000');
    expect(html).not.toContain('<i>');
    expect(html).toMatch(/MNC \$(&#39;|&#x27;|')\$`\$&amp;&lt;i&gt;/);
  });

  it("says a revocation as the app's headline does, with the issuer's reason category as a label, in each language", () => {
    const since = '2026-12-03T15:00:00Z';
    const verification = {
      verified: false,
      checks: [{ id: 'status', status: 'failed', reason: 'the credential is revoked', statusChange: { purpose: 'revocation', since, reason: 'issued-in-error' } }],
    };
    const es = renderRecognitionReport({ ...data(), verification }, { ...opts, lang: 'es' });
    expect(es).toContain(`<p class="status-change" data-status-change>Revocada el ${formatDate('es', since)} — motivo: emitida por error</p>`);
    const en = renderRecognitionReport({ ...data(), verification }, { ...opts, lang: 'en' });
    expect(en).toContain(`<p class="status-change" data-status-change>Revoked on ${formatDate('en', since)} — reason: issued in error</p>`);
    // no category: the sentence alone; a verified credential: none
    const bare = { ...verification, checks: [{ ...verification.checks[0]!, statusChange: { purpose: 'suspension', since: null } }] };
    expect(renderRecognitionReport({ ...data(), verification: bare }, { ...opts, lang: 'es' })).toContain('data-status-change>Suspendida por su emisor</p>');
    expect(renderRecognitionReport(data(), { ...opts, lang: 'es' })).not.toContain('data-status-change');
  });

  it('is headed by the receiving institution, never its DID, and carries the case escaped', () => {
    const html = renderRecognitionReport(data(), { ...opts, lang: 'es' });
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    expect(header).toContain('Universidad del Altiplano Central');
    expect(header).not.toContain('did:key');
    expect(html).toContain('<title>Informe de reconocimiento de microcredencial — Control de infecciones intrahospitalarias — Universidad del Altiplano Central</title>');
    expect(html).toContain('<td data-field="student">&lt;b&gt;Ana&lt;/b&gt; Núñez</td>');
    expect(html).toContain('<td data-field="request">SOL-2026/0042</td>');
    expect(html).not.toContain('<b>Ana</b>');
    // the legal name is not translated: the English report says the Spanish name
    expect(renderRecognitionReport(data(), { ...opts, lang: 'en' })).toContain('<p class="receiving">Universidad del Altiplano Central</p>');
    expect(legalName({ es: 'Universidade (es)', pt: 'Universidade Federal' }, 'BR')).toBe('Universidade Federal');
  });

  it('lists only real differences under "Possible substantial differences" and notes apart, with labels, not codes', () => {
    const html = renderRecognitionReport(data(), { ...opts, lang: 'es' });
    const diffs = html.slice(html.indexOf('<h4>Posibles diferencias sustanciales</h4>'), html.indexOf('<h4>Notas</h4>'));
    expect(diffs).toContain('Carga de trabajo: La carga de trabajo extranjera (40 h)');
    expect(diffs).not.toContain('Tipo de evaluación distinto');
    const notes = html.slice(html.indexOf('<h4>Notas</h4>'));
    expect(notes).toContain('Tipo de evaluación distinto: Examen / Evaluación práctica.');
    expect(notes).toContain('Forma de participación distinta: En línea / Mixta.');
    // the microcredential's facts as labels
    expect(html).toContain('<dt>Tipo de evaluación</dt><dd>Examen</dd>');
    expect(html).toContain('<dt>Forma de participación</dt><dd>En línea</dd>');
    expect(html).toContain('<dt>País del emisor</dt><dd>México</dd>');
    expect(html).toContain('0913 · Enfermería y partería');
    expect(html).toContain('Interno y externo');
    expect(html).not.toMatch(/<dd>(exam|online|internal-and-external)/);
  });

  it('has decision boxes, signature and date lines, page numbers in print, and a QR code with the live link', () => {
    const html = renderRecognitionReport(data(), { ...opts, lang: 'pt' });
    expect(html).toContain('<html lang="pt-BR">');
    for (const o of ['equivalent', 'partial', 'credits', 'not-recognised']) expect(html).toContain(`id="r-o-${o}"`);
    expect(html).toContain('Equivalente');
    expect(html).toContain('Créditos concedidos');
    expect(html).toContain('Assinatura');
    expect(html).toContain('counter(page) " / " counter(pages)');
    expect(html).toContain('<svg role="img" aria-label="Código QR do link para a consulta online"');
    expect(html).toContain('<a href="https://registro.example.cl/recognition?microcredential=foreign.1&amp;lang=es"');
    expect(html).toMatch(/<header>[\s\S]*<\/header><main>[\s\S]*<\/main>\n<footer>/);
    // a hostile live URL is no link and no QR
    const bad = renderRecognitionReport(data(), { ...opts, lang: 'es', liveUrl: 'javascript:alert(1)' });
    expect(bad).not.toContain('<svg');
    expect(bad).not.toContain('javascript:');
  });
});
