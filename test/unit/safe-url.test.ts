/**
 * Links from the network are data, never code: every URL field of every schema accepts only http(s) URLs (on HTTP
 * bodies and on replicated entries), and the two display-side helpers (web app and printable report) turn anything
 * else into plain text, even when an older or hostile node replicated it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { safeHttpUrl as nodeSafe } from '../../node/core/safe-url.js';
import { safeHttpUrl as webSafe } from '../../web/src/safe-url.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { ENTRY_VERSION, signEntry } from '../../node/feed/entry.js';
import { renderRecognitionReport } from '../../node/recognition/report.js';
import { SCHEMAS_DIR } from '../../node/core/schema-registry.js';
import { memoryServices } from '../helpers/nodes.js';
import type { Services } from '../../node/context.js';

const HOSTILE = [
  'javascript:alert(document.domain)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  '\tjava\nscript:alert(1)',
  'javascript://example.org/%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'blob:https://example.org/uuid',
  '/api/v1/admin/credentials',
  '//evil.example/x',
  'mailto:a@b.c',
  '',
  'x'.repeat(3000),
];
const GOOD = ['https://example.org/a?b=c#d', 'http://localhost:8080/x', 'HTTPS://EXAMPLE.ORG/', 'https://ejemplo.cl/información'];

describe('safe URLs', () => {
  it('the web and the server helpers agree: http(s) with a host becomes a link, anything else is text', () => {
    for (const u of HOSTILE) {
      expect(webSafe(u), u).toBeNull();
      expect(nodeSafe(u), u).toBeNull();
    }
    for (const u of GOOD) {
      expect(webSafe(u), u).toMatch(/^https?:\/\//);
      expect(nodeSafe(u)).toBe(webSafe(u));
    }
    for (const v of [null, undefined, 42, {}, ['https://a.b']]) {
      expect(webSafe(v)).toBeNull();
      expect(nodeSafe(v)).toBeNull();
    }
  });

  it('every URL-like property in schemas/ uses the one http(s) definition', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) {
          if (n !== 'reference') walk(p);
        } else if (n.endsWith('.schema.json')) files.push(p);
      }
    };
    walk(SCHEMAS_DIR);
    const found: string[] = [];
    const bad: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
      const o = node as Record<string, unknown>;
      const props = o.properties as Record<string, Record<string, unknown>> | undefined;
      if (props && typeof props === 'object')
        for (const [k, v] of Object.entries(props)) {
          const urlish = /(url|uri|website|logo|image|href|link|evidence)$/i.test(k) || v.format === 'uri' || v.format === 'url' || v.format === 'iri' || String(v.$ref ?? '').includes('httpUrl');
          if (!urlish) continue;
          found.push(`${where}.${k}`);
          // the definition itself, or (for a URL that may be absent) the definition or null
          const isHttpUrl = (x: unknown) => typeof (x as { $ref?: unknown })?.$ref === 'string' && ((x as { $ref: string }).$ref).endsWith('#/$defs/httpUrl');
          const nullable = Array.isArray(v.anyOf) && v.anyOf.length === 2 && v.anyOf.some(isHttpUrl) && v.anyOf.some((x) => (x as { type?: unknown })?.type === 'null');
          if (!isHttpUrl(v) && !nullable) bad.push(`${where}.${k}`);
        }
      for (const [k, v] of Object.entries(o)) if (k !== 'httpUrl') visit(v, `${where}/${k}`);
    };
    for (const f of files) visit(JSON.parse(readFileSync(f, 'utf8')), path.relative(SCHEMAS_DIR, f));
    expect(found.length).toBeGreaterThanOrEqual(9);
    // named like a URL but not one, each checked otherwise: the list of Evidence objects (their `url` uses httpUrl and
    // is found by this walk), and the wallet offer's openid-credential-offer:// link (a fixed scheme, by pattern)
    const notUrls: Record<string, (schema: Record<string, unknown>) => boolean> = {
      'api/issue-credential.schema.json.evidence': (v) => v.type === 'array',
      'api/oid4vci-offer.schema.json.uri': (v) => v.pattern === '^openid-credential-offer://\\?credential_offer=',
    };
    const schemaAt = (where: string) => {
      const [file, prop] = [where.slice(0, where.indexOf('.schema.json') + 12), where.slice(where.indexOf('.schema.json') + 13)];
      return (JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as { properties: Record<string, Record<string, unknown>> }).properties[prop]!;
    };
    for (const [where, ok] of Object.entries(notUrls)) expect(ok(schemaAt(where)), where).toBe(true);
    expect(bad.filter((b) => !(b in notUrls))).toEqual([]);
  });

  describe('on publication and on ingest', () => {
    const kA = generateKey();
    const kB = generateKey();
    const manifest = createManifest({ name: 'url test', founders: [kA.did, kB.did], endorsements: 1 });
    const a: Services = memoryServices({ key: kA, manifest });
    const b: Services = memoryServices({ key: kB, manifest });
    afterAll(() => {
      a.store.close();
      b.store.close();
    });
    const profile = (website: string) => ({ name: { es: 'Universidad' }, country: 'CL', kind: 'hei', website });

    it('the admin API schemas and the feed refuse a javascript: link', () => {
      expect(() => a.schemas.assertValid('profile', profile('javascript:alert(1)'))).toThrow(/website/);
      expect(() => a.feed.append('profile', profile('javascript:alert(1)'))).toThrow();
      expect(() => a.feed.append('profile', profile('data:text/html,hi'))).toThrow();
      expect(a.feed.head(kA.did)).toBeNull();
      for (const mc of [{ furtherInformation: { url: 'javascript:alert(1)' } }, { skills: [{ name: { es: 'x' }, uri: 'javascript:alert(1)' }] }, { url: 'vbscript:x' }])
        expect(a.schemas.validate('microcredential', { code: 'abc', version: 1, ...mc }).ok, JSON.stringify(mc)).toBe(false);
      expect(a.schemas.validate('microcredential', { code: 'abc', version: 1, furtherInformation: { url: 'https://ejemplo.cl/curso' } }).ok).toBe(true);
      expect(a.schemas.validate('entries/accreditation', { accreditationId: 'acc-1', subject: { type: 'institution', id: kA.did }, status: 'accredited', validFrom: '2026-01-01', reportUrl: 'javascript:alert(1)' }).ok).toBe(false);
      a.feed.append('profile', profile('https://ejemplo.cl'));
      expect(a.institutions.get(kA.did)?.profile.website).toBe('https://ejemplo.cl');
    });

    it('a member node refuses a signed entry carrying a javascript: link (as an older or hostile node would send it)', () => {
      const ts = new Date().toISOString();
      const forged = signEntry(kA, { v: ENTRY_VERSION, net: b.network, author: kA.did, seq: 1, prev: null, ts, type: 'profile', body: profile('javascript:alert(1)') });
      const r = b.feed.ingestOne(JSON.parse(JSON.stringify(forged)));
      expect(r.accepted).toBe(0);
      expect(r.rejected.length).toBe(1);
      expect(b.institutions.get(kA.did)).toBeFalsy();
      // the same through the batch path sync uses
      const r2 = b.feed.ingestBatch(kA.did, [JSON.parse(JSON.stringify(forged))]);
      expect(r2.accepted).toBe(0);
      expect(b.institutions.get(kA.did)).toBeFalsy();
    });
  });

  it('the printable report escapes everything and renders a non-http(s) link as plain text', () => {
    const mc = {
      title: { es: '<script>alert(1)</script>Curso' },
      country: 'CL',
      workload: { hours: 10, credits: { value: 1, system: 'SCT-Chile' } },
      learningOutcomes: [{ text: { es: '<img src=x onerror=alert(1)>' } }],
      furtherInformation: { url: 'javascript:alert(document.cookie)' },
    };
    const html = renderRecognitionReport(
      {
        microcredential: mc,
        institution: { name: { es: '"><svg onload=alert(1)>' }, member: true },
        verification: null,
        accreditations: [{ agency: { name: { es: 'Agencia' } }, status: 'accredited', subject: { type: 'institution' }, validFrom: '2026-01-01', reportUrl: 'javascript:alert(2)' }],
        decisions: [],
        agreements: [],
        comparison: [],
      },
      { lang: 'es', generatedAt: new Date('2026-12-01T00:00:00Z'), node: 'did:key:x', network: 'net' },
    );
    expect(html).not.toMatch(/<script|<img|<svg/i);
    expect(html).not.toMatch(/href="\s*javascript/i);
    expect(html).toContain('<span class="url">javascript:alert(document.cookie)</span>');
    expect(html).toContain('&lt;script&gt;');
    // an http(s) URL does become a link, escaped
    const ok = renderRecognitionReport({ microcredential: { ...mc, furtherInformation: { url: 'https://ejemplo.cl/a?b=1&c="2"' } }, accreditations: [], decisions: [], agreements: [], comparison: [] }, { lang: 'en', generatedAt: new Date(), node: 'n', network: 'n' });
    expect(ok).toContain('<a href="https://ejemplo.cl/a?b=1&amp;c=%222%22" rel="noopener noreferrer nofollow">');
  });
});
