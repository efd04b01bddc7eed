/**
 * 1EdTech's published Open Badges 3.0 AchievementCredential JSON Schema (bundled verbatim under
 * `schemas/vendor/1edtech/`, provenance in its README), compiled once with ajv's draft 2019-09 class, and the one
 * function that validates a credential against it. Used by the verifier's `schema` check and by the tests of every
 * issued shape. It must never fetch the schema (offline), never edit it, and never throw on hostile input.
 */
import Ajv2019Import from 'ajv/dist/2019.js';
import addFormatsImport from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../core/schema-registry.js';

const Ajv2019 = Ajv2019Import as unknown as typeof Ajv2019Import.default;
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export const OB3_SCHEMA_FILE = path.join(SCHEMAS_DIR, 'vendor', '1edtech', 'ob_v3p0_achievementcredential_schema.json');
/** The URL 1EdTech publishes the schema at (credentials name it in `credentialSchema`; here only a label). */
export const OB3_SCHEMA_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(OB3_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    // its own ajv instance: the schema is draft 2019-09 (the project's registry is 2020-12) and stays apart from it
    const ajv = new Ajv2019({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export interface Ob3SchemaIssue {
  path: string;
  message: string;
}

/** Validates against the 1EdTech schema as published (default form): the problems, at most `max`, or none. */
export function ob3SchemaProblems(credential: unknown, max = 20): Ob3SchemaIssue[] {
  const fn = validator();
  if (fn(credential)) return [];
  return dedupe(fn.errors ?? []).slice(0, max);
}

function dedupe(errors: ErrorObject[]): Ob3SchemaIssue[] {
  const seen = new Set<string>();
  const out: Ob3SchemaIssue[] = [];
  for (const e of errors) {
    // oneOf / anyOf report every branch: keep the first message per location
    const message =
      e.keyword === 'additionalProperties'
        ? `has unexpected property '${String(e.params.additionalProperty)}'`
        : e.keyword === 'required'
          ? `must have property '${String(e.params.missingProperty)}'`
          : (e.message ?? 'is invalid');
    const key = `${e.instancePath}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: e.instancePath || '/', message });
  }
  return out;
}
