/**
 * The badge images of an issued credential, drawn by the node (no image of the catalogue record is fetched): an
 * SVG medal with the achievement's name, the issuer and the date as text, and a PNG medal (400 x 400) with the QR
 * code of the public verification link at its centre (a PNG needs no font that way). Both are then baked with the
 * signed credential (baking.ts). Pure. Must never write a credential field into the SVG unescaped: every text is
 * XML-escaped and stripped of characters XML forbids, so a hostile name cannot add markup, and lines are bounded.
 */
import QRCode from 'qrcode';
import { bakePng, bakeSvg, encodePng } from './baking.js';

export interface BadgeFacts {
  achievement: string;
  issuer: string;
  /** ISO date (YYYY-MM-DD) of issuance. */
  issuedOn: string;
  verifyUrl: string;
}

/**
 * Text for XML: the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/F) and the bidirectional
 * overrides (which would reorder what is shown) removed, markup escaped.
 */
export function xmlText(s: unknown): string {
  return String(s ?? '')
    // eslint-disable-next-line no-control-regex -- the XML 1.0 character ranges name the three controls it allows
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]|[\u202A-\u202E\u2066-\u2069]/gu, '')
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Words into at most `maxLines` lines of at most `width` characters (long words cut; an ellipsis when cut short). */
export function wrapText(s: string, width: number, maxLines: number): string[] {
  const words = s.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (let w of words) {
    while ([...w].length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const cps = [...w];
      lines.push(cps.slice(0, width).join(''));
      w = cps.slice(width).join('');
    }
    if (!line) line = w;
    else if ([...line].length + 1 + [...w].length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = [...kept[maxLines - 1]!];
  kept[maxLines - 1] = `${last.slice(0, Math.max(0, width - 1)).join('')}…`;
  return kept;
}

/** The SVG medal (not baked). */
export function badgeSvg(f: BadgeFacts): string {
  const title = wrapText(f.achievement, 22, 4);
  const issuer = wrapText(f.issuer, 34, 2);
  const titleY = 190 - (title.length - 1) * 14;
  const tspans = (lines: string[], y0: number, dy: number) =>
    lines.map((l, i) => `<tspan x="200" y="${y0 + i * dy}">${xmlText(l)}</tspan>`).join('');
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-labelledby="t">',
    `<title id="t">${xmlText(f.achievement)} — ${xmlText(f.issuer)}</title>`,
    '<circle cx="200" cy="200" r="196" fill="#1d4e89"/>',
    '<circle cx="200" cy="200" r="182" fill="#f2b705"/>',
    '<circle cx="200" cy="200" r="170" fill="#ffffff"/>',
    '<g font-family="Helvetica, Arial, sans-serif" text-anchor="middle" fill="#14213d">',
    '<text x="200" y="84" font-size="15" font-weight="bold" letter-spacing="3">MOCHILA</text>',
    `<text font-size="22" font-weight="bold">${tspans(title, titleY, 28)}</text>`,
    `<text font-size="14">${tspans(issuer, 268, 18)}</text>`,
    `<text x="200" y="322" font-size="13">${xmlText(f.issuedOn)}</text>`,
    '</g>',
    '</svg>',
  ].join('\n');
}

/** The baked SVG badge. */
export function bakedBadgeSvg(f: BadgeFacts, credential: unknown): string {
  return bakeSvg(badgeSvg(f), credential);
}

const SIZE = 400;
type Rgb = readonly [number, number, number];
const OUTER: Rgb = [0x1d, 0x4e, 0x89];
const RING: Rgb = [0xf2, 0xb7, 0x05];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const INK: Rgb = [0x14, 0x21, 0x3d];

/** The PNG medal with the verification QR (not baked). */
export function badgePng(verifyUrl: string): Buffer {
  const px = new Uint8Array(SIZE * SIZE * 4);
  // outside the medal: transparent white (a reader that ignores alpha sees white, not black)
  px.fill(255);
  for (let i = 3; i < px.length; i += 4) px[i] = 0;
  const blend = (i: number, c: Rgb, cover: number) => {
    const a = px[i + 3]! / 255;
    const outA = cover + a * (1 - cover);
    for (let k = 0; k < 3; k++) px[i + k] = Math.round((c[k]! * cover + px[i + k]! * a * (1 - cover)) / (outA || 1));
    px[i + 3] = Math.round(outA * 255);
  };
  const disc = (r: number, c: Rgb) => {
    const lo = Math.max(0, Math.floor(SIZE / 2 - r - 1));
    const hi = Math.min(SIZE, Math.ceil(SIZE / 2 + r + 1));
    for (let y = lo; y < hi; y++)
      for (let x = lo; x < hi; x++) {
        const d = Math.hypot(x + 0.5 - SIZE / 2, y + 0.5 - SIZE / 2);
        const cover = Math.min(1, Math.max(0, r - d + 0.5)); // one pixel of anti-aliasing at the edge
        if (cover > 0) blend((y * SIZE + x) * 4, c, cover);
      }
  };
  disc(196, OUTER);
  disc(182, RING);
  disc(170, WHITE);
  const qr = QRCode.create(verifyUrl, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const scale = Math.max(1, Math.floor(210 / n));
  const origin = Math.floor((SIZE - n * scale) / 2);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = ((origin + r * scale + dy) * SIZE + origin + c * scale + dx) * 4;
          px[i] = INK[0];
          px[i + 1] = INK[1];
          px[i + 2] = INK[2];
          px[i + 3] = 255;
        }
    }
  return encodePng(SIZE, SIZE, px);
}

/** The baked PNG badge. */
export function bakedBadgePng(verifyUrl: string, credential: unknown): Buffer {
  return bakePng(badgePng(verifyUrl), credential);
}
