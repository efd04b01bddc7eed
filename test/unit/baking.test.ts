// Open Badges 3.0 baking and the badge images (node/credentials/baking.ts, badge-image.ts) and the certificate's text
// rules (certificate-pdf.ts): round trips whatever the credential's text, one baked credential per image, hostile
// images answered with a reason (never a throw or a read past the buffer), the PNG medal's QR code readable, and a
// certificate written for names its fonts cannot draw.
import { describe, expect, it } from 'vitest';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import jsQRImport from 'jsqr';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { bakePng, bakeSvg, encodePng, extractBaked, PNG_KEYWORD } from '../../node/credentials/baking.js';
import { badgePng, badgeSvg, bakedBadgePng, wrapText, xmlText } from '../../node/credentials/badge-image.js';
import { certificatePdf, drawableText } from '../../node/credentials/certificate-pdf.js';
import { readPdf } from '../helpers/pdf.js';

const jsQR = ((jsQRImport as unknown as { default?: unknown }).default ?? jsQRImport) as typeof jsQRImport.default;
const URL_ = 'https://registro.example.cl/verify?credential=urn%3Auuid%3A0b0e7a52-4f0c-4c1e-9a55-9d6f1f2f3a4b';
const hostile = {
  id: 'urn:uuid:x',
  name: 'Curso ]]> <script>alert(1)</script> & "x" \u202E ñ 中文 🎓',
  credentialSubject: { name: ']]>]]]]><![CDATA[' },
};

const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}
function chunkTypes(png: Buffer): string[] {
  const out: string[] = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) out.push(png.toString('latin1', at + 4, at + 8));
  return out;
}
/** The test's own reading of an RGBA PNG without filters (what encodePng writes). */
function pixels(png: Buffer): { width: number; height: number; data: Uint8ClampedArray } {
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    out.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, data: out };
}

describe('Open Badges 3.0 baking', () => {
  it('bakes a PNG with one uncompressed openbadgecredential iTXt chunk right after IHDR, and reads it back', () => {
    const png = bakePng(encodePng(2, 2, new Uint8Array(16).fill(255)), hostile);
    expect(chunkTypes(png)).toEqual(['IHDR', 'iTXt', 'IDAT', 'IEND']);
    const x = extractBaked(png);
    expect(x.ok && JSON.parse(x.text)).toEqual(hostile);
    // baking again replaces the credential (the spec allows one chunk)
    const again = bakePng(png, { id: 'urn:uuid:y' });
    expect(chunkTypes(again)).toEqual(['IHDR', 'iTXt', 'IDAT', 'IEND']);
    const y = extractBaked(again);
    expect(y.ok && JSON.parse(y.text)).toEqual({ id: 'urn:uuid:y' });
  });

  it('bakes an SVG whose CDATA no credential text can close, and reads it back', () => {
    const svg = bakeSvg(badgeSvg({ achievement: hostile.name, issuer: 'U', issuedOn: '2026-01-01', verifyUrl: URL_ }), hostile);
    expect(svg.split(']]>')).toHaveLength(2);
    expect(svg).not.toMatch(/<script/);
    const x = extractBaked(svg);
    expect(x.ok && JSON.parse(x.text)).toEqual(hostile);
    expect(() => bakeSvg(svg, hostile)).toThrow(/already/);
  });

  it('reads the other forms the spec allows: a VC-JWT in verify="", escaped text, several CDATA sections', () => {
    const ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"';
    expect(extractBaked(`<svg ${ns}><openbadges:credential verify="a.b.c"></openbadges:credential></svg>`)).toEqual({ ok: true, format: 'svg', text: 'a.b.c' });
    expect(extractBaked(`<svg ${ns}><openbadges:credential>{"a":"&lt;&amp;&#x41;"}</openbadges:credential></svg>`)).toEqual({ ok: true, format: 'svg', text: '{"a":"<&A"}' });
    expect(extractBaked(`<svg ${ns}><openbadges:credential><![CDATA[{"a":"]]]]><![CDATA[>"}]]></openbadges:credential></svg>`)).toEqual({ ok: true, format: 'svg', text: '{"a":"]]>"}' });
  });

  it('answers hostile or plain images with a reason, never a throw', () => {
    const ihdr = chunk('IHDR', Buffer.alloc(13));
    const cases: [Buffer | string, RegExp][] = [
      [Buffer.from('hello'), /not a PNG or SVG/],
      [Buffer.alloc(0), /not a PNG or SVG/],
      [SIG, /truncated or malformed/],
      [Buffer.concat([SIG, ihdr.subarray(0, 10)]), /truncated or malformed/],
      // a length field far past the end of the buffer
      [Buffer.concat([SIG, Buffer.from([0xff, 0xff, 0xff, 0xf0]), Buffer.from('iTXt'), Buffer.alloc(20)]), /truncated or malformed/],
      [Buffer.concat([SIG, ihdr, chunk('IEND', Buffer.alloc(0))]), /no "openbadgecredential" iTXt/],
      [Buffer.concat([SIG, ihdr, chunk('iTXt', Buffer.concat([Buffer.from(PNG_KEYWORD), Buffer.from([0, 1, 0, 0, 0]), deflateSync('{}')])), chunk('IEND', Buffer.alloc(0))]), /compressed/],
      ['<svg xmlns="http://www.w3.org/2000/svg"></svg>', /no <openbadges:credential>/],
      ['<svg><openbadges:credential><![CDATA[{"a":1}</openbadges:credential></svg>', /not closed/],
      ['<svg><openbadges:credential>{"a":1}</svg>', /not closed/],
      ['<svg><openbadges:credential/></svg>', /empty/],
    ];
    for (const [input, reason] of cases) {
      const x = extractBaked(input);
      expect(x.ok, String(input).slice(0, 40)).toBe(false);
      expect(!x.ok && x.reason).toMatch(reason);
    }
    expect(() => bakePng(Buffer.from('not a png'), {})).toThrow(/not a PNG/);
  });
});

describe('badge images', () => {
  it('draws a PNG medal whose QR code opens the verification link, baked', () => {
    const png = bakedBadgePng(URL_, hostile);
    const { width, height, data } = pixels(png);
    expect([width, height]).toEqual([400, 400]);
    expect(jsQR(data, width, height)?.data).toBe(URL_);
    // the same image as the unbaked one: baking adds a chunk and changes no pixel
    expect(Buffer.from(pixels(badgePng(URL_)).data).equals(Buffer.from(data))).toBe(true);
  });

  it('escapes text for XML and bounds its lines', () => {
    expect(xmlText('<a href="x">&\u0000\u202E\uFFFE')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;');
    expect(wrapText('a '.repeat(200), 10, 3)).toHaveLength(3);
    expect(wrapText('x'.repeat(100), 10, 2)).toEqual(['x'.repeat(10), `${'x'.repeat(9)}…`]);
    expect(wrapText('Gestión de la calidad', 22, 4)).toEqual(['Gestión de la calidad']);
  });
});

describe('certificate text', () => {
  it('keeps what WinAnsi writes, folds Latin letters it lacks, replaces the rest', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    expect(drawableText(font, 'áéíóú ÁÉÍÓÚ ñÑ çÇ ãõ ü €')).toBe('áéíóú ÁÉÍÓÚ ñÑ çÇ ãõ ü €');
    expect(drawableText(font, 'Łódź Őz Øre')).toBe('Lódz Oz Øre');
    expect(drawableText(font, '李 🎓\u0000\u202E\nx')).toBe('? ? x');
    expect(drawableText(font, 'x'.repeat(10_000)).length).toBe(300);
  });

  it('writes a certificate for empty, enormous and unwritable names and a credential with odd fields', async () => {
    for (const learnerName of ['', '🎓'.repeat(500), 'Ñ'.repeat(5_000), '\u0000\u0001']) {
      const pdf = await certificatePdf({
        credential: { issuer: 7, credentialSubject: { achievement: { name: ['x'], alignment: 'no' } }, validFrom: 'not a date' },
        learnerName,
        microcredential: 'mc-1.abc',
        issuedAt: '2026-01-02T03:04:05Z',
        verifyUrl: URL_,
        language: 'pt',
      });
      const read = await readPdf(pdf);
      expect(read.pages).toBe(1);
      expect(read.text).toContain('mc-1.abc');
      expect(read.qrCodes).toEqual([URL_]);
    }
  });
});
