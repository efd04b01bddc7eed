/**
 * End-to-end test of the verify page's camera in headless Chromium: the browser's fake camera plays a video of a
 * credential's QR code (a Y4M file made here from the `qrcode` library's module matrix), the page reads it from the
 * video frames (BarcodeDetector where the browser has one, jsQR otherwise), verifies the credential and turns the
 * camera off; a code pointing elsewhere is refused without leaving the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import QRCode from 'qrcode';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

/** A two-frame 640x480 Y4M video (4:2:0) showing the QR code of `text`, black on white, centred. */
function qrVideo(text: string, file: string): void {
  const W = 640;
  const H = 480;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const px = Math.floor((H * 0.9) / (size + 2 * quiet));
  const side = px * (size + 2 * quiet);
  const x0 = Math.floor((W - side) / 2);
  const y0 = Math.floor((H - side) / 2);
  const y = Buffer.alloc(W * H, 235);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < px; dy++) {
        const row = (y0 + (r + quiet) * px + dy) * W;
        y.fill(16, row + x0 + (c + quiet) * px, row + x0 + (c + quiet + 1) * px);
      }
    }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

describe.skipIf(!hasChromium)('verify page camera in Chromium', () => {
  let n: TestNode;
  let dir: string;
  const browsers: Browser[] = [];

  const withCamera = async (text: string) => {
    const video = path.join(dir, `qr-${browsers.length}.y4m`);
    qrVideo(text, video);
    const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    browsers.push(browser);
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'es-CL' });
    await ctx.grantPermissions(['camera'], { origin: n.url });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  };

  beforeAll(async () => {
    requireWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'mochila-camera-'));
    n = await startTestNode({ name: 'Universidad de la Cámara', country: 'CL' });
  }, 60_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await n?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a verification link from the camera, verifies it and turns the camera off', async () => {
    const post = (p: string, body: unknown) =>
      fetch(`${n.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/admin/microcredentials', catalogue[0])).status).toBe(201);
    const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'Camila Cámara', email: 'camila@alumnos.example.cl' } });
    expect(r.status, await r.clone().text()).toBe(201);
    const issued = (await r.json()) as { id: string; verifyUrl: string };
    // the link the node prints on certificates, with this test node's address
    const link = `${n.url}/verify?credential=${encodeURIComponent(issued.id)}`;

    const page = await withCamera(link);
    await page.goto(`${n.url}/verify`);
    // no camera view until the camera is asked for
    await page.getByRole('button', { name: 'Usar la cámara' }).waitFor();
    expect(await page.locator('.qr-scan video').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Usar la cámara' }).click();
    await page.waitForURL((u) => u.searchParams.get('credential') === issued.id);
    await page.locator('.report[data-outcome="verified"]').waitFor();
    expect(await page.locator('.report').textContent()).toContain('Camila Cámara');
    // the camera is off once a code was read
    await expect.poll(() => page.evaluate(() => (document.querySelector('.qr-scan video') as HTMLVideoElement | null)?.srcObject ?? null)).toBeNull();
    expect(await page.getByRole('button', { name: 'Usar la cámara' }).count()).toBe(1);
    expect(await page.locator('.qr-scan video').isVisible()).toBe(false);
  });

  it('refuses a code that points elsewhere, without leaving the page', async () => {
    const page = await withCamera('https://phishing.example.com/verify?credential=urn:uuid:00000000-0000-4000-8000-000000000000');
    await page.goto(`${n.url}/verify`);
    await page.getByRole('button', { name: 'Usar la cámara' }).click();
    await expect.poll(() => page.locator('[data-qr="refused"]').textContent()).toContain('phishing.example.com, que no es un nodo de la red');
    expect(new URL(page.url()).pathname).toBe('/verify');
    expect(new URL(page.url()).search).toBe('');
  });
});
