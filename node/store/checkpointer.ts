/**
 * Checkpoints the SQLite write-ahead log from a worker thread with its own connection, so that the node's thread
 * never waits for a checkpoint's copy and fsync (they were a quarter of every commit during a catch-up). While it
 * runs, the node's connection does not checkpoint by itself; if the worker cannot start or dies, automatic
 * checkpoints are switched back on. PASSIVE checkpoints never block readers or writers; one a second after commits
 * (each costs an fsync of the WAL and of the database, so not more often). start()/stop() bound it;
 * must never write anything but the WAL checkpoint.
 */
import type { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Logger } from '../core/logger.js';
import { startWorker } from '../core/workers.js';
import { AUTO_CHECKPOINT_PAGES, type Store } from './database.js';

// plain JavaScript, so the worker needs no TypeScript loader
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
let seen = -1;
const timer = setInterval(() => {
  try {
    // only after another connection has committed (data_version changes then): an idle node costs nothing
    const v = db.pragma('data_version', { simple: true });
    if (v === seen) return;
    seen = v;
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage({ stopped: true });
  }
});
parentPort.postMessage({ ready: true });
`;

export class WalCheckpointer {
  private worker: Worker | null = null;

  constructor(private readonly d: { store: Store; logger: Logger; intervalMs?: number }) {}

  get running(): boolean {
    return this.worker !== null;
  }

  async start(): Promise<void> {
    const file = this.d.store.path;
    if (this.worker || file === ':memory:' || file === '') return;
    const workerData = { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs: this.d.intervalMs ?? 1_000 };
    const worker = await startWorker(
      WORKER,
      workerData,
      (e) => this.d.logger.warn('WAL checkpointer failed to start; SQLite checkpoints in the node thread', { code: e.code, error: e.message }),
      { what: 'the WAL checkpointer worker' },
    );
    if (!worker) return;
    worker.on('message', (m: { error?: string }) => {
      if (m.error) this.d.logger.warn('WAL checkpoint failed', { error: m.error });
    });
    worker.on('error', (e) => this.lost(worker, e));
    worker.on('exit', (code) => this.lost(worker, new Error(`exited with code ${code}`)));
    this.worker = worker;
    this.d.store.sqlite.pragma('wal_autocheckpoint = 0');
  }

  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    this.restoreAutoCheckpoint();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2_000).unref();
      w.once('message', () => {
        clearTimeout(t);
        resolve();
      });
      w.postMessage('stop');
    });
    await w.terminate();
  }

  private lost(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.d.logger.error('WAL checkpointer stopped; SQLite checkpoints in the node thread again', { error: String(e) });
    this.restoreAutoCheckpoint();
  }

  private restoreAutoCheckpoint(): void {
    if (this.d.store.sqlite.open) this.d.store.sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }
}
