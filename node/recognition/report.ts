/**
 * The registrar's printable recognition report: one self-contained HTML page (no external assets) in Spanish or
 * English, suitable for printing to PDF and attaching to a learner's file. Pure rendering: must never query data.
 */
import { createHash } from 'node:crypto';
import { safeHttpUrl } from '../core/safe-url.js';

type L = 'es' | 'en';
type LangMap = { es?: string; en?: string; pt?: string };

const T: Record<string, Record<L, string>> = {
  title: { es: 'Informe de reconocimiento de microcredencial', en: 'Microcredential recognition report' },
  generated: { es: 'Generado', en: 'Generated' },
  byNode: { es: 'por el nodo', en: 'by node' },
  network: { es: 'Red', en: 'Network' },
  verification: { es: 'Verificación de la credencial', en: 'Credential verification' },
  verified: { es: 'VERIFICADA', en: 'VERIFIED' },
  notVerified: { es: 'NO VERIFICADA', en: 'NOT VERIFIED' },
  noCredential: { es: 'Consulta por microcredencial (no se presentó una credencial).', en: 'Lookup by microcredential (no credential was presented).' },
  check: { es: 'Comprobación', en: 'Check' },
  result: { es: 'Resultado', en: 'Result' },
  reason: { es: 'Motivo', en: 'Reason' },
  microcredential: { es: 'La microcredencial', en: 'The microcredential' },
  institution: { es: 'Institución otorgante', en: 'Awarding institution' },
  country: { es: 'País', en: 'Country' },
  member: { es: 'Miembro de la red', en: 'Network member' },
  yes: { es: 'sí', en: 'yes' },
  no: { es: 'no', en: 'no' },
  outcomes: { es: 'Resultados de aprendizaje', en: 'Learning outcomes' },
  workload: { es: 'Carga de trabajo', en: 'Workload' },
  hours: { es: 'horas', en: 'hours' },
  level: { es: 'Nivel', en: 'Level' },
  field: { es: 'Campo (ISCED-F)', en: 'Field (ISCED-F)' },
  assessment: { es: 'Tipo de evaluación', en: 'Assessment type' },
  participation: { es: 'Modalidad', en: 'Form of participation' },
  qa: { es: 'Aseguramiento de la calidad', en: 'Quality assurance' },
  furtherInfo: { es: 'Información adicional', en: 'Further information' },
  agencyReport: { es: 'informe de la agencia', en: "agency's report" },
  accreditations: { es: 'Acreditaciones', en: 'Accreditations' },
  none: { es: 'Ninguna registrada en la red.', en: 'None recorded in the network.' },
  decisions: { es: 'Decisiones de otras instituciones', en: 'Decisions by other institutions' },
  noDecisions: { es: 'Ninguna institución de la red ha registrado una decisión todavía.', en: 'No institution of the network has recorded a decision yet.' },
  agreements: { es: 'Convenios aplicables', en: 'Applicable agreements' },
  noAgreements: { es: 'Ningún convenio aplicable.', en: 'No applicable agreement.' },
  comparison: { es: 'Comparación con el catálogo local (sugerencia)', en: 'Comparison with the local catalogue (suggestion)' },
  noComparison: { es: 'No hay cursos locales con los que comparar.', en: 'No local courses to compare with.' },
  candidate: { es: 'Candidato local', en: 'Local candidate' },
  score: { es: 'Afinidad', en: 'Closeness' },
  flags: { es: 'Posibles diferencias sustanciales', en: 'Potential substantial differences' },
  matched: { es: 'Resultados emparejados', en: 'Matched outcomes' },
  band: { es: 'banda', en: 'band' },
  strong: { es: 'fuerte', en: 'strong' },
  partial: { es: 'parcial', en: 'partial' },
  weak: { es: 'débil', en: 'weak' },
  parts: { es: 'Composición de la afinidad', en: 'What the closeness is made of' },
  'learning-outcomes': { es: 'Resultados de aprendizaje', en: 'Learning outcomes' },
  skills: { es: 'Competencias', en: 'Skills' },
  titlePart: { es: 'Título', en: 'Title' },
  description: { es: 'Descripción', en: 'Description' },
  shared: { es: 'en común', en: 'shared' },
  titlePairForeign: { es: 'Título extranjero ↔ resultado local', en: 'Foreign title ↔ local outcome' },
  titlePairLocal: { es: 'Título local ↔ resultado extranjero', en: 'Local title ↔ foreign outcome' },
  noCounterpart: {
    es: 'No hay ninguna microcredencial local comparable: ningún candidato alcanza la banda más baja.',
    en: 'There is no comparable local microcredential: no candidate reaches the lowest band.',
  },
  closest: { es: 'La más cercana, por debajo de la banda más baja', en: 'The closest, below the lowest band' },
  precedent: { es: 'Precedente: esta institución ya decidió que corresponde', en: 'Precedent: this institution already decided that it corresponds' },
  disclaimer: {
    es: 'Esta comparación es una sugerencia automática. La decisión corresponde a la institución receptora, conforme al Convenio de Lisboa: se reconoce salvo diferencia sustancial.',
    en: 'This comparison is an automatic suggestion. The decision belongs to the receiving institution under the Lisbon Recognition Convention: recognise unless there is a substantial difference.',
  },
  decision: { es: 'Decisión', en: 'Decision' },
  status: { es: 'Estado', en: 'Status' },
  sign: { es: 'Firma y sello del registro', en: 'Registrar signature and stamp' },
};

const OUTCOME: Record<string, Record<L, string>> = {
  equivalent: { es: 'equivalente', en: 'equivalent' },
  credits: { es: 'reconocida por créditos', en: 'recognised for credits' },
  partial: { es: 'reconocimiento parcial', en: 'partial recognition' },
  'not-recognised': { es: 'no reconocida', en: 'not recognised' },
};
const STATUS: Record<string, Record<L, string>> = {
  ok: { es: 'correcto', en: 'ok' },
  failed: { es: 'fallido', en: 'failed' },
  unchecked: { es: 'no comprobado', en: 'not checked' },
  current: { es: 'vigente', en: 'current' },
  superseded: { es: 'sustituida', en: 'superseded' },
  expired: { es: 'vencida', en: 'expired' },
  'not-yet-valid': { es: 'aún no vigente', en: 'not yet valid' },
  pending: { es: 'pendiente de firmas', en: 'pending signatures' },
  'in-force': { es: 'en vigor', en: 'in force' },
};

/** The report's one stylesheet, inline so the page is self-contained; allowed by the CSP through its hash. */
const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;max-width:900px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #0b5394;padding-bottom:2px;margin-top:24px}h3{font-size:15px}
.meta{color:#444;font-size:12px}code{font-size:11px;word-break:break-all}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef3f8}
tr.failed td{background:#fde8e8}tr.unchecked td{background:#fff6db}
.verdict{font-weight:700;font-size:16px}.verdict.ok{color:#0a6b2b}.verdict.failed{color:#a10000}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{font-weight:600}dd{margin:0}
li.substantial{color:#a10000}li.minor{color:#7a4d00}.note{font-style:italic;color:#333}
.cand{border:1px solid #ccd;padding:6px 10px;margin:8px 0;break-inside:avoid}
footer{margin-top:40px}
@media print{body{margin:0;max-width:none}a{color:inherit}details>summary{list-style:none}}
`;
/** CSP source for the report's inline stylesheet (node/http/app.ts puts it in style-src; no 'unsafe-inline'). */
export const REPORT_STYLE_HASH = `'sha256-${createHash('sha256').update(REPORT_CSS, 'utf8').digest('base64')}'`;

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
/** A URL from data: a link only if it is an absolute http(s) URL (node/core/safe-url.ts), escaped plain text otherwise. */
function link(url: unknown, label?: string): string {
  const href = safeHttpUrl(url);
  const text = esc(label ?? url);
  return href ? `<a href="${esc(href)}" rel="noopener noreferrer nofollow">${text}</a>` : `<span class="url">${text}</span>`;
}
function lm(m: LangMap | string | undefined | null, lang: L): string {
  if (!m) return '';
  if (typeof m === 'string') return m;
  return m[lang] ?? m.es ?? m.en ?? m.pt ?? '';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function renderRecognitionReport(data: Any, opts: { lang: L; generatedAt: Date; node: string; network: string }): string {
  const lang = opts.lang;
  const t = (k: string) => T[k]?.[lang] ?? k;
  const mc = data.microcredential;
  const inst = data.institution;
  const v = data.verification;
  const parts: string[] = [];
  parts.push(`<header><h1>${t('title')}</h1><p class="meta">${t('generated')} ${esc(opts.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC ${t('byNode')} <code>${esc(opts.node)}</code> · ${t('network')} <code>${esc(opts.network)}</code></p></header>`);

  parts.push(`<section><h2>${t('verification')}</h2>`);
  if (v) {
    parts.push(`<p class="verdict ${v.verified ? 'ok' : 'failed'}">${v.verified ? t('verified') : t('notVerified')}</p>`);
    parts.push(`<table><thead><tr><th>${t('check')}</th><th>${t('result')}</th><th>${t('reason')}</th></tr></thead><tbody>`);
    for (const c of (v.checks ?? []) as { id: string; status: string; reason: string }[])
      parts.push(`<tr class="${esc(c.status)}"><td>${esc(c.id)}</td><td>${esc(STATUS[c.status]?.[lang] ?? c.status)}</td><td>${esc(c.reason)}</td></tr>`);
    parts.push('</tbody></table>');
  } else parts.push(`<p>${t('noCredential')}</p>`);
  parts.push('</section>');

  if (mc) {
    parts.push(`<section><h2>${t('microcredential')}: ${esc(lm(mc.title, lang))}</h2><dl>`);
    parts.push(`<dt>${t('institution')}</dt><dd>${esc(lm(inst?.name, lang))} — ${t('member')}: ${inst?.member ? t('yes') : t('no')}</dd>`);
    parts.push(`<dt>${t('country')}</dt><dd>${esc(mc.country ?? inst?.country)}</dd>`);
    parts.push(`<dt>${t('workload')}</dt><dd>${esc(mc.workload?.hours)} ${t('hours')} · ${esc(mc.workload?.credits?.value)} ${esc(mc.workload?.credits?.system)}</dd>`);
    parts.push(`<dt>${t('level')}</dt><dd>${esc(mc.level?.framework)} ${esc(mc.level?.value)}</dd>`);
    parts.push(`<dt>${t('field')}</dt><dd>${esc(mc.fieldOfStudy?.iscedF)}</dd>`);
    parts.push(`<dt>${t('assessment')}</dt><dd>${esc(mc.assessment?.type)}</dd>`);
    parts.push(`<dt>${t('participation')}</dt><dd>${esc(mc.participation?.mode)}</dd>`);
    parts.push(`<dt>${t('qa')}</dt><dd>${esc(mc.qualityAssurance?.type)} ${esc(lm(mc.qualityAssurance?.description, lang))}</dd>`);
    if (mc.furtherInformation?.url) parts.push(`<dt>${t('furtherInfo')}</dt><dd>${link(mc.furtherInformation.url)}</dd>`);
    parts.push(`</dl><h3>${t('outcomes')}</h3><ol>`);
    for (const o of (mc.learningOutcomes ?? []) as { text: LangMap }[]) parts.push(`<li>${esc(lm(o.text, lang))}</li>`);
    parts.push('</ol></section>');
  }

  parts.push(`<section><h2>${t('accreditations')}</h2>`);
  const acc = (data.accreditations ?? []) as Any[];
  if (!acc.length) parts.push(`<p>${t('none')}</p>`);
  else {
    parts.push('<ul>');
    for (const a of acc)
      parts.push(`<li>${esc(lm(a.agency?.name, lang))}: ${esc(a.status)} (${esc(a.subject?.type)}) ${esc(a.validFrom)}${a.validUntil ? ' – ' + esc(a.validUntil) : ''}${a.reportUrl ? ' · ' + link(a.reportUrl, t('agencyReport')) : ''}</li>`);
    parts.push('</ul>');
  }
  parts.push('</section>');

  parts.push(`<section><h2>${t('decisions')}</h2>`);
  const dec = (data.decisions ?? []) as Any[];
  if (!dec.length) parts.push(`<p>${t('noDecisions')}</p>`);
  else {
    parts.push(`<table><thead><tr><th>${t('institution')}</th><th>${t('decision')}</th><th>${t('status')}</th><th>${t('reason')}</th></tr></thead><tbody>`);
    for (const d of dec)
      parts.push(
        `<tr><td>${esc(lm(d.institution?.name, lang))} (${esc(d.institution?.country)})<br><small>${esc(d.publishedAt?.slice(0, 10))}</small></td><td>${esc(OUTCOME[d.outcome]?.[lang] ?? d.outcome)}${d.credits ? ` — ${esc(d.credits.value)} ${esc(d.credits.system)}` : ''}${d.equivalentTo ? ` — ${esc(lm(d.equivalentTo.name, lang))}` : ''}</td><td>${esc(STATUS[d.status]?.[lang] ?? d.status)}</td><td>${esc(lm(d.reasons, lang))}${(d.substantialDifferences ?? []).map((x: Any) => `<br>• ${esc(x.aspect)}: ${esc(lm(x.description, lang))}`).join('')}</td></tr>`,
      );
    parts.push('</tbody></table>');
  }
  parts.push('</section>');

  parts.push(`<section><h2>${t('agreements')}</h2>`);
  const ags = (data.agreements ?? []) as Any[];
  if (!ags.length) parts.push(`<p>${t('noAgreements')}</p>`);
  else {
    parts.push('<ul>');
    for (const a of ags) parts.push(`<li>${esc(lm(a.terms?.title, lang))} — ${esc(STATUS[a.status]?.[lang] ?? a.status)}</li>`);
    parts.push('</ul>');
  }
  parts.push('</section>');

  parts.push(`<section><h2>${t('comparison')}</h2><p class="note">${t('disclaimer')}</p>`);
  const cmp = (data.comparison ?? []) as Any[];
  const summary = data.comparisonSummary as Any;
  if (!cmp.length && summary?.noCounterpart) {
    parts.push(`<p><strong>${t('noCounterpart')}</strong></p>`);
    if (summary.closestBelowBands) parts.push(`<p>${t('closest')}: ${esc(lm(summary.closestBelowBands.title, lang))} (${Math.round((summary.closestBelowBands.score ?? 0) * 100)} %)</p>`);
  } else if (!cmp.length) parts.push(`<p>${t('noComparison')}</p>`);
  for (const c of cmp.slice(0, 3)) {
    const band = typeof c.band === 'string' && T[c.band] ? ` · ${t('band')} ${t(c.band)}` : '';
    parts.push(`<article class="cand"><h3>${esc(lm(c.candidate?.title, lang))} <small>(${esc(c.candidate?.code)}) — ${t('score')} ${Math.round((c.score ?? 0) * 100)} %${band}</small></h3>`);
    if (c.precedent) parts.push(`<p><strong>${t('precedent')}</strong> (${esc(c.precedent.decisionId)}, ${esc(String(c.precedent.publishedAt ?? '').slice(0, 10))})</p>`);
    const scoreParts = (c.scoreParts ?? []) as Any[];
    if (scoreParts.length) {
      const label = (p: string) => (p === 'title' ? t('titlePart') : T[p] ? t(p) : esc(p));
      parts.push(
        `<p>${t('parts')}: ${scoreParts.map((p) => `${label(String(p.part))} ${Math.round((p.value ?? 0) * 100)} % × ${esc(p.weight)}`).join(' + ')} = ${Math.round((c.score ?? 0) * 100)} %</p>`,
      );
    }
    parts.push(
      `<p>${t('workload')}: ${esc(c.workload?.foreignHours)} h / ${esc(c.workload?.localHours)} h${c.workload?.foreignInLocalSystem ? ` · ≈ ${esc(c.workload.foreignInLocalSystem.min)}–${esc(c.workload.foreignInLocalSystem.max)} ${esc(c.workload.foreignInLocalSystem.system)}` : ''} · ${t('level')}: ${esc(c.level?.foreign?.framework)} ${esc(c.level?.foreign?.value)} / ${esc(c.level?.local?.framework)} ${esc(c.level?.local?.value)} · ${t('field')}: ${esc(c.field?.foreign)} / ${esc(c.field?.local)}</p>`,
    );
    const flags = (c.flags ?? []) as Any[];
    if (flags.length) {
      parts.push(`<p><strong>${t('flags')}</strong></p><ul>`);
      for (const f of flags) parts.push(`<li class="${esc(f.severity)}">${esc(lm(f.message, lang))}</li>`);
      parts.push('</ul>');
    }
    parts.push(`<details open><summary>${t('matched')}</summary><ul>`);
    for (const m of (c.learningOutcomes?.matches ?? []) as Any[])
      parts.push(
        `<li>${esc(m.foreignText)} → ${m.localText ? esc(m.localText) : '—'} <small>(${Math.round((m.score ?? 0) * 100)} %${Array.isArray(m.sharedTerms) && m.sharedTerms.length ? `; ${t('shared')}: ${esc(m.sharedTerms.join(', '))}` : ''})</small></li>`,
      );
    const tp = c.learningOutcomes?.titlePair as Any;
    if (tp)
      parts.push(
        `<li>${t(tp.title === 'local' ? 'titlePairLocal' : 'titlePairForeign')}: ${esc(tp.titleText)} → ${esc(tp.outcomeText)} <small>(${Math.round((tp.score ?? 0) * 100)} %${Array.isArray(tp.sharedTerms) && tp.sharedTerms.length ? `; ${t('shared')}: ${esc(tp.sharedTerms.join(', '))}` : ''})</small></li>`,
      );
    parts.push('</ul></details></article>');
  }
  parts.push('</section>');
  parts.push(`<footer><p>${t('sign')}: ______________________________</p></footer>`);

  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${t('title')}${mc ? ' — ' + esc(lm(mc.title, lang)) : ''}</title><style>${REPORT_CSS}</style></head><body>${parts.join('\n')}</body></html>`;
}
