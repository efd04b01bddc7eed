/**
 * The part of ingesting a batch that needs no database: envelope structure, id (JCS + SHA-256), batch shape (one
 * author, consecutive seqs), body size and schema, and the JSON to store. Pure and deterministic, so it can run on a
 * worker thread while the feed stores the previous batch (see node/federation/batch-decoder.ts); the feed service
 * runs it in-thread for every other caller. Must never touch the database, the network or a signature key.
 */
import type { SchemaRegistry } from '../core/schema-registry.js';
import { bodyJson, checkEnvelope, entryJson, MAX_ENTRY_BYTES, type Entry } from './entry.js';
import type { IngestRejection } from './replica.js';

export interface BodyProblem {
  code: string;
  reason: string;
  details?: Record<string, unknown>;
}

/** A batch after the checks above: what the feed service's storing step takes. Never built from network data directly. */
export interface CheckedBatch {
  author: string;
  /** Structurally valid entries of `author` with consecutive seqs, ids recomputed; cut at the first malformed one. */
  entries: Entry[];
  /** entryJson of each entry (what is stored and served). */
  json: string[];
  /** The body check of each entry: null when the body is valid for its type. */
  bodyProblems: (BodyProblem | null)[];
  /** Why the batch was cut short (malformed entry, another author, a skipped seq), if it was. */
  cut: IngestRejection | null;
}

/** Body size and schema of one entry (membership and chain are the feed service's business). */
export function checkEntryBody(entry: Entry, schemas: SchemaRegistry): BodyProblem | null {
  const bytes = Buffer.byteLength(bodyJson(entry));
  if (bytes > MAX_ENTRY_BYTES) return { code: 'invalid_entry', reason: `body is ${bytes} bytes (max ${MAX_ENTRY_BYTES})` };
  const schema = `entries/${entry.type}`;
  if (!schemas.has(schema)) return { code: 'unsupported', reason: `entry type ${entry.type} is not supported by this node yet` };
  const v = schemas.validate(schema, entry.body);
  if (!v.ok) {
    return {
      code: 'invalid_entry',
      reason: `${entry.type} body is not valid: ${v.errors
        .slice(0, 3)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ')}`,
      details: { errors: v.errors },
    };
  }
  return null;
}

export function checkBatch(author: string, raws: unknown[], schemas: SchemaRegistry): CheckedBatch {
  const out: CheckedBatch = { author, entries: [], json: [], bodyProblems: [], cut: null };
  if (!Array.isArray(raws)) return out;
  for (const raw of raws) {
    const env = checkEnvelope(raw);
    if (!env.ok) {
      out.cut = { code: 'invalid_entry', reason: env.reason, author };
      break; // entries after a malformed one cannot be chained
    }
    const e = env.entry;
    if (e.author !== author) {
      out.cut = { code: 'invalid_entry', reason: 'batch mixes authors', author: e.author, seq: e.seq, id: e.id };
      break;
    }
    const last = out.entries[out.entries.length - 1];
    if (last && e.seq !== last.seq + 1) {
      out.cut = { code: 'sequence_gap', reason: `batch skips from seq ${last.seq} to ${e.seq}`, author, seq: e.seq, id: e.id };
      break;
    }
    out.entries.push(e);
    out.bodyProblems.push(checkEntryBody(e, schemas));
    out.json.push(entryJson(e));
  }
  return out;
}
