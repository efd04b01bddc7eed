/**
 * The batch decoder's worker thread: decodes and checks sync batch frames (node/federation/batch-frame.ts) and posts
 * the checked batches back. Started by BatchDecoder after tsx and the compat shim are loaded. Holds no state but the
 * compiled schemas; must never touch the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SchemaRegistry } from '../core/schema-registry.js';
import { transferables } from '../feed/batch-check.js';
import { decodeBatchFrame, type DecodedBatchFrame } from './batch-frame.js';

const schemas = new SchemaRegistry((workerData as { schemasDir?: string }).schemasDir);
parentPort!.on('message', (m: { id: number; frame: Uint8Array }) => {
  let r: DecodedBatchFrame;
  try {
    r = decodeBatchFrame(m.frame, schemas);
  } catch (e) {
    r = { ok: false, error: `frame could not be checked: ${String(e)}` };
  }
  // the checked batch's columns are moved, not copied
  parentPort!.postMessage({ id: m.id, r }, r.ok ? transferables(r.batch) : []);
});
parentPort!.postMessage({ ready: true });
