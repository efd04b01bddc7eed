// The publish form's skills list (GET /api/v1/admin/skills, node/catalogue/skills-in-use.ts): the distinct skills of
// the replica's active records with how many name each, most used first; a new record changes the answer (the cache
// follows the replica), a withdrawn one no longer counts; what a hostile peer might have replicated is left out; the
// HTTP answer validates against schemas/api/skill-list and needs the admin token.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { memoryServices, startTestNode } from '../helpers/nodes.js';
import { cleanSkill } from '../../node/catalogue/skills-in-use.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const load = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'cl-uac', f), 'utf8')) as unknown;
type Rec = { code: string; skills?: { name: Record<string, string>; framework?: string; uri?: string }[] };

describe('skills in use', () => {
  it('lists the distinct skills of the active records with their counts, and follows the replica', () => {
    const s = memoryServices();
    s.institution.ensureIssuerKeyPublished();
    s.institution.publishProfile(load('profile.json'));
    const records = load('catalogue.json') as Rec[];
    expect(s.skillsInUse.list()).toEqual({ items: [], scanned: 0, limited: false });
    const [a, b] = records.filter((r) => r.skills?.length);
    s.catalogue.create(a);
    const first = s.skillsInUse.list();
    // same count: any order
    expect(first.items.map(({ count: _c, ...k }) => k)).toHaveLength(a!.skills!.length);
    expect(first.items.map(({ count: _c, ...k }) => k)).toEqual(expect.arrayContaining(a!.skills!));
    expect(first.items.every((i) => i.count === 1)).toBe(true);
    // a second record naming the same skill: counted twice, first in the list
    const shared = a!.skills![0]!;
    const extra = { name: { es: 'Competencia nueva', en: 'New skill' }, framework: 'ESCO', uri: 'https://data.europa.eu/esco/skill/new' };
    s.catalogue.create({ ...b!, skills: [extra, shared] });
    const second = s.skillsInUse.list();
    expect(second.items[0]).toEqual({ ...shared, count: 2 });
    expect(second.items).toContainEqual({ ...extra, count: 1 });
    expect(second.scanned).toBe(2);
    expect(new SchemaRegistry().validate('api/skill-list', second)).toEqual({ ok: true });
    // withdrawn: its skills no longer count
    s.catalogue.withdraw(b!.code, { es: 'retirada' });
    expect(s.skillsInUse.list().items.find((i) => i.name.es === 'Competencia nueva')).toBeUndefined();
    expect(s.skillsInUse.list().items).toContainEqual({ ...shared, count: 1 });
  });

  it('leaves out skills that are not what the schema allows (replicated input is hostile)', () => {
    expect(cleanSkill({ name: { es: 'Soldadura' }, uri: 'javascript:alert(1)', framework: 'x'.repeat(41) })).toEqual({ name: { es: 'Soldadura' } });
    expect(cleanSkill({ name: { xx: 'a', es: '' } })).toBeNull();
    expect(cleanSkill({ name: 'texto' })).toBeNull();
    expect(cleanSkill([{ name: { es: 'a' } }])).toBeNull();
    expect(cleanSkill({ name: { es: 'a'.repeat(301), en: 'Welding' } })).toEqual({ name: { en: 'Welding' } });
  });

  it('GET /api/v1/admin/skills answers the schema, only with the admin token', async () => {
    const n = await startTestNode();
    try {
      expect((await fetch(`${n.url}/api/v1/admin/skills`)).status).toBe(401);
      const res = await fetch(`${n.url}/api/v1/admin/skills`, { headers: { authorization: `Bearer ${n.token}` } });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(new SchemaRegistry().validate('api/skill-list', body)).toEqual({ ok: true });
      const doc = (await (await fetch(`${n.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(doc.paths['/api/v1/admin/skills']).toBeTruthy();
    } finally {
      await n.close();
    }
  }, 60_000);
});
