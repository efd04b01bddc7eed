/**
 * The accessibility check every e2e file makes (axe-core through Playwright): no serious or critical violation on the
 * page as it is now. The message names the page (`label`), each rule, its impact and up to three elements, so a failure
 * says where to look. Must never filter by rule: a new serious violation fails the test that met it.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export async function axeClean(page: Page, label = page.url()): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((x) => x.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}
