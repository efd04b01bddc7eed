/**
 * Backup and restore of a node's data folder (`mochila backup`, `mochila restore`). A backup is a gzip-compressed tar
 * (ustar) archive whose first member, `mochila-backup.json`, names the format and version, the node's DID and network,
 * and every other member with its size and SHA-256: `registry.db` (a consistent copy made with SQLite's online backup
 * API while the node runs; the evidence files attached to credentials live in it too, node/credentials/evidence-files.ts,
 * so a file and its credential are restored together or not at all), `keystore.json` (as stored: encrypted stays
 * encrypted), `manifest.json` and `node.json`.
 * Restore checks everything (checksums, format, that the keys, manifest and database belong to one node) inside a
 * temporary folder next to the target and renames it into place only at the end, and marks the restored own feed
 * unconfirmed so the node recovers newer entries from its peers before it signs anything (node/feed/own-feed.ts).
 * The tar format itself is node/ops/tar.ts. Must never write into the target folder half-way, never follow a path
 * named by an archive, and never log secrets.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../core/errors.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { SchemaRegistry } from '../core/schema-registry.js';
import { paths } from '../config.js';
import { readKeystore } from '../identity/keystore.js';
import { networkId, validateManifest } from '../trust/manifest.js';
import { openStore } from '../store/database.js';
import { OwnFeedGate } from '../feed/own-feed.js';
import { fileMember, member, readTar, type TarMemberHeader, type TarSink } from './tar.js';

export const BACKUP_FORMAT = 'mochila-backup';
export const BACKUP_VERSION = 1;
/** The archive's first member: what the archive holds, with checksums. */
export const BACKUP_MANIFEST = 'mochila-backup.json';

/** The members a backup may hold besides its manifest (and nothing else: names are never taken as paths). */
const MEMBERS = ['registry.db', 'keystore.json', 'manifest.json', 'node.json'] as const;
type Member = (typeof MEMBERS)[number];
const REQUIRED: readonly Member[] = ['registry.db', 'keystore.json', 'manifest.json'];
const MAX_SMALL_FILE = 1024 * 1024; // keystore, manifests, node.json
const MAX_MANIFEST = 64 * 1024;
const FREE_SPACE_MARGIN = 64 * 1024 * 1024; // left free after a restore (the node's WAL and logs need room to start)

export interface BackupFile {
  name: Member;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  /** The mochila version that made it. */
  software: string;
  /** The node's institution DID (its keystore's) and network id (its manifest's and its database's). */
  did: string;
  network: string;
  /** Migrations applied to the copied database. */
  migrations: number;
  /** The node's own feed head in the copy (null: none). */
  ownHead: { seq: number; id: string } | null;
  files: BackupFile[];
}

export interface BackupResult {
  out: string;
  manifest: BackupManifest;
  archiveBytes: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
function softwareVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * Copies a node's folder into one archive while the node may be running. The database is copied through SQLite's
 * backup API from a read-only connection in one step after the first (so a write by the running node between steps
 * cannot make it start over forever); the key file is read after the copy, so it holds every key the copy mentions.
 */
export async function backupNode(o: { dir: string; out: string; passphrase?: string; now?: Date }): Promise<BackupResult> {
  const dir = path.resolve(o.dir);
  const out = path.resolve(o.out);
  const p = paths(dir);
  for (const f of [p.dbFile, p.keystoreFile, p.manifestFile])
    if (!existsSync(f)) throw new RegistryError('not_initialised', `${dir} is not a node's folder: ${path.basename(f)} is missing`);
  if (existsSync(out)) throw new RegistryError('conflict', `${out} already exists; choose another file name (backups are never overwritten)`);
  if (!existsSync(path.dirname(out))) throw new RegistryError('validation_failed', `the folder of ${out} does not exist`);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const dbCopy = `${out}.db-${tag}`;
  const tmpOut = `${out}.tmp-${tag}`;
  try {
    const src = new Database(p.dbFile, { readonly: true, fileMustExist: true });
    try {
      src.pragma('busy_timeout = 10000');
      // the first step (0 pages) opens the backup; the second copies every page in one read transaction
      await src.backup(dbCopy, { progress: () => 0x7fffffff });
    } finally {
      src.close();
    }
    chmodSync(dbCopy, 0o600);
    const keystoreBytes = readSmall(p.keystoreFile);
    const manifestBytes = readSmall(p.manifestFile);
    const nodeJsonBytes = existsSync(p.configFile) ? readSmall(p.configFile) : null;
    const ks = readKeystore(p.keystoreFile, o.passphrase);
    if (sha256(readSmall(p.keystoreFile)) !== sha256(keystoreBytes))
      throw new RegistryError('conflict', 'the key file changed while the backup was made (a key rotation?); run the backup again');
    const did = ks.institution.did;
    const network = networkId(validateManifest(new SchemaRegistry(), parseJson(manifestBytes, 'manifest.json')));
    const facts = dbFacts(dbCopy, did);
    if (facts.network !== null && facts.network !== network)
      throw new RegistryError('validation_failed', `the database belongs to network ${facts.network}, the folder's manifest.json to ${network}`);

    const files: BackupFile[] = [
      { name: 'registry.db', bytes: statSync(dbCopy).size, sha256: sha256File(dbCopy) },
      { name: 'keystore.json', bytes: keystoreBytes.length, sha256: sha256(keystoreBytes) },
      { name: 'manifest.json', bytes: manifestBytes.length, sha256: sha256(manifestBytes) },
      ...(nodeJsonBytes ? [{ name: 'node.json' as const, bytes: nodeJsonBytes.length, sha256: sha256(nodeJsonBytes) }] : []),
    ];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: (o.now ?? new Date()).toISOString(),
      software: softwareVersion(),
      did,
      network,
      migrations: facts.migrations,
      ownHead: facts.ownHead,
      files,
    };
    const mtime = Math.floor((o.now ?? new Date()).getTime() / 1000);
    const manifestJson = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    async function* tar(): AsyncGenerator<Buffer> {
      yield* member(BACKUP_MANIFEST, manifestJson, 0o600, mtime);
      yield* fileMember('registry.db', dbCopy, files[0]!.bytes, mtime);
      yield* member('keystore.json', keystoreBytes, 0o600, mtime);
      yield* member('manifest.json', manifestBytes, 0o600, mtime);
      if (nodeJsonBytes) yield* member('node.json', nodeJsonBytes, 0o600, mtime);
      yield Buffer.alloc(1024); // end of archive: two zero blocks
    }
    await pipeline(tar, createGzip(), createWriteStream(tmpOut, { mode: 0o600 }));
    const fd = openSync(tmpOut, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmpOut, out);
    return { out, manifest, archiveBytes: statSync(out).size };
  } finally {
    for (const f of [dbCopy, `${dbCopy}-wal`, `${dbCopy}-shm`, `${dbCopy}-journal`, tmpOut]) rmSync(f, { force: true });
  }
}

export interface RestoreResult {
  dir: string;
  manifest: BackupManifest;
}

/**
 * Restores an archive made by `backupNode` into `dir`, which must not exist or be empty. Refuses (and writes nothing
 * into `dir`) an archive that is corrupt (`backup_corrupt`: checksum, size, truncated, broken compression), foreign
 * (`backup_foreign`: not a mochila backup, another format version, keys that are not the node's, a database or
 * manifest of another network or without the node's feed), or a target that holds anything (`target_not_empty`).
 * An encrypted key file needs its passphrase here too (to check that the keys are the node's).
 */
export async function restoreNode(o: { archive: string; dir: string; passphrase?: string }): Promise<RestoreResult> {
  const archive = path.resolve(o.archive);
  const dir = path.resolve(o.dir);
  refuseNonEmpty(dir);
  if (!existsSync(archive)) throw new RegistryError('not_found', `no archive at ${archive}`);
  if (!statSync(archive).isFile()) throw new RegistryError('backup_foreign', `${archive} is not a file`);
  const head = Buffer.alloc(2);
  const fd = openSync(archive, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw new RegistryError('backup_foreign', `${archive} is not a mochila backup (not a gzip-compressed archive)`);

  const parent = path.dirname(dir);
  if (!existsSync(parent)) throw new RegistryError('validation_failed', `the folder ${parent} does not exist`);
  const tmp = path.join(parent, `.${path.basename(dir)}.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { mode: 0o700 });
  try {
    const manifest = await extract(archive, tmp);
    const p = paths(tmp);
    // the keys are the node's, the manifest is the network's, the database holds both
    const ks = readKeystore(p.keystoreFile, o.passphrase);
    if (ks.institution.did !== manifest.did)
      throw new RegistryError('backup_foreign', `the key file in the archive belongs to ${ks.institution.did}, the backup says ${manifest.did}`);
    let network: string;
    try {
      network = networkId(validateManifest(new SchemaRegistry(), parseJson(readFileSync(p.manifestFile), 'manifest.json')));
    } catch (e) {
      throw new RegistryError('backup_foreign', `the archive's manifest.json is not a valid network manifest: ${(e as Error).message}`);
    }
    if (network !== manifest.network) throw new RegistryError('backup_foreign', `the archive's manifest.json is of network ${network}, the backup says ${manifest.network}`);
    if (existsSync(p.configFile)) parseJson(readFileSync(p.configFile), 'node.json');
    const facts = dbFacts(p.dbFile, manifest.did);
    if (facts.integrity !== 'ok') throw new RegistryError('backup_corrupt', `the archived database fails SQLite's integrity check: ${facts.integrity}`);
    if (facts.network !== manifest.network) throw new RegistryError('backup_foreign', `the archived database belongs to network ${String(facts.network)}, the backup says ${manifest.network}`);
    if (!facts.ownHead) throw new RegistryError('backup_foreign', `the archived database holds no entry of ${manifest.did}'s own feed: it is not that node's database`);
    if (!manifest.ownHead || facts.ownHead.seq !== manifest.ownHead.seq || facts.ownHead.id !== manifest.ownHead.id)
      throw new RegistryError('backup_foreign', 'the archived database\'s own feed head is not the one the backup recorded');
    // migrations (an older backup) and `schema_too_new` (a newer one) as `mochila start` would meet them
    const store = openStore(p.dbFile);
    try {
      new OwnFeedGate({ store, clock: systemClock, logger: silentLogger, author: manifest.did, standalone: false }).unconfirm(
        `this database was restored from a backup made at ${manifest.createdAt} (own feed at seq ${manifest.ownHead.seq}); its network may hold newer entries of this node's own feed`,
      );
    } finally {
      store.close();
    }
    for (const f of [`${p.dbFile}-wal`, `${p.dbFile}-shm`]) rmSync(f, { force: true });
    for (const f of readdirSync(tmp)) chmodSync(path.join(tmp, f), 0o600);
    refuseNonEmpty(dir);
    if (existsSync(dir)) rmdirSync(dir); // empty (checked): the restored folder takes its place
    renameSync(tmp, dir);
    return { dir, manifest };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function refuseNonEmpty(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new RegistryError('target_not_empty', `${dir} exists and is not a folder`);
  const inside = readdirSync(dir);
  if (inside.length)
    throw new RegistryError('target_not_empty', `${dir} is not empty (${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}); restore into a new or empty folder, never over a node`);
}

function readSmall(file: string): Buffer {
  if (statSync(file).size > MAX_SMALL_FILE) throw new RegistryError('validation_failed', `${file} is larger than ${MAX_SMALL_FILE} bytes`);
  return readFileSync(file);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function parseJson(b: Buffer, what: string): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new RegistryError('backup_foreign', `${what} is not JSON: ${(e as Error).message}`);
  }
}

/** What a database copy says about itself, read without migrating it. */
function dbFacts(file: string, did: string): { network: string | null; migrations: number; ownHead: { seq: number; id: string } | null; integrity: string } {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (e) {
    throw new RegistryError('backup_corrupt', `the archived database cannot be opened: ${(e as Error).message}`);
  }
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    // raw SQL: this reads a database file of unknown origin (an archive) before trusting its schema
    const has = (t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
    if (!has('meta') || !has('feeds')) throw new RegistryError('backup_foreign', 'the archived database is not a mochila database (no meta or feeds table)');
    const net = db.prepare("SELECT value FROM meta WHERE key = 'network'").get() as { value: string } | undefined;
    const migrations = has('__drizzle_migrations') ? (db.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number }).n : 0;
    const own = db.prepare('SELECT head_seq AS seq, head_id AS id FROM feeds WHERE author = ?').get(did) as { seq: number; id: string } | undefined;
    return { network: net?.value ?? null, migrations, ownHead: own ? { seq: own.seq, id: own.id } : null, integrity };
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError('backup_corrupt', `the archived database cannot be read: ${(e as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Streams the archive into `tmp`, member by member, hashing as it writes. The first member must be the backup manifest
 * (else: foreign); every other member must be one the manifest lists, once, with its size and SHA-256.
 */
async function extract(archive: string, tmp: string): Promise<BackupManifest> {
  const gz = createGunzip();
  const src = createReadStream(archive);
  src.on('error', (e) => gz.destroy(e));
  src.pipe(gz);

  // one holder, so the callbacks below and the code after them see the same state (and the type checker does not narrow it)
  const st: { manifest: BackupManifest | null; members: number; fd: number | null } = { manifest: null, members: 0, fd: null };
  const seen = new Set<string>();

  const open = (h: TarMemberHeader): TarSink => {
    st.members++;
    if (h.type !== '0' && h.type !== '\0') throw new RegistryError('backup_foreign', `the archive holds a member that is not a regular file (${JSON.stringify(h.name)}): not a mochila backup`);
    if (st.members === 1) {
      if (h.name !== BACKUP_MANIFEST) throw new RegistryError('backup_foreign', `the archive does not begin with ${BACKUP_MANIFEST}: not a mochila backup`);
      if (h.size > MAX_MANIFEST) throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} is too large`);
      const parts: Buffer[] = [];
      return {
        write: (chunk) => parts.push(Buffer.from(chunk)),
        end: () => {
          st.manifest = parseBackupManifest(Buffer.concat(parts));
          checkFreeSpace(st.manifest, tmp);
        },
      };
    }
    const want = st.manifest!.files.find((f) => f.name === h.name);
    if (!want) throw new RegistryError('backup_foreign', `the archive holds ${JSON.stringify(h.name)}, which its manifest does not list`);
    if (seen.has(h.name)) throw new RegistryError('backup_corrupt', `the archive holds ${h.name} twice`);
    seen.add(h.name);
    if (h.size !== want.bytes) throw new RegistryError('backup_corrupt', `${h.name} in the archive is ${h.size} bytes, its manifest says ${want.bytes}`);
    const fd = openSync(path.join(tmp, want.name), 'wx', 0o600);
    st.fd = fd;
    const hash = createHash('sha256');
    return {
      write: (chunk) => {
        hash.update(chunk);
        writeSync(fd, chunk);
      },
      end: () => {
        fsyncSync(fd);
        closeSync(fd);
        st.fd = null;
        if (hash.digest('hex') !== want.sha256) throw new RegistryError('backup_corrupt', `${want.name} in the archive fails its SHA-256 checksum`);
      },
    };
  };

  let complete: boolean;
  try {
    complete = await readTar(gz, open);
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || /unexpected end|incorrect|invalid/i.test((e as Error).message))
      throw new RegistryError('backup_corrupt', `the archive is damaged (${(e as Error).message})`);
    throw e;
  } finally {
    if (st.fd !== null) closeSync(st.fd);
  }
  if (!st.manifest) throw new RegistryError('backup_foreign', `the archive holds no ${BACKUP_MANIFEST}: not a mochila backup`);
  if (!complete) throw new RegistryError('backup_corrupt', 'the archive is truncated');
  const m = st.manifest;
  for (const f of m.files) if (!seen.has(f.name)) throw new RegistryError('backup_corrupt', `the archive lacks ${f.name}, which its manifest lists (truncated?)`);
  return m;
}

/**
 * Refuses, before any member is written, an archive whose members (each must be exactly the size its manifest says)
 * would not fit in the free space where they are unpacked, with room to spare: a manifest claiming a huge database
 * (a decompression bomb, or a backup too big for this disk) is refused up front, not after filling the disk.
 */
function checkFreeSpace(m: BackupManifest, dir: string): void {
  const need = m.files.reduce((n, f) => n + f.bytes, 0);
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (need + FREE_SPACE_MARGIN > free)
    throw new RegistryError('validation_failed', `the backup holds ${need} bytes and ${path.dirname(dir)} has ${free} bytes of free space (with ${FREE_SPACE_MARGIN} to spare): not enough free space to restore it there`);
}

function parseBackupManifest(b: Buffer): BackupManifest {
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(b.toString('utf8')) as Partial<BackupManifest>;
  } catch {
    throw new RegistryError('backup_corrupt', `${BACKUP_MANIFEST} is not JSON`);
  }
  if (!m || typeof m !== 'object' || m.format !== BACKUP_FORMAT) throw new RegistryError('backup_foreign', `not a mochila backup (${BACKUP_MANIFEST} names format ${JSON.stringify(m?.format)})`);
  if (m.version !== BACKUP_VERSION)
    throw new RegistryError('backup_foreign', `backup format version ${JSON.stringify(m.version)}; this mochila reads version ${BACKUP_VERSION} (restore it with the mochila that made it, ${String(m.software)})`);
  const hex = /^[0-9a-f]{64}$/;
  if (typeof m.did !== 'string' || typeof m.network !== 'string' || typeof m.createdAt !== 'string' || !Array.isArray(m.files))
    throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} lacks did, network, createdAt or files`);
  const names = new Set<string>();
  for (const f of m.files as unknown[]) {
    const x = f as Partial<BackupFile>;
    if (!x || typeof x !== 'object' || !MEMBERS.includes(x.name as Member) || names.has(x.name as string) || !Number.isSafeInteger(x.bytes) || (x.bytes as number) < 0 || typeof x.sha256 !== 'string' || !hex.test(x.sha256))
      throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} lists a file it may not hold: ${JSON.stringify(f).slice(0, 200)}`);
    // the small members are bounded here, before anything is written (a member's size must equal what is declared)
    if (x.name !== 'registry.db' && (x.bytes as number) > MAX_SMALL_FILE) throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} says ${String(x.name)} is ${String(x.bytes)} bytes: larger than ${MAX_SMALL_FILE}, not a mochila backup`);
    names.add(x.name as string);
  }
  for (const r of REQUIRED) if (!names.has(r)) throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} does not list ${r}`);
  if (m.ownHead !== null && (typeof m.ownHead !== 'object' || !Number.isSafeInteger(m.ownHead?.seq) || typeof m.ownHead?.id !== 'string'))
    throw new RegistryError('backup_foreign', `${BACKUP_MANIFEST} has an invalid ownHead`);
  return m as BackupManifest;
}
