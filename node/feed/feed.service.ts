/**
 * The feed store: appends this node's own signed entries and ingests other authors' entries, verifying each one
 * (envelope, network, hash chain, signature, body schema, author policy) and updating every projection in the same
 * SQLite transaction. Implements `FeedReplica` for federation. Must never know about HTTP or libp2p, and must never
 * store an entry it could not verify.
 * Longer than the ~500-line rule on purpose: it is the one writer of feeds, and every acceptance check of every path
 * (append, gossip, sync batches whole or in slices, rebuild) lives here beside the transaction that stores the entry,
 * so that "one acceptance rule" (ARCHITECTURE) can be read, and changed, in one file. The pure checks of a batch are in
 * batch-check.ts and entry.ts.
 * Raw SQL (prepared once): the ingest and wire-read hot path, measured (BENCHMARKS.md, "Catch-up of a fresh node").
 */
import type { Statement } from 'better-sqlite3';
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import type { Clock } from '../core/clock.js';
import { RegistryError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { Ed25519Key } from '../identity/keys.js';
import type { Store } from '../store/database.js';
import {
  checkEnvelope,
  signEntry,
  verifyEntrySignature,
  ENTRY_VERSION,
  entryJson,
  entryJsonHead,
  HEX64,
  idKey,
  type Entry,
  type EntryType,
  type UnsignedEntry,
} from './entry.js';
import { checkBatch, checkedEntry, checkedId, checkedJson, checkedType, checkEntryBody, type CheckedBatch } from './batch-check.js';
import type { FeedReplica, Head, IngestRejection, IngestResult } from './replica.js';

/** Updates one projection from an entry. Called inside the storing transaction; throwing rejects the entry. */
export interface Projector {
  readonly name: string;
  readonly types: readonly EntryType[];
  apply(entry: Entry): void;
  /** Deletes every row this projector owns (before a rebuild). */
  reset(): void;
}

/** Decides whether an author may write an entry (membership). Local appends skip it for the node's own feed. */
export interface AuthorPolicy {
  check(entry: Pick<Entry, 'author' | 'type'>): { ok: true } | { ok: false; code: ErrorCode; reason: string };
}

export interface FeedServiceDeps {
  store: Store;
  schemas: SchemaRegistry;
  network: string;
  key: Ed25519Key; // this node's institution key (author of its own feed)
  clock: Clock;
  logger: Logger;
  policy?: AuthorPolicy;
  /** Refuses appends while this node's own feed is not confirmed current (see own-feed.ts); absent: always allowed. */
  ownFeed?: { assertWritable(): void };
}

interface FeedRow {
  author: string;
  head_seq: number;
  head_id: string;
  frozen: number;
}

interface EntryRow {
  id: string;
  entry: string; // the signed entry as JSON (see entryJson)
}

export class FeedService implements FeedReplica {
  readonly network: string;
  private readonly projectors: Projector[] = [];
  private readonly listeners = new Map<(e: Entry, origin: 'local' | 'remote') => void, readonly ('local' | 'remote')[]>();
  /** Listeners that want remote entries (a catch-up builds entry objects for them only when there are any). */
  private remoteListeners = 0;
  /** Entry types some projector applies (entries of other types are stored without becoming objects). */
  private projectedTypes = new Set<EntryType>();
  private policy: AuthorPolicy | undefined;
  private readonly st: {
    feed: Statement;
    entryById: Statement;
    entryAt: Statement;
    insertEntry: Statement;
    upsertFeed: Statement;
    insertEquivocation: Statement;
    heads: Statement;
    read: Statement;
    readWire: Statement;
    wireSizes: Statement;
  };
  private headsCache: Head[] | null = null;
  private dataVersion = -1;

  constructor(private readonly deps: FeedServiceDeps) {
    this.network = deps.network;
    this.policy = deps.policy;
    const s = deps.store.sqlite;
    refuseOtherFeedFormat(s);
    this.st = {
      feed: s.prepare('SELECT author, head_seq, head_id, frozen FROM feeds WHERE author = ?'),
      // ids are looked up through the indexed integer key (see the entries table)
      entryById: s.prepare(
        'SELECT id, entry FROM entries WHERE id_key = @key AND id = @id',
      ),
      entryAt: s.prepare('SELECT id, entry FROM entries WHERE author = ? AND seq = ?'),
      insertEntry: s.prepare(
        // the entry's JSON comes as a string or as its UTF-8 bytes (a checked batch), stored as text either way
        'INSERT INTO entries (id, id_key, author, seq, type, entry, received_at) VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT), ?)',
      ),
      upsertFeed: s.prepare(
        `INSERT INTO feeds (author, head_seq, head_id, frozen, frozen_reason, updated_at) VALUES (?, ?, ?, 0, NULL, ?)
         ON CONFLICT(author) DO UPDATE SET head_seq = excluded.head_seq, head_id = excluded.head_id, updated_at = excluded.updated_at`,
      ),
      insertEquivocation: s.prepare(
        `INSERT OR IGNORE INTO equivocations (author, seq, stored_id, conflicting_id, stored_entry, conflicting_entry, detected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      heads: s.prepare('SELECT author, head_seq AS seq, head_id AS id FROM feeds ORDER BY author'),
      read: s.prepare(
        'SELECT id, entry FROM entries WHERE author = ? AND seq >= ? ORDER BY seq LIMIT ?',
      ),
      wireSizes: s.prepare('SELECT octet_length(entry) AS n FROM entries WHERE author = ? AND seq >= ? ORDER BY seq LIMIT ?').pluck(),
      // wire JSON of consecutive entries, comma-separated, as UTF-8 bytes
      readWire: s.prepare(
        `SELECT CAST(group_concat(entry, ',') AS BLOB) AS json FROM (SELECT seq, entry FROM entries WHERE author = ? AND seq >= ? ORDER BY seq LIMIT ?)`,
      ),
    };
  }

  get author(): string {
    return this.deps.key.did;
  }

  registerProjector(p: Projector): void {
    this.projectors.push(p);
    this.projectedTypes = new Set(this.projectors.flatMap((x) => x.types));
  }

  setPolicy(policy: AuthorPolicy): void {
    this.policy = policy;
  }

  onEntry(listener: (entry: Entry, origin: 'local' | 'remote') => void, origins: readonly ('local' | 'remote')[] = ['local', 'remote']): () => void {
    if (this.listeners.has(listener)) return () => {};
    this.listeners.set(listener, origins);
    if (origins.includes('remote')) this.remoteListeners++;
    return () => {
      if (this.listeners.delete(listener) && origins.includes('remote')) this.remoteListeners--;
    };
  }

  // ---------------------------------------------------------------- reads

  heads(): Head[] {
    // another process (the CLI) may have written to the database: data_version changes when it commits
    const dv = this.deps.store.sqlite.pragma('data_version', { simple: true }) as number;
    if (dv !== this.dataVersion) {
      this.dataVersion = dv;
      this.headsCache = null;
    }
    if (!this.headsCache) this.headsCache = this.st.heads.all() as Head[];
    return this.headsCache;
  }

  /** When each feed's head last changed in this replica (its newest entry arrived, or it was frozen), by author: how fresh its data is here. */
  headTimes(): Map<string, string> {
    const rows = this.deps.store.statement('SELECT author, updated_at AS at FROM feeds').all() as { author: string; at: string }[];
    return new Map(rows.map((r) => [r.author, r.at]));
  }

  headsDigest(): string {
    const frozen = new Set(
      (this.deps.store.statement('SELECT author FROM feeds WHERE frozen = 1').all() as { author: string }[]).map((r) => r.author),
    );
    return sha256Hex(canonicalJson(this.heads().map((h) => [h.author, h.seq, h.id, frozen.has(h.author) ? 1 : 0])));
  }

  forkProofs(limit: number): [Entry, Entry][] {
    return this.equivocations()
      .slice(-limit)
      .reverse()
      .map((e) => [e.storedEntry, e.conflictingEntry]);
  }

  head(author: string): Head | null {
    const row = this.st.feed.get(author) as FeedRow | undefined;
    return row ? { author: row.author, seq: row.head_seq, id: row.head_id } : null;
  }

  isFrozen(author: string): boolean {
    const row = this.st.feed.get(author) as FeedRow | undefined;
    return !!row?.frozen;
  }

  read(author: string, fromSeq: number, limit: number): Entry[] {
    const rows = this.st.read.all(author, Math.max(1, fromSeq), Math.max(1, Math.min(limit, 10_000))) as EntryRow[];
    return rows.map((r) => rowToEntry(r));
  }

  readWire(author: string, fromSeq: number, limit: number, maxBytes: number): { count: number; lastSeq: number; json: Uint8Array } {
    // Entries are stored as their wire JSON: SQLite joins them and no row becomes a JS string or object on this side.
    // Their sizes come first, to cut the batch at `maxBytes` (a window function doing the same in the joining query,
    // or an ORDER BY inside group_concat, cost several times the join itself).
    const from = Math.max(1, fromSeq);
    const sizes = this.st.wireSizes.all(author, from, Math.max(1, Math.min(limit, 10_000))) as number[];
    let n = 0;
    let total = 0;
    while (n < sizes.length && (n === 0 || total + sizes[n]! + 1 <= maxBytes)) total += sizes[n++]! + 1;
    if (n === 0) return { count: 0, lastSeq: from - 1, json: new Uint8Array(0) };
    const { json } = this.st.readWire.get(author, from, n) as { json: Buffer };
    // the aggregate takes the rows in the subquery's order (seq); checked where it is cheap: the length, and the first
    // entry's seq (the receiving node rejects any batch whose seqs are not consecutive)
    const first = Buffer.from(entryJsonHead(this.network, author, from));
    if (json.length !== total - 1 || !json.subarray(0, first.length).equals(first))
      throw new RegistryError('internal', `stored entries of ${author} from seq ${from} do not join as expected`);
    return { count: n, lastSeq: from + n - 1, json };
  }

  get(id: string): Entry | null {
    if (!HEX64.test(id)) return null;
    const row = this.st.entryById.get({ key: idKey(id), id }) as EntryRow | undefined;
    return row ? rowToEntry(row) : null;
  }

  isMember(did: string): boolean {
    if (!this.policy) return true;
    return this.policy.check({ author: did, type: 'profile' }).ok;
  }

  equivocations(): { author: string; seq: number; storedId: string; conflictingId: string; storedEntry: Entry; conflictingEntry: Entry; detectedAt: string }[] {
    const rows = this.deps.store
      .statement('SELECT author, seq, stored_id, conflicting_id, stored_entry, conflicting_entry, detected_at FROM equivocations ORDER BY rowid')
      .all() as { author: string; seq: number; stored_id: string; conflicting_id: string; stored_entry: string; conflicting_entry: string; detected_at: string }[];
    return rows.map((r) => ({
      author: r.author,
      seq: r.seq,
      storedId: r.stored_id,
      conflictingId: r.conflicting_id,
      storedEntry: JSON.parse(r.stored_entry) as Entry,
      conflictingEntry: JSON.parse(r.conflicting_entry) as Entry,
      detectedAt: r.detected_at,
    }));
  }

  // ---------------------------------------------------------------- writes

  /**
   * Throws `own_feed_unconfirmed` while this node may not sign new entries of its own feed (its database may be
   * missing entries the network holds). Work that leads to an append (issuance) checks it before doing anything.
   */
  assertCanAppend(): void {
    this.deps.ownFeed?.assertWritable();
  }

  /**
   * Appends an entry to this node's own feed. Throws RegistryError if the body is invalid, the own feed is frozen or
   * not confirmed current (`own_feed_unconfirmed`, checked in the same transaction as the write).
   */
  append<B>(type: EntryType, body: B): Entry<B> {
    const stored = this.deps.store.tx(() => {
      this.assertCanAppend();
      const head = this.head(this.author);
      if (head && this.isFrozen(this.author)) throw new RegistryError('author_frozen', 'this node\'s own feed is frozen');
      const unsigned: UnsignedEntry<B> = {
        v: ENTRY_VERSION,
        net: this.network,
        author: this.author,
        seq: (head?.seq ?? 0) + 1,
        prev: head?.id ?? null,
        ts: this.deps.clock.now().toISOString(),
        type,
        body: JSON.parse(canonicalJson(body)) as B,
      };
      const entry = signEntry(this.deps.key, unsigned);
      const problem = checkEntryBody(entry, this.deps.schemas);
      if (problem) throw new RegistryError(problem.code as ErrorCode, problem.reason, problem.details);
      this.store(entry);
      return entry;
    });
    this.emit([stored], 'local');
    return stored;
  }

  ingestOne(raw: unknown): IngestResult {
    const result = emptyResult();
    const env = checkEnvelope(raw);
    if (!env.ok) return reject(result, 'invalid_entry', env.reason);
    const entry = env.entry;
    const accepted: Entry[] = [];
    try {
      this.deps.store.tx(() => {
        const pre = this.precheck(entry, result);
        if (pre !== 'next') return;
        if (!verifyEntrySignature(entry)) return void reject(result, 'bad_signature', 'signature does not verify', entry);
        if (!this.admit(entry, result)) return;
        this.store(entry);
        accepted.push(entry);
        result.accepted++;
      });
    } catch (e) {
      this.deps.logger.error('ingest failed', { error: String(e) });
      return reject(emptyResult(), 'internal', 'entry could not be stored', entry);
    }
    this.emit(accepted, 'remote');
    return result;
  }

  ingestBatch(author: string, raws: unknown[]): IngestResult {
    if (!Array.isArray(raws) || raws.length === 0) return emptyResult();
    return this.ingestChecked(checkBatch(author, raws, this.deps.schemas));
  }

  /**
   * The storing half of `ingestBatch`, for a batch `checkBatch` produced (in this thread, or in the sync's worker
   * thread while the previous batch was being stored): duplicates and forks, hash chain from the stored head,
   * signature of the newest, membership, then storage and projections in one transaction.
   */
  ingestChecked(checked: CheckedBatch): IngestResult {
    const result = emptyResult();
    if (checked.cut) result.rejected.push(checked.cut);
    if (checked.count === 0) return result;
    let accepted: number[] = [];
    try {
      this.deps.store.tx(() => {
        const range = this.checkBatchAgainstStore(checked, result);
        if (range) this.storeRange(checked, range.from, range.to, result, accepted);
      });
    } catch (e) {
      this.deps.logger.error('batch ingest failed', { author: checked.author, error: String(e) });
      accepted = [];
      result.accepted = 0;
      reject(result, 'internal', 'batch could not be stored; nothing was kept', undefined, checked.author);
    }
    if (this.remoteListeners > 0) this.emit(accepted.map((k) => checkedEntry(checked, k)), 'remote');
    return result;
  }

  /**
   * `ingestChecked` for a long batch, storing it in slices of `slice` entries with `pause()` (the event loop) between
   * them, so a catch-up never holds the thread for a whole batch. Every check (duplicates and forks, chain from the
   * stored head, membership, the newest signature, which authenticates every entry of the batch through the chain)
   * runs first, on the whole batch, exactly as `ingestChecked` runs them: the verdict is the same, only the storing is
   * spread. Before each slice the stored head must still be the entry just before it (another writer, e.g. gossip,
   * may have stored some meanwhile): otherwise the rest is left for the next round, where it counts as duplicates.
   */
  async ingestCheckedInSlices(checked: CheckedBatch, slice: number, pause: () => Promise<void>): Promise<IngestResult> {
    if (checked.count <= slice) return this.ingestChecked(checked);
    const result = emptyResult();
    if (checked.cut) result.rejected.push(checked.cut);
    let range: { from: number; to: number } | null = null;
    try {
      this.deps.store.tx(() => {
        range = this.checkBatchAgainstStore(checked, result);
      });
    } catch (e) {
      this.deps.logger.error('batch ingest failed', { author: checked.author, error: String(e) });
      return reject(result, 'internal', 'batch could not be checked; nothing was kept', undefined, checked.author);
    }
    if (!range) return result;
    const { from, to } = range as { from: number; to: number };
    for (let s = from; s < to; s += slice) {
      const end = Math.min(s + slice, to);
      const accepted: number[] = [];
      let go = true;
      try {
        this.deps.store.tx(() => {
          const head = this.head(checked.author);
          const before = s === 0 ? checked.firstPrev : checkedId(checked, s - 1);
          if ((head?.id ?? null) !== before || (head?.seq ?? 0) !== checked.firstSeq + s - 1 || this.isFrozen(checked.author)) {
            go = false;
            return;
          }
          go = this.storeRange(checked, s, end, result, accepted);
        });
      } catch (e) {
        this.deps.logger.error('batch ingest failed', { author: checked.author, error: String(e) });
        result.accepted -= accepted.length;
        accepted.length = 0;
        reject(result, 'internal', `entries from seq ${checked.firstSeq + s} could not be stored; the ones before were kept`, undefined, checked.author);
        go = false;
      }
      if (this.remoteListeners > 0) this.emit(accepted.map((k) => checkedEntry(checked, k)), 'remote');
      if (!go || end === to) break;
      await pause();
    }
    return result;
  }

  /**
   * The checks of a checked batch that need the store (inside a transaction): duplicates and forks, hash chain from
   * the stored head, the author's membership, the signature of the newest. Returns the range of entries to store (its
   * end cut at the last authenticated one), or null when nothing is to be stored (the reason is in `result`).
   */
  private checkBatchAgainstStore(checked: CheckedBatch, result: IngestResult): { from: number; to: number } | null {
    const author = checked.author;
    const n = checked.count;
    // the checked batch holds ids, types and stored JSON; an entry becomes an object only where one is needed
    const entryAt = (k: number) => checkedEntry(checked, k);
    const ref = (k: number): Entry => ({ author, seq: checked.firstSeq + k, id: checkedId(checked, k) }) as Entry;
    const refuse = (code: string, reason: string, e: Entry): null => {
      reject(result, code, reason, e);
      return null;
    };
    const head = this.head(author);
    if (checked.net !== this.network) return refuse('invalid_entry', `entry belongs to network ${checked.net}`, ref(0));
    // 1. skip entries already held; a different id at a held seq is a fork
    let i = 0;
    while (i < n && head && checked.firstSeq + i <= head.seq) {
      // every path computes the canonical id (checkBatch), so an id differs only where the signed entry does
      const pre = this.precheck(entryAt(i), result);
      if (pre === 'stop') return null;
      i++;
    }
    if (i === n) return null;
    // 2. hash chain from the stored head (checkBatch chained the entries within the batch)
    if (this.isFrozen(author)) return refuse('author_frozen', 'author is frozen after equivocation', ref(i));
    const expectSeq = (head?.seq ?? 0) + 1;
    if (checked.firstSeq + i !== expectSeq) return refuse('sequence_gap', `expected seq ${expectSeq}, got ${checked.firstSeq + i}`, ref(i));
    const prev = i === 0 ? checked.firstPrev : checkedId(checked, i - 1);
    if (prev !== (head?.id ?? null))
      return refuse('broken_chain', `prev of seq ${expectSeq} does not match the hash of seq ${expectSeq - 1}`, ref(i));
    // 3. The author may write the first new entry at all (membership; before any signature work, so a non-member's
    // batch costs no verification), then the signature of the newest entry: it authenticates all before it (each
    // prev is the id of the signed entry before, so the chain covers every byte, signatures included). Within a
    // chained batch only the newest entry's signature can differ from what its author signed (a relay that
    // dropped its id), so on failure the one before it is tried and, failing that, the batch is refused whole:
    // at most two verifications per batch, whatever a peer sends.
    const first = this.verdict(author, checkedType(checked, i));
    if (!first.ok) return refuse(first.code, first.reason, ref(i));
    let authentic = n;
    if (!verifyEntrySignature(entryAt(n - 1))) {
      reject(result, 'bad_signature', `signature of seq ${checked.firstSeq + n - 1} does not verify`, ref(n - 1));
      authentic = n - 1 > i && verifyEntrySignature(entryAt(n - 2)) ? n - 1 : i;
    }
    return authentic > i ? { from: i, to: authentic } : null;
  }

  /**
   * 4. Stores entries [from, to) of a checked batch (inside a transaction): body schema and author policy entry by
   * entry, stopping at the first refusal (later ones would not chain); projections; the head. Returns false if it
   * stopped at a refusal.
   */
  private storeRange(checked: CheckedBatch, from: number, to: number, result: IngestResult, accepted: number[]): boolean {
    const author = checked.author;
    const now = this.deps.clock.now().toISOString();
    const ref = (k: number): Entry => ({ author, seq: checked.firstSeq + k, id: checkedId(checked, k) }) as Entry;
    // one author: its membership cannot change within the batch (an author's own endorsements never count for it)
    const verdicts = new Map<EntryType, ReturnType<AuthorPolicy['check']>>();
    let ok = true;
    for (let k = from; k < to; k++) {
      const type = checkedType(checked, k);
      const problem = checked.bodyProblems.find(([j]) => j === k)?.[1];
      if (problem) {
        reject(result, problem.code, problem.reason, ref(k));
        ok = false;
        break;
      }
      let verdict = verdicts.get(type);
      if (!verdict) verdicts.set(type, (verdict = this.verdict(author, type)));
      if (!verdict.ok) {
        reject(result, verdict.code, verdict.reason, ref(k));
        ok = false;
        break;
      }
      this.st.insertEntry.run(checkedId(checked, k), checked.idKeys[k], author, checked.firstSeq + k, type, checkedJson(checked, k), now);
      if (this.projectedTypes.has(type)) this.project(checkedEntry(checked, k));
      accepted.push(k);
      result.accepted++;
    }
    const last = accepted[accepted.length - 1];
    if (last !== undefined) {
      this.st.upsertFeed.run(author, checked.firstSeq + last, checkedId(checked, last), now);
      this.headsCache = null;
    }
    return ok;
  }

  /** Re-derives every projection from the stored entries, in the order they were stored. */
  rebuild(): { entries: number; durationMs: number } {
    const t0 = performance.now();
    let n = 0;
    this.deps.store.tx(() => {
      for (const p of this.projectors) p.reset();
      // chunks by rowid: better-sqlite3 cannot write while a statement is iterating
      const page = this.deps.store.sqlite.prepare(
        'SELECT rowid AS r, id, entry FROM entries WHERE rowid > ? ORDER BY rowid LIMIT 2000',
      );
      let last = 0;
      for (;;) {
        const rows = page.all(last) as (EntryRow & { r: number })[];
        if (rows.length === 0) break;
        for (const row of rows) {
          this.project(rowToEntry(row));
          n++;
        }
        last = rows[rows.length - 1]!.r;
      }
    });
    this.headsCache = null;
    return { entries: n, durationMs: performance.now() - t0 };
  }

  // ---------------------------------------------------------------- internals

  /** For an entry at or below the stored head: duplicate, or fork. Returns 'next' when the entry is beyond the head. */
  private precheck(entry: Entry, result: IngestResult): 'next' | 'done' | 'stop' {
    if (entry.net !== this.network) {
      reject(result, 'invalid_entry', `entry belongs to network ${entry.net}`, entry);
      return 'stop';
    }
    const head = this.head(entry.author);
    if (head && entry.seq <= head.seq) {
      const stored = this.st.entryAt.get(entry.author, entry.seq) as EntryRow | undefined;
      if (stored && stored.id === entry.id) {
        result.duplicates++;
        return 'done';
      }
      if (!verifyEntrySignature(entry)) {
        reject(result, 'bad_signature', 'signature does not verify', entry);
        return 'stop';
      }
      if (stored) this.recordEquivocation(rowToEntry(stored), entry);
      result.equivocations++;
      reject(result, 'equivocation', `author signed two different entries at seq ${entry.seq}; author frozen`, entry);
      return 'stop';
    }
    if (this.isFrozen(entry.author)) {
      reject(result, 'author_frozen', 'author is frozen after equivocation', entry);
      return 'stop';
    }
    const expected = (head?.seq ?? 0) + 1;
    if (entry.seq !== expected) {
      reject(result, 'sequence_gap', `expected seq ${expected}, got ${entry.seq}`, entry);
      return 'stop';
    }
    if (entry.prev !== (head?.id ?? null)) {
      reject(result, 'broken_chain', 'prev does not match the stored head', entry);
      return 'stop';
    }
    return 'next';
  }

  private admit(entry: Entry, result: IngestResult): boolean {
    const problem = checkEntryBody(entry, this.deps.schemas);
    if (problem) {
      reject(result, problem.code, problem.reason, entry);
      return false;
    }
    const verdict = this.verdict(entry.author, entry.type);
    if (!verdict.ok) reject(result, verdict.code, verdict.reason, entry);
    return verdict.ok;
  }

  /** The author policy (membership) on an entry of `type` by `author` (this node's own entries always pass). */
  private verdict(author: string, type: EntryType): ReturnType<AuthorPolicy['check']> {
    return this.policy && author !== this.author ? this.policy.check({ author, type }) : { ok: true };
  }

  /**
   * Stores one verified entry and projects it. `batch` defers the head update to the caller (one per batch); `json`
   * is the entry's entryJson when already computed.
   */
  private store(entry: Entry): void {
    const now = this.deps.clock.now().toISOString();
    this.st.insertEntry.run(entry.id, idKey(entry.id), entry.author, entry.seq, entry.type, entryJson(entry), now);
    this.st.upsertFeed.run(entry.author, entry.seq, entry.id, now);
    this.headsCache = null;
    this.project(entry);
  }

  private project(entry: Entry): void {
    for (const p of this.projectors) if (p.types.includes(entry.type)) p.apply(entry);
  }

  private recordEquivocation(stored: Entry, conflicting: Entry): void {
    const now = this.deps.clock.now().toISOString();
    this.st.insertEquivocation.run(
      stored.author,
      stored.seq,
      stored.id,
      conflicting.id,
      JSON.stringify(stored),
      JSON.stringify(conflicting),
      now,
    );
    this.deps.store
      .statement('UPDATE feeds SET frozen = 1, frozen_reason = ?, updated_at = ? WHERE author = ?')
      .run(`equivocation at seq ${stored.seq}`, now, stored.author);
    this.deps.logger.warn('equivocation detected; author frozen', { author: stored.author, seq: stored.seq });
  }

  private emit(entries: Entry[], origin: 'local' | 'remote'): void {
    for (const e of entries)
      for (const [l, origins] of this.listeners) {
        if (!origins.includes(origin)) continue;
        try {
          l(e, origin);
        } catch (err) {
          this.deps.logger.error('entry listener failed', { error: String(err) });
        }
      }
  }
}

/**
 * A database holds entries of one feed format (a node never stores another). Format 1 (before 0.2) cannot be
 * converted: its ids left signatures outside the chain, and every entry is signed by its own author.
 */
function refuseOtherFeedFormat(sqlite: Store['sqlite']): void {
  const first = sqlite.prepare('SELECT entry FROM entries ORDER BY rowid LIMIT 1').get() as { entry: string } | undefined;
  if (!first || first.entry.startsWith(`{"v":${ENTRY_VERSION},`)) return;
  throw new RegistryError(
    'unsupported_feed_format',
    `this database holds feed entries of another format (this node reads format ${ENTRY_VERSION}, where every stored byte is authenticated). ` +
      'Format-1 feeds cannot be converted: move the database file aside and start the node again with the same keys; it recovers ' +
      'the network\'s feeds from peers running this version, and its own catalogue is published again with `mochila catalogue import`.',
  );
}

/** Entries are stored only after verification, as the JSON `entryJson` wrote: parsed back as they are. */
function rowToEntry(r: EntryRow): Entry {
  return JSON.parse(r.entry) as Entry;
}

function emptyResult(): IngestResult {
  return { accepted: 0, duplicates: 0, rejected: [], equivocations: 0 };
}

function reject(result: IngestResult, code: string, reason: string, entry?: Entry, author?: string): IngestResult {
  const r: IngestRejection = { code, reason };
  if (entry) {
    r.author = entry.author;
    r.seq = entry.seq;
    r.id = entry.id;
  } else if (author) r.author = author;
  result.rejected.push(r);
  return result;
}
