// The API document and the API served are one: every route the express app of a running node registers is in
// /openapi.json with the same method and path, every documented operation is served, and every POST / PUT documents
// its request body with a schema from schemas/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

/** Paths the app serves that are not API operations: the document itself, its viewer and the web app. */
const NOT_API = new Set(['/openapi.json', '/docs', '/']);

type Layer = { route?: { path: unknown; methods: Record<string, boolean> } };
type OpenApi = { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>; components: { schemas: Record<string, unknown> } };

/** `METHOD /path` of every route registered on the app (string paths; `:param` as OpenAPI's `{param}`). */
function registeredRoutes(app: unknown): Set<string> {
  const stack = (app as { router: { stack: Layer[] } }).router.stack;
  const out = new Set<string>();
  for (const layer of stack) {
    const route = layer.route;
    if (!route || typeof route.path !== 'string' || NOT_API.has(route.path)) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const [m, on] of Object.entries(route.methods)) if (on && m !== '_all') out.add(`${m.toUpperCase()} ${path}`);
  }
  return out;
}

function documentedRoutes(doc: OpenApi): Set<string> {
  const out = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) out.add(`${m.toUpperCase()} ${path}`);
  return out;
}

describe('OpenAPI document built from the route tables', () => {
  let n: TestNode;
  let doc: OpenApi;
  beforeAll(async () => {
    n = await startTestNode();
    const r = await fetch(`${n.url}/openapi.json`);
    expect(r.status).toBe(200);
    doc = (await r.json()) as OpenApi;
  });
  afterAll(async () => {
    await n?.close();
  });

  it('documents every route the app registers, and registers every documented route', () => {
    const served = registeredRoutes(n.node.httpApp);
    const documented = documentedRoutes(doc);
    expect(served.size).toBeGreaterThan(40);
    expect([...served].filter((r) => !documented.has(r)), 'served but not in /openapi.json').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'in /openapi.json but not served').toEqual([]);
  });

  it('every POST and PUT documents a JSON request body whose schema is a component from schemas/', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(ops)) {
        if (m !== 'post' && m !== 'put') continue;
        const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
        const name = ref?.replace('#/components/schemas/', '').split('/')[0];
        if (!ref || !name || !(name in doc.components.schemas)) missing.push(`${m.toUpperCase()} ${path} (${ref ?? 'no body'})`);
      }
    expect(missing).toEqual([]);
  });

  it('every documented JSON response schema is a component, and the catalogue, institution, decision and verification bodies are documented', () => {
    const refs: string[] = [];
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops) as { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }[])
        for (const r of Object.values(op.responses ?? {})) {
          const ref = r.content?.['application/json']?.schema?.$ref;
          if (ref) refs.push(ref.replace('#/components/schemas/', ''));
        }
    expect(refs.filter((r) => !(r in doc.components.schemas))).toEqual([]);
    expect(refs).toEqual(expect.arrayContaining(['api.microcredential-search', 'api.microcredential-detail', 'api.institution-list', 'api.institution-detail', 'api.recognition-decision-list', 'api.verification-report', 'api.network-status']));
  });

  it('documents the agreement proposal body from schemas/api/agreement-proposal, whose terms are those of the agreement entry', () => {
    const body = doc.paths['/api/v1/admin/agreements']!.post!.requestBody!;
    expect(body.content!['application/json']!.schema!.$ref).toBe('#/components/schemas/api.agreement-proposal');
    const schema = doc.components.schemas['api.agreement-proposal'] as { required: string[]; properties: { terms: { $ref: string } } };
    expect(schema.required).toContain('terms');
    expect(schema.properties.terms.$ref).toBe('#/components/schemas/entries.agreement/properties/terms');
  });
});
