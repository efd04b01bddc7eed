/**
 * The PDF certificate of an issued credential (issue 15 item 4): one A4 landscape page in Spanish, English or
 * Portuguese with the learner's name, the achievement, the issuer's legal name (as the credential gives it, never
 * translated), the dates, the workload and credits, and the public verification link printed and as a QR code.
 * The PDF is a readable copy; the signed credential stays the proof (the page says so).
 * Fonts: the PDF standard fonts (Helvetica, WinAnsi encoding: every accent of Spanish and Portuguese). A character
 * outside WinAnsi (ł, ő, CJK, emoji...) is written as its base letter when it has one (ł → l, ő → o) and as "?"
 * otherwise, so no name can make the rendering fail. Pure apart from the PDF library: never reads the network,
 * the disk or a clock (the PDF's dates are the credential's).
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { EU_TARGET_TYPES, euElementsOf } from './eu-alignments.js';

export type CertificateLanguage = 'es' | 'en' | 'pt';
export const CERTIFICATE_LANGUAGES: readonly CertificateLanguage[] = ['es', 'en', 'pt'];

const TEXTS: Record<
  CertificateLanguage,
  {
    title: string;
    certifies: string;
    earned: string;
    awardedBy: string;
    issued: string;
    validUntil: string;
    workload: string;
    hours: (n: string) => string;
    credits: string;
    level: string;
    code: string;
    id: string;
    verify: string;
    note: string;
    locale: string;
  }
> = {
  es: {
    title: 'Certificado de microcredencial',
    certifies: 'Se certifica que',
    earned: 'ha obtenido la microcredencial',
    awardedBy: 'otorgada por',
    issued: 'Fecha de emisión',
    validUntil: 'Válida hasta',
    workload: 'Carga de trabajo',
    hours: (n) => `${n} horas`,
    credits: 'Créditos',
    level: 'Nivel',
    code: 'Código',
    id: 'Identificador de la credencial',
    verify: 'Verifique este certificado en:',
    note: 'Este documento es una copia legible de una credencial digital firmada (Open Badges 3.0). La prueba es la credencial firmada: escanee el código QR o abra el enlace para verificarla.',
    locale: 'es',
  },
  en: {
    title: 'Microcredential certificate',
    certifies: 'This is to certify that',
    earned: 'has earned the microcredential',
    awardedBy: 'awarded by',
    issued: 'Issued on',
    validUntil: 'Valid until',
    workload: 'Workload',
    hours: (n) => `${n} hours`,
    credits: 'Credits',
    level: 'Level',
    code: 'Code',
    id: 'Credential identifier',
    verify: 'Verify this certificate at:',
    note: 'This document is a readable copy of a signed digital credential (Open Badges 3.0). The signed credential is the proof: scan the QR code or open the link to verify it.',
    locale: 'en',
  },
  pt: {
    title: 'Certificado de microcredencial',
    certifies: 'Certifica-se que',
    earned: 'obteve a microcredencial',
    awardedBy: 'concedida por',
    issued: 'Data de emissão',
    validUntil: 'Válida até',
    workload: 'Carga horária',
    hours: (n) => `${n} horas`,
    credits: 'Créditos',
    level: 'Nível',
    code: 'Código',
    id: 'Identificador da credencial',
    verify: 'Verifique este certificado em:',
    note: 'Este documento é uma cópia legível de uma credencial digital assinada (Open Badges 3.0). A prova é a credencial assinada: leia o código QR ou abra o link para verificá-la.',
    locale: 'pt-BR',
  },
};

/** The language of a certificate from a `?lang=` value or an Accept-Language tag (es-419 → es); null if none fits. */
export function certificateLanguage(tag: unknown): CertificateLanguage | null {
  const base = (typeof tag === 'string' ? tag : '').trim().toLowerCase().split(/[-_]/)[0];
  return (CERTIFICATE_LANGUAGES as readonly string[]).includes(base ?? '') ? (base as CertificateLanguage) : null;
}

export interface CertificateInput {
  /** The signed credential (its fields are untrusted text). */
  credential: Record<string, unknown>;
  learnerName: string;
  /** Fallback title (the microcredential id) when the credential has no achievement name. */
  microcredential: string;
  issuedAt: string;
  verifyUrl: string;
  language: CertificateLanguage;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** What the certificate shows, read from the credential (a missing or odd field is left out, never an error). */
export function certificateFacts(c: CertificateInput): {
  learner: string;
  achievement: string;
  issuer: string;
  issuedAt: string;
  validUntil: string | null;
  hours: number | null;
  credits: { value: string; system: string } | null;
  level: string | null;
  code: string | null;
  id: string;
} {
  const cred = c.credential;
  const subject = rec(cred['credentialSubject']);
  const a = rec(subject['achievement']);
  // the achievement's name in the certificate's language: its own when written in it, else its `related` edition
  const related = (Array.isArray(a['related']) ? a['related'] : []).map(rec).find((r) => s(r['inLanguage']).toLowerCase().startsWith(c.language));
  const ownLanguage = s(a['inLanguage']).toLowerCase().startsWith(c.language);
  const achievement = (!ownLanguage && s(related?.['name'])) || s(a['name']) || s(cred['name']) || c.microcredential;
  const eu = euElementsOf(a);
  const alignments = (Array.isArray(a['alignment']) ? a['alignment'] : []).map(rec);
  const creditAlignment = alignments.find((x) => x['targetType'] === EU_TARGET_TYPES.credits);
  const earned = subject['creditsEarned'];
  const creditValue =
    typeof earned === 'number' && Number.isFinite(earned)
      ? String(earned)
      : s(creditAlignment?.['targetCode']) || (typeof a['creditsAvailable'] === 'number' ? String(a['creditsAvailable']) : '');
  return {
    learner: c.learnerName || s(subject['name']),
    achievement,
    issuer: s(rec(cred['issuer'])['name']),
    issuedAt: s(cred['validFrom']) || s(cred['awardedDate']) || c.issuedAt,
    validUntil: s(cred['validUntil']) || null,
    hours: eu.workloadHours ?? null,
    credits: creditValue ? { value: creditValue, system: s(creditAlignment?.['targetFramework']) } : null,
    level: eu.level ? `${eu.level.framework} ${eu.level.value}` : null,
    code: s(a['humanCode']) || null,
    id: s(cred['id']),
  };
}

/**
 * Text the font can draw: controls and format characters (bidi overrides included) become spaces, a character
 * outside the font's encoding becomes its base letter when it has one, else "?". Bounded to `max` characters.
 */
export function drawableText(font: PDFFont, text: string, max = 300): string {
  const has = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of text.normalize('NFC').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')) {
    const cp = ch.codePointAt(0)!;
    if (has.has(cp)) out += ch;
    else {
      const base = [...ch.normalize('NFD')].filter((x) => !/\p{M}/u.test(x)).join('');
      const folded = base && [...base].every((x) => has.has(x.codePointAt(0)!)) ? base : (FOLD[ch] ?? '?');
      out += [...folded].every((x) => has.has(x.codePointAt(0)!)) ? folded : '?';
    }
    if (out.length >= max) break;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/** Latin letters that have no decomposition. */
const FOLD: Record<string, string> = { ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ø: 'o', Ø: 'O', ħ: 'h', Ħ: 'H', ı: 'i', ŋ: 'n', Ŋ: 'N', ŧ: 't', Ŧ: 'T' };

/** Lines of `text` no wider than `width` at `size` (words kept whole when they fit; at most `maxLines`). */
function fitLines(font: PDFFont, text: string, size: number, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  const fits = (t: string) => font.widthOfTextAtSize(t, size) <= width;
  for (const word of text.split(' ').filter(Boolean)) {
    const tryLine = line ? `${line} ${word}` : word;
    if (fits(tryLine)) {
      line = tryLine;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    let rest = word;
    while (!fits(rest)) {
      // the longest prefix that fits (at least one character), by bisection
      let lo = 1;
      let hi = rest.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(rest.slice(0, mid))) lo = mid;
        else hi = mid - 1;
      }
      lines.push(rest.slice(0, lo));
      rest = rest.slice(lo);
    }
    line = rest;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    let last = kept[maxLines - 1]!;
    while (last && !fits(`${last}...`)) last = last.slice(0, -1);
    kept[maxLines - 1] = `${last}...`;
    return kept;
  }
  return lines;
}

function dateIn(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 10);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

const INK = rgb(0.08, 0.13, 0.24);
const MUTED = rgb(0.35, 0.38, 0.45);
const ACCENT = rgb(0.11, 0.31, 0.54);
const GOLD = rgb(0.95, 0.72, 0.02);

/** The certificate as PDF bytes. */
export async function certificatePdf(input: CertificateInput): Promise<Uint8Array> {
  const t = TEXTS[input.language];
  const f = certificateFacts(input);
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([841.89, 595.28]); // A4 landscape
  const { width, height } = page.getSize();
  const margin = 56;

  page.drawRectangle({ x: 18, y: 18, width: width - 36, height: height - 36, borderColor: ACCENT, borderWidth: 3 });
  page.drawRectangle({ x: 26, y: 26, width: width - 52, height: height - 52, borderColor: GOLD, borderWidth: 1 });

  const textW = width - 2 * margin - 170; // the QR column on the right
  let y = height - 80;
  const draw = (p: PDFPage, text: string, o: { font: PDFFont; size: number; color?: ReturnType<typeof rgb>; maxLines?: number; gap?: number }) => {
    const clean = drawableText(o.font, text);
    if (!clean) return;
    for (const line of fitLines(o.font, clean, o.size, textW, o.maxLines ?? 1)) {
      p.drawText(line, { x: margin, y, size: o.size, font: o.font, color: o.color ?? INK });
      y -= o.size * 1.25;
    }
    y -= o.gap ?? 6;
  };

  draw(page, t.title.toUpperCase(), { font: bold, size: 13, color: ACCENT, gap: 18 });
  draw(page, t.certifies, { font: regular, size: 13, color: MUTED });
  draw(page, f.learner, { font: bold, size: 28, maxLines: 2, gap: 10 });
  draw(page, t.earned, { font: regular, size: 13, color: MUTED });
  draw(page, f.achievement, { font: bold, size: 20, color: ACCENT, maxLines: 2, gap: 10 });
  if (f.issuer) {
    draw(page, t.awardedBy, { font: regular, size: 13, color: MUTED });
    draw(page, f.issuer, { font: bold, size: 14, maxLines: 2, gap: 16 });
  }
  const rows: [string, string][] = [[t.issued, dateIn(f.issuedAt, t.locale)]];
  if (f.validUntil) rows.push([t.validUntil, dateIn(f.validUntil, t.locale)]);
  if (f.hours !== null) rows.push([t.workload, t.hours(new Intl.NumberFormat(t.locale).format(f.hours))]);
  if (f.credits) rows.push([t.credits, `${f.credits.value}${f.credits.system ? ` ${f.credits.system}` : ''}`]);
  if (f.level) rows.push([t.level, f.level]);
  if (f.code) rows.push([t.code, f.code]);
  for (const [label, value] of rows) {
    const l = `${drawableText(bold, label)}: `;
    page.drawText(l, { x: margin, y, size: 11, font: bold, color: INK });
    const lw = bold.widthOfTextAtSize(l, 11);
    const v = fitLines(regular, drawableText(regular, value), 11, textW - lw, 1)[0] ?? '';
    page.drawText(v, { x: margin + lw, y, size: 11, font: regular, color: INK });
    y -= 16;
  }

  // the verification link: printed (wrapped anywhere: a URL has no spaces) and as a QR code
  const qrSize = 150;
  const qrX = width - margin - qrSize;
  const qrY = 120;
  const qrPng = await QRCode.toBuffer(input.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  page.drawImage(await doc.embedPng(qrPng), { x: qrX, y: qrY, width: qrSize, height: qrSize });
  let vy = 104;
  page.drawText(drawableText(bold, t.verify), { x: margin, y: vy, size: 10, font: bold, color: INK });
  vy -= 14;
  const url = drawableText(regular, input.verifyUrl, 600);
  for (const line of fitLines(regular, url, 9, width - 2 * margin, 2)) {
    page.drawText(line, { x: margin, y: vy, size: 9, font: regular, color: ACCENT });
    vy -= 12;
  }
  for (const line of fitLines(regular, drawableText(regular, `${t.id}: ${f.id}`), 8, width - 2 * margin, 1)) {
    page.drawText(line, { x: margin, y: vy, size: 8, font: regular, color: MUTED });
    vy -= 11;
  }
  for (const line of fitLines(regular, drawableText(regular, t.note), 8, width - 2 * margin, 2)) {
    page.drawText(line, { x: margin, y: vy, size: 8, font: regular, color: MUTED });
    vy -= 11;
  }

  // document information: UTF-16 text (any character), cut at a character boundary
  const clip = (v: string) => [...v].slice(0, 300).join('');
  doc.setTitle(clip(`${t.title}: ${f.achievement} — ${f.learner}`));
  if (f.issuer) doc.setAuthor(clip(f.issuer));
  doc.setSubject(clip(f.achievement));
  doc.setLanguage(t.locale);
  doc.setCreator('MOCHILA registry');
  doc.setProducer('MOCHILA registry (pdf-lib)');
  const when = new Date(f.issuedAt);
  if (!Number.isNaN(when.getTime())) {
    doc.setCreationDate(when);
    doc.setModificationDate(when);
  }
  return doc.save();
}
