/**
 * The OpenAPI 3.1 document, built from the JSON Schemas in `schemas/` (components) and the list of operations
 * below. Must never define a body shape inline that a schema in `schemas/` already defines.
 */
import type { SchemaRegistry } from '../core/schema-registry.js';
import { SCHEMA_BASE } from '../core/schema-registry.js';

export type OperationDoc = Op;
type Op = {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  tag: string;
  summary: string;
  admin?: boolean;
  body?: string | { contentType: string; description: string };
  query?: { name: string; description: string; schema?: Record<string, unknown> }[];
  pathParams?: string[];
  responses?: Record<string, string>;
  /** Schema name in `schemas/` of the 200 JSON response, e.g. `api/network-status`. */
  response?: string;
};

export const OPERATIONS: Op[] = [
  { method: 'get', path: '/healthz', tag: 'node', summary: 'Liveness and readiness' },
  { method: 'get', path: '/api/v1/node', tag: 'node', summary: 'This node: institution DID, network, versions' },
  { method: 'get', path: '/api/v1/institutions', tag: 'registry', summary: 'Institutions of the network (directory)', query: [{ name: 'country', description: 'ISO 3166-1 alpha-2' }] },
  { method: 'get', path: '/api/v1/institutions/{did}', tag: 'registry', summary: 'One institution: profile, keys, catalogue, endorsements', pathParams: ['did'] },
  {
    method: 'get',
    path: '/api/v1/microcredentials',
    tag: 'catalogue',
    summary: 'Search the network-wide catalogue (full text, filters, facets, pages)',
    query: [
      { name: 'q', description: 'Full-text query; accent- and case-insensitive, prefix matching' },
      { name: 'country', description: 'ISO country code(s), comma-separated' },
      { name: 'institution', description: 'Institution DID(s)' },
      { name: 'field', description: 'ISCED-F code prefix(es), e.g. 09 or 0913' },
      { name: 'level', description: 'Level as FRAMEWORK:VALUE (EQF:5) or VALUE' },
      { name: 'participation', description: 'online | onsite | blended' },
      { name: 'language', description: 'Language code(s) of instruction' },
      { name: 'pilotArea', description: 'engineering | health | other' },
      { name: 'hoursMin', description: 'Minimum notional workload in hours', schema: { type: 'number' } },
      { name: 'hoursMax', description: 'Maximum notional workload in hours', schema: { type: 'number' } },
      { name: 'status', description: 'active (default) | withdrawn | all' },
      { name: 'sort', description: 'relevance | title | hours | recent' },
      { name: 'page', description: 'Page number from 1', schema: { type: 'integer' } },
      { name: 'pageSize', description: 'Results per page, 1-100', schema: { type: 'integer' } },
    ],
  },
  { method: 'get', path: '/api/v1/microcredentials/{id}', tag: 'catalogue', summary: 'One microcredential with every EU element, versions, accreditations and recognitions', pathParams: ['id'], query: [{ name: 'version', description: 'An earlier version' }] },
  { method: 'get', path: '/api/v1/dids/{did}', tag: 'registry', summary: 'DID document plus what the registry knows of the DID', pathParams: ['did'] },
  { method: 'get', path: '/api/v1/feeds', tag: 'feeds', summary: 'Heads of every feed held, and their digest' },
  { method: 'get', path: '/api/v1/feeds/{did}', tag: 'feeds', summary: 'Signed entries of one feed from a sequence number', pathParams: ['did'], query: [{ name: 'from', description: 'First seq (default 1)' }, { name: 'limit', description: '1-1000 (default 500)' }] },
  { method: 'get', path: '/api/v1/entries/{id}', tag: 'feeds', summary: 'One signed entry by id', pathParams: ['id'] },
  { method: 'get', path: '/api/v1/equivocations', tag: 'feeds', summary: 'Proofs of equivocation (two signed entries with the same author and seq)' },
  { method: 'get', path: '/api/v1/reference/credit-systems', tag: 'reference', summary: 'Credit systems with hours per credit and sources' },
  { method: 'get', path: '/api/v1/reference/levels', tag: 'reference', summary: 'Level frameworks (EQF, QF-EHEA, ISCED 2011, national)' },
  { method: 'get', path: '/api/v1/reference/isced-f', tag: 'reference', summary: 'ISCED-F 2013 fields of education' },
  { method: 'get', path: '/api/v1/admin/microcredentials', tag: 'admin', admin: true, summary: "This unit's catalogue, including withdrawn entries" },
  { method: 'post', path: '/api/v1/admin/microcredentials', tag: 'admin', admin: true, summary: 'Publish a microcredential (400 names each missing EU element)', body: 'microcredential' },
  { method: 'put', path: '/api/v1/admin/microcredentials/{code}', tag: 'admin', admin: true, summary: 'Publish a new version of a microcredential', body: 'microcredential', pathParams: ['code'] },
  { method: 'post', path: '/api/v1/admin/microcredentials/{code}/withdraw', tag: 'admin', admin: true, summary: 'Withdraw a microcredential (an entry, not a delete)', pathParams: ['code'] },
  { method: 'put', path: '/api/v1/admin/profile', tag: 'admin', admin: true, summary: "Publish the institution's profile", body: 'profile' },
  { method: 'post', path: '/api/v1/admin/keys/rotate', tag: 'admin', admin: true, summary: 'Rotate the issuer key (optionally revoking the old one as compromised from a date; its status lists are then re-signed with the new key)' },
  { method: 'post', path: '/api/v1/admin/keys/compromise', tag: 'admin', admin: true, summary: 'Declare an earlier issuer key compromised from a date (it never signs again; its status lists are re-signed with the current key)', body: 'api/key-compromise' },
  { method: 'post', path: '/api/v1/admin/endorsements', tag: 'admin', admin: true, summary: 'Endorse an institution for admission to the network', body: 'entries/endorsement' },
];


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

export function buildOpenApi(schemas: SchemaRegistry, info: { version: string; serverUrl?: string }, extra: Op[] = []): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const [id, schema] of schemas.schemas) components[componentName(id)] = rewriteRefs(schema, id);
  components.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details; `code` is stable and machine-readable',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string' },
      detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'object' } },
    },
    required: ['type', 'title', 'status', 'code', 'detail'],
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...OPERATIONS, ...extra]) {
    const parameters = [
      ...(op.pathParams ?? []).map((n) => ({ name: n, in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema ?? { type: 'string' } })),
    ];
    const responses: Record<string, unknown> = {
      '200': { description: 'OK', content: { 'application/json': op.response ? { schema: { $ref: `#/components/schemas/${componentName(schemas.idFor(op.response))}` } } : {} } },
      '400': { description: 'Invalid input', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      ...(op.admin
        ? {
            '401': { description: 'No admin token', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '403': { description: 'Wrong admin token', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          }
        : {}),
      ...(op.pathParams ? { '404': { description: 'Not found', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } } : {}),
    };
    for (const [code, desc] of Object.entries(op.responses ?? {})) responses[code] = { description: desc };
    const operation: Record<string, unknown> = { tags: [op.tag], summary: op.summary, parameters, responses };
    if (op.admin) operation.security = [{ adminToken: [] }];
    if (op.body) {
      operation.requestBody =
        typeof op.body === 'string'
          ? { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${componentName(schemas.idFor(op.body))}` } } } }
          : { required: true, content: { [op.body.contentType]: { schema: { type: 'string' } } }, description: op.body.description };
    }
    (paths[op.path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MOCHILA registry node API',
      version: info.version,
      description:
        'Every node of the MOCHILA network serves this API from its own replica of the network registry: catalogue search, institutions, DIDs and signed feeds; verification and recognition; and, with the unit\'s admin token, publishing and issuing.',
      license: { name: 'Apache-2.0' },
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: ['node', 'catalogue', 'registry', 'feeds', 'reference', 'credentials', 'verification', 'network', 'recognition', 'admin'].map((name) => ({ name })),
    paths,
    components: { schemas: components, securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The unit admin token printed by `mochila init`' } } },
  };
}
