/**
 * The minimal tar (ustar) the backup archive uses: regular files only, names without paths. Writing: a member from a
 * buffer or streamed from a file (GNU base-256 sizes for 8 GiB and more). Reading: readTar streams an archive member
 * by member into sinks the caller opens, checking each header's checksum. Used by node/ops/backup.ts (tested through
 * test/unit/backup.test.ts). Must never take a member name as a path, never accept a member with a path prefix, and
 * never buffer a whole member: what a member is allowed to be (which names, sizes, types) is the caller's decision.
 */
import { createReadStream } from 'node:fs';
import { RegistryError } from '../core/errors.js';

export const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(mode.toString(8).padStart(7, '0') + '\0', 100, 8, 'ascii');
  h.write('0000000\0', 108, 8, 'ascii'); // uid
  h.write('0000000\0', 116, 8, 'ascii'); // gid
  if (size <= MAX_OCTAL_SIZE) h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  else {
    // GNU base-256 for files of 8 GiB and more
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write(mtime.toString(8).padStart(11, '0') + '\0', 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum counted as spaces
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export function padding(size: number): Buffer {
  const r = size % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

/** A member from a buffer: header, bytes, padding to the block. */
export function* member(name: string, data: Buffer, mode: number, mtime: number): Generator<Buffer> {
  yield header(name, data.length, mode, mtime);
  yield data;
  yield padding(data.length);
}

/** A member streamed from a file of a known size; throws `internal` when the file changed size meanwhile. */
export async function* fileMember(name: string, file: string, size: number, mtime: number): AsyncGenerator<Buffer> {
  yield header(name, size, 0o600, mtime);
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    n += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (n !== size) throw new RegistryError('internal', `the database copy changed size while it was archived (${size} → ${n})`);
  yield padding(size);
}

function parseOctal(b: Buffer, what: string): number {
  if (b[0]! & 0x80) {
    let v = 0n;
    for (let i = 1; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RegistryError('backup_corrupt', `tar header: ${what} out of range`);
    return Number(v);
  }
  const s = b
    .toString('ascii')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]*$/.test(s)) throw new RegistryError('backup_corrupt', `tar header: ${what} is not a number`);
  return s === '' ? 0 : parseInt(s, 8);
}

function checkHeader(h: Buffer): { name: string; size: number; type: string } {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (parseOctal(h.subarray(148, 156), 'checksum') !== sum) throw new RegistryError('backup_corrupt', 'a tar header fails its checksum');
  const end = h.indexOf(0, 0);
  const name = h.subarray(0, end < 0 || end > 100 ? 100 : end).toString('utf8');
  const prefix = h.subarray(345, 500);
  if (prefix[0] !== 0) throw new RegistryError('backup_foreign', 'the archive holds a member with a path: not a mochila backup');
  return { name, size: parseOctal(h.subarray(124, 136), 'size'), type: String.fromCharCode(h[156]!) };
}

export interface TarMemberHeader {
  name: string;
  size: number;
  /** The ustar type flag: '0' or '\0' for a regular file. */
  type: string;
}

/** Where a member's bytes go: write() for each chunk in order, end() after its last byte. */
export interface TarSink {
  write(chunk: Buffer): void;
  end(): void;
}

/**
 * Streams a tar archive: for each member calls open(header) (which may throw to refuse it) and feeds the member's bytes
 * to the sink it returns. Resolves true when the archive ended with its end-of-archive block, false when the stream
 * stopped before (truncated). Throws `backup_corrupt` on a header that fails its checksum, `backup_foreign` on a member
 * with a path prefix.
 */
export async function readTar(src: AsyncIterable<Buffer | string>, open: (h: TarMemberHeader) => TarSink): Promise<boolean> {
  let pending: Buffer = Buffer.alloc(0);
  // one holder, so the loop sees the state as it is (and the type checker does not narrow it)
  const st: { cur: { sink: TarSink; left: number; pad: number } | null; ended: boolean } = { cur: null, ended: false };
  for await (const chunk of src) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    pending = pending.length ? Buffer.concat([pending, b]) : b;
    for (;;) {
      if (st.ended) {
        pending = Buffer.alloc(0); // zero padding after the end blocks
        break;
      }
      if (st.cur) {
        if (st.cur.left > 0) {
          if (pending.length === 0) break;
          const take = pending.subarray(0, Math.min(st.cur.left, pending.length));
          st.cur.sink.write(take);
          st.cur.left -= take.length;
          pending = pending.subarray(take.length);
          continue;
        }
        if (pending.length < st.cur.pad) break;
        pending = pending.subarray(st.cur.pad);
        const done = st.cur;
        st.cur = null;
        done.sink.end();
        continue;
      }
      if (pending.length < BLOCK) break;
      const h = pending.subarray(0, BLOCK);
      pending = pending.subarray(BLOCK);
      if (h.every((x) => x === 0)) {
        st.ended = true;
        continue;
      }
      const parsed = checkHeader(h);
      st.cur = { sink: open(parsed), left: parsed.size, pad: padding(parsed.size).length };
    }
  }
  return st.ended && !st.cur;
}
