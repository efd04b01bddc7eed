// GET /api/v1/microcredentials/{id} serves the ELM 3 and CTDL exports by `format` and by Accept profile, keeps the
// plain JSON otherwise, and answers an unknown format with a 400 problem and an unservable JSON-LD profile with 406.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { ELM_PROFILE } from '../../node/catalogue/export-elm.js';
import { CTDL_PROFILE } from '../../node/catalogue/export-ctdl.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const record = (JSON.parse(readFileSync(path.join(FIXTURES, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[])[0]!;

describe('catalogue entry exports over HTTP', () => {
  let n: TestNode;
  let url = '';

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad de Prueba', country: 'CL' });
    const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, {
      method: 'POST',
      body: JSON.stringify(record),
      headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' },
    });
    expect(r.status, await r.clone().text()).toBe(201);
    url = `${n.url}/api/v1/microcredentials/${encodeURIComponent(((await r.json()) as { id: string }).id)}`;
  });
  afterAll(async () => {
    await n?.close();
  });

  it('format=elm and the ELM profile give the ELM 3 JSON-LD, with the notes in a header', async () => {
    for (const r of [
      await fetch(`${url}?format=elm`),
      await fetch(url, { headers: { accept: `application/ld+json; profile="${ELM_PROFILE}"` } }),
    ]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/ld\+json; profile="([^"]+)"/);
      expect(r.headers.get('content-type')).toContain(`profile="${ELM_PROFILE}"`);
      expect(r.headers.get('vary')).toMatch(/Accept/);
      const doc = await r.json();
      expect(doc['@context']).toBe('http://data.europa.eu/snb/model/context/edc-ap');
      expect(doc['@type']).toBe('LearningOpportunity');
      expect(doc.learningAchievementSpecification.title.es).toBe((record.title as { es: string }).es);
      const notes = JSON.parse(r.headers.get('export-notes') ?? 'null') as string[];
      expect(Array.isArray(notes)).toBe(true);
      expect(notes.join('\n')).toMatch(/credits: .*SCT-Chile|EQF level left out/);
    }
  });

  it('format=ctdl and the CTDL profile (first acceptable by q) give the CTDL JSON-LD', async () => {
    const accept = `application/json;q=0.5, application/ld+json; profile="${CTDL_PROFILE}"`;
    for (const r of [await fetch(`${url}?format=ctdl`), await fetch(url, { headers: { accept } })]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/ld\+json; profile="([^"]+)"/);
      expect(r.headers.get('content-type')).toContain(`profile="${CTDL_PROFILE}"`);
      const doc = await r.json();
      expect(doc['@type']).toBe('ceterms:MicroCredential');
      expect(doc['ceterms:ownedBy'][0]['@id']).toBe(n.did);
    }
    // an earlier version is exported too
    expect((await (await fetch(`${url}?version=1&format=ctdl`)).json())['@type']).toBe('ceterms:MicroCredential');
  });

  it('keeps the plain JSON without a format, for browsers, and when JSON is acceptable besides an unknown profile', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      { accept: 'application/ld+json; profile="https://example.org/p", application/json;q=0.1' },
    ]) {
      const r = await fetch(url, { headers });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect((await r.json()).code).toBe(record.code);
    }
    expect(
      (await fetch(`${url}?format=json`, { headers: { accept: `application/ld+json; profile="${ELM_PROFILE}"` } })).headers.get(
        'content-type',
      ),
    ).toMatch(/^application\/json/);
  });

  it('answers an unknown format with 400 and a JSON-LD profile it does not export with 406, as problems', async () => {
    const bad = await fetch(`${url}?format=xml`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await bad.json()).code).toBe('validation_failed');
    for (const accept of ['application/ld+json; profile="https://example.org/p"', 'application/ld+json']) {
      const r = await fetch(url, { headers: { accept, 'accept-language': 'en' } });
      expect(r.status).toBe(406);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const p = await r.json();
      expect(p.code).toBe('not_acceptable');
      expect(p.title).toBe('Not acceptable');
    }
  });

  it('documents format in the OpenAPI document', async () => {
    const doc = await (await fetch(`${n.url}/openapi.json`)).json();
    const op = doc.paths['/api/v1/microcredentials/{id}'].get;
    const format = op.parameters.find((p: { name: string }) => p.name === 'format');
    expect(format.schema.enum).toEqual(['json', 'elm', 'ctdl']);
    expect(format.description).toContain(ELM_PROFILE);
    expect(op.responses['406']).toBeTruthy();
  });
});
