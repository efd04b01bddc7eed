/**
 * Phones and zoom in headless Chromium: no page scrolls sideways on a 390-pixel phone nor in a 1280-pixel window at
 * 200 % zoom (640 CSS pixels at device scale 2), in Spanish, English and Portuguese — public pages with real content
 * (a verification result with its technical details open, a revoked one, detail, institution, recognition and the
 * printable report) and the admin pages (catalogue, issue, credentials, recognition); on narrow screens the admin
 * tables are cards (each cell labelled with its column) and the header is compact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { AxeBuilder } from '@axe-core/playwright';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

const SIZES = [
  { name: 'phone 390 px', viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  { name: '1280 px at 200 %', viewport: { width: 640, height: 450 }, deviceScaleFactor: 2, isMobile: false, hasTouch: false },
] as const;

/** What sticks out past the viewport's right edge (the widest few), for the failure message. */
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= vw) return null;
    const out: { right: number; what: string }[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0) out.push({ right: Math.round(r.right), what: `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''}` });
    }
    out.sort((a, b) => b.right - a.right);
    return `${document.documentElement.scrollWidth} px wide: ${out.slice(0, 4).map((o) => `${o.what} (${o.right})`).join(', ')}`;
  });
}

describe.skipIf(!hasChromium)('phones and 200 % zoom in Chromium', () => {
  let n: TestNode;
  let browser: Browser;
  let verified: string;
  let revoked: string;
  let mcId: string;

  beforeAll(async () => {
    requireWebBuild();
    n = await startTestNode({ name: 'Universidad Técnica de Pantallas Estrechas y Ampliadas', country: 'CL' });
    const post = (p: string, body: unknown) =>
      fetch(`${n.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const r of catalogue.slice(0, 3)) expect((await post('/api/v1/admin/microcredentials', r)).status).toBe(201);
    const issue = async (name: string, email: string) => {
      const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name, email } });
      expect(r.status, await r.clone().text()).toBe(201);
      return ((await r.json()) as { id: string }).id;
    };
    verified = await issue('María José Fernández de la Vega y Ruiz-Tagle', 'maria.jose.fernandez.delavega@alumnos.universidad-tecnica.example.cl');
    revoked = await issue('Bartolomé Ñancupil', 'bartolome@alumnos.example.cl');
    expect((await post(`/api/v1/admin/credentials/${encodeURIComponent(revoked)}/revoke`, { reason: 'prueba' })).status).toBe(200);
    mcId = ((await (await fetch(`${n.url}/api/v1/microcredentials`)).json()) as { items: { id: string }[] }).items[0]!.id;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await n?.close();
  });

  it('no page scrolls sideways, public or admin, in es, en and pt', async () => {
    const wide: string[] = [];
    const pages: { path: string; ready: (p: Page) => Promise<unknown> }[] = [
      { path: '/', ready: (p) => p.locator('.cards .card').first().waitFor() },
      { path: `/microcredentials/${encodeURIComponent(mcId)}`, ready: (p) => p.locator('h1').waitFor() },
      { path: `/institutions/${encodeURIComponent(n.did)}`, ready: (p) => p.locator('h1').waitFor() },
      {
        path: `/verify?credential=${encodeURIComponent(verified)}`,
        ready: async (p) => {
          await p.locator('.report[data-outcome="verified"]').waitFor();
          await p.locator('details.technical summary').click();
        },
      },
      { path: `/verify?credential=${encodeURIComponent(revoked)}`, ready: (p) => p.locator('.report[data-outcome="failed"]').waitFor() },
      { path: `/recognition?microcredential=${encodeURIComponent(mcId)}`, ready: (p) => p.locator('h2').first().waitFor() },
      { path: `/api/v1/recognition/report?microcredential=${encodeURIComponent(mcId)}`, ready: (p) => p.locator('h1').first().waitFor() },
      { path: '/network', ready: (p) => p.locator('h1').waitFor() },
      { path: '/admin?tab=catalogue', ready: (p) => p.locator('table, .data-table').first().waitFor() },
      { path: '/admin?tab=issue', ready: (p) => p.locator('form').first().waitFor() },
      { path: '/admin?tab=credentials', ready: (p) => p.locator('table, .data-table').first().waitFor() },
      { path: '/admin?tab=recognition', ready: (p) => p.locator('form').first().waitFor() },
    ];
    for (const size of SIZES)
      for (const locale of ['es-CL', 'en-US', 'pt-BR']) {
        const ctx = await browser.newContext({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor, isMobile: size.isMobile, hasTouch: size.hasTouch, locale });
        const page = await ctx.newPage();
        page.setDefaultTimeout(15_000);
        await page.goto(`${n.url}/`);
        await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), n.token);
        for (const p of pages) {
          await page.goto(`${n.url}${p.path}`);
          await p.ready(page);
          const o = await overflow(page);
          if (o) wide.push(`${size.name} ${locale} ${p.path}: ${o}`);
        }
        await ctx.close();
      }
    expect(wide).toEqual([]);
  }, 600_000);

  it('on a phone the admin tables are cards with labelled cells, the header is compact, and axe finds nothing', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'es-CL' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${n.url}/`);
    await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), n.token);
    await page.goto(`${n.url}/admin?tab=credentials`);
    const row = page.locator('.data-table tbody tr').first();
    await row.waitFor();
    // a card: the row is a block, its header row hidden, each cell says its column
    expect(await row.evaluate((tr) => getComputedStyle(tr).display)).toBe('block');
    expect(await page.locator('.data-table thead').evaluate((th) => th.getBoundingClientRect().height)).toBeLessThanOrEqual(1);
    const labels = await row.locator('td').evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content));
    expect(labels[0]).toBe('"Estudiante"');
    expect(labels.every((l) => l !== 'none' && l !== '""')).toBe(true);
    // the header takes little of the screen
    const header = await page.locator('.site-header').evaluate((h) => h.getBoundingClientRect().height);
    expect(header).toBeLessThan(130);
    expect(await page.locator('.brand-tag').isVisible()).toBe(false);
    const result = await new AxeBuilder({ page }).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await ctx.close();
  }, 120_000);
});
