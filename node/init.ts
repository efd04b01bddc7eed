/**
 * Creating a node's data folder: institution key + first issuer key (keystore, mode 0600, optionally encrypted),
 * the network manifest, the database with migrations, the first feed entries (membership, profile, issuer key),
 * and an admin token that is returned once and stored only as a hash; or a read mirror's folder (keys, manifest,
 * node.json, an empty database, nothing published). Used by `mochila init`, the devnet and tests.
 * Must never overwrite an existing node.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RegistryError } from './core/errors.js';
import type { Clock } from './core/clock.js';
import { silentLogger, type Logger } from './core/logger.js';
import { SchemaRegistry } from './core/schema-registry.js';
import { generateKey, type Ed25519Key } from './identity/keys.js';
import { keystoreFromData, newKeystoreData, readKeystore, writeKeystore, type Keystore, type KeystoreData } from './identity/keystore.js';
import { createManifest, manifestHash, networkId, validateManifest, type Manifest } from './trust/manifest.js';
import { loadConfig, paths, type NodeFileConfig } from './config.js';
import { buildServices } from './context.js';
import { meta } from './store/schema.js';
import type { Profile } from './trust/institutions.js';

export interface InitOptions {
  dir: string;
  name: string;
  country: string;
  profile?: Partial<Profile>;
  manifest?: Manifest; // join this network (else: a new single-founder network)
  manifestFile?: string;
  passphrase?: string;
  institutionKey?: Ed25519Key; // for devnets and tests; normally generated
  fileConfig?: NodeFileConfig;
  clock?: Clock;
  logger?: Logger;
  schemas?: SchemaRegistry;
}

export interface InitResult {
  dir: string;
  did: string;
  issuerKey: string;
  network: string;
  token: string;
  founder: boolean;
}

/**
 * Only the keys (no database, no network yet): a founder runs this first and sends its DID to whoever writes the
 * network manifest; `mochila init --manifest` later in the same folder uses these keys.
 */
export function keygen(o: { dir: string; passphrase?: string }): { did: string; keystoreFile: string } {
  const dir = path.resolve(o.dir);
  const p = paths(dir);
  if (existsSync(p.keystoreFile) || existsSync(p.dbFile)) throw new RegistryError('already_initialised', `${dir} already holds keys or a node`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const institution = generateKey();
  writeKeystore(p.keystoreFile, newKeystoreData(institution, generateKey(), new Date().toISOString()), o.passphrase);
  return { did: institution.did, keystoreFile: p.keystoreFile };
}

export interface InitMirrorOptions {
  dir: string;
  /** The network to mirror (a mirror never founds one). */
  manifest?: Manifest;
  manifestFile?: string;
  passphrase?: string;
  /** Its libp2p identity (tests); normally generated. */
  institutionKey?: Ed25519Key;
  fileConfig?: NodeFileConfig;
  clock?: Clock;
  logger?: Logger;
  schemas?: SchemaRegistry;
}

/**
 * Creates a read mirror's folder: a key for its libp2p identity (keystore, mode 0600), the network's manifest,
 * node.json with `"mirror": true`, and an empty database. Appends nothing (no membership request, profile, issuer
 * key or catalogue) and makes no admin token: a mirror's admin API is refused (`mirror_read_only`).
 */
export function initMirror(o: InitMirrorOptions): { dir: string; did: string; network: string } {
  const dir = path.resolve(o.dir);
  const p = paths(dir);
  if (existsSync(p.dbFile)) throw new RegistryError('already_initialised', `${dir} already holds a node; use \`mochila start --dir ${o.dir}\``);
  const schemas = o.schemas ?? new SchemaRegistry();
  let manifest = o.manifest;
  if (!manifest && o.manifestFile) manifest = validateManifest(schemas, JSON.parse(readFileSync(o.manifestFile, 'utf8')));
  if (!manifest) throw new RegistryError('validation_failed', 'a read mirror replicates an existing network: give its manifest (--manifest <file>)');
  validateManifest(schemas, manifest);
  const prepared = existsSync(p.keystoreFile) && !o.institutionKey ? readKeystore(p.keystoreFile, o.passphrase) : null;
  const institution = o.institutionKey ?? prepared?.institution ?? generateKey();
  if (manifest.founders.includes(institution.did)) throw new RegistryError('validation_failed', 'these keys belong to a founding member of the network: a read mirror needs keys of its own');
  const now = (o.clock?.now() ?? new Date()).toISOString();
  const keystore = writeKeysAndManifest(dir, o, { institution, prepared, manifest, now });
  writeFileSync(p.configFile, JSON.stringify({ ...o.fileConfig, mirror: true } satisfies NodeFileConfig, null, 2) + '\n');
  const config = loadConfig(dir, { passphrase: o.passphrase, mirror: true }, {});
  const s = buildServices(config, { schemas, manifest, keystore, logger: o.logger ?? silentLogger, ...(o.clock ? { clock: o.clock } : {}) });
  try {
    s.store.db
      .insert(meta)
      .values({ key: 'created_at', value: now })
      .onConflictDoUpdate({ target: meta.key, set: { value: now } })
      .run();
    return { dir, did: institution.did, network: networkId(manifest) };
  } finally {
    s.store.close();
    try {
      chmodSync(p.dbFile, 0o600);
    } catch {
      /* not fatal */
    }
  }
}

/**
 * Creates the folder (mode 0700) and writes what every node starts from: its keystore (unless `mochila keygen` already
 * wrote it: prepared keys stay as they are on disk) and the network manifest (the given file copied byte for byte, or
 * the manifest object written). The keystore's format always holds an issuer key too; a read mirror never publishes it.
 */
function writeKeysAndManifest(
  dir: string,
  o: { manifest?: Manifest; manifestFile?: string; passphrase?: string },
  k: { institution: Ed25519Key; prepared: Keystore | null; manifest: Manifest; now: string },
): Keystore {
  const p = paths(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const data: KeystoreData = k.prepared?.data ?? newKeystoreData(k.institution, generateKey(), k.now);
  if (!k.prepared) writeKeystore(p.keystoreFile, data, o.passphrase);
  const keystore = k.prepared ?? keystoreFromData(data);
  if (o.manifestFile && !o.manifest) copyFileSync(o.manifestFile, p.manifestFile);
  else writeFileSync(p.manifestFile, JSON.stringify(k.manifest, null, 2) + '\n');
  return keystore;
}

export function initNode(o: InitOptions): InitResult {
  const dir = path.resolve(o.dir);
  const p = paths(dir);
  if (existsSync(p.dbFile)) throw new RegistryError('already_initialised', `${dir} already holds a node; use \`mochila start --dir ${o.dir}\``);
  // keys made beforehand with `mochila keygen` (a founder gives its DID for the manifest before the node exists)
  const prepared = existsSync(p.keystoreFile) && !o.institutionKey ? readKeystore(p.keystoreFile, o.passphrase) : null;
  if (!/^[A-Z]{2}$/.test(o.country)) throw new RegistryError('validation_failed', 'country must be an ISO 3166-1 alpha-2 code such as MX, CL or GT');
  if (!o.name.trim()) throw new RegistryError('validation_failed', 'name must not be empty');
  const schemas = o.schemas ?? new SchemaRegistry();

  // validate the profile before anything is written
  const profile: Profile = {
    name: { es: o.name.trim() },
    country: o.country,
    kind: 'hei',
    ...o.profile,
  } as Profile;
  schemas.assertValid('profile', profile, 'profile');

  let manifest: Manifest | undefined = o.manifest;
  if (!manifest && o.manifestFile) manifest = validateManifest(schemas, JSON.parse(readFileSync(o.manifestFile, 'utf8')));
  const institution = o.institutionKey ?? prepared?.institution ?? generateKey();
  if (!manifest) manifest = createManifest({ name: `${o.name.trim()} network`, founders: [institution.did], endorsements: 1 });
  else validateManifest(schemas, manifest);

  const now = (o.clock?.now() ?? new Date()).toISOString();
  const keystore = writeKeysAndManifest(dir, o, { institution, prepared, manifest, now });
  const fileConfig: NodeFileConfig = { name: o.name.trim(), country: o.country, ...o.fileConfig };
  writeFileSync(p.configFile, JSON.stringify(fileConfig, null, 2) + '\n');

  const config = loadConfig(dir, { passphrase: o.passphrase }, {});
  const s = buildServices(config, {
    schemas,
    manifest,
    keystore,
    logger: o.logger ?? silentLogger,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  try {
    const founder = manifest.founders.includes(institution.did);
    // a new database and its feed's first entries: nothing of this feed can exist elsewhere unless these keys were
    // used before (see README, "A node never forks itself"); `mochila start` asks its peers again anyway
    s.ownFeed.confirm('init', 'created by mochila init');
    s.feed.append('membership', {
      action: founder ? 'acknowledge-manifest' : 'request-admission',
      manifestHash: manifestHash(manifest),
    });
    s.institution.publishProfile(profile);
    s.institution.ensureIssuerKeyPublished();
    const { token } = s.adminTokens.create('created by mochila init');
    s.store.db
      .insert(meta)
      .values({ key: 'created_at', value: now })
      .onConflictDoUpdate({ target: meta.key, set: { value: now } })
      .run();
    return { dir, did: institution.did, issuerKey: keystore.currentIssuer.did, network: networkId(manifest), token, founder };
  } finally {
    s.store.close();
    try {
      chmodSync(p.dbFile, 0o600);
    } catch {
      /* not fatal */
    }
  }
}
