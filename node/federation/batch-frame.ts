/**
 * Decoding one `batch` frame of the sync protocol into a checked batch (see node/feed/batch-check.ts). Pure: it runs
 * on the batch decoder's worker thread, or in-thread when there is no worker. Must never touch the database.
 */
import type { SchemaRegistry } from '../core/schema-registry.js';
import { checkBatch, type CheckedBatch } from '../feed/batch-check.js';

export type DecodedBatchFrame = { ok: true; batch: CheckedBatch; received: number } | { ok: false; error: string };

/** The first bytes of every batch frame a node sends (frames formatted otherwise take the general path). */
export const BATCH_FRAME_PREFIX = Buffer.from('{"t":"batch",');

export function isBatchFrame(frame: Uint8Array): boolean {
  if (frame.length < BATCH_FRAME_PREFIX.length) return false;
  for (let i = 0; i < BATCH_FRAME_PREFIX.length; i++) if (frame[i] !== BATCH_FRAME_PREFIX[i]) return false;
  return true;
}

/** Strict, as every frame of the protocol is read: a frame that is not valid UTF-8 is refused whole (sync-protocol.ts). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeBatchFrame(frame: Uint8Array, schemas: SchemaRegistry): DecodedBatchFrame {
  let text: string;
  try {
    text = utf8.decode(frame);
  } catch {
    return { ok: false, error: 'malformed frame (not UTF-8)' };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed frame (not JSON)' };
  }
  const m = msg as { t?: unknown; author?: unknown; entries?: unknown } | null;
  if (!m || typeof m !== 'object' || m.t !== 'batch') return { ok: false, error: 'unexpected frame, wanted batch|done' };
  if (typeof m.author !== 'string' || !Array.isArray(m.entries)) return { ok: false, error: 'malformed batch' };
  // a frame laid out as nodes send it: its entries are hashed and stored from its own bytes (see checkBatch)
  const head = `{"t":"batch","author":${JSON.stringify(m.author)},"entries":[`;
  const wire = text.slice(0, head.length) === head ? { text, bytes: frame, at: head.length, byteAt: Buffer.byteLength(head) } : undefined;
  return { ok: true, batch: checkBatch(m.author, m.entries, schemas, wire), received: m.entries.length };
}
