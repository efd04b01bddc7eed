/**
 * The node's keystore file: the institution key and its issuer keys (32-byte Ed25519 seeds), written with mode
 * 0600 and optionally encrypted with a passphrase (scrypt + AES-256-GCM). Refuses to load a key file that other
 * users can read. Must never log or return secrets except to the caller that opened the store.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { RegistryError } from '../core/errors.js';
import { keyFromSeed, type Ed25519Key } from './keys.js';

export interface IssuerKeyRecord {
  seed: string; // base64url
  did: string;
  createdAt: string;
  retiredAt?: string;
}

export interface KeystoreData {
  v: 1;
  institution: { seed: string; did: string };
  issuerKeys: IssuerKeyRecord[]; // last is current
}

interface EncryptedFile {
  v: 1;
  encrypted: true;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

export interface Keystore {
  institution: Ed25519Key;
  currentIssuer: Ed25519Key;
  issuers: { key: Ed25519Key; createdAt: string; retiredAt?: string }[];
  data: KeystoreData;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1 };

/** The keystore of a new node: its institution key and a first issuer key. */
export function newKeystoreData(institution: Ed25519Key, issuer: Ed25519Key, createdAt: string): KeystoreData {
  return {
    v: 1,
    institution: { seed: Buffer.from(institution.seed).toString('base64url'), did: institution.did },
    issuerKeys: [{ seed: Buffer.from(issuer.seed).toString('base64url'), did: issuer.did, createdAt }],
  };
}

export function keystoreFromData(data: KeystoreData): Keystore {
  const institution = keyFromSeed(Buffer.from(data.institution.seed, 'base64url'));
  if (institution.did !== data.institution.did) throw new RegistryError('validation_failed', 'keystore is corrupt: institution DID does not match its key');
  const issuers = data.issuerKeys.map((k) => ({
    key: keyFromSeed(Buffer.from(k.seed, 'base64url')),
    createdAt: k.createdAt,
    ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
  }));
  const current = issuers[issuers.length - 1];
  if (!current) throw new RegistryError('validation_failed', 'keystore has no issuer key');
  return { institution, currentIssuer: current.key, issuers, data };
}

/**
 * Replaces the contents of a keystore object in place with those read again from its file, so every service holding
 * it sees keys another process (the CLI's `keys rotate`) added. Refuses a file of another institution.
 */
export function refreshKeystore(target: Keystore, fresh: Keystore): void {
  if (fresh.institution.did !== target.institution.did)
    throw new RegistryError('validation_failed', `the key file now belongs to ${fresh.institution.did}, not to this node (${target.institution.did})`);
  target.data = fresh.data;
  target.issuers.splice(0, target.issuers.length, ...fresh.issuers);
  target.currentIssuer = fresh.currentIssuer;
}

export function writeKeystore(file: string, data: KeystoreData, passphrase?: string): void {
  let content: string;
  if (passphrase) {
    const salt = randomBytes(16);
    const key = scryptSync(passphrase, salt, 32, { ...SCRYPT, maxmem: 256 * 1024 * 1024 });
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const enc = Buffer.concat([c.update(JSON.stringify(data), 'utf8'), c.final()]);
    const f: EncryptedFile = {
      v: 1,
      encrypted: true,
      kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64url') },
      cipher: 'aes-256-gcm',
      iv: iv.toString('base64url'),
      tag: c.getAuthTag().toString('base64url'),
      data: enc.toString('base64url'),
    };
    content = JSON.stringify(f, null, 2);
  } else {
    content = JSON.stringify(data, null, 2);
  }
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function isEncryptedKeystore(file: string): boolean {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { encrypted?: boolean };
  return raw.encrypted === true;
}

export function readKeystore(file: string, passphrase?: string): Keystore {
  if (!existsSync(file)) throw new RegistryError('not_initialised', `no key file at ${file}; run \`mochila init\` first`);
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new RegistryError(
      'key_file_permissions',
      `the key file ${file} is readable by other users (mode ${mode.toString(8)}). Run \`chmod 600 ${file}\` and start again.`,
      { file, mode: mode.toString(8) },
    );
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as KeystoreData | EncryptedFile;
  if ('encrypted' in raw && raw.encrypted) {
    if (!passphrase)
      throw new RegistryError('key_locked', 'the key file is encrypted: set MOCHILA_PASSPHRASE or pass --passphrase-file');
    const key = scryptSync(passphrase, Buffer.from(raw.kdf.salt, 'base64url'), 32, {
      N: raw.kdf.N,
      r: raw.kdf.r,
      p: raw.kdf.p,
      maxmem: 256 * 1024 * 1024,
    });
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(raw.iv, 'base64url'));
    d.setAuthTag(Buffer.from(raw.tag, 'base64url'));
    let plain: string;
    try {
      plain = Buffer.concat([d.update(Buffer.from(raw.data, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new RegistryError('key_locked', 'wrong passphrase for the key file');
    }
    return keystoreFromData(JSON.parse(plain) as KeystoreData);
  }
  return keystoreFromData(raw as KeystoreData);
}
