/**
 * End-to-end, in headless Chromium against real demo nodes: the registrar's journeys of issue 17 items 5, 6 and 9.
 * The printable report (the receiving institution's name, the case typed in, labels, decision boxes, a QR code that
 * decodes to the live lookup's link), recording a decision from a comparison with the keyboard only (pre-filled,
 * reviewed, published, focus on the result, visible in the lookup), and the network page for people (this node's
 * institution, freshness as a relative time, DIDs only under "Detalles técnicos"). axe (serious/critical) and no
 * sideways scroll at 390 px on each of these pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { AxeBuilder } from '@axe-core/playwright';
import * as jsqrModule from 'jsqr';
import { runDevnet, type Devnet, type DevnetUnit } from '../../node/devnet.js';
import { replicate } from '../helpers/replicate.js';

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsqrModule as unknown as { default?: JsQr }).default ?? (jsqrModule as unknown as JsQr)) as JsQr;

describe.skipIf(!hasChromium)("registrar's journeys in Chromium", () => {
  let dir: string;
  let net: Devnet;
  let home: DevnetUnit;
  let base: string;
  let browser: Browser;

  const homeName = () => home.node.services.institutions.get(home.did)!.profile.name.es!;
  const foreignMc = () => {
    const gt = net.units.find((u) => u.node.services.institutions.get(u.did)?.profile.country === 'GT')!;
    return gt.node.services.catalogue.byInstitution(gt.did).find((m) => m.record.code === 'prevencion-infecciones')!;
  };
  const axe = async (page: Page, label: string) => {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
  };
  /** Presses Tab until `target` has the focus (keyboard only; fails after `max` presses). */
  const tabTo = async (page: Page, target: Locator, max = 120) => {
    for (let n = 0; n < max; n++) {
      if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`never reached ${target.toString()} with Tab`);
  };
  const noSidewaysScroll = async (page: Page, label: string) => {
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(w, `${label}: ${w} px wide at 390 px`).toBeLessThanOrEqual(390);
  };
  const newPage = async (width = 1280) => {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'es-ES' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  };

  beforeAll(async () => {
    requireWebBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'mochila-e2e-registrar-'));
    net = await runDevnet({ dir, units: 3, httpPort: 0, p2pPort: -1, fresh: true, logLevel: 'error' });
    for (const a of net.units) for (const b of net.units) if (a !== b) replicate(a.node.services, b.node.services);
    home = net.units[0]!;
    base = home.node.httpUrl;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await net?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints a report named after this node's institution, with the case, labels, decision boxes and a QR code to the live lookup", async () => {
    const mc = foreignMc();
    const page = await newPage();
    await page.goto(`${base}/recognition?microcredential=${encodeURIComponent(mc.id)}`);
    await page.getByLabel('Estudiante', { exact: true }).fill('Ana <b>Núñez</b>');
    await page.getByLabel('Número de solicitud').fill('SOL-2026/0042');
    const href = (await page.getByRole('link', { name: 'Informe imprimible' }).getAttribute('href'))!;
    expect(href).toContain('student=Ana+%3Cb%3EN%C3%BA%C3%B1ez%3C%2Fb%3E');
    await page.goto(base + href);

    expect(await page.locator('header .receiving').textContent()).toBe(homeName());
    expect(await page.locator('header').textContent()).not.toContain('did:');
    expect(await page.locator('td[data-field="student"]').textContent()).toBe('Ana <b>Núñez</b>');
    expect(await page.locator('td[data-field="student"] b').count()).toBe(0);
    expect(await page.locator('td[data-field="request"]').textContent()).toBe('SOL-2026/0042');
    for (const box of ['Equivalente', 'Reconocimiento parcial', 'No reconocida']) await page.getByRole('checkbox', { name: box }).waitFor();
    for (const line of ['Créditos otorgados', 'Firma', 'Fecha']) expect(await page.locator('.line', { hasText: line }).count(), line).toBeGreaterThan(0);
    // labels, not codes
    const facts = await page.locator('#r-mc + dl').textContent();
    expect(facts).toContain('Guatemala');
    expect(facts).not.toMatch(/\b(onsite|online|blended|practical|internal-and-external)\b/);
    // only real differences under the differences heading (a note never reads as a difference)
    for (const list of await page.locator('ul[data-differences] li').allTextContents()) expect(list).not.toMatch(/^(Tipo de evaluación|Forma de participación|Modalidad):/);

    // the QR code decodes to the live lookup, and the link beside it says the same
    const live = `${base}/recognition?microcredential=${encodeURIComponent(mc.id)}&lang=es`;
    expect(await page.locator('#r-live ~ .live a').getAttribute('href')).toBe(live);
    const pixels = await page.locator('.live svg').evaluate(async (svg) => {
      const copy = svg.cloneNode(true) as SVGElement;
      copy.setAttribute('width', '300');
      copy.setAttribute('height', '300');
      const img = new Image();
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(copy));
      await img.decode();
      const c = document.createElement('canvas');
      c.width = c.height = 330;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 330, 330);
      g.drawImage(img, 15, 15, 300, 300);
      return Array.from(g.getImageData(0, 0, 330, 330).data);
    });
    expect(jsQR(Uint8ClampedArray.from(pixels), 330, 330)?.data).toBe(live);
    await axe(page, 'report');

    // the page's own form fills the case in without the app
    await page.locator('#r-student').fill('José Araya');
    await page.locator('#r-request').fill('EXP-7');
    await page.getByRole('button', { name: 'Poner en el informe' }).click();
    await expect.poll(() => page.locator('td[data-field="student"]').textContent()).toBe('José Araya');
    expect(await page.locator('td[data-field="request"]').textContent()).toBe('EXP-7');

    // in Portuguese, and on a phone
    const phone = await newPage(390);
    await phone.goto(`${base}/api/v1/recognition/report?microcredential=${encodeURIComponent(mc.id)}&lang=pt`);
    expect(await phone.locator('html').getAttribute('lang')).toBe('pt-BR');
    await phone.getByRole('heading', { name: 'Decisão da instituição receptora' }).waitFor();
    expect(await phone.locator('header .receiving').textContent()).toBe(homeName());
    await noSidewaysScroll(phone, 'report pt');
    await phone.context().close();
    await page.context().close();
  });

  it('records a decision from a comparison with the keyboard only: pre-filled, reviewed in words, published, focus on the result, shown in the lookup', async () => {
    const mc = foreignMc();
    const page = await newPage();
    await page.goto(`${base}/admin`);
    await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), home.token);
    await page.goto(`${base}/recognition?microcredential=${encodeURIComponent(mc.id)}`);
    const record = page.locator('.lookup .cards .card').first().getByRole('link', { name: /^Registrar decisión/ });
    await record.waitFor();
    const candidateTitle = (await page.locator('.lookup .cards .card h3 a').first().textContent())!;
    // a percentage never breaks from its sign at the end of a line on a phone ("20" / "%")
    expect(await page.locator('.lookup .cards .card strong').first().textContent()).toMatch(/^\d+\u00a0%$/);
    expect(await page.locator('.lookup .cards .card details li').first().textContent()).toMatch(/\d\u00a0% × /);
    // differences apart from notes on the page too, and the page (case fields, record links) is axe clean
    await page.getByRole('heading', { name: 'Posibles diferencias sustanciales' }).first().waitFor();
    for (const li of await page.locator('.flags-substantial li').allTextContents()) expect(li).not.toMatch(/^(Modalidad|Evaluación):/);
    await axe(page, 'recognition');
    await tabTo(page, record);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\?tab=recognition/);

    // pre-filled from the comparison
    await expect.poll(() => page.locator('#dec-mc').inputValue()).toBe(mc.id);
    expect(await page.locator('#dec-version').inputValue()).toBe(String(mc.record.version));
    await expect.poll(() => page.locator('#dec-eqname').inputValue()).toBe(candidateTitle);
    expect(await page.locator('#dec-kind').inputValue()).toBe('microcredential');
    await page.getByText(`«${candidateTitle}» como candidato local`).waitFor();
    // the foreign microcredential is named beside its id (the form showed the id alone)
    await expect.poll(() => page.locator('#dec-mc-name').textContent()).toContain(`«${mc.record.title.es}» de `);

    await tabTo(page, page.locator('#dec-reasons'));
    await page.keyboard.type('Resultados de aprendizaje equivalentes; carga menor compensada por práctica.');
    await tabTo(page, page.getByRole('button', { name: 'Revisar la decisión' }));
    await page.keyboard.press('Enter');

    // the review says in words what will be signed and published; focus is on it
    const review = page.getByRole('region', { name: 'Revise antes de firmar' });
    await review.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('review'))).toBe(true);
    const words = (await review.textContent())!;
    expect(words).toContain(`Esto es lo que ${homeName()} firmará con su clave y publicará en la red`);
    expect(words).toContain(`«${mc.record.title.es}»`);
    expect(words).toContain('Equivalente');
    expect(words).toContain(candidateTitle);
    expect(home.node.services.recognition.decisions({ microcredential: mc.id }).filter((d) => d.institution.did === home.did)).toEqual([]);
    await axe(page, 'decision review');

    await tabTo(page, page.getByRole('button', { name: 'Firmar y publicar la decisión' }));
    await page.keyboard.press('Enter');
    // the result names the microcredential decided on, not the decision's id
    const result = page.locator('.alert-ok', { hasText: `Decisión publicada sobre «${mc.record.title.es}»` });
    await result.waitFor();
    await expect.poll(() => result.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(home.node.services.recognition.decisions({ microcredential: mc.id }).some((d) => d.institution.did === home.did && d.outcome === 'equivalent')).toBe(true);

    await tabTo(page, result.getByRole('link', { name: 'Ver la decisión en la consulta de reconocimiento' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/recognition\?microcredential=/);
    await expect.poll(() => page.locator('section[aria-labelledby="lk-dec"]').textContent()).toContain(homeName());
    expect(await page.locator('section[aria-labelledby="lk-dec"]').textContent()).toContain('Equivalente');
    await page.context().close();
  });

  it("shows this node's institution and how fresh each institution's data is, with DIDs only under the technical details", async () => {
    const page = await newPage();
    await page.goto(`${base}/network`);
    await page.getByText(`Este nodo: ${homeName()}`).waitFor();
    const items = page.locator('section[aria-labelledby="feeds-h"] li');
    await expect.poll(() => items.count()).toBe(net.units.length);
    for (const u of net.units) {
      const row = page.locator(`section[aria-labelledby="feeds-h"] li[data-author="${u.did}"]`);
      expect(await row.textContent()).toContain(u.node.services.institutions.get(u.did)!.profile.name.es!);
      expect(await row.locator('time').textContent()).toMatch(/^actualizado (ahora|hace \d+ (s|seg\.?|min\.?))$/);
    }
    // names for people; identifiers behind "Detalles técnicos"
    const visible = await page.locator('main').evaluate((m) => {
      const copy = m.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('details').forEach((d) => d.remove());
      return copy.textContent ?? '';
    });
    expect(visible).not.toContain('did:key:');
    expect(await page.locator('details.technical').textContent()).toContain(home.did);
    await axe(page, 'network');

    // the institution's own page says how fresh its data is here
    const other = net.units[1]!;
    await page.goto(`${base}/institutions/${encodeURIComponent(other.did)}`);
    await expect.poll(() => page.locator('dd[data-freshness]').textContent()).toMatch(/actualizado (ahora|hace \d+ (s|seg\.?|min\.?)) · al día/);
    await axe(page, 'institution');

    // against an injected clock: the node's `now` in the answer (served here through a route), never the browser's;
    // rounds newest first whatever order they come in
    const real = (await (await fetch(`${base}/api/v1/network`)).json()) as Record<string, unknown> & { feeds: { author: string; updatedAt: string | null }[] };
    const now = Date.parse('2026-12-02T10:00:00Z');
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const staged = {
      ...real,
      now: new Date(now).toISOString(),
      feeds: real.feeds.map((f) => ({ ...f, updatedAt: f.author === other.did ? at(2) : at(90) })),
      // as the node lists them (newest first): the old page reversed this list and showed the oldest first
      rounds: [
        { peer: '12D3KooWNew', did: other.did, direction: 'pull', reason: 'gossip', startedAt: at(1), durationMs: 30, entriesReceived: 3, entriesAccepted: 3 },
        { peer: '12D3KooWOld', did: other.did, direction: 'pull', reason: 'periodic', startedAt: at(5), durationMs: 40, entriesReceived: 1, entriesAccepted: 1 },
        { peer: '12D3KooWMid', did: other.did, direction: 'pull', reason: 'periodic', startedAt: at(3), durationMs: 40, entriesReceived: 0, entriesAccepted: 0, error: 'timeout' },
      ],
    };
    const staging = await newPage();
    await staging.route('**/api/v1/network', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(staged) }));
    await staging.goto(`${base}/network`);
    await staging.locator(`section[aria-labelledby="feeds-h"] li[data-author="${other.did}"]`).getByText('actualizado hace 2 min').waitFor();
    expect(await staging.locator(`section[aria-labelledby="feeds-h"] li[data-author="${home.did}"] time`).textContent()).toBe('actualizado hace 1 h');
    expect(await staging.locator('ol.rounds li').evaluateAll((els) => els.map((e) => e.getAttribute('data-started')))).toEqual([at(1), at(3), at(5)]);
    expect(await staging.locator('ol.rounds li').nth(1).textContent()).toContain('fallida');
    expect(await staging.locator('ol.rounds li').first().textContent()).toMatch(/^hace 1 min · Universidad .* · correcta · Recibidas \/ aceptadas: 3 \/ 3$/);
    await staging.context().close();

    // English, and phones
    const phone = await newPage(390);
    await phone.goto(`${base}/network?lang=en`);
    await phone.getByText(`This node: ${home.node.services.institutions.get(home.did)!.profile.name.en ?? homeName()}`).waitFor();
    await noSidewaysScroll(phone, 'network en');
    await phone.goto(`${base}/institutions/${encodeURIComponent(other.did)}?lang=es`);
    await phone.locator('dd[data-freshness] time').waitFor();
    await noSidewaysScroll(phone, 'institution');
    await phone.goto(`${base}/recognition?microcredential=${encodeURIComponent(foreignMc().id)}`);
    await phone.locator('.lookup .cards .card').first().waitFor();
    await noSidewaysScroll(phone, 'recognition');
    await phone.goto(`${base}/admin`);
    await phone.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), home.token);
    await phone.goto(`${base}/admin?tab=recognition&mc=${encodeURIComponent(foreignMc().id)}`);
    await phone.locator('#dec-mc').waitFor();
    await noSidewaysScroll(phone, 'decision');
    await phone.context().close();
    await page.context().close();
  });
});
