/**
 * The admin issue form's evidence and results (issue 15 item 1) in headless Chromium against a real node: a portfolio
 * PDF picked from disk, its kind and narrative, the seed's portfolio rubric with one click and a level per criterion,
 * credits and activity dates; the issued credential carries them, the file's served bytes hash to the digest it names,
 * and a file type off the list is refused in the form before anything is sent. axe clean with the fields open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { hasChromium } from '../helpers/chromium.js';
import { AxeBuilder } from '@axe-core/playwright';
import type { DevnetUnit } from '../../node/devnet.js';
import { startAdminUnit, type AdminUnitE2E } from '../helpers/admin-e2e.js';
import { PDF } from '../helpers/evidence-fixtures.js';

describe.skipIf(!hasChromium)('admin issue form: evidence and results (Chromium)', () => {
  let unit: AdminUnitE2E;
  let home: DevnetUnit;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    unit = await startAdminUnit('ev', { signIn: false, timeoutMs: 10_000 });
    ({ home, base, page } = unit);
  }, 120_000);
  afterAll(() => unit?.close());

  it('issues with a portfolio file, the rubric, credits and dates; the served file matches its digest', async () => {
    const mc = home.node.services.catalogue.byInstitution(home.did).find((m) => (m.record.workload?.credits?.value ?? 0) >= 1)!;
    await page.goto(`${base}/admin`);
    await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), home.token);
    await page.goto(`${base}/admin?tab=issue`);
    await page.getByLabel('Microcredencial', { exact: true }).selectOption(mc.id);
    await page.getByLabel('Nombre del estudiante').fill('Paula Evidencia');
    await page.getByLabel('Correo del estudiante').fill('paula.evidencia@example.cl');
    await page.getByText('Evidencias y resultados (opcional)').click();

    // a type off the list is refused in the form, nothing is added
    const files = page.getByLabel('Archivos de evidencia (portafolio, informe, póster)');
    await files.setInputFiles({ name: 'pagina.html', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
    await page.getByText('pagina.html: ese tipo de archivo no se admite como evidencia.').waitFor();
    await files.setInputFiles({ name: 'portafolio.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByText('portafolio.pdf', { exact: true }).waitFor();
    await page.getByLabel('Tipo de evidencia').fill('Portafolio');
    await page.getByLabel('Descripción de la evidencia').fill('Producciones de los tres módulos.');
    await page.getByRole('button', { name: 'Usar la rúbrica del portafolio' }).click();
    const levels = page.getByLabel('Nivel alcanzado');
    expect(await levels.count()).toBe(4);
    for (const [i, level] of ['Logrado', 'Destacado', 'En desarrollo', 'Logrado'].entries()) await levels.nth(i).selectOption(level);
    await page.getByLabel('Créditos obtenidos').fill('1');
    await page.getByLabel('Inicio de la actividad').fill('2026-03-02');
    await page.getByLabel('Fin de la actividad').fill('2026-06-26');
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

    await page.getByRole('button', { name: 'Emitir credencial' }).click();
    const done = page.locator('.issued');
    await done.waitFor({ timeout: 20_000 }).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await page.locator('main').innerText()}`);
    });
    const id = (await done.getAttribute('data-credential-id'))!;
    const cred = (await (await fetch(`${base}/api/v1/credentials/${encodeURIComponent(id)}`)).json()) as Record<string, any>;
    const digest = createHash('sha256').update(PDF).digest('hex');
    expect(cred.evidence).toEqual([
      expect.objectContaining({ id: `${base}/api/v1/evidence/${digest}`, name: 'portafolio.pdf', genre: 'Portafolio', narrative: 'Producciones de los tres módulos.', mediaType: 'application/pdf' }),
    ]);
    const s = cred.credentialSubject;
    expect(s.achievement.resultDescription.map((d: { name: string }) => d.name)).toEqual(['Pensamiento crítico', 'Capacidad de desarrollo', 'Autorreflexión', 'Adecuación al contexto']);
    expect(s.result[1].achievedLevel).toBe(s.achievement.resultDescription[1].rubricCriterionLevel[3].id);
    expect([s.creditsEarned, s.activityStartDate, s.activityEndDate]).toEqual([1, '2026-03-02T00:00:00Z', '2026-06-26T00:00:00Z']);
    const served = Buffer.from(await (await fetch(cred.evidence[0].id)).arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(digest);
  }, 120_000);
});
