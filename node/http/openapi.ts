/**
 * The OpenAPI 3.1 document, built from the JSON Schemas in `schemas/` (components) and the route tables the express
 * app registers (node/http/route-table.ts), so every endpoint served is documented with its body.
 * Must never define a body shape inline: every body is a schema in `schemas/`.
 */
import type { SchemaRegistry } from '../core/schema-registry.js';
import { SCHEMA_BASE } from '../core/schema-registry.js';
import { openApiPath, pathParams, type RouteDoc } from './route-table.js';

function componentName(id: string): string {
  return id.replace(SCHEMA_BASE, '').replace(/\.schema\.json$/, '').replace(/\//g, '.');
}

/** Rewrites every $ref (absolute, relative or local) to point into `#/components/schemas`. */
function rewriteRefs(node: unknown, baseId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, baseId));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const abs = new URL(v, baseId).href;
        const [file, frag] = abs.split('#');
        out[k] = file!.startsWith(SCHEMA_BASE) ? `#/components/schemas/${componentName(file!)}${frag ?? ''}` : v;
      } else if (k === '$id' || k === '$schema') {
        continue;
      } else out[k] = rewriteRefs(v, baseId);
    }
    return out;
  }
  return node;
}

export function buildOpenApi(schemas: Pick<SchemaRegistry, 'schemas' | 'idFor'>, info: { version: string; serverUrl?: string }, routes: readonly RouteDoc[]): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const [id, schema] of schemas.schemas) components[componentName(id)] = rewriteRefs(schema, id);
  components.Problem = {
    type: 'object',
    description:
      'RFC 9457 problem details; `code` is stable and machine-readable; `title` and `detail` are in the language asked by Accept-Language (es, en, pt; Spanish otherwise)',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string' },
      detail: { type: 'string' },
      technicalDetail: { type: 'string', description: "The node's English specifics when `detail` is the code's general sentence in Spanish or Portuguese, or when the error's English says more than `detail`" },
      errors: {
        type: 'array',
        description: 'Field problems, each `message` in the language asked by Accept-Language',
        items: {
          type: 'object',
          properties: {
            path: { type: 'string', description: 'JSON pointer of the value (for a missing property, of the property itself)' },
            message: { type: 'string', description: 'What is wrong, for people, in the asked language (a pattern is described, never shown as a regex)' },
            technicalMessage: { type: 'string', description: 'The same problem in English, as the validator says it' },
            keyword: { type: 'string', description: 'The JSON Schema keyword that failed' },
            params: { type: 'object', description: "The keyword's parameters (Ajv's)" },
            schemaPath: { type: 'string', description: 'Schema file and pointer of the failing keyword, e.g. microcredential.schema.json#/properties/code/pattern' },
          },
        },
      },
    },
    required: ['type', 'title', 'status', 'code', 'detail'],
  };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${componentName(schemas.idFor(name))}` });
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of routes) {
    const admin = op.scope === 'admin';
    const params = pathParams(op);
    const parameters = [
      ...params.map((n) => ({ name: n, in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema ?? { type: 'string' } })),
    ];
    const responses: Record<string, unknown> = {
      '200': { description: 'OK', content: { 'application/json': op.response ? { schema: ref(op.response) } : {} } },
      '400': problem('Invalid input'),
      ...(admin ? { '401': problem('No admin token'), '403': problem('Wrong admin token') } : {}),
      ...(params.length ? { '404': problem('Not found') } : {}),
    };
    for (const [code, desc] of Object.entries(op.responses ?? {})) responses[code] = { description: desc };
    const operation: Record<string, unknown> = { tags: [op.tag], summary: op.summary, parameters, responses };
    if (admin) operation.security = [{ adminToken: [] }];
    if (op.body) {
      const b = typeof op.body === 'string' ? { schema: op.body } : op.body;
      const content: Record<string, unknown> = { 'application/json': { schema: ref(b.schema) } };
      for (const alt of b.alternatives ?? []) content[alt.contentType] = { schema: { type: 'string', description: alt.description } };
      operation.requestBody = { required: !b.optional, content };
    }
    (paths[openApiPath(op)] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MOCHILA registry node API',
      version: info.version,
      description:
        'Every node of the MOCHILA network serves this API from its own replica of the network registry: catalogue search, institutions, DIDs and signed feeds; verification and recognition; and, with the unit\'s admin token, publishing and issuing. Messages for people (problem `title`/`detail`, cohort row reasons and statuses, the share page) follow Accept-Language: es, en or pt, Spanish when none of them is asked for (Content-Language says which).',
      license: { name: 'Apache-2.0' },
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: ['node', 'catalogue', 'registry', 'feeds', 'reference', 'credentials', 'verification', 'network', 'recognition', 'admin'].map((name) => ({ name })),
    paths,
    components: { schemas: components, securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The unit admin token printed by `mochila init`' } } },
  };
}
