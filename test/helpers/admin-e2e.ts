/**
 * The set-up the admin e2e files share: one demo unit on a real node (runDevnet, no libp2p), its built web app, one
 * Chromium with a Spanish-speaking desktop context (es-MX, 1280 × 900) and a page, optionally signed in with the
 * unit's admin token; `close()` stops all of it and removes the unit's folder. Must never share a node or a browser
 * between test files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { runDevnet, type Devnet, type DevnetUnit } from '../../node/devnet.js';
import { launchChromium, requireWebBuild } from './chromium.js';

export interface AdminUnitE2E {
  dir: string;
  net: Devnet;
  home: DevnetUnit;
  base: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function startAdminUnit(
  tag: string,
  opts: { acceptDownloads?: boolean; signIn?: boolean; timeoutMs?: number } = {},
): Promise<AdminUnitE2E> {
  requireWebBuild();
  const dir = mkdtempSync(path.join(tmpdir(), `mochila-e2e-${tag}-`));
  let net: Devnet | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await net?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    net = await runDevnet({ dir, units: 1, httpPort: 0, p2pPort: -1, fresh: true, logLevel: 'error' });
    const home = net.units[0]!;
    const base = home.node.httpUrl;
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX', acceptDownloads: opts.acceptDownloads ?? false });
    const page = await ctx.newPage();
    page.setDefaultTimeout(opts.timeoutMs ?? 15_000);
    if (opts.signIn ?? true) {
      await page.goto(`${base}/admin`);
      await page.evaluate((tk) => sessionStorage.setItem('mochila.adminToken', tk), home.token);
    }
    return { dir, net, home, base, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
