/**
 * The part of ingesting a batch that needs no database: envelope structure, id (JCS + SHA-256), batch shape (one
 * author, one network, consecutive seqs, each entry's prev the id of the one before), body size and schema, and the
 * JSON to store. Pure and deterministic, so it can run on a worker thread while the feed stores the previous batch
 * (see node/federation/batch-decoder.ts); the feed service runs it in-thread for every other caller. Must never
 * touch the database, the network or a signature key.
 *
 * The result is columnar (ids, types and the stored JSON as UTF-8, each in one string or typed array), so a worker
 * hands it over by moving buffers instead of cloning a thousand entry objects, and the storing side binds each
 * entry's bytes to SQLite without ever turning them back into JavaScript values. An entry is rebuilt as an object
 * only where one is needed (`checkedEntry`: the signature of the newest, projections, forks).
 */
import type { SchemaRegistry } from '../core/schema-registry.js';
import { bodyJson, checkEnvelope, ENTRY_TYPES, entryJson, idKey, MAX_ENTRY_BYTES, type Entry, type EntryType } from './entry.js';
import type { IngestRejection } from './replica.js';

export interface BodyProblem {
  code: string;
  reason: string;
  details?: Record<string, unknown>;
}

/** A batch after the checks above: what the feed service's storing step takes. Never built from network data directly. */
export interface CheckedBatch {
  author: string;
  /** Structurally valid entries kept: consecutive seqs from `firstSeq`, chained within the batch; cut at the first bad one. */
  count: number;
  firstSeq: number;
  /** prev of the first entry (the rest are chained to the entry before them). */
  firstPrev: string | null;
  /** The network every kept entry names ('' when none was kept). */
  net: string;
  /** The kept entries' ids, 64 hex characters each, concatenated. */
  ids: string;
  /** idKey of each id. */
  idKeys: Float64Array;
  /** Index in ENTRY_TYPES of each entry's type. */
  types: Uint8Array;
  /** entryJson of every entry (what is stored and served), UTF-8, concatenated; entry i is json[ends[i-1]..ends[i]). */
  json: Uint8Array;
  ends: Uint32Array;
  /** Body checks that failed, as [index, problem] (entries not listed have a valid body). */
  bodyProblems: [number, BodyProblem][];
  /** Why the batch was cut short (malformed entry, another author or network, a skipped seq, a broken chain), if it was. */
  cut: IngestRejection | null;
}

const TYPE_INDEX = new Map<string, number>(ENTRY_TYPES.map((t, i) => [t, i]));

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

/**
 * Checks a batch of untrusted entries of one author. `sizeHint`: about how many bytes their JSON takes (the frame's
 * length, when they came in one), so the output buffer is allocated once.
 */
export function checkBatch(author: string, raws: unknown[], schemas: SchemaRegistry, sizeHint = 0): CheckedBatch {
  const n = Array.isArray(raws) ? raws.length : 0;
  // one ArrayBuffer of its own for each column (never Buffer's shared pool), so that a worker can transfer them
  let json = new Uint8Array(Math.max(sizeHint, n * 1024, 1024));
  const ends = new Uint32Array(n);
  const idKeys = new Float64Array(n);
  const types = new Uint8Array(n);
  const ids: string[] = [];
  const out: CheckedBatch = { author, count: 0, firstSeq: 0, firstPrev: null, net: '', ids: '', idKeys, types, json, ends, bodyProblems: [], cut: null };
  let buf = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  let used = 0;
  let last: Entry | null = null;
  for (let i = 0; i < n; i++) {
    const env = checkEnvelope(raws[i]);
    if (!env.ok) {
      out.cut = { code: 'invalid_entry', reason: env.reason, author };
      break; // entries after a malformed one cannot be chained
    }
    const e = env.entry;
    if (e.author !== author) {
      out.cut = { code: 'invalid_entry', reason: 'batch mixes authors', author: e.author, seq: e.seq, id: e.id };
      break;
    }
    if (last) {
      if (e.net !== last.net) {
        out.cut = { code: 'invalid_entry', reason: `entry belongs to network ${e.net}`, author, seq: e.seq, id: e.id };
        break;
      }
      if (e.seq !== last.seq + 1) {
        out.cut = { code: 'sequence_gap', reason: `batch skips from seq ${last.seq} to ${e.seq}`, author, seq: e.seq, id: e.id };
        break;
      }
      if (e.prev !== last.id) {
        out.cut = { code: 'broken_chain', reason: `prev of seq ${e.seq} does not match the hash of seq ${last.seq}`, author, seq: e.seq, id: e.id };
        break;
      }
    } else {
      out.firstSeq = e.seq;
      out.firstPrev = e.prev;
      out.net = e.net;
    }
    const problem = checkEntryBody(e, schemas);
    if (problem) out.bodyProblems.push([i, problem]);
    const s = entryJson(e);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (json.length - used < s.length * 3) {
      const grown = new Uint8Array(Math.max(json.length * 2, used + s.length * 3));
      grown.set(json.subarray(0, used));
      json = grown;
      buf = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
    }
    used += buf.write(s, used, 'utf8');
    ends[i] = used;
    idKeys[i] = idKey(e.id);
    types[i] = TYPE_INDEX.get(e.type)!;
    ids.push(e.id);
    last = e;
    out.count++;
  }
  out.ids = ids.join('');
  out.json = json.subarray(0, used);
  return out;
}

/** The id of entry i of a checked batch. */
export function checkedId(b: CheckedBatch, i: number): string {
  return b.ids.slice(i * 64, i * 64 + 64);
}

export function checkedType(b: CheckedBatch, i: number): EntryType {
  return ENTRY_TYPES[b.types[i]!]!;
}

/** The stored JSON of entry i, as UTF-8 bytes (a view, not a copy). */
export function checkedJson(b: CheckedBatch, i: number): Uint8Array {
  return b.json.subarray(i === 0 ? 0 : b.ends[i - 1]!, b.ends[i]!);
}

/** Entry i as an object, parsed back from its stored JSON (which checkBatch wrote from the checked entry). */
export function checkedEntry(b: CheckedBatch, i: number): Entry {
  const j = checkedJson(b, i);
  return JSON.parse(Buffer.from(j.buffer, j.byteOffset, j.byteLength).toString('utf8')) as Entry;
}

/** The typed arrays' buffers, to move (not copy) a checked batch to another thread. */
export function transferables(b: CheckedBatch): ArrayBuffer[] {
  const bufs = new Set<ArrayBuffer>([b.json.buffer as ArrayBuffer, b.ends.buffer as ArrayBuffer, b.idKeys.buffer as ArrayBuffer, b.types.buffer as ArrayBuffer]);
  return [...bufs];
}
