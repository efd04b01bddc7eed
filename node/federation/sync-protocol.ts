/**
 * The pull-sync protocol `/mochila/<network>/sync/1`: one stream per round, length-prefixed JSON frames.
 *
 *   client → server  {t:'hello', net, digest}
 *   server → client  {t:'heads', digest, heads?: [[author, seq, id], ...]}        (heads only when digests differ)
 *   client → server  {t:'want', wants: [[author, fromSeq], ...], heads: [...], window?: n}
 *                                                    (the client's heads let the server pull back if behind)
 *   server → client  {t:'batch', author, entries: [...]}* then {t:'done', more}
 *   client → server  {t:'ack'} for every batch frame it has read        (only when it sent a window)
 *
 * Flow control: libp2p streams buffer whatever arrives (yamux grants window on receipt, not on reading), so a
 * client that sends `window: n` is never sent more than n batch frames it has not acknowledged; a client without
 * a window gets the stream as fast as the server can send it. On the client, batch frames go to a BatchDecoder
 * (worker thread) when one is given: frame k+1 is decoded and checked while frame k is stored, in order.
 *
 * Batches hold up to `batchSize` entries or ~`maxBatchBytes`; the client ingests each batch in one transaction
 * (hash chain for every entry, signature of the newest). Any node serves any author's entries it holds
 * (store-and-forward). Must never ingest anything itself on the server side, nor trust ids from the wire.
 */
import type { Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type { FeedReplica, Head, IngestResult } from '../feed/replica.js';
import { BATCH_FRAME_PREFIX, isBatchFrame, type DecodedBatchFrame } from './batch-frame.js';

export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Batch frames a client lets the server send ahead of its acknowledgements. */
export const SYNC_WINDOW = 4;
/** Bytes a stream may hold unread: the window's frames and the frames being handled, at the largest frame size. */
const MAX_BUFFERED_BYTES = (SYNC_WINDOW + 2) * MAX_FRAME_BYTES;

export function syncProtocolId(network: string): string {
  return `/mochila/${network}/sync/1`;
}

export type WireHead = [string, number, string];

export interface RoundFigures {
  digestsEqual: boolean;
  authorsRequested: number;
  batches: number;
  entriesReceived: number;
  entriesAccepted: number;
  duplicates: number;
  equivocations: number;
  rejected: { code: string; reason: string; author?: string; seq?: number }[];
  bytesIn: number;
  bytesOut: number;
  more: boolean;
  /** Authors for which the remote is behind us (it may pull from us). */
  remoteBehind: number;
  remoteHeads: WireHead[];
  /** Authors this peer was ahead on but that another round was already pulling (retried when it ends). */
  authorsDeferred: number;
}

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const enc = new TextEncoder();
/** Strict UTF-8 on every frame (the batch decoder's too): bytes that are not UTF-8 are refused, never replaced. */
const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Framed {
  bytesIn = 0;
  bytesOut = 0;
  private readonly lp: LengthPrefixedStream<Stream>;
  constructor(
    stream: Stream,
    private readonly signal: AbortSignal,
  ) {
    this.lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: MAX_BUFFERED_BYTES });
  }
  async send(msg: unknown): Promise<void> {
    await this.sendJson(JSON.stringify(msg));
  }
  async sendJson(json: string): Promise<void> {
    await this.sendBytes(enc.encode(json));
  }
  async sendBytes(b: Uint8Array): Promise<void> {
    this.bytesOut += b.length;
    await this.lp.write(b, { signal: this.signal });
  }
  async recvBytes(): Promise<Uint8Array> {
    const data = await this.lp.read({ signal: this.signal });
    this.bytesIn += data.byteLength;
    return data.subarray();
  }
  async recv<T extends { t: string }>(expected: string[]): Promise<T> {
    return this.parse<T>(await this.recvBytes(), expected);
  }
  parse<T extends { t: string }>(data: Uint8Array, expected: string[]): T {
    return parseFrame<T>(data, expected);
  }
}

/**
 * Entries stored per transaction during a catch-up, with the event loop let run between: a batch is checked whole
 * (the newest signature authenticates it), then stored in slices. 250 kept /healthz p99 near 50 ms on this 2-core
 * machine during a 100,000-entry catch-up where whole 1,000-entry batches held it ~150 ms (BENCHMARKS.md).
 */
const STORE_SLICE = 250;

/** A batch frame this size or larger is decoded on the decoder's worker whatever the round's length. */
const LARGE_FRAME_BYTES = 256 * 1024;

/** The author a batch frame laid out as nodes send it names (read from its first bytes), or null for any other frame. */
function batchFrameAuthor(frame: Uint8Array): string | null {
  if (!isBatchFrame(frame)) return null;
  const at = BATCH_FRAME_PREFIX.length + '"author":"'.length;
  if (Buffer.from(frame.buffer, frame.byteOffset + BATCH_FRAME_PREFIX.length, '"author":"'.length).toString('latin1') !== '"author":"') return null;
  const end = frame.indexOf(0x22, at);
  if (end < 0 || end - at > 200) return null;
  return Buffer.from(frame.buffer, frame.byteOffset + at, end - at).toString('latin1');
}

/** Rejects when the round's signal aborts (a decode the worker never answers cannot hold the round). */
function roundAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new ProtocolError('round aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * Lets the event loop run (HTTP requests, timers, other streams) between two stored batches. Frames already buffered
 * resolve reads as microtasks, so without this a long catch-up held the loop for its whole duration (healthz answered
 * after seconds); one batch stays the longest synchronous step (~1,000 entries).
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One frame of the protocol: strict UTF-8, JSON, an object whose `t` is one of `expected`; ProtocolError otherwise. */
export function parseFrame<T extends { t: string }>(data: Uint8Array, expected: string[]): T {
  let msg: unknown;
  try {
    msg = JSON.parse(dec.decode(data));
  } catch {
    throw new ProtocolError('malformed frame (not UTF-8 JSON)');
  }
  if (!msg || typeof msg !== 'object' || typeof (msg as { t?: unknown }).t !== 'string' || !expected.includes((msg as { t: string }).t))
    throw new ProtocolError(`unexpected frame, wanted ${expected.join('|')}`);
  return msg as T;
}

function wireHeads(heads: Head[]): WireHead[] {
  return heads.map((h) => [h.author, h.seq, h.id]);
}

function isWireHeads(v: unknown, max = 100_000): v is WireHead[] {
  return (
    Array.isArray(v) &&
    v.length <= max &&
    v.every((h) => Array.isArray(h) && h.length === 3 && typeof h[0] === 'string' && h[0].length < 200 && Number.isSafeInteger(h[1]) && h[1] >= 0 && typeof h[2] === 'string' && h[2].length <= 64)
  );
}

export interface ServeOptions {
  batchSize: number;
  maxBatchBytes: number;
  maxEntriesPerRound: number;
}

/** Server side of one round. Returns the client's heads so the caller can pull back when the client is ahead. */
export async function serveRound(replica: FeedReplica, stream: Stream, signal: AbortSignal, o: ServeOptions): Promise<{ clientHeads: WireHead[]; sent: number; bytesIn: number; bytesOut: number }> {
  const f = new Framed(stream, signal);
  const hello = await f.recv<{ t: 'hello'; net: unknown; digest: unknown }>(['hello']);
  if (hello.net !== replica.network) throw new ProtocolError(`peer is on network ${String(hello.net)}`);
  const digest = replica.headsDigest();
  if (hello.digest === digest) {
    await f.send({ t: 'heads', digest });
    return { clientHeads: [], sent: 0, bytesIn: f.bytesIn, bytesOut: f.bytesOut };
  }
  await f.send({ t: 'heads', digest, heads: wireHeads(replica.heads()), forks: replica.forkProofs(20) });
  const want = await f.recv<{ t: 'want'; wants: unknown; heads: unknown; window?: unknown }>(['want']);
  // Only feeds this node holds, each once, from a seq it holds: a want for anything else costs no query (a peer
  // listing 100,000 made-up authors once held the event loop for over a second).
  const held = new Map(replica.heads().map((h) => [h.author, h.seq] as const));
  const asked = new Set<string>();
  const wants = (Array.isArray(want.wants) ? (want.wants as unknown[]).slice(0, 100_000) : []).filter((w): w is [string, number] => {
    if (!Array.isArray(w) || typeof w[0] !== 'string' || !Number.isSafeInteger(w[1]) || w[1] < 1) return false;
    const seq = held.get(w[0]);
    if (seq === undefined || w[1] > seq || asked.has(w[0])) return false;
    asked.add(w[0]);
    return true;
  });
  const clientHeads = isWireHeads(want.heads) ? want.heads : [];
  const window = Number.isSafeInteger(want.window) && (want.window as number) >= 1 ? Math.min(want.window as number, 64) : null;
  let unacknowledged = 0;
  let sent = 0;
  let more = false;
  for (const [author, first] of wants) {
    let from = first;
    for (;;) {
      if (sent >= o.maxEntriesPerRound) {
        more = true;
        break;
      }
      const head = enc.encode(`{"t":"batch","author":${JSON.stringify(author)},"entries":[`);
      const batch = replica.readWire(author, from, Math.min(o.batchSize, o.maxEntriesPerRound - sent), o.maxBatchBytes - head.length - 2);
      if (batch.count === 0) break;
      const frame = new Uint8Array(head.length + batch.json.length + 2);
      frame.set(head, 0);
      frame.set(batch.json, head.length);
      frame[frame.length - 2] = 0x5d; // ]
      frame[frame.length - 1] = 0x7d; // }
      if (window !== null && unacknowledged >= window) {
        await f.recv(['ack']);
        unacknowledged--;
      }
      await f.sendBytes(frame);
      unacknowledged++;
      sent += batch.count;
      from = batch.lastSeq + 1;
    }
    if (more) break;
  }
  await f.send({ t: 'done', more });
  return { clientHeads, sent, bytesIn: f.bytesIn, bytesOut: f.bytesOut };
}

/**
 * Lets concurrent rounds with different peers split the work: an author being pulled from one peer is not asked of
 * another at the same time (the entries would arrive twice and all but one copy be thrown away).
 */
export interface AuthorClaims {
  tryClaim(author: string): boolean;
}

/** Client side of one round: pull everything the server holds that we lack, ingesting batch by batch. */
export async function pullRound(
  replica: FeedReplica,
  stream: Stream,
  signal: AbortSignal,
  claims?: AuthorClaims,
  decoder?: { decode(frame: Uint8Array): Promise<DecodedBatchFrame>; readonly lookahead: number; readonly minEntries: number },
): Promise<RoundFigures> {
  const f = new Framed(stream, signal);
  const fig: RoundFigures = {
    digestsEqual: false,
    authorsRequested: 0,
    batches: 0,
    entriesReceived: 0,
    entriesAccepted: 0,
    duplicates: 0,
    equivocations: 0,
    rejected: [],
    bytesIn: 0,
    bytesOut: 0,
    more: false,
    remoteBehind: 0,
    remoteHeads: [],
    authorsDeferred: 0,
  };
  const digest = replica.headsDigest();
  await f.send({ t: 'hello', net: replica.network, digest });
  const heads = await f.recv<{ t: 'heads'; digest: unknown; heads?: unknown; forks?: unknown }>(['heads']);
  if (heads.digest === digest || heads.heads === undefined) {
    fig.digestsEqual = heads.digest === digest;
    fig.bytesIn = f.bytesIn;
    fig.bytesOut = f.bytesOut;
    return fig;
  }
  if (!isWireHeads(heads.heads)) throw new ProtocolError('malformed heads vector');
  fig.remoteHeads = heads.heads;
  const mine = new Map(replica.heads().map((h) => [h.author, h] as const));
  // Proofs of equivocation travel with the heads: each signed entry is verified by the replica on ingest. Only what
  // can be a proof is looked at (a member's feed this node holds, at a seq it holds, under another id than its own
  // entry there: compared before any hashing), and the loop yields between entries, so a peer cannot make this node
  // canonicalise megabytes in one go.
  if (Array.isArray(heads.forks)) {
    for (const pair of heads.forks.slice(0, 20)) {
      if (!Array.isArray(pair) || pair.length !== 2) continue;
      for (const e of pair) {
        const c = e as { author?: unknown; seq?: unknown; id?: unknown } | null;
        if (!c || typeof c.author !== 'string' || typeof c.seq !== 'number' || !replica.isMember(c.author)) continue;
        const h = mine.get(c.author);
        if (!h || c.seq > h.seq || (c.seq === h.seq && c.id === h.id) || replica.isFrozen(c.author)) continue;
        const r = replica.ingestOne(e);
        fig.equivocations += r.equivocations;
        fig.entriesAccepted += r.accepted;
        await yieldToEventLoop();
      }
    }
  }
  const wants: [string, number][] = [];
  const remoteAuthors = new Set<string>();
  let lacking = 0;
  for (const [author, seq, id] of heads.heads) {
    remoteAuthors.add(author);
    const m = mine.get(author);
    let from = 0;
    if (!m || m.seq < seq) from = (m?.seq ?? 0) + 1;
    else if (m.seq === seq && m.id !== id) from = seq; // a fork at the head: fetch it as proof
    if (from > 0) {
      if (claims && !claims.tryClaim(author)) fig.authorsDeferred++;
      else {
        wants.push([author, from]);
        lacking += seq - from + 1;
      }
    }
    if (m && m.seq > seq) fig.remoteBehind++;
  }
  for (const a of mine.keys()) if (!remoteAuthors.has(a)) fig.remoteBehind++;
  fig.authorsRequested = wants.length;
  const wanted = new Set(wants.map(([a]) => a));
  await f.send({ t: 'want', wants, heads: wireHeads(replica.heads()), window: SYNC_WINDOW });
  const tally = (entries: number, r: IngestResult) => {
    fig.batches++;
    fig.entriesReceived += entries;
    fig.entriesAccepted += r.accepted;
    fig.duplicates += r.duplicates;
    fig.equivocations += r.equivocations;
    for (const x of r.rejected) if (fig.rejected.length < 50) fig.rejected.push(x);
  };
  // For a long catch-up, the next batches are decoded and checked on the decoder's worker threads while this one is
  // stored here; a short one is checked in-thread (handing batches to a worker costs more than it saves there).
  const pipeline = decoder && decoder.lookahead > 0 && lacking >= decoder.minEntries ? decoder : undefined;
  const decoding: Promise<DecodedBatchFrame>[] = [];
  // the round's signal bounds the wait too (a decoder that never answered would otherwise hold the round forever)
  const aborted = decoder ? roundAborted(signal) : null;
  aborted?.catch(() => {}); // observed only while a decode is awaited
  const storeDecoded = async () => {
    const d = await Promise.race([decoding.shift()!, aborted!]);
    if (!d.ok) throw new ProtocolError(d.error);
    tally(d.received, await replica.ingestCheckedInSlices(d.batch, STORE_SLICE, yieldToEventLoop));
    await yieldToEventLoop();
  };
  for (;;) {
    const frame = await f.recvBytes();
    // a batch of an author this round did not ask for is refused before it is decoded
    const author = batchFrameAuthor(frame);
    if (author !== null && !wanted.has(author)) throw new ProtocolError('batch of an author this round did not ask for');
    // batch frames are acknowledged once read: what is unread in the stream stays within the window; a large frame
    // is decoded on the worker even in a short round, so the main thread never spends long decoding one
    const viaWorker = pipeline ?? (decoder && decoder.lookahead > 0 && frame.length >= LARGE_FRAME_BYTES ? decoder : undefined);
    if (viaWorker && isBatchFrame(frame)) {
      if (!pipeline) {
        await f.send({ t: 'ack' });
        const d = await Promise.race([viaWorker.decode(frame), aborted!]);
        if (!d.ok) throw new ProtocolError(d.error);
        tally(d.received, await replica.ingestCheckedInSlices(d.batch, STORE_SLICE, yieldToEventLoop));
        await yieldToEventLoop();
        continue;
      }
      await f.send({ t: 'ack' });
      decoding.push(pipeline.decode(frame));
      while (decoding.length > pipeline.lookahead) await storeDecoded();
      continue;
    }
    while (decoding.length) await storeDecoded();
    const msg = f.parse<{ t: 'batch' | 'done'; author?: unknown; entries?: unknown; more?: unknown }>(frame, ['batch', 'done']);
    if (msg.t === 'done') {
      fig.more = msg.more === true;
      break;
    }
    // a short catch-up, no decoder, or a batch frame formatted unlike ours: checked in-thread
    await f.send({ t: 'ack' });
    if (typeof msg.author !== 'string' || !Array.isArray(msg.entries)) throw new ProtocolError('malformed batch');
    if (!wanted.has(msg.author)) throw new ProtocolError('batch of an author this round did not ask for');
    tally(msg.entries.length, replica.ingestBatch(msg.author, msg.entries));
    await yieldToEventLoop();
  }
  fig.bytesIn = f.bytesIn;
  fig.bytesOut = f.bytesOut;
  return fig;
}

