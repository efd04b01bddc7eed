/**
 * The contract between the feed store and replication (`node/federation/`). Federation only sees this
 * interface: it never touches SQLite or projections directly. Must never import libp2p.
 */
import type { CheckedBatch } from './batch-check.js';
import type { Entry } from './entry.js';

export interface Head {
  author: string;
  seq: number;
  id: string;
}

export interface IngestRejection {
  code: string; // RegistryError code, e.g. bad_signature, broken_chain, sequence_gap, not_a_member, invalid_entry
  reason: string;
  author?: string;
  seq?: number;
  id?: string;
}

export interface IngestResult {
  accepted: number; // entries newly stored
  duplicates: number; // entries already held (same id)
  rejected: IngestRejection[];
  equivocations: number; // forks detected in this call
}

export interface FeedReplica {
  readonly network: string;
  /** Heads of every feed this node holds (valid, stored chain), sorted by author. */
  heads(): Head[];
  /** sha256 hex over the canonical heads vector and frozen authors: equal digests mean equal replicas. */
  headsDigest(): string;
  /** Entries of one author with seq >= fromSeq, ascending, at most `limit`. */
  read(author: string, fromSeq: number, limit: number): Entry[];
  /**
   * Ingests consecutive entries of one author in one SQLite transaction: hash chain checked for every entry,
   * signature of the newest (and of any entry that forks the stored chain). Untrusted input.
   */
  ingestBatch(author: string, entries: unknown[]): IngestResult;
  /**
   * `ingestBatch` after its database-free checks: for a batch that `checkBatch` produced in this process (possibly on
   * a worker thread), never for data straight from the network.
   */
  ingestChecked(batch: CheckedBatch): IngestResult;
  /**
   * `ingestChecked` with the same checks and verdict, storing a long batch in slices of `slice` entries with `pause()`
   * between them (sync calls it so that HTTP is served during a catch-up).
   */
  ingestCheckedInSlices(batch: CheckedBatch, slice: number, pause: () => Promise<void>): Promise<IngestResult>;
  /**
   * Like `read`, but serialised for the wire: the entries' JSON in UTF-8, comma-separated (the serving side of sync
   * never parses or re-serialises bodies). At most `limit` entries and, beyond the first, `maxBytes` bytes.
   */
  readWire(author: string, fromSeq: number, limit: number, maxBytes: number): { count: number; lastSeq: number; json: Uint8Array };
  /** Ingests one gossiped entry, verified by its own signature. Untrusted input. */
  ingestOne(entry: unknown): IngestResult;
  /** Proofs of equivocation held (two signed entries with the same author and seq), newest first, at most `limit`. */
  forkProofs(limit: number): [Entry, Entry][];
  /**
   * Called after every stored entry (local append or remote ingest) of the given origins (default both). Returns an
   * unsubscribe function.
   */
  onEntry(listener: (entry: Entry, origin: 'local' | 'remote') => void, origins?: readonly ('local' | 'remote')[]): () => void;
  /** Whether the DID is currently a member of the network (founder or admitted). */
  isMember(did: string): boolean;
  /** Whether the author's feed is frozen after an equivocation. */
  isFrozen(author: string): boolean;
}
