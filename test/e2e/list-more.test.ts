/**
 * The web pages say how many more a bounded list holds (node/core/bounded-lists.ts): another member publishes 60
 * recognition decisions about this node's microcredential (signed with signEntry, taken in through the ordinary
 * ingest); the microcredential page shows the newest 50 and "… y 10 más" (English: "… and 10 more"), and the deciding
 * institution's page the same under its decisions. Headless Chromium against one started node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { signEntry, type Entry } from '../../node/feed/entry.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

if (!hasChromium) console.warn(`list e2e tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('bounded lists on the web pages', () => {
  let n: TestNode;
  let browser: Browser;
  let mine: string;
  const other = generateKey();

  beforeAll(async () => {
    requireWebBuild();
    const key = generateKey();
    const manifest = createManifest({ name: `list more ${Date.now()}`, founders: [key.did, other.did], endorsements: 2 });
    n = await startTestNode({ name: 'Universidad Lectora', manifest, key, config: { standalone: true } });
    mine = n.node.services.catalogue.create({ ...unitOfCountry('CL').catalogue[0]! }).id;
    const entries: Entry[] = [];
    const add = (type: Entry['type'], body: unknown) =>
      entries.push(
        signEntry(other, { v: 2, net: n.node.services.network, author: other.did, seq: entries.length + 1, prev: entries.at(-1)?.id ?? null, ts: new Date(Date.parse('2026-01-01T00:00:00Z') + entries.length * 1000).toISOString(), type, body }),
      );
    add('profile', { name: { es: 'Universidad Decidida' }, country: 'MX', kind: 'hei' });
    for (let i = 0; i < 60; i++) add('recognition', { decisionId: `rec-${i}`, microcredential: { id: mine, version: 1 }, outcome: 'credits', credits: { system: 'ECTS', value: 3 }, validFrom: '2026-01-01', reasons: { es: `Razón ${i}` } });
    expect(n.node.services.feed.ingestBatch(other.did, entries).rejected).toEqual([]);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await n?.close();
  });

  it('the microcredential page and the institution page end the decisions with how many more there are', async () => {
    const page = await browser.newPage({ locale: 'es-MX' });
    page.setDefaultTimeout(15_000);
    await page.goto(`${n.url}/microcredentials/${encodeURIComponent(mine)}?lang=es`);
    const recs = page.locator('section[aria-labelledby="rec-h"]');
    await recs.locator('.decision').first().waitFor();
    expect(await recs.locator('.decision').count()).toBe(50);
    await expect.poll(() => recs.locator('.more').textContent()).toBe('… y 10 más');

    await page.goto(`${n.url}/microcredentials/${encodeURIComponent(mine)}?lang=en`);
    await expect.poll(() => page.locator('section[aria-labelledby="rec-h"] .more').textContent()).toBe('… and 10 more');

    await page.goto(`${n.url}/institutions/${encodeURIComponent(other.did)}?lang=pt`);
    const decs = page.locator('section[aria-labelledby="inst-dec-h"]');
    await decs.locator('.decision').first().waitFor();
    expect(await decs.locator('.decision').count()).toBe(50);
    await expect.poll(() => decs.locator('.more').textContent()).toBe('… e mais 10');
    await page.close();
  });
});
