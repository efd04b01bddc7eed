// The web's types are generated from schemas/ (scripts/gen-web-types.ts): the committed files in web/src/generated must
// be exactly what the generator makes from the schemas as they are now, so a schema change without `npm run gen:types`
// fails here; and the generated types are real types (a LangMap is a LangMap, an open object is never `{}`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateWebTypes, OUT_DIR, WEB_SCHEMAS } from '../../scripts/gen-web-types.js';

describe('web types generated from schemas/', () => {
  let fresh: Map<string, string>;
  beforeAll(async () => {
    fresh = await generateWebTypes();
  });

  it('web/src/generated holds exactly what `npm run gen:types` writes from the current schemas (not stale, nothing extra)', () => {
    const onDisk = readdirSync(OUT_DIR)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(onDisk, 'files in web/src/generated (run `npm run gen:types`)').toEqual([...fresh.keys()].sort());
    for (const [name, content] of fresh) {
      expect(readFileSync(path.join(OUT_DIR, name), 'utf8'), `web/src/generated/${name} is stale: run \`npm run gen:types\``).toBe(content);
    }
  });

  it('names each schema’s type as listed, uses the one LangMap and never the `{}` type', () => {
    for (const { schema, type } of WEB_SCHEMAS) {
      const ts = fresh.get(`${schema.replace(/\//g, '-')}.ts`)!;
      expect(ts, schema).toMatch(new RegExp(`export (interface|type) ${type}\\b`));
      expect(ts, schema).not.toMatch(/:\s*\{\}/);
      expect(ts, schema).not.toMatch(/export (interface|type) (LangMap|Title|Names|LangMapLong)\d*\b/);
    }
    expect(fresh.get('microcredential.ts')).toMatch(/title\?: LangMap;/);
  });
});
