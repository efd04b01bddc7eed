/**
 * Link previews: a microcredential's and an institution's page are served with their own title and Open Graph tags
 * (what a chat or a social network shows for a pasted link), texts from the replica escaped and bounded; any other
 * path, an unknown id or a malformed one gets the plain index.html.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { linkPreview, type LinkPreviewDeps } from '../../node/http/link-preview.js';
import { webApp } from '../../node/http/web-serving.js';

const INDEX = `<!doctype html>
<html lang="es">
  <head>
    <meta charset="utf-8" />
    <meta name="description" content="MOCHILA: registro de microcredenciales de la red latinoamericana" />
    <title>MOCHILA</title>
  </head>
  <body><div id="app"></div></body>
</html>
`;

const hostile = `Gestión "segura" </title><script>window.__pwned=1</script><meta property="og:title" content="x">`;
const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const mcs = new Map<string, unknown>([
  [
    'gestion-riesgos.u1',
    {
      id: 'gestion-riesgos.u1',
      author: did,
      record: { title: { es: hostile, en: 'Risk management' }, description: { en: 'Only English here' }, workload: { hours: 40 } },
    },
  ],
  ['sin-titulo.u1', { id: 'sin-titulo.u1', author: 'did:key:unknown', record: { title: { fr: 'pas de titre' }, awardingBody: { name: 'Otra U' } } }],
]);
const deps: LinkPreviewDeps = {
  catalogue: { get: (id: string) => (mcs.get(id) ?? null) as never },
  institutions: {
    get: (d: string) => (d === did ? ({ did, profile: { name: { es: 'Universidad Autónoma & Cía' }, country: 'MX', kind: 'hei', description: { es: 'x'.repeat(1000) } }, updatedAt: '' } as never) : null),
  },
  publicUrl: () => 'https://registro.example.edu/',
};

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mochila-preview-'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  const app = express();
  app.use(webApp(dir, (p) => !p.startsWith('/api/'), (p, lang) => linkPreview(p, deps, lang)));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const metas = (html: string) => Object.fromEntries([...html.matchAll(/<meta property="(og:[a-z_]+)" content="([^"]*)">/g)].map((m) => [m[1], m[2]]));

describe('link previews', () => {
  it("a microcredential's page carries its title, issuer, hours and URL as Open Graph tags, every character that could open markup escaped", async () => {
    const r = await fetch(`${base}/microcredentials/gestion-riesgos.u1`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const html = await r.text();
    expect(html).not.toContain('<script>');
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html.match(/property="og:title"/g)).toHaveLength(1);
    const og = metas(html);
    expect(og['og:url']).toBe('https:&#47;&#47;registro.example.edu&#47;microcredentials&#47;gestion-riesgos.u1');
    expect(og['og:title']).toContain('Gestión &#34;segura&#34; &#60;&#47;title&#62;&#60;script&#62;');
    expect(og['og:title']).toContain(' — Universidad Autónoma &#38; Cía');
    // the description falls back to English when the record has no Spanish one
    expect(og['og:description']).toBe('Universidad Autónoma &#38; Cía · 40 h: Only English here');
    expect(html).toContain('<div id="app"></div>');
  });

  it("an institution's page carries its name; long texts are cut", async () => {
    const html = await (await fetch(`${base}/institutions/${encodeURIComponent(did)}`)).text();
    const og = metas(html);
    expect(og['og:title']).toBe('Universidad Autónoma &#38; Cía');
    expect(og['og:type']).toBe('profile');
    expect([...og['og:description']!.replace(/&#\d+;/g, '_')].length).toBeLessThanOrEqual(300);
    expect(og['og:description']!.endsWith('…')).toBe(true);
  });

  it('a link shared with ?lang= previews in that language when the record has it, else Spanish first', async () => {
    const en = metas(await (await fetch(`${base}/microcredentials/gestion-riesgos.u1?lang=en`)).text());
    expect(en['og:title']).toBe('Risk management — Universidad Autónoma &#38; Cía');
    const pt = metas(await (await fetch(`${base}/microcredentials/gestion-riesgos.u1?lang=pt`)).text());
    expect(pt['og:title']).toContain('Gestión &#34;segura&#34;');
    expect(linkPreview('/microcredentials/gestion-riesgos.u1', deps, 'xx')!.title).toContain('Gestión "segura"');
  });

  it('a record with no title in a language the page knows falls back to its id; the issuer to the awarding body', () => {
    const p = linkPreview('/microcredentials/sin-titulo.u1', deps)!;
    expect(p.title).toBe('sin-titulo.u1 — Otra U');
  });

  it('any other page, an unknown id or a malformed path gets the plain index.html', async () => {
    for (const p of ['/', '/microcredentials', '/microcredentials/nope.u1', '/microcredentials/%E0%A4%A', '/institutions/did%3Akey%3Anobody', '/microcredentials/a/b']) {
      const html = await (await fetch(`${base}${p}`)).text();
      expect(html, p).toBe(INDEX);
    }
  });
});
