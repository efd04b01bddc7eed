/**
 * Open Badges 3.0 baking (1EdTech OB 3.0 §"Baked Badge"): a signed credential carried inside its badge image.
 * PNG: one uncompressed `iTXt` chunk with keyword `openbadgecredential` whose text is the credential's JSON (put
 * right after IHDR; an earlier one is replaced: the spec allows one only). SVG: `xmlns:openbadges=
 * "https://purl.imsglobal.org/ob/v3p0"` on the root element and, directly after its start tag, an
 * `<openbadges:credential>` element holding the JSON in CDATA. Extraction reads either back (used by the verify
 * API, so a learner can drop the image they were given). Also a minimal PNG encoder (RGBA, no dependency).
 * Pure: never reads the network, a clock or the disk. Extraction must never trust a length field or loop without
 * bound on hostile bytes, and baking must never let credential text close the CDATA section.
 */
import { crc32, deflateSync } from 'node:zlib';

export const OB3_BAKING_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
export const PNG_KEYWORD = 'openbadgecredential';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type BakedFormat = 'png' | 'svg';

/**
 * The credential's JSON as baked: `<`, `>` and `&` written as JSON escapes (the same JSON value, so the signature
 * still holds), so the text can never hold `]]>` or anything that reads as markup.
 */
export function bakedJson(credential: unknown): string {
  return JSON.stringify(credential).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A PNG (8-bit RGBA, no interlace) of `width` x `height` pixels from `rgba` (4 bytes a pixel, rows top down). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error('encodePng: pixel buffer size does not match the image');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

interface PngChunk {
  type: string;
  /** Offset of the chunk's length field and the offset past its CRC. */
  start: number;
  end: number;
  data: Buffer;
}

/** The chunks of a PNG, or null when the bytes are not a well-formed PNG (every length checked against the buffer). */
function pngChunks(png: Buffer): PngChunk[] | null {
  if (png.length < PNG_SIGNATURE.length || !png.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  const out: PngChunk[] = [];
  let at = 8;
  while (at + 12 <= png.length) {
    const len = png.readUInt32BE(at);
    const end = at + 12 + len;
    if (len > png.length || end > png.length) return null;
    const type = png.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) return null;
    out.push({ type, start: at, end, data: png.subarray(at + 8, at + 8 + len) });
    at = end;
    if (type === 'IEND') return out;
  }
  return null;
}

/** The iTXt fields (keyword, compression flag, text); null when the chunk is malformed. */
function readItxt(data: Buffer): { keyword: string; compressed: boolean; text: Buffer } | null {
  const k = data.indexOf(0);
  if (k < 1 || k > 79 || k + 3 > data.length) return null;
  const keyword = data.toString('latin1', 0, k);
  const compressed = data[k + 1] === 1;
  const lang = data.indexOf(0, k + 3);
  if (lang < 0) return null;
  const translated = data.indexOf(0, lang + 1);
  if (translated < 0) return null;
  return { keyword, compressed, text: data.subarray(translated + 1) };
}

/** The PNG with the credential baked in (an earlier baked credential is replaced). Throws on bytes that are not a PNG. */
export function bakePng(png: Buffer, credential: unknown): Buffer {
  const chunks = pngChunks(png);
  if (!chunks || chunks[0]?.type !== 'IHDR') throw new Error('bakePng: not a PNG image');
  const itxt = chunk(
    'iTXt',
    Buffer.concat([
      Buffer.from(PNG_KEYWORD, 'latin1'),
      Buffer.from([0, 0, 0]), // keyword end, compression flag 0 (MUST NOT compress), method 0
      Buffer.from([0, 0]), // empty language tag, empty translated keyword
      Buffer.from(bakedJson(credential), 'utf8'),
    ]),
  );
  const kept = chunks.filter((c) => !(c.type === 'iTXt' && readItxt(c.data)?.keyword === PNG_KEYWORD));
  return Buffer.concat([PNG_SIGNATURE, png.subarray(kept[0]!.start, kept[0]!.end), itxt, ...kept.slice(1).map((c) => png.subarray(c.start, c.end))]);
}

/**
 * The SVG with the credential baked in: the namespace declared on the root `<svg>` element and the credential
 * element directly after its start tag. For SVGs this node writes (badge-image.ts); throws when there is no root
 * element or it already carries a credential.
 */
export function bakeSvg(svg: string, credential: unknown): string {
  const m = /<svg\b[^>]*?(\/?)>/.exec(svg);
  if (!m || m[1]) throw new Error('bakeSvg: no <svg> root element with content');
  if (/<openbadges:credential\b/.test(svg)) throw new Error('bakeSvg: the image already carries a credential');
  const tag = m[0].includes('xmlns:openbadges=')
    ? m[0]
    : `${m[0].slice(0, -1)} xmlns:openbadges="${OB3_BAKING_NAMESPACE}">`;
  const element = `<openbadges:credential><![CDATA[${bakedJson(credential)}]]></openbadges:credential>`;
  return svg.slice(0, m.index) + tag + element + svg.slice(m.index + m[0].length);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e[0] !== '#') return XML_ENTITIES[e]!;
    const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
  });
}

const CREDENTIAL_TAG = '<openbadges:credential';

/**
 * The first `<openbadges:credential` start tag (the name not followed by a word character) up to its `>`: its
 * attributes, whether it closes itself, where it starts and its length; null when there is none or it is not closed.
 * One forward scan with indexOf (a regex with a lazy `[^>]*?` rescanned the rest of the text at every occurrence of
 * the name: quadratic on an SVG of unclosed tags, minutes of CPU for the 1 MB the verify API reads).
 */
function credentialStartTag(svg: string): { 0: string; 1: string; 2: string; index: number } | null {
  let at = svg.indexOf(CREDENTIAL_TAG);
  while (at >= 0 && /\w/.test(svg[at + CREDENTIAL_TAG.length] ?? '')) at = svg.indexOf(CREDENTIAL_TAG, at + 1);
  if (at < 0) return null;
  const end = svg.indexOf('>', at + CREDENTIAL_TAG.length);
  if (end < 0) return null;
  const inner = svg.slice(at + CREDENTIAL_TAG.length, end);
  const selfClosing = inner.endsWith('/');
  return { 0: svg.slice(at, end + 1), 1: selfClosing ? inner.slice(0, -1) : inner, 2: selfClosing ? '/' : '', index: at };
}

export type Extracted =
  | { ok: true; format: BakedFormat; text: string }
  | { ok: false; format: BakedFormat | null; reason: string };

/**
 * The baked text of a PNG or SVG badge (the first `openbadgecredential` iTXt chunk, or the first
 * `<openbadges:credential>` element: its CDATA / text, or its `verify` attribute for a VC-JWT). Never throws.
 */
export function extractBaked(image: Buffer | string): Extracted {
  const buf = typeof image === 'string' ? Buffer.from(image, 'utf8') : image;
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) {
    const chunks = pngChunks(buf);
    if (!chunks) return { ok: false, format: 'png', reason: 'the PNG is truncated or malformed' };
    for (const c of chunks) {
      if (c.type !== 'iTXt') continue;
      const t = readItxt(c.data);
      if (!t || t.keyword !== PNG_KEYWORD) continue;
      if (t.compressed) return { ok: false, format: 'png', reason: 'the baked credential is compressed (Open Badges 3.0 forbids it)' };
      return { ok: true, format: 'png', text: t.text.toString('utf8') };
    }
    return { ok: false, format: 'png', reason: 'the PNG carries no "openbadgecredential" iTXt chunk (it is not a baked Open Badges 3.0 badge)' };
  }
  const svg = buf.toString('utf8');
  if (!/<svg\b/.test(svg)) return { ok: false, format: null, reason: 'not a PNG or SVG image' };
  const open = credentialStartTag(svg);
  if (!open) return { ok: false, format: 'svg', reason: 'the SVG carries no <openbadges:credential> element (it is not a baked Open Badges 3.0 badge)' };
  const verify = /\sverify\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(open[1] ?? '');
  if (verify) return { ok: true, format: 'svg', text: decodeXmlText(verify[1] ?? verify[2] ?? '') };
  if (open[2]) return { ok: false, format: 'svg', reason: 'the <openbadges:credential> element is empty' };
  const from = open.index + open[0].length;
  const close = svg.indexOf('</openbadges:credential>', from);
  if (close < 0) return { ok: false, format: 'svg', reason: 'the <openbadges:credential> element is not closed' };
  const body = svg.slice(from, close);
  // CDATA sections as they are, the text between them with its entities decoded
  let text = '';
  let at = 0;
  while (at < body.length) {
    const cs = body.indexOf('<![CDATA[', at);
    if (cs < 0) {
      text += decodeXmlText(body.slice(at));
      break;
    }
    text += decodeXmlText(body.slice(at, cs));
    const ce = body.indexOf(']]>', cs + 9);
    if (ce < 0) return { ok: false, format: 'svg', reason: 'a CDATA section in <openbadges:credential> is not closed' };
    text += body.slice(cs + 9, ce);
    at = ce + 3;
  }
  text = text.trim();
  if (!text) return { ok: false, format: 'svg', reason: 'the <openbadges:credential> element is empty' };
  return { ok: true, format: 'svg', text };
}
