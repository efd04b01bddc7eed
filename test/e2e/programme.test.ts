/**
 * Programmes in the web app (issue 15 item 2), headless Chromium against a real node holding the seed's programme
 * (the mx-itpb fixture): the programme's detail page lists its three modules linked to their pages, a module's page
 * links back to the programme, and the admin issue form takes the learner's module credentials as JSON files — two
 * are refused with the missing module named, three issue the badge linking them. axe clean with the fieldset open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { AxeBuilder } from '@axe-core/playwright';
import { importCatalogueFile } from '../../node/catalogue/import.js';
import { microcredentialId } from '../../node/feed/ids.js';
import { MODULE_EVIDENCE_GENRE } from '../../node/credentials/ob3.js';
import { FIXTURES_DIR } from '../../node/devnet.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

const MODULES = ['dim-modulo-1-potencial', 'dim-modulo-2-diseno', 'dim-modulo-3-gestion-qa'];

describe.skipIf(!hasChromium)('programmes in the web app (Chromium)', () => {
  let n: TestNode;
  let browser: Browser;
  let page: Page;
  const files: { name: string; mimeType: string; buffer: Buffer }[] = [];
  const moduleCredentialIds: string[] = [];

  beforeAll(async () => {
    requireWebBuild();
    n = await startTestNode({ name: 'Instituto Tecnológico del Pacífico y el Bajío', country: 'MX' });
    expect(importCatalogueFile(n.node.services.catalogue, path.join(FIXTURES_DIR, 'units', 'mx-itpb', 'catalogue.json')).errors).toEqual([]);
    for (const code of MODULES) {
      const c = await n.node.services.credentials.issue({ microcredential: code, learner: { name: 'Inés Carrillo', email: 'ines.carrillo@correo.example.mx' } });
      moduleCredentialIds.push(c.id);
      files.push({ name: `${code}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(c.credential)) });
    }
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
    page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await n?.close();
  });

  it("the programme's page lists its modules linked to their pages; a module links back", async () => {
    const programme = microcredentialId(n.did, 'dim-programa-microcredenciales');
    await page.goto(`${n.url}/microcredentials/${encodeURIComponent(programme)}`);
    const list = page.locator('.programme-modules li');
    await list.first().waitFor();
    expect(await list.count()).toBe(3);
    expect(await list.nth(0).innerText()).toMatch(/^Módulo 1: Descubriendo el potencial .* · 12 h/);
    await page.getByText('Programa de capacitación', { exact: false }).first().waitFor();
    await list.nth(2).getByRole('link').click();
    await page.waitForURL(`**/microcredentials/${encodeURIComponent(microcredentialId(n.did, MODULES[2]!))}`);
    await page.getByRole('heading', { level: 1, name: /Módulo 3/ }).waitFor();
    // the module's "stackable towards" names the programme, linked
    await page.getByRole('link', { name: /Programa de capacitación: Diseño e implementación/ }).click();
    await page.waitForURL(`**/microcredentials/${encodeURIComponent(programme)}`);
  });

  it('the admin issue form refuses two module files naming the third, and issues the badge with three', async () => {
    const programme = microcredentialId(n.did, 'dim-programa-microcredenciales');
    await page.goto(`${n.url}/admin`);
    await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), n.token);
    await page.goto(`${n.url}/admin?tab=issue`);
    await page.getByLabel('Microcredencial', { exact: true }).selectOption(programme);
    await page.getByLabel('Nombre del estudiante').fill('Inés Carrillo');
    await page.getByLabel('Correo del estudiante').fill('ines.carrillo@correo.example.mx');
    const upload = page.getByLabel('Credenciales de los módulos (JSON)');
    await upload.setInputFiles(files.slice(0, 2));
    await page.getByText(`${MODULES[1]}.json`).waitFor();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.getByRole('button', { name: 'Emitir credencial' }).click();
    const alert = page.locator('.alert-error');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.innerText()).toMatch(/Faltan: Módulo 3/);

    await upload.setInputFiles(files);
    await page.getByText(`${MODULES[2]}.json`).waitFor();
    await page.getByRole('button', { name: 'Emitir credencial' }).click();
    const done = page.locator('.issued');
    await done.waitFor({ timeout: 20_000 });
    const id = (await done.getAttribute('data-credential-id'))!;
    const badge = n.node.services.credentials.get(id)!.credential as { evidence: { id: string; genre?: string }[] };
    expect(badge.evidence.filter((e) => e.genre === MODULE_EVIDENCE_GENRE).map((e) => e.id)).toEqual(moduleCredentialIds);
  });
});
