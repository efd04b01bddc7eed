/**
 * Hostile data and browser hardening, in headless Chromium against real nodes: a `javascript:` link that an older or
 * hostile node got into this node's replica (written here at the storage level, below every publication check)
 * renders as plain text and runs nothing, even in a tab holding the admin token; the security headers on `/`,
 * `/admin`, `/docs` and the printable report; Swagger UI, the web app and the report load with no CSP violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { runDevnet, type Devnet, type DevnetUnit } from '../../node/devnet.js';
import { replicate } from '../helpers/replicate.js';

const EVIL = "javascript:window.__pwned=1;fetch('/api/v1/admin/credentials',{headers:{authorization:'Bearer '+sessionStorage.getItem('mochila.adminToken')}})";

describe.skipIf(!hasChromium)('hostile data and browser hardening in Chromium', () => {
  let dir: string;
  let net: Devnet;
  let author: DevnetUnit; // published the catalogue
  let victim: DevnetUnit; // holds the tampered replica
  let base: string;
  let browser: Browser;
  let ctx: BrowserContext;
  let mcId: string;
  const violations: string[] = [];

  const newPage = async (): Promise<Page> => {
    const page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (/Refused to|Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      violations.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    return page;
  };

  beforeAll(async () => {
    requireWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'mochila-sec-'));
    net = await runDevnet({ dir, units: 2, httpPort: 0, p2pPort: -1, fresh: true, logLevel: 'error' });
    [author, victim] = net.units as [DevnetUnit, DevnetUnit];
    replicate(author.node.services, victim.node.services);
    base = victim.node.httpUrl;
    mcId = author.node.services.catalogue.byInstitution(author.did)[0]!.id;

    // What an older or hostile node could have replicated: links that every publication check now refuses,
    // written straight into the victim's projections (the rows the API and the web read).
    const db = victim.node.services.store.sqlite;
    const tamper = (json: string) =>
      `json_set(${json}, '$.furtherInformation', json_object('url', @evil), '$.skills', json_array(json_object('name', json_object('es', 'Habilidad maliciosa'), 'uri', @evil)))`;
    expect(db.prepare(`UPDATE microcredentials SET record = ${tamper('record')} WHERE id = @id`).run({ id: mcId, evil: EVIL }).changes).toBe(1);
    db.prepare(`UPDATE microcredential_versions SET record = ${tamper('record')} WHERE id = @id`).run({ id: mcId, evil: EVIL });
    expect(db.prepare(`UPDATE institutions SET profile = json_set(profile, '$.website', @evil) WHERE did = @did`).run({ did: author.did, evil: EVIL }).changes).toBe(1);
    const api = (await (await fetch(`${base}/api/v1/microcredentials/${encodeURIComponent(mcId)}`)).json()) as { furtherInformation?: { url?: string } };
    expect(api.furtherInformation?.url).toBe(EVIL); // the replica really serves the hostile link

    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await net?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a replicated javascript: link renders as plain text in the admin tab of another unit, and nothing runs', async () => {
    const page = await newPage();
    const adminCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/admin/')) adminCalls.push(r.url());
    });
    // the victim unit's staff is signed in to its admin pages in this tab
    await page.goto(`${base}/admin`);
    await page.evaluate((t) => sessionStorage.setItem('mochila.adminToken', t), victim.token);

    await page.goto(`${base}/microcredentials/${encodeURIComponent(mcId)}`);
    await page.getByText(EVIL).first().waitFor();
    await page.getByText('Habilidad maliciosa').waitFor();
    expect(await page.locator('a[href^="javascript" i]').count()).toBe(0);
    for (const href of await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) expect(href).toMatch(/^(\/|#|https?:\/\/|mailto:)/);
    // clicking the text does nothing
    await page.getByText(EVIL).first().click();
    await page.getByText('Habilidad maliciosa').click();

    await page.goto(`${base}/institutions/${encodeURIComponent(author.did)}`);
    await page.getByText(EVIL).waitFor();
    expect(await page.locator('a[href^="javascript" i]').count()).toBe(0);
    await page.getByText(EVIL).click();

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(adminCalls).toEqual([]);
    await page.close();
  });

  it('sends the security headers on /, /admin, /docs and the printable report', async () => {
    const report = `${base}/api/v1/recognition/report?microcredential=${encodeURIComponent(mcId)}`;
    for (const url of [`${base}/`, `${base}/admin`, `${base}/docs/`, report]) {
      const r = await fetch(url);
      expect(r.status, url).toBe(200);
      const csp = r.headers.get('content-security-policy') ?? '';
      const dirs = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      expect(dirs['frame-ancestors'], url).toEqual(["'none'"]);
      expect(dirs['script-src'], url).toEqual(["'self'"]);
      expect(dirs['default-src'], url).toEqual(["'self'"]);
      expect(dirs['object-src'], url).toEqual(["'none'"]);
      expect(dirs['style-src']?.[0], url).toBe("'self'");
      // Swagger UI writes inline style attributes at run time: styles (never scripts) may be inline on /docs only
      if (url.endsWith('/docs/')) expect(dirs['style-src'], url).toEqual(["'self'", "'unsafe-inline'"]);
      else expect(csp, url).not.toContain('unsafe-inline');
      expect(csp, url).not.toContain('unsafe-eval');
      expect(r.headers.get('x-frame-options'), url).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), url).toBe('no-referrer');
      expect(r.headers.get('cross-origin-opener-policy'), url).toBe('same-origin');
      expect(r.headers.get('strict-transport-security'), url).toMatch(/max-age=\d+/);
      expect(r.headers.get('x-powered-by'), url).toBeNull();
    }
    // errors carry them too
    const e = await fetch(`${base}/api/v1/nope`);
    expect(e.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('Swagger UI, the web app and the report work under the CSP with no violation', async () => {
    violations.length = 0;
    const page = await newPage();
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .info .title').getByText('MOCHILA').waitFor({ timeout: 20_000 });
    await page.locator('.opblock-summary-path', { hasText: '/api/v1/verify' }).first().waitFor();

    await page.goto(`${base}/`);
    await page.locator('.cards .card').first().waitFor();
    expect(await page.locator('body').evaluate((b) => getComputedStyle(b).fontFamily)).not.toBe(''); // the stylesheet applied
    await page.goto(`${base}/admin`);
    await page.locator('main h1').waitFor();
    await page.goto(`${base}/microcredentials/${encodeURIComponent(mcId)}`);
    await page.locator('main h1').waitFor();

    await page.goto(`${base}/api/v1/recognition/report?microcredential=${encodeURIComponent(mcId)}`);
    await page.locator('h1').waitFor();
    // the report's own stylesheet applies (allowed by its hash)
    expect(await page.locator('h1').evaluate((h) => getComputedStyle(h).fontSize)).toBe('22px');
    expect(await page.locator('a[href^="javascript" i]').count()).toBe(0);
    await page.getByText(EVIL).waitFor();
    await page.close();
    expect(violations).toEqual([]);
  });

  it('refuses to be framed by another site', async () => {
    const page = await newPage();
    violations.length = 0;
    await page.route('http://framer.test/', (r) => r.fulfill({ contentType: 'text/html', body: `<iframe id="f" src="${base}/admin"></iframe>` }));
    await page.goto('http://framer.test/');
    // Chromium refuses to display the node's page in the frame: an error page instead of the app
    await expect
      .poll(
        async () => {
          const f = page.frames().find((fr) => fr !== page.mainFrame());
          if (!f) return 'no frame yet';
          if (f.url().startsWith('chrome-error:')) return 'blocked';
          return (await f.locator('#app').count().catch(() => 0)) > 0 ? 'loaded' : 'loading';
        },
        { timeout: 10_000 },
      )
      .toBe('blocked');
    await page.close();
  });
});
