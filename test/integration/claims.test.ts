// Claim links through a real started node: every issued credential gets a capability URL whose token is stored only
// hashed; the public claim API gives the credential, its verification and links to the token holder only; unknown,
// malformed and revoked tokens get the same 404; the unit revokes or replaces links; the share page is off by
// default, public with link-preview tags when the holder turns it on, 404 again when off; the claim endpoints are
// rate-limited like the other public endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startTestNode, TEST_PUBLIC_LIMITS, type TestNode } from '../helpers/nodes.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

const tokenOf = (claimUrl: string) => {
  const m = /\/claim\/([A-Za-z0-9_-]+)$/.exec(claimUrl);
  if (!m) throw new Error(`not a claim URL: ${claimUrl}`);
  return m[1]!;
};

describe('claim links through a started node', () => {
  let n: TestNode;
  const schemas = new SchemaRegistry();
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown, headers: Record<string, string> = admin()) =>
    fetch(`${n.url}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const issue = async (name: string, email: string) => {
    const r = await post('/api/v1/admin/credentials', { microcredential: catalogue[0]!.code, learner: { name, email } });
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as { id: string; claimUrl: string; delivery: string | null; credential: Record<string, unknown> };
  };
  const claim = (token: string) => fetch(`${n.url}/api/v1/claims/${token}`);

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const r = await post('/api/v1/admin/microcredentials', catalogue[0]);
    expect(r.status, await r.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('gives each issued credential a claim link whose 256-bit token is stored only as its hash', async () => {
    const a = await issue('María José Muñoz Pérez', 'mj.munoz@correo.example.cl');
    const b = await issue('Pedro Soto', 'p.soto@correo.example.cl');
    expect(a.claimUrl).toMatch(new RegExp(`^${n.url}/claim/[A-Za-z0-9_-]{43}$`));
    expect(tokenOf(a.claimUrl)).not.toBe(tokenOf(b.claimUrl));
    // no e-mail was asked for: nothing queued
    expect(a.delivery).toBeNull();
    const rows = n.node.services.store.sqlite.prepare('SELECT * FROM credential_claims').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(tokenOf(a.claimUrl));
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(tokenOf(a.claimUrl)).digest('hex'));
    // the admin views never show the token again
    const d = await (await fetch(`${n.url}/api/v1/admin/credentials/${encodeURIComponent(a.id)}/delivery`, { headers: admin() })).json();
    expect(d.links).toHaveLength(1);
    expect(JSON.stringify(d)).not.toContain(tokenOf(a.claimUrl));
  });

  it('opens the credential, its verification report and its links to the token holder', async () => {
    const a = await issue('Ana Contreras', 'a.contreras@correo.example.cl');
    const r = await claim(tokenOf(a.claimUrl));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = await r.json();
    schemas.assertValid('api/claim', body);
    expect(body.id).toBe(a.id);
    expect(body.learnerName).toBe('Ana Contreras');
    expect(body.credential).toEqual(a.credential);
    expect(body.verification.verified, JSON.stringify(body.verification.checks)).toBe(true);
    expect(body.share).toEqual({ published: false, url: null });
    const dl = await fetch(body.links.json);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toContain('application/vc+ld+json');
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9]+(-[a-z0-9]+)*-credencial\.json"$/);
    expect(await dl.json()).toEqual(a.credential);
  });

  it('answers unknown, malformed and revoked tokens with the same 404 problem', async () => {
    const a = await issue('Luis Rojas', 'l.rojas@correo.example.cl');
    const token = tokenOf(a.claimUrl);
    const revoke = await post(`/api/v1/admin/credentials/${encodeURIComponent(a.id)}/claim/revoke`, {});
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({ revoked: 1 });
    // a token one character off, a malformed one, the revoked one
    const other = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const answers = [];
    for (const t of [token, other, 'x', '%00', 'a'.repeat(500)]) {
      const r = await claim(t);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const p = await r.json();
      answers.push({ code: p.code, detail: p.detail, title: p.title });
    }
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    // the credential itself is untouched by revoking its links
    const c = await (await fetch(`${n.url}/api/v1/admin/credentials/${encodeURIComponent(a.id)}`, { headers: admin() })).json();
    expect(c.status.revoked).toBe(false);
    // the share switch and the download refuse a revoked token too
    expect((await fetch(`${n.url}/api/v1/claims/${token}/credential.json`)).status).toBe(404);
    expect(
      (
        await fetch(`${n.url}/api/v1/claims/${token}/share`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"published":true}',
        })
      ).status,
    ).toBe(404);
  });

  it('lets the unit replace the links of a credential: the old link stops working, the new one opens it', async () => {
    const a = await issue('Camila Fuentes', 'c.fuentes@correo.example.cl');
    const r = await post(`/api/v1/admin/credentials/${encodeURIComponent(a.id)}/claim`, {});
    expect(r.status).toBe(201);
    const out = (await r.json()) as { claimUrl: string; delivery: null };
    expect(out.delivery).toBeNull();
    expect((await claim(tokenOf(a.claimUrl))).status).toBe(404);
    expect((await claim(tokenOf(out.claimUrl))).status).toBe(200);
    // e-mailing the new link needs SMTP settings, which this node has none of
    const mail = await post(`/api/v1/admin/credentials/${encodeURIComponent(a.id)}/claim`, { email: 'c.fuentes@correo.example.cl' });
    expect(mail.status).toBe(400);
    expect((await mail.json()).technicalDetail).toContain('SMTP');
    // and so does issuing with notify
    const notify = await post('/api/v1/admin/credentials', {
      microcredential: catalogue[0]!.code,
      learner: { name: 'X Y', email: 'x.y@correo.example.cl' },
      notify: true,
    });
    expect(notify.status).toBe(400);
  });

  it('serves the share page only while the holder publishes it, at a stable address, with escaped link-preview tags', async () => {
    const hostile = 'Zoe <script>alert(1)</script> "O\'Neil" & <img src=x onerror=alert(2)>';
    const a = await issue(hostile, 'zoe@correo.example.cl');
    const token = tokenOf(a.claimUrl);
    const put = (published: unknown) =>
      fetch(`${n.url}/api/v1/claims/${token}/share`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ published }),
      });
    expect((await put('yes')).status).toBe(400);
    const on = await put(true);
    expect(on.status).toBe(200);
    const state = await on.json();
    schemas.assertValid('api/claim-share-state', state);
    expect(state.published).toBe(true);
    expect(state.url).toMatch(new RegExp(`^${n.url}/share/[A-Za-z0-9_-]{22}$`));
    expect(state.url).not.toContain(token);
    const page = await fetch(state.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toMatch(/<title>[^<]*Zoe &#60;script&#62;alert\(1\)&#60;&#47;script&#62;[^<]*<\/title>/);
    expect(html).toContain('<meta property="og:title" content="');
    expect(html).toContain(`<meta property="og:url" content="${state.url.replace(/\//g, '&#47;').replace(/=/g, '&#61;')}">`);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain(token);
    // in the visitor's language: Spanish without Accept-Language (link-preview robots), else theirs; ?lang= wins
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('<dt>Otorgada a</dt><dd><strong>');
    // the date as people read it (it was the ISO 2026-12-02), and a stylesheet the page's CSP allows by its hash
    expect(html).toMatch(/<dt>Fecha de emisión<\/dt><dd><time datetime="\d{4}-\d{2}-\d{2}">\d{1,2} de [a-z]+ de \d{4}<\/time>/);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(css).toContain('font:');
    expect(page.headers.get('content-security-policy')).toContain(`'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`);
    const ptPage = await fetch(state.url, { headers: { 'accept-language': 'pt-BR' } });
    expect(ptPage.headers.get('content-language')).toBe('pt');
    expect(ptPage.headers.get('vary')).toMatch(/Accept-Language/i);
    const ptHtml = await ptPage.text();
    expect(ptHtml).toContain('<html lang="pt-BR">');
    expect(ptHtml).toContain('<dt>Concedida a</dt><dd><strong>');
    expect(ptHtml).toMatch(/<dt>Situação<\/dt><dd><span class="state state-\w+">(Verificada|Não verificada)/);
    expect(ptHtml).toMatch(/<time datetime="[\d-]+">\d{1,2} de [a-zç]+ de \d{4}<\/time>/);
    const enHtml = await (await fetch(`${state.url}?lang=en`, { headers: { 'accept-language': 'pt' } })).text();
    expect(enHtml).toContain('<dt>Awarded to</dt><dd><strong>');
    expect(enHtml).toMatch(/<time datetime="[\d-]+">[A-Z][a-z]+ \d{1,2}, \d{4}<\/time>/);
    // the claim shows it published
    expect((await (await claim(token)).json()).share).toEqual(state);
    // off: the same address answers 404; on again: the same address
    expect((await put(false)).status).toBe(200);
    expect((await fetch(state.url)).status).toBe(404);
    const again = await (await put(true)).json();
    expect(again.url).toBe(state.url);
    expect((await fetch(state.url)).status).toBe(200);
    // an unknown page is the same 404 as an unpublished one
    expect((await fetch(`${n.url}/share/${'A'.repeat(22)}`)).status).toBe(404);
  });

  it("follows a re-issued credential: the learner's link opens the credential that replaced it", async () => {
    const a = await issue('Rodrigo Vera', 'r.vera@correo.example.cl');
    const rot = await post('/api/v1/admin/keys/rotate', {});
    expect(rot.status, await rot.clone().text()).toBe(200);
    const r = await post(`/api/v1/admin/credentials/${encodeURIComponent(a.id)}/reissue`, {});
    expect(r.status, await r.clone().text()).toBe(201);
    const re = (await r.json()) as { credential: { id: string } };
    const body = await (await claim(tokenOf(a.claimUrl))).json();
    expect(body.id).toBe(re.credential.id);
    expect(body.verification.verified).toBe(true);
  });
});

describe('claim endpoints are rate-limited per client', () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await startTestNode({ config: { publicLimits: { ...TEST_PUBLIC_LIMITS, claim: 3 } } });
  });
  afterAll(async () => {
    await n?.close();
  });

  it("answers 429 with Retry-After after the window's allowance, for known and unknown tokens alike", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${n.url}/api/v1/claims/${'B'.repeat(43)}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const r = await fetch(`${n.url}/share/${'C'.repeat(22)}`);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
