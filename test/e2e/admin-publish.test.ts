/**
 * The complete publish form in headless Chromium against a real node (issue 17 item 8), keyboard only: texts in
 * Spanish, English and Portuguese through each group's language tabs (arrow keys between tabs), two learning outcomes
 * aligned by line with an ESCO URI, a skill picked from those the unit already uses, two languages picked from the
 * filtered list, a module of the unit to stack from. A too-long Portuguese title sits on a tab that is not shown: the
 * error summary lists it, its tab carries the error mark, and the summary's link opens the tab and focuses the field.
 * Then the detail page shows what was written in es, en and pt. axe clean, no sideways scroll at 390 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeClean } from '../helpers/axe.js';
import type { DevnetUnit } from '../../node/devnet.js';
import { startAdminUnit, type AdminUnitE2E } from '../helpers/admin-e2e.js';
import { hasChromium } from '../helpers/chromium.js';

describe.skipIf(!hasChromium)('admin publish form: every field, three languages, keyboard only (Chromium)', () => {
  let unit: AdminUnitE2E;
  let home: DevnetUnit;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    unit = await startAdminUnit('publish');
    ({ home, base, page } = unit);
  }, 180_000);
  afterAll(() => unit?.close());

  const active = () => page.evaluate(() => document.activeElement?.id ?? '');
  /** Focus a control and replace its text by typing (keyboard only: no click, no fill). */
  const focusType = async (selector: string, text: string) => {
    await page.locator(selector).focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
  };
  const choose = async (selector: string, value: string) => {
    const sel = page.locator(selector);
    await sel.focus();
    for (let i = 0; i < 120 && (await sel.inputValue()) !== value; i++) await page.keyboard.press('ArrowDown');
    expect(await sel.inputValue()).toBe(value);
  };
  /** A multilingual group: type es in its panel, then ArrowRight to English and Portuguese, Tab into the panel, type. */
  const threeLanguages = async (group: string, texts: [string, string, string]) => {
    await focusType(`#mc-${group}-es`, texts[0]);
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toBe(`mc-${group}-tab-es`);
    for (const [k, lang] of (['en', 'pt'] as const).entries()) {
      await page.keyboard.press('ArrowRight');
      expect(await active()).toBe(`mc-${group}-tab-${lang}`);
      expect(await page.locator(`#mc-${group}-tab-${lang}`).getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('Tab');
      expect(await active()).toBe(`mc-${group}-${lang}`);
      await page.keyboard.type(texts[k + 1]!);
      await page.keyboard.press('Shift+Tab');
    }
    await page.keyboard.press('Home'); // back to Spanish
    expect(await active()).toBe(`mc-${group}-tab-es`);
  };

  it('publishes texts in es/en/pt, a skill, two languages and a module; a bad field on a hidden tab is reached from the summary; the detail page shows it all', async () => {
    const own = home.node.services.catalogue.byInstitution(home.did).filter((m) => m.status === 'active');
    const module = own.find((m) => !(m.record.stackability?.stacksFrom ?? []).length)!;
    const skill = own.flatMap((m) => m.record.skills ?? []).find((s) => s.name.es)!;
    expect(skill).toBeTruthy();

    await page.goto(`${base}/admin?tab=catalogue`);
    await page.getByRole('button', { name: 'Nueva microcredencial' }).focus();
    await page.keyboard.press('Enter');
    await focusType('#mc-code', 'trilingue-e2e');
    await threeLanguages('title', ['Taller trilingüe', 'Trilingual workshop', 'x'.repeat(301)]); // the pt title one character too long
    await threeLanguages('description', ['Descripción en español', 'Description in English', 'Descrição em português']);
    // outcomes: line N of every language is outcome N; an ESCO URI on line 1 only
    await threeLanguages('outcomes', ['Redactar un informe\nPresentar resultados', 'Write a report\nPresent results', 'Redigir um relatório\nApresentar resultados']);
    await focusType('#mc-outcomeUris', 'https://data.europa.eu/esco/skill/e2e-report');
    await threeLanguages('criteria', ['Aprobar el proyecto', 'Pass the project', 'Ser aprovado no projeto']);
    await focusType('#mc-hours', '30');
    await choose('#mc-creditSystem', 'SCT-Chile');
    await focusType('#mc-credits', '1');
    await choose('#mc-levelFramework', 'EQF');
    await choose('#mc-levelValue', '5');
    await choose('#mc-assessment', 'project');
    await choose('#mc-participation', 'online');
    await page.locator('#mc-context-work-based').focus();
    await page.keyboard.press('Space');
    await choose('#mc-qa', 'internal');
    await focusType('#mc-qaBody', 'Comité de calidad de la unidad');
    await choose('#mc-field', '0732');
    // languages: the filter finds Portuguese by its Spanish name; Tab to its checkbox, Space
    await focusType('#mc-languages', 'portu');
    await page.locator('#mc-languages-opt-pt').waitFor();
    for (let i = 0; i < 10 && (await active()) !== 'mc-languages-opt-pt'; i++) await page.keyboard.press('Tab');
    expect(await active()).toBe('mc-languages-opt-pt');
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Quitar Portugués' }).waitFor();
    // a skill the unit already uses: filter, Tab to its button, Enter
    await focusType('#mc-skills', skill.name.es!.slice(0, 6));
    for (let i = 0; i < 10 && !((await page.evaluate(() => document.activeElement?.textContent ?? '')).startsWith('Añadir')); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Quitar ${skill.name.es}` }).waitFor();
    expect(await active()).toBe('mc-skills'); // its suggestion button is gone: the focus is back on the filter
    // a module of the unit: choose it, then the "add module" button
    await choose('#mc-modules', module.id);
    await page.getByRole('button', { name: 'Añadir módulo' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Quitar ${module.record.title.es}` }).waitFor();
    expect(await active()).toBe('mc-modules'); // the focus stays in the picker, never on <body>
    // and itself, by its network-wide id: the node refuses that, and says so on this field
    const self = `trilingue-e2e.${module.id.split('.')[1]}`;
    await focusType('#mc-modules-net', self);
    await page.getByRole('button', { name: 'Añadir módulo' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Quitar ${self}` }).waitFor();

    // submit: the Portuguese title (its tab not shown) is refused in the summary, the pt tab carries the error mark
    await page.locator('#mc-code').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('alert'))).toBe(true);
    const summary = page.locator('.editor .alert').first();
    await expect.poll(() => summary.innerText()).toContain('Português: Como máximo 300 caracteres.');
    expect(await page.locator('#mc-title-pt').count()).toBe(0); // not rendered: its tab is not the shown one
    expect(await page.locator('#mc-title-tab-pt').getAttribute('class')).toContain('tab-error');
    await axeClean(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#mc-title-pt');
    await page.keyboard.press('Enter');
    await expect.poll(active).toBe('mc-title-pt');
    expect(await page.locator('#mc-title-tab-pt').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Oficina trilíngue');
    // no sideways scroll at 390 px with the whole form open
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.keyboard.press('Enter'); // submits from the title's input
    // the node refuses the module that is the record itself: its error sits on the modules field, linked from the summary
    await expect.poll(() => page.locator('#mc-modules').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.error-summary a[href="#mc-modules"]').count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('alert'))).toBe(true);
    await page.getByRole('button', { name: `Quitar ${self}` }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(active).toBe('mc-modules-rm-0'); // the focus goes to the module left, not to <body>
    await page.locator('#mc-code').focus();
    await page.keyboard.press('Enter');
    await page.getByText('Publicada: trilingue-e2e, versión 1.').waitFor().catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await page.locator('main').innerText()}`);
    });
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body)).toBe(true);

    const saved = home.node.services.catalogue.byInstitution(home.did).find((m) => m.record.code === 'trilingue-e2e')!;
    expect(saved.record.title).toEqual({ es: 'Taller trilingüe', en: 'Trilingual workshop', pt: 'Oficina trilíngue' });
    expect(saved.record.learningOutcomes).toEqual([
      { text: { es: 'Redactar un informe', en: 'Write a report', pt: 'Redigir um relatório' }, escoUri: 'https://data.europa.eu/esco/skill/e2e-report' },
      { text: { es: 'Presentar resultados', en: 'Present results', pt: 'Apresentar resultados' } },
    ]);
    expect(saved.record.languages).toEqual(['es', 'pt']);
    expect(saved.record.skills).toEqual([skill]);
    expect(saved.record.stackability?.stacksFrom?.map((m) => m.id)).toEqual([module.id]);
    expect(saved.record.participation?.context).toEqual(['work-based']);
    expect(saved.record.qualityAssurance?.body).toBe('Comité de calidad de la unidad');

    // the detail page in each interface language
    const expected = {
      es: ['Taller trilingüe', 'Descripción en español', 'Redactar un informe', 'Presentar resultados', 'Aprobar el proyecto', 'Portugués', skill.name.es!, 'Comité de calidad de la unidad'],
      en: ['Trilingual workshop', 'Description in English', 'Write a report', 'Present results', 'Pass the project', 'Portuguese', skill.name.en ?? skill.name.es!],
      pt: ['Oficina trilíngue', 'Descrição em português', 'Redigir um relatório', 'Apresentar resultados', 'Ser aprovado no projeto', 'Português', skill.name.pt ?? skill.name.es!],
    };
    for (const [lang, texts] of Object.entries(expected)) {
      await page.goto(`${base}/microcredentials/${encodeURIComponent(saved.id)}?lang=${lang}`);
      await page.locator('article.detail h1').waitFor();
      const body = await page.locator('main').innerText();
      for (const x of texts) expect(body, `${lang}: ${x}`).toContain(x);
      expect(await page.locator('.programme-modules a').first().innerText()).toBeTruthy();
    }
    await axeClean(page);
  }, 240_000);

  it('the whole form in English and Portuguese: labelled in the language, no sideways scroll at 390 px or at 200 % zoom, axe clean', async () => {
    const labels = { en: ['New microcredential', 'Title (Español)', 'Find a language'], pt: ['Nova microcredencial', 'Título (Español)', 'Procurar um idioma'] };
    for (const [lang, [button, title, filter]] of Object.entries(labels)) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}/admin?tab=catalogue&lang=${lang}`);
      await page.getByRole('button', { name: button }).click();
      await page.getByLabel(title!).waitFor(); // "… (required)" follows
      await page.getByLabel(filter!, { exact: true }).waitFor();
      // the tabs are named in their own language whatever the interface's
      expect(await page.locator('#mc-description-tab-pt').innerText()).toContain('Português');
      expect(await page.locator('#mc-description-tab-en').innerText()).toContain('English');
      await axeClean(page);
      for (const width of [390, 640]) {
        await page.setViewportSize({ width, height: 800 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${lang} at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 120_000);
});
