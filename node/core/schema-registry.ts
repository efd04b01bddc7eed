/**
 * The JSON Schemas in `schemas/` compiled once with ajv (draft 2020-12). The single validator for HTTP bodies and
 * feed entry bodies. Must never define shapes itself: shapes live in `schemas/`.
 */
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from './errors.js';

const Ajv2020 = Ajv2020Import as unknown as typeof Ajv2020Import.default;
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');
export const SCHEMA_BASE = 'https://mochila.network/schemas/';

/**
 * One problem found by a schema: `path` the JSON pointer of the value (for a missing property, of the property
 * itself), `message` an English sentence (logs, CLI); `keyword`, `params` and `schemaPath` (the schema file and
 * pointer of the failing keyword, e.g. `microcredential.schema.json#/properties/code/pattern`) let node/http say
 * it in the asker's language (node/core/messages/validation.ts).
 */
export interface ValidationIssue {
  path: string;
  message: string;
  keyword?: string;
  params?: Record<string, unknown>;
  schemaPath?: string;
}

export type ValidationResult = { ok: true } | { ok: false; errors: ValidationIssue[] };

export class SchemaRegistry {
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly schemas = new Map<string, Record<string, unknown>>();

  constructor(readonly dir: string = SCHEMAS_DIR) {
    this.ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(this.ajv);
    for (const file of listSchemaFiles(dir)) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const id = schema.$id as string | undefined;
      if (!id) continue;
      this.schemas.set(id, schema);
      this.ajv.addSchema(schema, id);
    }
  }

  /** Full $id for a name relative to the base, e.g. `entries/profile` or `microcredential`. */
  idFor(name: string): string {
    return name.startsWith('http') ? name : `${SCHEMA_BASE}${name}.schema.json`;
  }

  has(name: string): boolean {
    return this.schemas.has(this.idFor(name));
  }

  validate(name: string, data: unknown): ValidationResult {
    const id = this.idFor(name);
    let fn = this.compiled.get(id);
    if (!fn) {
      const got = this.ajv.getSchema(id);
      if (!got) throw new RegistryError('internal', `no schema ${id}`);
      fn = got;
      this.compiled.set(id, fn);
    }
    if (fn(data)) return { ok: true };
    return { ok: false, errors: toIssues(fn.errors ?? [], id) };
  }

  /**
   * Throws `validation_failed` naming every problem: the English message lists the first five (logs, CLI,
   * technicalDetail); people read a sentence pointing to the fields, each problem said in their language.
   */
  assertValid(name: string, data: unknown, what = 'body'): void {
    const r = this.validate(name, data);
    if (!r.ok) {
      throw new RegistryError(
        'validation_failed',
        `${what} is not valid: ${r.errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`,
        { errors: r.errors, message: { key: 'validation.invalid' } },
      );
    }
  }
}

function toIssues(errors: ErrorObject[], schemaId: string): ValidationIssue[] {
  return errors.slice(0, 50).map((e) => {
    let message = e.message ?? 'is invalid';
    let path = e.instancePath;
    if (e.keyword === 'additionalProperties') message = `has unexpected property '${String(e.params.additionalProperty)}'`;
    if (e.keyword === 'required') {
      message = `must have property '${String(e.params.missingProperty)}'`;
      // the missing field's own pointer, so a form can show the message next to it
      path = `${e.instancePath}/${String(e.params.missingProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    }
    if (e.keyword === 'enum') message = `must be one of ${JSON.stringify(e.params.allowedValues)}`;
    return { path, message, keyword: e.keyword, params: { ...e.params }, schemaPath: schemaPointer(e.schemaPath, schemaId) };
  });
}

/** Ajv's schemaPath (`#/…` in the validated schema, `../entries/x.schema.json#/…` through a $ref) as `file#/pointer` under SCHEMA_BASE. */
function schemaPointer(schemaPath: string, schemaId: string): string {
  try {
    const abs = new URL(schemaPath, schemaId).href;
    return abs.startsWith(SCHEMA_BASE) ? abs.slice(SCHEMA_BASE.length) : abs;
  } catch {
    return schemaPath;
  }
}

function listSchemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      // schemas/reference is loaded too: `reference` entries (entries/reference) take their records' shapes from it
      if (name === 'generated') continue;
      out.push(...listSchemaFiles(p));
    } else if (name.endsWith('.schema.json')) out.push(p);
  }
  return out.sort();
}
