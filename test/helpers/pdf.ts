// Reads a PDF the way an independent reader does (pdf.js, Mozilla's PDF engine, not the library that wrote it):
// the text of each page and every image drawn on it, each image decoded as a QR code with jsQR when it is one.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import jsQRImport from 'jsqr';

// jsqr is CommonJS typed as an ES module: its default export is what `require` returns
const jsQR = ((jsQRImport as unknown as { default?: unknown }).default ?? jsQRImport) as typeof jsQRImport.default;
const require = createRequire(import.meta.url);
// pdf.js reads its standard font files itself in Node (a path, not a URL)
const FONTS = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;

export interface ReadPdf {
  pages: number;
  /** The text of every page, items joined by a space, runs of white space as one space. */
  text: string;
  /** The document information (Title, Author, Subject...). */
  info: Record<string, unknown>;
  /** What each image decodes to as a QR code (null: not a QR code). */
  qrCodes: (string | null)[];
}

interface PdfImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** RGBA pixels of a pdf.js image (kind 1: 1 bit gray, 2: RGB, 3: RGBA). */
function rgba(img: PdfImage): Uint8ClampedArray {
  const n = img.width * img.height;
  if (img.kind === 3) return new Uint8ClampedArray(img.data);
  const out = new Uint8ClampedArray(n * 4);
  if (img.kind === 2) {
    for (let p = 0; p < n; p++) out.set([img.data[p * 3]!, img.data[p * 3 + 1]!, img.data[p * 3 + 2]!, 255], p * 4);
    return out;
  }
  const rowBytes = Math.ceil(img.width / 8);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const bit = (img.data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
      out.set(bit ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * img.width + x) * 4);
    }
  return out;
}

export async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), isOffscreenCanvasSupported: false, disableFontFace: true, standardFontDataUrl: FONTS })
    .promise;
  const texts: string[] = [];
  const qrCodes: (string | null)[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const tc = await page.getTextContent();
    texts.push(tc.items.map((it) => ('str' in it ? it.str : '')).join(' '));
    const ops = await page.getOperatorList();
    for (let k = 0; k < ops.fnArray.length; k++) {
      if (ops.fnArray[k] !== pdfjs.OPS.paintImageXObject) continue;
      const name = (ops.argsArray[k] as unknown[])[0] as string;
      const img = await new Promise<PdfImage>((resolve) => page.objs.get(name, resolve));
      qrCodes.push(jsQR(rgba(img), img.width, img.height)?.data ?? null);
    }
  }
  const meta = await doc.getMetadata();
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, text: texts.join(' ').replace(/\s+/g, ' '), info: (meta.info ?? {}) as Record<string, unknown>, qrCodes };
}
