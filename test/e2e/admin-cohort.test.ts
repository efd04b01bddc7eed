/**
 * The admin cohort in headless Chromium against a real node (issue 17 item 7): the template downloads with every
 * column the node reads; a pasted CSV is previewed row by row (learner, microcredential and where it comes from,
 * each bad row's reason) with nothing issued, the focus on the preview's heading; the bad rows download as an error
 * file with their own cells and reason; the batch then issues, the focus on its result's heading, names in the
 * results, and a second run says "Ya emitida el …". axe clean, no sideways scroll at 390 px. And a keyboard-only run
 * of the single issue form (focus on its result), then of revoking it (reason category by arrow keys, the detail typed,
 * focus on the notice; the category, never the detail, in the public verification).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { hasChromium } from '../helpers/chromium.js';
import { axeClean } from '../helpers/axe.js';
import type { DevnetUnit } from '../../node/devnet.js';
import { startAdminUnit, type AdminUnitE2E } from '../helpers/admin-e2e.js';

describe.skipIf(!hasChromium)('admin cohort: template, preview, error file, results (Chromium)', () => {
  let unit: AdminUnitE2E;
  let home: DevnetUnit;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    unit = await startAdminUnit('cohort', { acceptDownloads: true });
    ({ home, base, page } = unit);
  }, 180_000);
  afterAll(() => unit?.close());

  const issuedCount = async () =>
    ((await (await fetch(`${base}/api/v1/admin/credentials?limit=1`, { headers: { authorization: `Bearer ${home.token}` } })).json()) as { total: number }).total;

  it('previews a CSV row by row, downloads the template and the error file, then issues with names and reasons', async () => {
    const mcs = home.node.services.catalogue.byInstitution(home.did).filter((m) => m.status === 'active' && !(m.record.stackability?.stacksFrom ?? []).length);
    const [forAll, inFile] = [mcs[0]!, mcs[1]!];
    await page.goto(`${base}/admin?tab=issue`);
    await page.getByRole('button', { name: 'Descargar la plantilla (CSV)' }).waitFor().catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await page.locator('main').innerText()}`);
    });

    // the template: every column the node reads, in Spanish
    const [tpl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar la plantilla (CSV)' }).click()]);
    expect(tpl.suggestedFilename()).toBe('plantilla-cohorte.csv');
    const template = readFileSync((await tpl.path())!, 'utf8');
    expect(template.split('\r\n')[0]).toBe('\uFEFF"nombre";"correo";"did";"microcredencial";"vigencia";"idioma";"evidencia_url";"evidencia";"evidencia_archivo";"creditos";"fecha_inicio";"fecha_fin";"resultado: <criterio>"');

    const before = await issuedCount();
    const csv = [
      'nombre;correo;microcredencial',
      'Ana Cohorte;ana.cohorte@example.cl;',
      `Luis Cohorte;luis.cohorte@example.cl;${inFile.record.code}`,
      'Sin Correo;no-es-correo;',
      'Ana Repetida;ANA.cohorte@example.cl;',
    ].join('\n');
    await page.getByLabel('O pegue el contenido CSV').fill(csv);
    await page.getByLabel('Microcredencial para las filas que no traen una (opcional)').selectOption(forAll.id);
    await page.getByText('Solo para las filas sin microcredencial').waitFor();
    await page.getByRole('button', { name: 'Revisar antes de emitir' }).click();
    const heading = page.getByRole('heading', { name: 'Vista previa del lote (aún no se emitió nada)' });
    await heading.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'batch-preview-h');
    await page.getByText('4 filas: 2 listas para emitir, 1 se omitirán, 1 con error').waitFor({ timeout: 5_000 }).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await page.locator('.job').innerText()}`);
    });
    const rows = page.locator('.job table tbody tr');
    expect(await rows.count()).toBe(4);
    const row = async (i: number) => (await rows.nth(i).innerText()).replace(/\s+/g, ' ');
    expect(await row(0)).toContain('Ana Cohorte');
    expect(await row(0)).toContain('elegida aquí');
    expect(await row(0)).toContain('Lista para emitir');
    expect(await row(1)).toContain('de la columna del archivo');
    expect(await row(1)).toContain(inFile.record.title.es!);
    expect(await row(2)).toContain('No es una dirección de correo: no-es-correo');
    expect(await row(3)).toContain('Repetida: la línea 2 del mismo archivo ya la emite.');
    expect(await issuedCount()).toBe(before); // nothing issued by the preview
    await axeClean(page);

    // the error file: the bad row's own cells and its reason
    const [errs] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar las filas con error (CSV)' }).click()]);
    expect(errs.suggestedFilename()).toBe('filas-con-error.csv');
    expect(readFileSync((await errs.path())!, 'utf8').split('\r\n')).toEqual(['\uFEFF"nombre";"correo";"microcredencial";"error"', '"Sin Correo";"no-es-correo";"";"No es una dirección de correo: no-es-correo"', '']);

    // no sideways scroll at 390 px with the preview shown
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });

    // the batch: focus on its result, names and reasons in the rows
    await page.getByRole('button', { name: 'Emitir lote' }).click();
    await page.getByRole('heading', { name: 'Resultado del lote' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'batch-job-h');
    await page.getByText('4 de 4 filas: 2 emitidas, 1 omitidas, 1 con error', { exact: false }).waitFor({ timeout: 60_000 });
    const jobRows = page.locator('.job table tbody tr');
    expect((await jobRows.nth(0).innerText()).replace(/\s+/g, ' ')).toContain('Ana Cohorte');
    expect((await jobRows.nth(3).innerText()).replace(/\s+/g, ' ')).toContain('Ana Repetida');
    expect(await issuedCount()).toBe(before + 2);

    // again: the same learners are "ya emitida el <date>"
    await page.getByRole('button', { name: 'Revisar antes de emitir' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'batch-preview-h');
    const today = new Date().toISOString().slice(0, 10);
    expect((await page.locator('.job table tbody tr').nth(0).innerText()).replace(/\s+/g, ' ')).toContain(`Ya emitida el ${today}.`);
    await axeClean(page);
  }, 180_000);

  it('issues one credential with the keyboard only; the focus lands on the result', async () => {
    const mc = home.node.services.catalogue.byInstitution(home.did).find((m) => m.status === 'active' && !(m.record.stackability?.stacksFrom ?? []).length)!;
    await page.goto(`${base}/admin?tab=issue`);
    const select = page.getByLabel('Microcredencial', { exact: true });
    await select.focus();
    // keyboard only: arrow down the closed <select> to the microcredential, then Tab through the fields
    for (let i = 0; i < 60 && (await select.inputValue()) !== mc.id; i++) await page.keyboard.press('ArrowDown');
    expect(await select.inputValue()).toBe(mc.id);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? '')).toContain('Nombre del estudiante');
    await page.keyboard.type('Teclado Solo');
    await page.keyboard.press('Tab');
    await page.keyboard.type('teclado.solo@example.cl');
    await page.keyboard.press('Enter');
    await page.locator('.issued').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body && !!document.activeElement?.closest('[aria-live]'))).toBe(true);
    await axeClean(page);
  }, 120_000);

  it('revokes with the keyboard only: reason category and detail, the focus on the notice, the category in the verification', async () => {
    await page.goto(`${base}/admin?tab=credentials`);
    const search = page.getByLabel('Buscar por nombre, correo o identificador');
    await search.focus();
    await page.keyboard.type('Teclado Solo');
    const revoke = page.getByRole('button', { name: 'Revocar: Teclado Solo' });
    await revoke.waitFor();
    // Tab until the row's revoke button has the focus (fails after 40 presses)
    for (let i = 0; i < 40 && !(await revoke.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await revoke.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    // the confirmation takes the focus on its first field, the reason category (a closed <select>: arrow keys)
    const category = page.getByLabel('Motivo (se muestra a quien verifique)');
    await expect.poll(() => category.evaluate((el) => el === document.activeElement)).toBe(true);
    for (let i = 0; i < 10 && (await category.inputValue()) !== 'issued-in-error'; i++) await page.keyboard.press('ArrowDown');
    expect(await category.inputValue()).toBe('issued-in-error');
    await page.keyboard.press('Tab');
    await page.keyboard.type('correo equivocado en la emisión');
    await page.keyboard.press('Enter'); // submits the inline confirmation
    const notice = page.getByText('Credencial de Teclado Solo revocada.');
    await notice.waitFor();
    // the focus is on the notice (or inside it), never dropped to <body>
    await expect.poll(() => notice.evaluate((el) => el === document.activeElement || el.contains(document.activeElement))).toBe(true);
    const list = (await (await fetch(`${base}/api/v1/admin/credentials?q=${encodeURIComponent('Teclado Solo')}`, { headers: { authorization: `Bearer ${home.token}` } })).json()) as {
      items: { id: string; learnerName: string; status: { revoked: boolean; reasonCategory: string | null; reason: string | null } }[];
    };
    const row = list.items.find((c) => c.learnerName === 'Teclado Solo')!;
    expect(row.status).toMatchObject({ revoked: true, reasonCategory: 'issued-in-error', reason: 'correo equivocado en la emisión' });
    // anyone verifying sees the category, never the free text
    const { credential } = (await (await fetch(`${base}/api/v1/admin/credentials/${encodeURIComponent(row.id)}`, { headers: { authorization: `Bearer ${home.token}` } })).json()) as {
      credential: unknown;
    };
    const report = (await (
      await fetch(`${base}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential }) })
    ).json()) as { verified: boolean; checks: { id: string; statusChange?: { purpose: string; reason?: string } }[] };
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.id === 'status')?.statusChange).toMatchObject({ purpose: 'revocation', reason: 'issued-in-error' });
    expect(JSON.stringify(report)).not.toContain('correo equivocado');
    await axeClean(page);
  }, 120_000);

  it('copies the link of a microcredential and of an institution with a visible confirmation', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const mc = home.node.services.catalogue.byInstitution(home.did)[0]!;
    for (const where of [`/microcredentials/${encodeURIComponent(mc.id)}`, `/institutions/${encodeURIComponent(home.did)}`]) {
      await page.goto(`${base}${where}?lang=es`);
      await page.getByRole('button', { name: 'Copiar enlace' }).click();
      await page.getByRole('status').filter({ hasText: 'Enlace copiado al portapapeles.' }).waitFor();
      // the page's own address, without ?lang= (whoever opens it reads it in their language)
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${base}${where}`);
      await axeClean(page);
    }
  }, 60_000);

  it('publishes with the keyboard only: a zero or negative workload is refused in the error summary, whose link focuses the field', async () => {
    await page.goto(`${base}/admin?tab=catalogue`);
    const focusType = async (selector: string, text: string) => {
      await page.locator(selector).focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(text);
    };
    const choose = async (selector: string, value: string) => {
      const sel = page.locator(selector);
      // the options may come with a re-render (a framework's levels): wait for the one wanted, then arrow to it
      await sel.locator(`option[value="${value}"]`).waitFor({ state: 'attached' });
      await sel.focus();
      for (let i = 0; i < 80 && (await sel.inputValue()) !== value; i++) await page.keyboard.press('ArrowDown');
      expect(await sel.inputValue()).toBe(value);
    };
    await page.getByRole('button', { name: 'Nueva microcredencial' }).focus();
    await page.keyboard.press('Enter');
    await focusType('#mc-code', 'teclado-e2e');
    await focusType('#mc-title-es', 'Taller de teclado');
    await focusType('#mc-outcomes-es', 'Publicar sin ratón');
    await focusType('#mc-hours', '-5');
    await choose('#mc-creditSystem', 'SCT-Chile');
    await focusType('#mc-credits', '0');
    await choose('#mc-levelFramework', 'EQF');
    await choose('#mc-levelValue', '5');
    await choose('#mc-assessment', 'project');
    await choose('#mc-participation', 'online');
    await choose('#mc-qa', 'internal');
    await choose('#mc-field', '0732');
    await page.locator('#mc-code').focus();
    await page.keyboard.press('Enter'); // submits the form
    const summary = page.locator('.editor .alert').first();
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('alert'))).toBe(true);
    await expect.poll(() => summary.innerText()).toContain('Las horas deben ser más de 0');
    expect(await summary.innerText()).toContain('Los créditos deben ser más de 0 (ni cero ni negativos).');
    expect(await page.locator('#mc-hours').getAttribute('aria-invalid')).toBe('true');
    await axeClean(page);
    // Tab to the summary's first link, Enter: the focus is on the hours
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#mc-hours');
    await page.keyboard.press('Enter');
    // the link opens the field's language tab when it is hidden, then moves the focus (after the re-render)
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('mc-hours');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('40');
    await focusType('#mc-credits', '1.5');
    await page.keyboard.press('Enter');
    await page.getByText('Publicada: teclado-e2e, versión 1.').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body)).toBe(true);
    // no sideways scroll at 390 px on the catalogue tab
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 120_000);
});
