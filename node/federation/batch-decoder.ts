/**
 * Decodes and checks sync batch frames on a worker thread, so that a node catching up checks batch k+1 (UTF-8
 * decoding, JSON parsing, JCS + SHA-256 of every entry, body schemas) while its main thread stores batch k. Without
 * a worker (disabled, failed to start, or crashed) frames are decoded in-thread with the same code; results are
 * identical either way. start()/stop() bound the worker's life; must never touch the database.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Logger } from '../core/logger.js';
import { startWorker, typescriptWorker } from '../core/workers.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import { decodeBatchFrame, type DecodedBatchFrame } from './batch-frame.js';

/** Entries a sync round must lack before its batches go to the workers (10,000 were faster in-thread). */
export const DEFAULT_DECODER_MIN_ENTRIES = 20_000;

/** One worker per core beyond the node's own thread, at most two (on two cores: one; on one core: none). */
export const DEFAULT_DECODER_THREADS = Math.max(0, Math.min(2, availableParallelism() - 1));

/** The largest piece in which a libp2p stream hands over bytes here (a noise transport message's payload). */
const MAX_STREAM_CHUNK = 65_535;

interface Pending {
  /** null once the frame's buffer has been moved to the worker. */
  frame: Uint8Array | null;
  resolve: (r: DecodedBatchFrame) => void;
}

export class BatchDecoder {
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private next = 0;
  private stopped = false;
  private starting: Promise<void> | null = null;

  constructor(private readonly d: { schemas: SchemaRegistry; logger: Logger; threads: number; minEntries?: number }) {}

  /**
   * Entries a sync round must lack before its batches come here: handing a batch to a worker costs more than it
   * saves on short catch-ups (10,000 entries were faster in-thread).
   */
  get minEntries(): number {
    return this.d.minEntries ?? DEFAULT_DECODER_MIN_ENTRIES;
  }

  /** Worker threads frames currently go to (0: decoded in-thread). */
  get threaded(): number {
    return this.workers.length;
  }

  /** How many frames a caller should have decoding while it stores one: one per worker (none in-thread). */
  get lookahead(): number {
    return this.workers.length;
  }

  /**
   * Starts the workers; resolves once they are ready (or have failed, and frames will be decoded in-thread). Calling
   * it again returns the same promise, so a node can start loading them early and wait for them later.
   */
  start(): Promise<void> {
    this.starting ??= this.startWorkers();
    return this.starting;
  }

  private async startWorkers(): Promise<void> {
    if (this.stopped) return;
    const started = await Promise.all(Array.from({ length: Math.max(0, this.d.threads) }, () => this.spawn()));
    const ready = started.filter((w): w is Worker => w !== null);
    if (this.stopped) {
      await Promise.all(ready.map((w) => w.terminate()));
      return;
    }
    this.workers = ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const ws = this.workers;
    this.workers = [];
    this.drainInThread();
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /**
   * Decodes one batch frame. Never rejects: a frame that is not a valid batch resolves to `{ ok: false }`.
   *
   * The worker gets a buffer of its own. A frame larger than any single chunk the stream delivers (a noise message
   * carries at most 64 KiB) that spans its whole ArrayBuffer was assembled for this frame alone, so that buffer is
   * moved to the worker (the caller's view becomes empty) and comes back as the checked batch's JSON; any other frame
   * may share its buffer with bytes the stream still holds, and is copied. A moved frame cannot be decoded here if
   * its worker dies first: it then resolves to `{ ok: false }` and the round is retried.
   */
  decode(frame: Uint8Array): Promise<DecodedBatchFrame> {
    if (this.workers.length === 0) return Promise.resolve(this.inThread(frame));
    const w = this.workers[this.next++ % this.workers.length]!;
    const id = this.nextId++;
    const movable = frame.byteLength > MAX_STREAM_CHUNK && frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength && frame.buffer instanceof ArrayBuffer;
    return new Promise((resolve) => {
      this.pending.set(id, { frame: movable ? null : frame, resolve });
      let own = frame;
      if (!movable) {
        own = new Uint8Array(frame.byteLength);
        own.set(frame);
      }
      w.postMessage({ id, frame: own }, [own.buffer as ArrayBuffer]);
    });
  }

  private async spawn(): Promise<Worker | null> {
    const { code, workerData } = typescriptWorker(new URL('./batch-decoder.worker.ts', import.meta.url), { schemasDir: this.d.schemas.dir });
    const worker = await startWorker(
      code,
      workerData,
      (e) => this.d.logger.warn('batch decoder worker failed to start; decoding in-thread', { code: e.code, error: e.message }),
      { what: 'the sync batch decoder worker' },
    );
    if (!worker) return null;
    worker.on('message', (m: { id: number; r: DecodedBatchFrame }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m.r);
    });
    worker.on('error', (e) => this.fail(worker, e));
    worker.on('exit', (code) => this.fail(worker, new Error(`exited with code ${code}`)));
    return worker;
  }

  private inThread(frame: Uint8Array): DecodedBatchFrame {
    try {
      return decodeBatchFrame(frame, this.d.schemas);
    } catch (e) {
      return { ok: false, error: `frame could not be checked: ${String(e)}` };
    }
  }

  /**
   * A worker died: every frame still pending is decoded here (which worker held it is not tracked: results of the
   * live ones that arrive later are ignored), and the other workers carry on.
   */
  private fail(worker: Worker, e: Error): void {
    if (!this.workers.includes(worker)) return;
    this.workers = this.workers.filter((w) => w !== worker);
    if (!this.stopped) this.d.logger.error('a batch decoder worker stopped', { error: String(e), left: this.workers.length });
    this.drainInThread();
  }

  private drainInThread(): void {
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const p of held) p.resolve(p.frame ? this.inThread(p.frame) : { ok: false, error: 'the batch decoder worker stopped while it held this frame' });
  }
}
