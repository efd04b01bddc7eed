// Restore refuses an archive whose manifest declares sizes it cannot or may not hold, before it writes anything: a
// database larger than the free space (a decompression bomb declares its size, since every member must be exactly the
// size declared) and a small member (key file, manifest, node.json) larger than the small-file bound. The archives are
// built by hand with the backup's own tar writer; their members hold no data (a real bomb would be gigabytes of
// compressed zeros), so the old code would unpack until the data ran out and call the archive truncated.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { RegistryError } from '../../node/core/errors.js';
import { BACKUP_FORMAT, BACKUP_MANIFEST, BACKUP_VERSION, restoreNode } from '../../node/ops/backup.js';
import { fileMember, member } from '../../node/ops/tar.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-backup-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A gzipped archive: the backup manifest listing `sizes`, then the header of `first` at its declared size, no data. */
async function archive(name: string, sizes: Record<string, number>, first: string): Promise<string> {
  const manifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    network: 'a'.repeat(64),
    createdAt: '2026-12-01T00:00:00.000Z',
    software: 'test',
    ownHead: null,
    files: Object.entries(sizes).map(([n, bytes]) => ({ name: n, bytes, sha256: '0'.repeat(64) })),
  };
  const parts: Buffer[] = [...member(BACKUP_MANIFEST, Buffer.from(JSON.stringify(manifest)), 0o600, 0)];
  const empty = path.join(tmp, 'empty');
  writeFileSync(empty, '');
  const it = fileMember(first, empty, sizes[first]!, 0);
  parts.push((await it.next()).value as Buffer); // the header only (its size field says sizes[first])
  await it.return(undefined);
  const out = path.join(tmp, `${name}.tar.gz`);
  writeFileSync(out, gzipSync(Buffer.concat(parts)));
  return out;
}

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('the restore was not refused');
}

function nothingWritten(target: string): void {
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(tmp).filter((f) => f.includes('.restore-'))).toEqual([]);
}

describe('restore bounds what an archive declares before writing it', () => {
  it('refuses a database larger than the free space up front (was: unpacked until the data ran out)', async () => {
    const bomb = await archive('bomb', { 'registry.db': 2 ** 52, 'keystore.json': 10, 'manifest.json': 10 }, 'registry.db');
    const target = path.join(tmp, 't-bomb');
    const e = await refusal(restoreNode({ archive: bomb, dir: target }));
    expect(e.code).toBe('validation_failed');
    expect(e.message).toMatch(/not enough free space/);
    nothingWritten(target);
  });

  it('refuses a key file, manifest or node.json declared larger than the small-file bound', async () => {
    for (const n of ['keystore.json', 'manifest.json', 'node.json']) {
      const big = await archive(`big-${n}`, { 'registry.db': 10, 'keystore.json': 10, 'manifest.json': 10, [n]: 1024 * 1024 * 1024 }, n);
      const target = path.join(tmp, `t-${n}`);
      const e = await refusal(restoreNode({ archive: big, dir: target }));
      expect(e.code).toBe('backup_foreign');
      expect(e.message).toMatch(new RegExp(`${n.replace('.', '\\.')} is 1073741824 bytes: larger than`));
      nothingWritten(target);
    }
  });
});
