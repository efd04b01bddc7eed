/**
 * End-to-end test of the claim page's wallet section in headless Chromium: the learner clicks "Añadir a una
 * billetera", the page shows a QR code and an openid-credential-offer:// link; the QR code, read back from the page's
 * pixels (canvas + jsQR), carries exactly that link; an independent wallet library (@openid4vc/openid4vci) claims
 * the credential from it, bound to its did:key, and the node verifies the result; a second click gives a new code and
 * the first stops working; an axe check (no serious/critical issue) with the offer shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, requireWebBuild } from '../helpers/chromium.js';
import { axeClean } from '../helpers/axe.js';
import jsQRImport from 'jsqr';
import { base58btc } from 'multiformats/bases/base58';
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

// jsqr is CommonJS typed as an ES module: its default export is what `require` returns
const jsQR = ((jsQRImport as unknown as { default?: unknown }).default ?? jsQRImport) as typeof jsQRImport.default;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe.skipIf(!hasChromium)('claim page: add the credential to a wallet (OpenID4VCI offer as QR code and link)', () => {
  let n: TestNode;
  let browser: Browser;
  let page: Page;
  let claimUrl = '';

  beforeAll(async () => {
    requireWebBuild();
    setGlobalConfig({ allowInsecureUrls: true });
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const post = (p: string, body: unknown) =>
      fetch(`${n.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/admin/microcredentials', catalogue[0])).status).toBe(201);
    const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name: 'Catalina Fuentes', email: 'c.fuentes@alumnos.example.cl' } });
    expect(r.status, await r.clone().text()).toBe(201);
    claimUrl = ((await r.json()) as { claimUrl: string }).claimUrl;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-CL' })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== n.url) throw new Error(`request to another host: ${req.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    setGlobalConfig({ allowInsecureUrls: false });
    await browser?.close();
    await n?.close();
  });

  /** The QR code the page shows, decoded from its pixels (drawn on a canvas, sent back as base64 RGBA). */
  const qrText = async (): Promise<string | null> => {
    const size = 360;
    const rgba = await page.locator('.claim-wallet img').evaluate(async (el, size) => {
      const pic = new Image();
      pic.src = (el as HTMLImageElement).src;
      await pic.decode();
      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(pic, 0, 0, size, size);
      const bytes = ctx.getImageData(0, 0, size, size).data;
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(bin);
    }, size);
    return jsQR(new Uint8ClampedArray(Buffer.from(rgba, 'base64')), size, size)?.data ?? null;
  };

  it('shows an offer as a QR code and a link; the QR code carries the link; a wallet library claims a did:key-bound credential from it', async () => {
    await page.goto(claimUrl);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('.claim-wallet img').count()).toBe(0); // no offer (a live code) before the learner asks
    await page.getByRole('button', { name: 'Añadir a una billetera' }).click();
    await expect.poll(() => page.locator('.claim-wallet').getAttribute('data-offer')).toBe('shown');
    const href = await page.getByText('Abrir en la billetera de este dispositivo').getAttribute('href');
    expect(href).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    expect(await qrText()).toBe(href);
    await axeClean(page, 'claim page with a wallet offer');

    // a new code replaces the first one
    await page.getByRole('button', { name: 'Generar un código nuevo' }).click();
    await expect.poll(() => page.getByText('Abrir en la billetera de este dispositivo').getAttribute('href')).not.toBe(href);
    const fresh = (await page.getByText('Abrir en la billetera de este dispositivo').getAttribute('href'))!;
    expect(await qrText()).toBe(fresh);

    // the wallet: an independent client library with a did:key made here
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const x = publicKey.export({ format: 'jwk' }).x!;
    const mb = base58btc.encode(Uint8Array.from([0xed, 0x01, ...Buffer.from(x, 'base64url')]));
    const wallet = new Openid4vciClient({
      callbacks: {
        fetch,
        hash: (data, alg) => new Uint8Array(createHash(String(alg).replace('-', '')).update(data).digest()),
        generateRandom: (k) => new Uint8Array(randomBytes(k)),
        clientAuthentication: () => {},
        signJwt: (_s, { header, payload }) => {
          const input = `${b64(header)}.${b64(payload)}`;
          return { jwt: `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`, signerJwk: { kty: 'OKP', crv: 'Ed25519', x } };
        },
      },
    });
    const stale = await wallet.resolveCredentialOffer(href!);
    const issuerMetadata = await wallet.resolveIssuerMetadata(stale.credential_issuer);
    const refused = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: stale, issuerMetadata }).then(
      () => 'accepted',
      (e: unknown) => String((e as { errorResponse?: { error?: string } }).errorResponse?.error ?? e),
    );
    expect(refused).toBe('invalid_grant');
    const credentialOffer = await wallet.resolveCredentialOffer(fresh);
    const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata });
    const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
    const id = credentialOffer.credential_configuration_ids[0]!;
    const { jwt } = await wallet.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId: id, nonce: c_nonce, signer: { method: 'did', didUrl: `did:key:${mb}#${mb}`, alg: 'EdDSA' } });
    const got = await wallet.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: id, proofs: { jwt: [jwt] } });
    const vc = (got.credentialResponse as { credentials: { credential: { credentialSubject: { id: string } } }[] }).credentials[0]!.credential;
    expect(vc.credentialSubject.id).toBe(`did:key:${mb}`);
    const report = (await (await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credential: vc }) })).json()) as { verified: boolean };
    expect(report.verified).toBe(true);
  }, 240_000);

  it('in English too', async () => {
    await page.goto(`${n.url}/`);
    await page.evaluate(() => localStorage.setItem('mochila.lang', 'en'));
    await page.goto(claimUrl);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('button', { name: 'Add to a wallet' }).click();
    await expect.poll(() => page.getByText("Open in this device's wallet").getAttribute('href')).toMatch(/^openid-credential-offer:\/\//);
    await page.evaluate(() => localStorage.removeItem('mochila.lang'));
  }, 60_000);
});

