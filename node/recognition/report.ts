/**
 * The registrar's printable recognition report: one self-contained HTML page (no external assets, no script) in
 * Spanish, English or Portuguese, to print or save as PDF and file with a learner's request. It is headed by the
 * receiving institution's legal name (never translated, never a DID), carries the case (student, request number)
 * the registrar types in, decision boxes and signature lines, a QR code and link back to the live lookup, and
 * page numbers in print. Words, labels of codes and number formats come from the web app's catalogues
 * (web/src/i18n/messages.ts, format.ts), so the report says what the app says. Pure rendering: must never query
 * data; everything it shows comes in through its arguments, and every value from them is escaped.
 */
import { createHash } from 'node:crypto';
import { langText } from '../core/lang-text.js';
import { safeHttpUrl } from '../core/safe-url.js';
import { findField, findLevel, type ReferenceData } from '../catalogue/reference-data.js';
import { codeLabel, message, type MessageLang } from '../../web/src/i18n/messages.js';
import { formatDate, formatNumber, localeOf } from '../../web/src/i18n/format.js';
import { statusChangeSentence, type StatusChangeLike } from '../../web/src/i18n/status-headline.js';
import type { MessageKey } from '../../web/src/i18n/es.js';

type L = MessageLang;
type LangMap = { es?: string; en?: string; pt?: string };

/** Labels the report needs from reference data (ISCED-F fields, level frameworks); the caller holds the tables. */
export interface ReportLabels {
  field(code: string): LangMap | null;
  level(framework: string, value: string): LangMap | null;
}

/** The report's labels from the reference tables (ISCED-F fields, level frameworks) a caller loaded. */
export function referenceLabels(ref: ReferenceData): ReportLabels {
  return { field: (code) => findField(ref, code)?.label ?? null, level: (framework, value) => findLevel(ref, framework, value)?.label ?? null };
}

export interface ReportOptions {
  lang: L;
  generatedAt: Date;
  /** this node's DID and network id: technical details at the foot of the page only */
  node: string;
  network: string;
  /** the case as the registrar typed it (query parameters); blank lines to write on when absent */
  case?: { student?: string; request?: string };
  /** the live lookup's address and its QR code as SVG markup (rendered by the caller with `qrcode`) */
  liveUrl?: string;
  qrSvg?: string;
  /** where the case form on the page submits to (GET), with the microcredential it keeps; none for a POSTed credential */
  caseForm?: { action: string; microcredential: string };
  labels?: ReportLabels;
}

/** The report's one stylesheet, inline so the page is self-contained; allowed by the CSP through its hash. */
const REPORT_CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;max-width:900px;margin:24px auto;padding:0 16px;overflow-wrap:anywhere}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #0b5394;padding-bottom:2px;margin-top:24px}h3{font-size:15px}h4{font-size:14px;margin:8px 0 4px}
.receiving{font-size:20px;font-weight:700;margin:0}.kicker{margin:0;color:#444;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.meta{color:#444;font-size:12px}code{font-size:11px;word-break:break-all}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef3f8}
tr.failed td{background:#fde8e8}tr.unchecked td{background:#fff6db}
.verdict{font-weight:700;font-size:16px}.verdict.ok{color:#0a6b2b}.verdict.failed{color:#a10000}
dl{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:2px 12px}dt{font-weight:600}dd{margin:0}
li.substantial{color:#a10000}li.minor{color:#7a4d00}.note{font-style:italic;color:#333}
.cand{border:1px solid #ccd;padding:6px 10px;margin:8px 0;break-inside:avoid}
.case th{width:30%}.case td{height:2em}.blank{display:inline-block;min-width:16em;border-bottom:1px solid #333}
.boxes{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 24px}.boxes label{display:flex;gap:6px;align-items:center}
.boxes input{width:18px;height:18px;margin:0}
.lines{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:28px 24px;margin-top:28px}
.line{border-top:1px solid #333;padding-top:4px;font-size:12px}
.live{display:flex;gap:16px;align-items:center;flex-wrap:wrap;break-inside:avoid}.live svg{width:128px;height:128px;flex:none}
form.fill{border:1px dashed #0b5394;padding:8px 12px;margin:12px 0;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end}
form.fill label{display:flex;flex-direction:column;font-size:12px;font-weight:600}form.fill input{font:inherit;padding:4px 6px;min-width:0;max-width:100%}
form.fill button{font:inherit;padding:5px 12px;background:#0b5394;color:#fff;border:0;border-radius:4px}
footer{margin-top:32px;font-size:11px;color:#444}
@page{size:A4;margin:18mm 16mm 20mm;@bottom-right{content:counter(page) " / " counter(pages);font:10px system-ui,sans-serif;color:#444}}
@media print{body{margin:0;max-width:none;padding:0}a{color:inherit}details>summary{list-style:none}.screen-only{display:none}h2{break-after:avoid}}
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
/** A record's text in the report's language, falling back es → en → pt; a blank text counts as absent (node/core/lang-text.ts). */
const lm = (m: LangMap | string | undefined | null, lang: L): string => langText(m, lang);
/**
 * An institution's legal name as it registered it: the name in the language of its country (Portuguese for Brazil
 * and Portugal, else Spanish, else whatever it gave), whatever the report's language — legal names are not translated.
 */
export function legalName(name: LangMap | null | undefined, country: string | null | undefined): string {
  if (!name) return '';
  const c = String(country ?? '').toUpperCase();
  const order: (keyof LangMap)[] = c === 'BR' || c === 'PT' ? ['pt', 'es', 'en'] : ['es', 'pt', 'en'];
  for (const k of order) if (name[k]) return name[k]!;
  return '';
}
function countryName(code: unknown, lang: L): string {
  if (typeof code !== 'string' || !/^[A-Za-z]{2}$/.test(code)) return esc(code);
  try {
    return esc(new Intl.DisplayNames([localeOf(lang)], { type: 'region' }).of(code.toUpperCase()) ?? code);
  } catch {
    return esc(code);
  }
}
/** A case field typed by the registrar: a short single line (hostile input: trimmed, bounded, escaped on output). */
export function caseValue(v: unknown): string {
  if (typeof v !== 'string') return '';
  let out = '';
  for (const ch of v) out += ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch;
  return out.trim().slice(0, 120);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
type Flag = { aspect: string; severity: string; message: LangMap };

/** Splits a candidate's flags: differences (substantial, then minor) apart from informational notes. */
export function splitFlags(flags: Flag[] | undefined): { substantial: Flag[]; minor: Flag[]; notes: Flag[] } {
  const all = flags ?? [];
  return { substantial: all.filter((f) => f.severity === 'substantial'), minor: all.filter((f) => f.severity === 'minor'), notes: all.filter((f) => f.severity !== 'substantial' && f.severity !== 'minor') };
}

export function renderRecognitionReport(data: Any, opts: ReportOptions): string {
  const lang = opts.lang;
  const t = (k: MessageKey, vars?: Record<string, string | number>) => esc(message(lang, k, vars));
  const label = (prefix: string, v: unknown) => esc(codeLabel(lang, prefix, typeof v === 'string' ? v : String(v ?? '')));
  const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? formatNumber(lang, n) : esc(n));
  const pct = (x: unknown) => Math.round((typeof x === 'number' ? x : 0) * 100);
  // a bounded list (the lookup's `lists`) that left some out: say how many more there are
  const more = (list: 'accreditations' | 'decisions' | 'agreements') => {
    const b = (data.lists as Any)?.[list];
    const n = typeof b?.total === 'number' && typeof b?.shown === 'number' ? b.total - b.shown : 0;
    if (n > 0) parts.push(`<p class="more" data-more="${list}">${t('list.more', { n: formatNumber(lang, n) })}</p>`);
  };
  const fieldLabel = (code: unknown) => {
    const c = String(code ?? '');
    if (!c) return '';
    for (let n = c.length; n >= 2; n--) {
      const f = opts.labels?.field(c.slice(0, n));
      if (f) return `${esc(c)} · ${esc(lm(f, lang))}`;
    }
    return esc(c);
  };
  const levelLabel = (l: Any) => {
    if (!l) return '';
    const found = opts.labels?.level(String(l.framework ?? ''), String(l.value ?? ''));
    return found ? esc(lm(found, lang)) : `${esc(l.framework)} ${esc(l.value)}`;
  };
  // a compared side's accreditations in force, named (plain text: t() escapes the sentence it goes into)
  const accredited = (by: unknown) =>
    Array.isArray(by) && by.length
      ? (by as Any[]).map((a) => message(lang, a.validUntil ? 'rec.accreditedByUntil' : 'rec.accreditedBy', { agency: lm(a.agency, lang) || String(a.agencyDid ?? ''), date: formatDate(lang, String(a.validUntil ?? '')) })).join('; ')
      : message(lang, 'mc.notAccredited');
  const mc = data.microcredential;
  const inst = data.institution;
  const local = data.localInstitution;
  const v = data.verification;
  const receiving = legalName(local?.name, local?.country);
  const parts: string[] = [];

  parts.push('<header>');
  parts.push(`<p class="kicker">${t('report.receiving')}</p><p class="receiving">${esc(receiving) || '—'}</p>`);
  parts.push(`<h1>${t('report.title')}</h1>`);
  parts.push(`<p class="meta">${t('report.generated', { date: formatDate(lang, opts.generatedAt.toISOString(), true) })}</p>`);
  parts.push('</header><main>');

  // the case: what the registrar typed, or lines to write on
  const student = caseValue(opts.case?.student);
  const request = caseValue(opts.case?.request);
  parts.push(`<section aria-labelledby="r-case"><h2 id="r-case">${t('report.case')}</h2>`);
  parts.push(
    `<table class="case"><tbody><tr><th scope="row">${t('report.student')}</th><td data-field="student">${esc(student)}</td></tr><tr><th scope="row">${t('report.request')}</th><td data-field="request">${esc(request)}</td></tr></tbody></table>`,
  );
  if (opts.caseForm)
    parts.push(
      `<form class="fill screen-only" method="get" action="${esc(opts.caseForm.action)}"><input type="hidden" name="microcredential" value="${esc(opts.caseForm.microcredential)}"><input type="hidden" name="lang" value="${esc(lang)}"><label for="r-student">${t('report.student')}<input id="r-student" name="student" maxlength="120" value="${esc(student)}"></label><label for="r-request">${t('report.request')}<input id="r-request" name="request" maxlength="120" value="${esc(request)}"></label><button type="submit">${t('report.fill')}</button><span class="meta">${t('report.caseHint')}</span></form>`,
    );
  parts.push('</section>');

  parts.push(`<section aria-labelledby="r-ver"><h2 id="r-ver">${t('report.verification')}</h2>`);
  if (v) {
    parts.push(`<p class="verdict ${v.verified ? 'ok' : 'failed'}">${v.verified ? t('report.verified') : t('report.notVerified')}</p>`);
    // a revocation or suspension said as the app's headline says it, with the issuer's reason category if it gave one
    const sc = ((v.checks ?? []) as { id: string; status: string; statusChange?: StatusChangeLike }[]).find((c) => c.id === 'status' && c.status === 'failed')?.statusChange;
    if (sc && (sc.purpose === 'revocation' || sc.purpose === 'suspension'))
      parts.push(
        `<p class="status-change" data-status-change>${esc(statusChangeSentence(sc, (k, vars) => message(lang, k, vars), (prefix, value) => codeLabel(lang, prefix, value), (d) => formatDate(lang, d)))}</p>`,
      );
    parts.push(`<table><thead><tr><th scope="col">${t('report.check')}</th><th scope="col">${t('report.result')}</th><th scope="col">${t('report.reason')}</th></tr></thead><tbody>`);
    for (const c of (v.checks ?? []) as { id: string; status: string; reason: string }[])
      parts.push(`<tr class="${esc(c.status)}"><td>${label('verify.check.', c.id)}</td><td>${label('report.status.', c.status)}</td><td>${esc(c.reason)}</td></tr>`);
    parts.push('</tbody></table>');
  } else parts.push(`<p>${t('report.noCredential')}</p>`);
  parts.push('</section>');

  if (mc) {
    const row = (k: MessageKey, value: string) => (value.trim() ? `<dt>${t(k)}</dt><dd>${value}</dd>` : '');
    parts.push(`<section aria-labelledby="r-mc"><h2 id="r-mc">${t('report.microcredential')}: ${esc(lm(mc.title, lang))}</h2><dl>`);
    parts.push(row('mc.awardingBody', `${esc(legalName(inst?.name, inst?.country ?? mc.country))} — ${t('report.member')}: ${inst?.member ? t('app.yes') : t('app.no')}`));
    parts.push(row('mc.country', countryName(mc.country ?? inst?.country, lang)));
    const w = mc.workload;
    if (w) parts.push(row('mc.workload', t('mc.workloadValue', { hours: num(w.hours), credits: num(w.credits?.value), system: String(w.credits?.system ?? '') })));
    parts.push(row('mc.level', levelLabel(mc.level)));
    parts.push(row('mc.field', fieldLabel(mc.fieldOfStudy?.iscedF)));
    parts.push(row('mc.assessment', label('enum.assessment.', mc.assessment?.type)));
    parts.push(row('mc.participation', label('enum.participation.', mc.participation?.mode)));
    parts.push(row('mc.qa', [label('enum.qa.', mc.qualityAssurance?.type), esc(lm(mc.qualityAssurance?.description, lang))].filter(Boolean).join(' — ')));
    if (mc.furtherInformation?.url) parts.push(row('mc.furtherInfo', link(mc.furtherInformation.url)));
    parts.push(`</dl><h3>${t('mc.outcomes')}</h3><ol>`);
    for (const o of (mc.learningOutcomes ?? []) as { text: LangMap }[]) parts.push(`<li>${esc(lm(o.text, lang))}</li>`);
    parts.push('</ol></section>');
  }

  parts.push(`<section aria-labelledby="r-acc"><h2 id="r-acc">${t('mc.accreditations')}</h2>`);
  const acc = (data.accreditations ?? []) as Any[];
  if (!acc.length) parts.push(`<p>${t('mc.noAccreditations')}</p>`);
  else {
    parts.push('<ul>');
    for (const a of acc)
      parts.push(
        `<li>${esc(legalName(a.agency?.name, a.agency?.country))}: ${label('enum.accreditationStatus.', a.status)}${a.withdrawnOn ? ' ' + esc(formatDate(lang, a.withdrawnOn)) : ''} · ${esc(formatDate(lang, a.validFrom))}${a.validUntil ? ' – ' + esc(formatDate(lang, a.validUntil)) : ''}${a.subject?.type === 'programme' ? ' · ' + t('mc.accreditationOfProgramme') : a.subject?.type === 'institution' ? ' · ' + t('mc.accreditationOfInstitution') : ''}${a.viaProgramme ? ' · ' + t('mc.accreditationViaProgramme', { title: lm(a.viaProgramme.title, lang) }) : ''}${Array.isArray(a.standards) && a.standards.length ? ' · ' + t('mc.accreditationStandards') + ': ' + (a.standards as Any[]).map((st) => (st.url ? link(st.url, lm(st.name, lang) || String(st.id)) : esc(lm(st.name, lang) || st.id))).join(', ') : ''}${a.decision ? ' · ' + t('mc.accreditationDecision') + ': ' + esc(lm(a.decision, lang)) : ''}${a.reportUrl ? ' · ' + link(a.reportUrl, message(lang, 'mc.accreditationReport')) : ''}</li>`,
      );
    parts.push('</ul>');
  }
  more('accreditations');
  parts.push('</section>');

  parts.push(`<section aria-labelledby="r-dec"><h2 id="r-dec">${t('rec.decisions')}</h2>`);
  const dec = (data.decisions ?? []) as Any[];
  if (!dec.length) parts.push(`<p>${t('rec.noDecisions')}</p>`);
  else {
    parts.push(`<table><thead><tr><th scope="col">${t('mc.institution')}</th><th scope="col">${t('dec.outcome')}</th><th scope="col">${t('mc.status')}</th><th scope="col">${t('dec.reasons')}</th></tr></thead><tbody>`);
    for (const d of dec)
      parts.push(
        `<tr><td>${esc(legalName(d.institution?.name, d.institution?.country))} (${countryName(d.institution?.country, lang)})<br><small>${esc(formatDate(lang, d.publishedAt))}</small></td><td>${label('enum.outcome.', d.outcome)}${d.credits ? ` — ${num(d.credits.value)} ${esc(d.credits.system)}` : ''}${d.equivalentTo ? ` — ${esc(lm(d.equivalentTo.name, lang))}` : ''}</td><td>${label('enum.decision.', d.status)}</td><td>${esc(lm(d.reasons, lang))}${(d.substantialDifferences ?? []).map((x: Any) => `<br>• ${label('enum.aspect.', x.aspect)}: ${esc(lm(x.description, lang))}`).join('')}</td></tr>`,
      );
    parts.push('</tbody></table>');
  }
  more('decisions');
  parts.push('</section>');

  parts.push(`<section aria-labelledby="r-agr"><h2 id="r-agr">${t('rec.agreements')}</h2>`);
  const ags = (data.agreements ?? []) as Any[];
  if (!ags.length) parts.push(`<p>${t('rec.noAgreements')}</p>`);
  else {
    parts.push('<ul>');
    for (const a of ags) parts.push(`<li>${esc(lm(a.terms?.title, lang))} — ${label('enum.agreement.', a.status)}</li>`);
    parts.push('</ul>');
  }
  more('agreements');
  parts.push('</section>');

  parts.push(`<section aria-labelledby="r-cmp"><h2 id="r-cmp">${t('rec.comparison')}</h2><p class="note">${t('report.disclaimer')}</p>`);
  const cmp = (data.comparison ?? []) as Any[];
  const summary = data.comparisonSummary as Any;
  if (!cmp.length && summary?.noCounterpart) {
    parts.push(`<p><strong>${t('rec.noCounterpart', { weak: `${pct(summary.bands?.weak ?? 0.2)} %` })}</strong></p>`);
    if (summary.closestBelowBands) parts.push(`<p>${t('rec.closest', { title: lm(summary.closestBelowBands.title, lang), score: pct(summary.closestBelowBands.score) })}</p>`);
  } else if (!cmp.length) parts.push(`<p>${t('rec.noComparison')}</p>`);
  for (const c of cmp.slice(0, 3)) {
    const band = typeof c.band === 'string' ? ` · ${t('rec.band')}: ${label('enum.band.', c.band)}` : '';
    parts.push(`<article class="cand"><h3>${esc(lm(c.candidate?.title, lang))} <small>(${esc(c.candidate?.code)}) — ${t('rec.score')}: ${pct(c.score)} %${band}</small></h3>`);
    if (c.precedent) parts.push(`<p><strong>${t('rec.precedent', { outcome: codeLabel(lang, 'enum.outcome.', c.precedent.outcome), date: formatDate(lang, c.precedent.publishedAt) })}</strong></p>`);
    const scoreParts = (c.scoreParts ?? []) as Any[];
    if (scoreParts.length)
      parts.push(
        `<p>${t('rec.parts')}: ${scoreParts.map((p) => esc(message(lang, 'rec.part', { part: codeLabel(lang, 'enum.part.', String(p.part)), value: pct(p.value), weight: formatNumber(lang, Number(p.weight) || 0), contribution: pct(p.contribution), n: pct(p.contribution) }))).join(' · ')}</p>`,
      );
    const fls = c.workload?.foreignInLocalSystem;
    parts.push(
      `<ul><li>${t('rec.workload', { foreign: num(c.workload?.foreignHours), local: num(c.workload?.localHours) })}${fls ? ` (${t('rec.inLocal', { min: num(fls.min), max: num(fls.max), system: String(fls.system ?? '') })})` : ''}</li><li>${esc(message(lang, 'rec.levelCmp', { foreign: '\u0000F', local: '\u0000L' })).replace('\u0000F', () => levelLabel(c.level?.foreign)).replace('\u0000L', () => levelLabel(c.level?.local))}</li><li>${esc(message(lang, 'rec.fieldCmp', { foreign: '\u0000F', local: '\u0000L', match: codeLabel(lang, 'enum.match.', c.field?.match) })).replace('\u0000F', () => fieldLabel(c.field?.foreign)).replace('\u0000L', () => fieldLabel(c.field?.local))}</li><li>${t('rec.accreditationCmp', { foreign: accredited(c.qualityAssurance?.foreignAccreditedBy), local: accredited(c.qualityAssurance?.localAccreditedBy) })}</li></ul>`,
    );
    // only real differences under the differences heading; informational notes stand apart
    const { substantial, minor, notes } = splitFlags(c.flags);
    parts.push(`<h4>${t('rec.differences')}</h4>`);
    if (!substantial.length) parts.push(`<p data-differences="0">${t('rec.noDifferences')}</p>`);
    else parts.push(`<ul data-differences="${substantial.length}">${substantial.map((f) => `<li class="substantial">${label('enum.aspect.', f.aspect)}: ${esc(lm(f.message, lang))}</li>`).join('')}</ul>`);
    if (minor.length) parts.push(`<h4>${t('rec.minorDifferences')}</h4><ul>${minor.map((f) => `<li class="minor">${label('enum.aspect.', f.aspect)}: ${esc(lm(f.message, lang))}</li>`).join('')}</ul>`);
    if (notes.length) parts.push(`<h4>${t('rec.notes')}</h4><ul class="notes">${notes.map((f) => `<li>${label('enum.aspect.', f.aspect)}: ${esc(lm(f.message, lang))}</li>`).join('')}</ul>`);
    parts.push(`<details open><summary>${t('rec.outcomes')} (${pct(c.learningOutcomes?.score)} %)</summary><ul>`);
    for (const m of (c.learningOutcomes?.matches ?? []) as Any[])
      parts.push(
        `<li>${esc(m.foreignText)} → ${m.localText ? esc(m.localText) : '—'} <small>(${pct(m.score)} %${Array.isArray(m.sharedTerms) && m.sharedTerms.length ? `; ${t('rec.shared', { terms: m.sharedTerms.join(', ') })}` : ''})</small></li>`,
      );
    const tp = c.learningOutcomes?.titlePair as Any;
    if (tp)
      parts.push(
        `<li>${t(tp.title === 'local' ? 'rec.titlePair.local' : 'rec.titlePair.foreign')}: ${esc(tp.titleText)} → ${esc(tp.outcomeText)} <small>(${pct(tp.score)} %${Array.isArray(tp.sharedTerms) && tp.sharedTerms.length ? `; ${t('rec.shared', { terms: tp.sharedTerms.join(', ') })}` : ''})</small></li>`,
      );
    parts.push('</ul></details></article>');
  }
  parts.push('</section>');

  // the decision, by hand: boxes, credits, and the lines to sign
  parts.push(`<section aria-labelledby="r-decide"><h2 id="r-decide">${t('report.decision')}</h2><ul class="boxes">`);
  for (const o of ['equivalent', 'partial', 'credits', 'not-recognised'])
    parts.push(`<li><label for="r-o-${o}"><input type="checkbox" id="r-o-${o}" name="outcome" value="${o}">${label('enum.outcome.', o)}</label></li>`);
  parts.push('</ul>');
  parts.push(
    `<div class="lines"><div class="line">${t('report.creditsGranted')}</div><div class="line">${t('dec.equivalentName')}</div><div class="line">${t('dec.conditions')}</div></div>`,
  );
  parts.push(
    `<div class="lines"><div class="line">${t('report.signName')}</div><div class="line">${t('report.signature')}</div><div class="line">${t('report.date')}</div><div class="line">${t('report.stamp')}</div></div>`,
  );
  parts.push('</section>');

  const live = safeHttpUrl(opts.liveUrl);
  if (live) {
    const svg = typeof opts.qrSvg === 'string' && opts.qrSvg.startsWith('<svg') ? opts.qrSvg.replace('<svg', `<svg role="img" aria-label="${t('report.qrLabel')}"`) : '';
    parts.push(`<section aria-labelledby="r-live"><h2 id="r-live">${t('report.live')}</h2><div class="live">${svg}<p>${t('report.liveHint')}<br>${link(live)}</p></div></section>`);
  }
  parts.push('</main>');
  parts.push(`<footer><p>${t('report.technical')}: ${t('report.node')} <code>${esc(opts.node)}</code> · ${t('report.network')} <code>${esc(opts.network)}</code></p></footer>`);

  const title = `${message(lang, 'report.title')}${mc ? ' — ' + lm(mc.title, lang) : ''}${receiving ? ' — ' + receiving : ''}`;
  return `<!doctype html><html lang="${localeOf(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body>${parts.join('\n')}</body></html>`;
}
