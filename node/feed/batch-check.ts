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
import { sha256Hex } from '../core/canonical.js';
import { bodyJson, checkEnvelopeFields, ENTRY_TYPES, ENTRY_VERSION, entryId, entryJson, entryJsonHead, idKey, MAX_ENTRY_BYTES, type Entry, type EntryType } from './entry.js';
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
  /** entryJson of every entry (what is stored and served) as UTF-8: entry i is json[starts[i]..ends[i]). */
  json: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  /** Body checks that failed, as [index, problem] (entries not listed have a valid body). */
  bodyProblems: [number, BodyProblem][];
  /** Why the batch was cut short (malformed entry, another author or network, a skipped seq, a broken chain), if it was. */
  cut: IngestRejection | null;
}

const TYPE_INDEX = new Map<string, number>(ENTRY_TYPES.map((t, i) => [t, i]));

/** Body size and schema of one entry (membership and chain are the feed service's business). */
export function checkEntryBody(entry: Entry, schemas: SchemaRegistry, bytes = Buffer.byteLength(bodyJson(entry))): BodyProblem | null {
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
  // a reference record's version (a date) may not be later than the day after its entry was signed: a far-future
  // version would pin the record for good, since only a newer version replaces the live one
  if (entry.type === 'reference') {
    const version = (entry.body as { version: string }).version;
    const day = Date.parse(`${String(entry.ts).slice(0, 10)}T00:00:00Z`);
    const latest = Number.isFinite(day) ? new Date(day + 86_400_000).toISOString().slice(0, 10) : '';
    if (!(version <= latest)) return { code: 'invalid_entry', reason: `reference version ${version} is later than the day after the entry's date (${entry.ts.slice(0, 10)})` };
  }
  return null;
}

/**
 * A batch frame's text and bytes, and where its first entry begins in each. The text must be the frame's bytes decoded
 * as valid UTF-8 (a replacement character would make text and bytes disagree).
 */
export interface WireFrame {
  text: string;
  bytes: Uint8Array;
  /** Index in `text`, and offset in `bytes`, of the first entry's `{`. */
  at: number;
  byteAt: number;
}

/** The entry's canonical body JSON, or null if it has none (a value JSON cannot represent). */
function canonicalBody(e: Entry): string | null {
  try {
    return bodyJson(e);
  } catch {
    return null;
  }
}

/** Reused buffer for assembling the bytes an id hashes (grown when an entry needs more). */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Checks a batch of untrusted entries of one author.
 *
 * One rule on every path (gossip, in-thread sync, worker): an entry is the JSON value its bytes parse to (strict UTF-8,
 * JSON.parse); its id is the SHA-256 of that value's canonical (JCS) signed form and its signature is checked over the
 * JCS of the unsigned form, and what is stored is entryJson of that value. Bytes laid out otherwise are therefore
 * canonicalised, the same way everywhere, and an id that is not the canonical one is refused.
 *
 * With `wire` (the frame they were parsed from), an entry that appears in the frame exactly as entryJson writes it
 * (which is how nodes store and send entries: envelope checked piece by piece, body compared with its canonical JSON,
 * the id it carries equal to the recomputed one) is hashed from the frame's own bytes and those bytes are what is
 * stored, byte for byte what the serialising path would store. From the first entry laid out otherwise, entries are
 * serialised here as without `wire`.
 */
export function checkBatch(author: string, raws: unknown[], schemas: SchemaRegistry, wire?: WireFrame): CheckedBatch {
  const n = Array.isArray(raws) ? raws.length : 0;
  // one ArrayBuffer of its own for each column (never Buffer's shared pool), so that a worker can transfer them
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  const idKeys = new Float64Array(n);
  const types = new Uint8Array(n);
  const ids: string[] = [];
  const out: CheckedBatch = { author, count: 0, firstSeq: 0, firstPrev: null, net: '', ids: '', idKeys, types, json: wire?.bytes ?? new Uint8Array(0), starts, ends, bodyProblems: [], cut: null };
  // the stored JSON: the frame's bytes while entries are laid out as entryJson writes them, else this buffer
  let own: Buffer | null = null;
  let used = 0;
  let pos = wire?.at ?? 0;
  let bytePos = wire?.byteAt ?? 0;
  const signingHead = `{"author":${JSON.stringify(author)},"body":`;
  let last: Entry | null = null;
  for (let i = 0; i < n; i++) {
    const env = checkEnvelopeFields(raws[i]);
    if (!env.ok) {
      out.cut = { code: 'invalid_entry', reason: env.reason, author };
      break; // entries after a malformed one cannot be chained
    }
    const e = env.entry;
    let bodyBytes = -1;
    // 1. the id: from the frame's bytes when the entry is laid out there as entryJson writes it
    if (wire) {
      const prev = e.prev === null ? 'null' : `"${e.prev}"`; // prev, type and sig are plain ASCII (checked)
      const ts = JSON.stringify(e.ts);
      const head = `${entryJsonHead(e.net, e.author, e.seq)}"prev":${prev},"ts":${ts},"type":"${e.type}","body":`;
      const text = wire.text;
      const claimed = env.claimedId;
      let laidOut = false;
      // (a slice compared with === is a memory comparison; startsWith walks character by character)
      if (typeof claimed === 'string' && text.slice(pos, pos + head.length) === head) {
        // The body ends where the entry's last members begin: `,"sig":"…","id":"…"}` cannot occur inside a JSON string
        // (its quotes would be escaped), nor as members of the body itself, which would have to contain its own hash.
        const end = `,"sig":"${e.sig}","id":"${claimed}"}`;
        const bodyAt = pos + head.length;
        const endAt = text.indexOf(end, bodyAt);
        const after = endAt + end.length;
        const sep = text.charCodeAt(after);
        // The body's bytes are stored as received only if they are exactly its canonical JSON (what every other path
        // would write): the id is always the hash of canonical bytes, whichever path an entry takes.
        if (endAt > bodyAt && (sep === 44 || sep === 93) && canonicalBody(e) === text.slice(bodyAt, endAt)) {
          const bodyByte = bytePos + Buffer.byteLength(head);
          bodyBytes = Buffer.byteLength(text.slice(bodyAt, endAt));
          const tail = `,"net":${JSON.stringify(e.net)},"prev":${prev},"seq":${e.seq},"sig":"${e.sig}","ts":${ts},"type":"${e.type}","v":${ENTRY_VERSION}}`;
          const need = (signingHead.length + tail.length) * 3 + bodyBytes;
          if (scratch.length < need) scratch = Buffer.allocUnsafeSlow(Math.max(need, scratch.length * 2));
          let k = scratch.write(signingHead, 0, 'utf8');
          scratch.set(wire.bytes.subarray(bodyByte, bodyByte + bodyBytes), k);
          k += bodyBytes;
          k += scratch.write(tail, k, 'utf8');
          // the id: SHA-256 of the canonical signed entry (idString), its body's bytes taken from the frame
          e.id = sha256Hex(scratch.subarray(0, k));
          if (e.id === claimed) {
            starts[i] = bytePos;
            ends[i] = bodyByte + bodyBytes + end.length;
            pos = after + 1;
            bytePos = ends[i]! + 1;
            laidOut = true;
          }
        }
      }
      if (!laidOut) {
        // serialise from here on: move the entries so far into a buffer of this batch's own
        own = Buffer.from(new ArrayBuffer(Math.max(wire.bytes.length, 1024)));
        for (let j = 0; j < i; j++) {
          const from = starts[j]!;
          const to = ends[j]!;
          own.set(wire.bytes.subarray(from, to), used);
          starts[j] = used;
          used += to - from;
          ends[j] = used;
        }
        wire = undefined;
      }
    }
    if (!wire) {
      let body: string;
      try {
        body = bodyJson(e);
      } catch {
        out.cut = { code: 'invalid_entry', reason: 'entry cannot be canonicalised', author, seq: e.seq };
        break;
      }
      bodyBytes = Buffer.byteLength(body);
      e.id = entryId(e);
      if (env.claimedId !== undefined && env.claimedId !== e.id) {
        out.cut = { code: 'invalid_entry', reason: 'id does not match the hash of the canonical signed entry', author, seq: e.seq };
        break;
      }
    }
    // 2. the batch's shape: one author and network, consecutive seqs, each entry chained to the one before
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
    // 3. the body, and the JSON to store (unless it is the frame's own bytes)
    const problem = checkEntryBody(e, schemas, bodyBytes);
    if (problem) out.bodyProblems.push([i, problem]);
    if (!wire) {
      const s = entryJson(e);
      // UTF-8 takes at most 3 bytes per UTF-16 code unit
      if (!own || own.length - used < s.length * 3) {
        const grown: Buffer = Buffer.from(new ArrayBuffer(Math.max((own?.length ?? 0) * 2, used + s.length * 3, 64 * 1024)));
        if (own) grown.set(own.subarray(0, used));
        own = grown;
      }
      starts[i] = used;
      used += own!.write(s, used, 'utf8');
      ends[i] = used;
    }
    idKeys[i] = idKey(e.id);
    types[i] = TYPE_INDEX.get(e.type)!;
    ids.push(e.id);
    last = e;
    out.count++;
  }
  out.ids = ids.join('');
  if (!wire) out.json = own ? new Uint8Array(own.buffer, 0, used) : new Uint8Array(0);
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
  return b.json.subarray(b.starts[i]!, b.ends[i]!);
}

/** Entry i as an object, parsed back from its stored JSON (which checkBatch wrote from the checked entry). */
export function checkedEntry(b: CheckedBatch, i: number): Entry {
  const j = checkedJson(b, i);
  return JSON.parse(Buffer.from(j.buffer, j.byteOffset, j.byteLength).toString('utf8')) as Entry;
}

/** The typed arrays' buffers, to move (not copy) a checked batch to another thread. */
export function transferables(b: CheckedBatch): ArrayBuffer[] {
  const bufs = new Set<ArrayBuffer>([b.json.buffer as ArrayBuffer, b.starts.buffer as ArrayBuffer, b.ends.buffer as ArrayBuffer, b.idKeys.buffer as ArrayBuffer, b.types.buffer as ArrayBuffer]);
  return [...bufs];
}
