/**
 * End-to-end test of a cohort's last mile in headless Chromium (issue 15's test): a cohort of 50 issued from the
 * admin page's CSV form with e-mail to a real SMTP server on loopback (smtp-server), 50 messages received (one address
 * refused at first: the cohort's link opens its credentials, filtered by 'Falló' its row shows the server's answer,
 * and its Reenviar sends it), every row's delivery status in the admin API (by cohort and state) and page; then one received link opened in the browser:
 * the page shows the credential (a hostile learner name as text), its evidence and results (the share page too),
 * its verification, the downloads (JSON; the PDF
 * certificate, read by pdf.js, whose QR decodes to the verification link; the baked PNG and SVG badges, whose
 * credential comes back out and verifies; the SVG drawn by Chromium), LinkedIn's
 * add-to-profile link with the certification's fields, and the share switch (off, on: the public page answers with
 * its preview tags, off again: 404); an axe check (no serious/critical issue).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { axeClean } from '../helpers/axe.js';
import { SMTPServer } from 'smtp-server';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { readPdf } from '../helpers/pdf.js';
import { extractBaked } from '../../node/credentials/baking.js';

const { catalogue } = unitOfCountry('CL');

describe.skipIf(!hasChromium)('claim page in Chromium, opened from a received e-mail', () => {
  let n: TestNode;
  let smtp: SMTPServer;
  let browser: Browser;
  let page: Page;
  const inbox: { to: string[]; raw: string }[] = [];
  const hostile = 'Zoë <img src=x onerror="window.__pwned=1"> Ñuñoa';
  // refused with a 550 until the unit's resend (the server then takes it)
  const refused = new Set(['rebote@alumnos.example.cl']);
  /** The claim link in the message to this address (quoted-printable soft breaks undone). */
  const linkTo = (addr: string): string => {
    const m = inbox.filter((x) => x.to.includes(addr));
    expect(m, addr).toHaveLength(1);
    const links = m[0]!.raw.replace(/=\r?\n/g, '').match(/https?:\/\/\S+\/claim\/[A-Za-z0-9_-]{43}/g) ?? [];
    expect(links).toHaveLength(1);
    return links[0]!;
  };
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });

  beforeAll(async () => {
    requireWebBuild();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (refused.has(address.address.toLowerCase())) return cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    n = await startTestNode({
      name: 'Universidad Austral de Prueba',
      country: 'CL',
      config: {
        smtp: {
          host: '127.0.0.1',
          port: (smtp.server.address() as AddressInfo).port,
          secure: false,
          from: 'Registro <registro@uach.example>',
          pollMs: 100,
        },
      },
    });
    const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', headers: admin(), body: JSON.stringify(catalogue[0]) });
    expect(r.status, await r.clone().text()).toBe(201);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'es-MX' })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== n.url) throw new Error(`request to another host: ${req.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await n?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('issues a cohort of 50 from the admin page with e-mail: 50 messages, each row delivered, a refused address resent from the credentials tab', async () => {
    const rows = [
      `"${hostile.replace(/"/g, '""')}";zoe@alumnos.example.cl`,
      'Rebote Prueba;rebote@alumnos.example.cl',
      ...Array.from({ length: 48 }, (_, i) => `Estudiante ${i + 3};estudiante${i + 3}@alumnos.example.cl`),
    ].map((r) => `${r};https://portafolio.example.cl/proyecto;"Plan de mejora <b>de</b> la unidad";6,5`);
    const csv = `nombre;correo;evidencia_url;evidencia;resultado: Nota final\n${rows.join('\n')}\n`;
    await page.goto(`${n.url}/admin`);
    await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), n.token);
    await page.goto(`${n.url}/admin?tab=issue`);
    await page.locator('#batch-text').fill(csv);
    await page.locator('#batch-mc').selectOption({ index: 1 });
    await page.locator('#batch-notify').check();
    await page.getByRole('button', { name: 'Emitir lote' }).click();
    const progress = page.locator('.job p[role=status]');
    await expect.poll(() => progress.textContent(), { timeout: 60_000 }).toContain('50 de 50 filas: 50 emitidas, 0 omitidas, 0 con error');
    // the cohort's result links to its credentials, where each row's delivery is followed
    await page.locator('[data-delivery-hint] a').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('credentials');
    const jobId = new URL(page.url()).searchParams.get('job')!;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('[data-job]').waitFor();
    await expect.poll(() => page.getByText('50 credenciales', { exact: true }).count()).toBe(1);

    // 49 messages arrive; the refused address's row says failed, with the server's answer
    await expect.poll(() => inbox.length, { timeout: 60_000 }).toBe(49);
    const list = async (query: string) => {
      const r = await fetch(`${n.url}/api/v1/admin/credentials?limit=100&${query}`, { headers: admin() });
      expect(r.status, query).toBe(200);
      return (await r.json()) as { total: number; items: { learnerName: string; delivery: { status: string; lastError: string | null } | null }[] };
    };
    await expect.poll(async () => (await list(`job=${jobId}&delivery=failed`)).items.map((i) => i.learnerName), { timeout: 30_000 }).toEqual(['Rebote Prueba']);
    // the unit picks the failed ones on the page
    await page.locator('#creds-delivery').selectOption('failed');
    const cell = page.locator('td[data-delivery]');
    await expect.poll(() => cell.count()).toBe(1);
    await expect.poll(() => cell.getAttribute('data-delivery')).toBe('failed');
    expect(await page.locator('tbody tr').first().textContent()).toContain('Rebote Prueba');
    expect(await cell.textContent()).toContain('Falló');
    expect(await cell.textContent()).toContain('mailbox unavailable');
    // the address is fixed on the server's side: the unit resends from the page
    refused.clear();
    await page.getByRole('button', { name: 'Reenviar: Rebote Prueba' }).click();
    await page.getByText('Correo puesto en cola de nuevo.').waitFor();
    await expect.poll(() => inbox.length, { timeout: 60_000 }).toBe(50);
    expect(new Set(inbox.map((m) => m.to.join()))).toHaveProperty('size', 50);
    expect(linkTo('rebote@alumnos.example.cl')).toBeTruthy();
    // every row's delivery is sent: in the admin API (by cohort and state) and on the page
    await expect.poll(async () => (await list(`job=${jobId}&delivery=sent`)).total, { timeout: 30_000 }).toBe(50);
    expect((await list(`job=${jobId}`)).items.map((i) => i.delivery?.status)).toEqual(Array(50).fill('sent'));
    expect((await list(`job=${jobId}&delivery=failed`)).total).toBe(0);
    expect((await list('delivery=none')).total).toBe(0);
    expect((await list(`job=${jobId}-otro`)).total).toBe(0);
    expect((await fetch(`${n.url}/api/v1/admin/credentials?delivery=perdido`, { headers: admin() })).status).toBe(400);
    await page.locator('#creds-delivery').selectOption('sent');
    await expect.poll(() => page.getByText('50 credenciales', { exact: true }).count()).toBe(1);
    await expect.poll(() => page.locator('td[data-delivery]').count()).toBe(20);
    expect([...new Set(await page.locator('td[data-delivery]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-delivery'))))]).toEqual(['sent']);
  }, 180_000);

  it('opens the received link: the credential, its evidence and results, its verification, the download, LinkedIn and the share switch', async () => {
    const link = linkTo('zoe@alumnos.example.cl');
    await page.goto(link);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    const h1 = page.locator('h1');
    await expect.poll(() => h1.textContent()).toBe((catalogue[0]!.title as { es: string }).es);
    // the hostile name is text, never markup
    await expect.poll(() => page.locator('dl.facts dd').first().textContent()).toBe(hostile);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    // the evidence and results the cohort's CSV gave: text, and the link only as an http(s) link
    await expect.poll(() => page.locator('[data-evidence] li').count()).toBe(1);
    const evLink = page.locator('[data-evidence] a');
    expect(await evLink.getAttribute('href')).toBe('https://portafolio.example.cl/proyecto');
    expect(await evLink.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await page.locator('.claim-narrative').textContent()).toBe('Plan de mejora <b>de</b> la unidad');
    expect(await page.locator('[data-evidence] b').count()).toBe(0);
    expect(await page.locator('[data-results] dt').allTextContents()).toEqual(['Nota final']);
    expect(await page.locator('[data-results] dd').allTextContents()).toEqual(['6,5']);
    await expect.poll(() => page.locator('[data-state]').getAttribute('data-state')).toBe('verified');
    await expect.poll(() => page.locator('[data-outcome]').getAttribute('data-outcome')).toBe('verified');

    // JSON download
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Descargar la credencial (JSON)').click()]);
    const file = await download.path();
    const cred = JSON.parse(readFileSync(file, 'utf8')) as { id: string; credentialSubject: { name?: string } };
    expect(cred.id).toMatch(/^urn:uuid:/);
    const verifyUrl = `${n.url}/verify?credential=${encodeURIComponent(cred.id)}`;

    // the PDF certificate, in the page's language: read by pdf.js, its QR code decoded by jsQR
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByText('Descargar el certificado (PDF)').click()]);
    expect(pdfDownload.suggestedFilename()).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*-certificado\.pdf$/);
    const pdf = await readPdf(readFileSync((await pdfDownload.path())!));
    expect(pdf.text).toContain('CERTIFICADO DE MICROCREDENCIAL');
    expect(pdf.text).toContain(hostile);
    expect(pdf.text).toContain((catalogue[0]!.title as { es: string }).es);
    expect(pdf.qrCodes).toEqual([verifyUrl]);

    // the baked PNG badge: the credential comes out of the image and verifies, the image itself sent to the node
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByText('Descargar la insignia (PNG)').click()]);
    const png = readFileSync((await pngDownload.path())!);
    const baked = extractBaked(png);
    expect(baked.ok && JSON.parse(baked.text)).toEqual(cred);
    const v = await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png) });
    expect(((await v.json()) as { verified: boolean }).verified).toBe(true);
    // ...and dropped on the verify page's file input
    const verifyPage = await page.context().newPage();
    await verifyPage.goto(`${n.url}/verify`);
    await verifyPage.locator('#credential-file').setInputFiles({ name: pngDownload.suggestedFilename(), mimeType: 'image/png', buffer: png });
    await expect.poll(() => verifyPage.locator('[data-outcome]').getAttribute('data-outcome')).toBe('verified');
    await verifyPage.close();
    // the SVG badge is well-formed (Chromium draws it as an image) although the credential inside holds the hostile name
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByText('Descargar la insignia (SVG)').click()]);
    const svg = readFileSync((await svgDownload.path())!);
    const svgBaked = extractBaked(svg);
    expect(svgBaked.ok && JSON.parse(svgBaked.text)).toEqual(cred);
    const blank = await browser.newPage();
    await blank.setContent(`<img id="b" src="data:image/svg+xml;base64,${svg.toString('base64')}">`);
    await expect.poll(() => blank.evaluate(() => (document.getElementById('b') as HTMLImageElement).naturalWidth)).toBe(400);
    await blank.close();

    // LinkedIn's add-to-profile link with the certification's fields
    const href = await page.getByText('Añadir a LinkedIn').getAttribute('href');
    const li = new URL(href!);
    expect(`${li.origin}${li.pathname}`).toBe('https://www.linkedin.com/profile/add');
    expect(li.searchParams.get('startTask')).toBe('CERTIFICATION_NAME');
    expect(li.searchParams.get('name')).toBe((catalogue[0]!.title as { es: string }).es);
    expect(li.searchParams.get('organizationName')).toBeTruthy();
    expect(li.searchParams.get('issueYear')).toBe(String(new Date().getUTCFullYear()));
    expect(li.searchParams.get('certId')).toBe(cred.id);
    expect(li.searchParams.get('certUrl')).toBe(`${n.url}/verify?credential=${encodeURIComponent(cred.id)}`);
    await axeClean(page, 'claim page');

    // the share switch: off by default, on publishes the page, off withdraws it
    const sw = page.getByRole('switch');
    expect(await sw.isChecked()).toBe(false);
    expect(await page.locator('[data-share]').getAttribute('data-share')).toBe('off');
    // by keyboard: the switch keeps the focus while the change is sent (it was disabled, so the focus fell to <body>)
    await sw.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('[data-share]').getAttribute('data-share')).toBe('on');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('switch');
    const shareUrl = await page.locator('[data-share] a').getAttribute('href');
    expect(shareUrl).toMatch(new RegExp(`^${n.url}/share/[A-Za-z0-9_-]{22}$`));
    // the published page can be copied or shared from here; the downloads are a row of buttons, not a bulleted list
    await page.getByRole('button', { name: 'Copiar enlace' }).waitFor();
    expect(await page.locator('.claim-actions').evaluate((ul) => getComputedStyle(ul).listStyleType)).toBe('none');
    // LinkedIn now points at the share page
    expect(new URL((await page.getByText('Añadir a LinkedIn').getAttribute('href'))!).searchParams.get('certUrl')).toBe(shareUrl);
    const pub = await fetch(shareUrl!);
    expect(pub.status).toBe(200);
    const shared = await pub.text();
    expect(shared).toContain('<meta property="og:title"');
    // its evidence and results, escaped
    expect(shared).toContain('<h2>Evidencias</h2>');
    expect(shared).toContain('<a href="https:&#47;&#47;portafolio.example.cl&#47;proyecto" rel="noopener noreferrer nofollow">');
    expect(shared).toContain('Plan de mejora &#60;b&#62;de&#60;&#47;b&#62; la unidad');
    expect(shared).not.toContain('<b>de</b>');
    expect(shared).toContain('<dt>Nota final</dt><dd>6,5</dd>');
    await sw.uncheck();
    await expect.poll(() => page.locator('[data-share]').getAttribute('data-share')).toBe('off');
    expect((await fetch(shareUrl!)).status).toBe(404);
  }, 120_000);

  it('fits a 390-pixel phone in Spanish, English and Portuguese: no page scrolls sideways (claim page, catalogue, detail, institutions, verify, recognition, network)', async () => {
    const link = linkTo('zoe@alumnos.example.cl');
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const phone = await ctx.newPage();
    phone.setDefaultTimeout(15_000);
    const detail = `/microcredentials/${encodeURIComponent((await (await fetch(`${n.url}/api/v1/microcredentials`)).json()).items[0].id)}`;
    const pages = [new URL(link).pathname, '/', detail, '/institutions', '/verify', '/recognition', '/network'];
    const wide: string[] = [];
    for (const lang of ['es', 'en', 'pt']) {
      await phone.goto(`${n.url}/`);
      await phone.evaluate((l) => localStorage.setItem('mochila.lang', l), lang);
      for (const p of pages) {
        await phone.goto(`${n.url}${p}`);
        await expect.poll(() => phone.locator('html').getAttribute('lang')).toBe(lang === 'pt' ? 'pt-BR' : lang);
        await phone.locator('h1').first().waitFor();
        const w = await phone.evaluate(() => document.documentElement.scrollWidth);
        if (w > 390) wide.push(`${lang} ${p}: ${w} px`);
      }
    }
    await ctx.close();
    expect(wide).toEqual([]);
  }, 120_000);

  it('opens in Portuguese from ?lang=pt or a Brazilian browser, keeps a language the user picked, and stays axe-clean in Portuguese', async () => {
    const claimPath = new URL(linkTo('zoe@alumnos.example.cl')).pathname;
    // ?lang=pt on a Spanish browser (this suite's page is es-MX): Portuguese, without becoming a stored choice
    const ctxEs = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
    const es = await ctxEs.newPage();
    await es.goto(`${n.url}/?lang=pt`);
    await expect.poll(() => es.locator('html').getAttribute('lang')).toBe('pt-BR');
    await expect.poll(() => es.locator('h1').first().textContent()).toBe('Catálogo de microcredenciais');
    expect(await es.evaluate(() => localStorage.getItem('mochila.lang'))).toBeNull();
    await es.goto(`${n.url}/`);
    await expect.poll(() => es.locator('html').getAttribute('lang')).toBe('es');
    await ctxEs.close();

    // a Brazilian browser's first visit: Portuguese everywhere, the node's messages too (Accept-Language from the app)
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-BR' });
    const pt = await ctx.newPage();
    pt.setDefaultTimeout(15_000);
    await pt.goto(`${n.url}${claimPath}`);
    await expect.poll(() => pt.locator('html').getAttribute('lang')).toBe('pt-BR');
    await expect.poll(() => pt.getByText('Baixar a credencial (JSON)').count()).toBe(1);
    await expect.poll(() => pt.getByRole('button', { name: 'Português' }).getAttribute('aria-pressed')).toBe('true');
    await axeClean(pt, 'claim page (pt)');
    await pt.goto(`${n.url}/verify?credential=${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}`);
    await expect.poll(() => pt.locator('h1').first().textContent()).toBe('Verificar uma credencial');
    await axeClean(pt, 'verify page (pt)');
    await pt.goto(`${n.url}/`);
    await expect.poll(() => pt.locator('h1').first().textContent()).toBe('Catálogo de microcredenciais');
    await axeClean(pt, 'catalogue (pt)');
    // the user picks English: that choice now wins over the browser's language
    await pt.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => pt.locator('html').getAttribute('lang')).toBe('en');
    await pt.goto(`${n.url}/institutions`);
    await expect.poll(() => pt.locator('html').getAttribute('lang')).toBe('en');
    await expect.poll(() => pt.locator('h1').first().textContent()).toBe('Institutions of the network');
    await ctx.close();
  }, 120_000);

  it('shows a plain "not available" page for an unknown or revoked link', async () => {
    await page.goto(`${n.url}/claim/${'A'.repeat(43)}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Enlace no disponible');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('revocó');
  });
});

