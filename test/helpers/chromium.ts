/**
 * Headless Chromium for the e2e tests (test/e2e): where it is (CHROMIUM_PATH, default /usr/bin/chromium), whether it
 * is installed (files skip when it is not), and one launch with the flags every file uses. One browser per test file,
 * launched in its beforeAll: each test opens its own context or page in it, so a file pays one Chromium start-up.
 * The flags keep a headless browser from doing background work (component updates, sync, first-run pages) that competes
 * with the nodes for a busy machine's cores. Must never change what a page sees (no flags that alter rendering or
 * security: --no-sandbox only because the tests run as root in containers).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A headless Chromium with the common flags, plus any a file needs (e.g. a fake camera). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraArgs] });
}

/** The e2e tests serve the built web app: refuse to run against a missing build. */
export function requireWebBuild(): void {
  const index = path.resolve(__dirname, '../../web/dist/index.html');
  if (!existsSync(index)) throw new Error('web/dist/index.html is missing: run `npm run build:web` first');
}
