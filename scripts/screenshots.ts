/**
 * Screenshots of the web app's main pages (Spanish) for the README: starts the demo units from the fixtures in a
 * temp folder, waits until they hold the same replica, drives headless Chromium and writes PNGs to web/screenshots/.
 * Run with `node bin/run-ts.js scripts/screenshots.ts` after `npm run build:web`. Must never touch a real node.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { runDevnet } from '../node/devnet.js';
import type { Services } from '../node/context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'web', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Copies every feed `from` holds into `to` through the verified ingest path (when libp2p did not converge). */
function copyFeeds(from: Services, to: Services): void {
  for (const h of from.feed.heads()) {
    const have = to.feed.head(h.author)?.seq ?? 0;
    if (have < h.seq) to.feed.ingestBatch(h.author, from.feed.read(h.author, have + 1, 10_000));
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-shots-'));
  const net = await runDevnet({ dir, units: 6, httpPort: 0, p2pPort: 0, fresh: true, logLevel: 'error' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    if (!(await net.converged(20_000))) {
      for (const u of net.units) for (const v of net.units) if (u !== v) copyFeeds(u.node.services, v.node.services);
    }
    const home = net.units[0]!;
    const other = net.units.find((u) => u.node.services.institutions.get(u.did)?.profile.country !== home.node.services.institutions.get(home.did)?.profile.country)!;
    const base = home.node.httpUrl;
    const own = home.node.services.catalogue.byInstitution(home.did)[0]!;
    const foreign = other.node.services.catalogue.byInstitution(other.did)[0]!;

    // a credential to verify, when this node can issue (POST /api/v1/admin/credentials)
    let credentialId: string | null = null;
    const r = await fetch(`${base}/api/v1/admin/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${home.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ microcredential: own.id, learner: { name: 'María José Pérez', email: 'mj.perez@example.cl' } }),
    });
    if (r.status === 201) credentialId = ((await r.json()) as { id: string }).id;
    else console.warn(`issuing a credential failed (${r.status}); the verify screenshot shows the empty form`);

    mkdirSync(OUT, { recursive: true });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-CL' });
    await ctx.addInitScript(() => localStorage.setItem('mochila.lang', 'es'));
    const page = await ctx.newPage();
    const shot = async (name: string, url: string, ready: (p: Page) => Promise<unknown>, fullPage = true) => {
      await page.goto(base + url);
      await ready(page);
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
      console.log(`web/screenshots/${name}.png`);
    };
    await shot('catalogue', '/', (p) => p.locator('.cards .card').first().waitFor(), false);
    await shot('search', '/?q=prevencion&participation=onsite', (p) => p.locator('.cards .card').first().waitFor(), false);
    await shot('detail', `/microcredentials/${encodeURIComponent(own.id)}`, (p) => p.locator('.eu').waitFor());
    await shot('institutions', '/institutions', (p) => p.locator('.diagram svg').waitFor());
    await shot('institution', `/institutions/${encodeURIComponent(home.did)}`, (p) => p.locator('table').waitFor(), false);
    if (credentialId) await shot('verify', `/verify?credential=${encodeURIComponent(credentialId)}`, (p) => p.locator('.report').waitFor({ timeout: 15_000 }));
    else await shot('verify', '/verify', (p) => p.locator('#credential-json').waitFor());
    // a revoked credential: the headline says what happened and since when
    const rv = await fetch(`${base}/api/v1/admin/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${home.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ microcredential: own.id, learner: { name: 'Tomás Revocado', email: 't.revocado@example.cl' } }),
    });
    if (rv.status === 201) {
      const revokedId = ((await rv.json()) as { id: string }).id;
      await fetch(`${base}/api/v1/admin/credentials/${encodeURIComponent(revokedId)}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${home.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'correo del estudiante equivocado', reasonCategory: 'issued-in-error' }),
      });
      await shot('verify-revoked', `/verify?credential=${encodeURIComponent(revokedId)}`, (p) => p.locator('.report[data-outcome="failed"]').waitFor({ timeout: 15_000 }), false);
    }
    await shot('recognition', `/recognition?microcredential=${encodeURIComponent(foreign.id)}`, (p) => p.locator('#lk-cmp').waitFor({ timeout: 15_000 }), false);
    await shot(
      'report',
      `/api/v1/recognition/report?microcredential=${encodeURIComponent(foreign.id)}&lang=es&student=${encodeURIComponent('María José Pérez')}&request=SOL-2026-0042`,
      (p) => p.locator('#r-live').waitFor(),
      false,
    );
    await shot('network', '/network', (p) => p.locator('#feeds-h').waitFor(), false);
    await page.goto(`${base}/admin`);
    await page.fill('#admin-token', home.token);
    await page.click('button[type=submit]');
    await page.locator('table').waitFor();
    await page.getByRole('button', { name: 'Nueva microcredencial' }).click();
    await page.fill('#mc-code', 'nueva-microcredencial');
    await page.fill('#mc-title-es', 'Gestión de proyectos de ingeniería');
    await page.locator('#mc-outcomes-es').focus();
    await page.locator('#mc-title-tab-es').focus();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(OUT, 'admin.png'), fullPage: true });
    console.log('web/screenshots/admin.png');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.addInitScript(() => localStorage.setItem('mochila.lang', 'es'));
    const pp = await phone.newPage();
    await pp.goto(`${base}/?q=salud`);
    await pp.locator('.cards .card').first().waitFor();
    await pp.screenshot({ path: path.join(OUT, 'phone-catalogue.png') });
    console.log('web/screenshots/phone-catalogue.png');
  } finally {
    await browser.close();
    await net.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
