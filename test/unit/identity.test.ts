import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { generateKey, keyFromSeed, publicKeyFromDid, signBytes, verifyBytes } from '../../node/identity/keys.js';
import { readKeystore, writeKeystore, type KeystoreData } from '../../node/identity/keystore.js';
import { createDidResolver } from '../../node/identity/did-resolver.js';

function data(): KeystoreData {
  const k = generateKey();
  const i = generateKey();
  return {
    v: 1,
    institution: { seed: Buffer.from(k.seed).toString('base64url'), did: k.did },
    issuerKeys: [{ seed: Buffer.from(i.seed).toString('base64url'), did: i.did, createdAt: new Date().toISOString() }],
  };
}

describe('identity', () => {
  it('derives did:key, signs and verifies, and the libp2p PeerId carries the same key', async () => {
    const k = generateKey();
    expect(k.did).toMatch(/^did:key:z6Mk/);
    expect(Buffer.from(publicKeyFromDid(k.did)).equals(Buffer.from(k.publicKey))).toBe(true);
    const sig = signBytes(k, Buffer.from('hola'));
    expect(verifyBytes(k.did, Buffer.from('hola'), sig)).toBe(true);
    expect(verifyBytes(k.did, Buffer.from('hola!'), sig)).toBe(false);
    expect(keyFromSeed(k.seed).did).toBe(k.did);
    const peer = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', k.seed));
    expect(Buffer.from(peer.publicKey!.raw).equals(Buffer.from(k.publicKey))).toBe(true);
  });

  it('resolves did:key through did-resolver', async () => {
    const k = generateKey();
    const r = await createDidResolver().resolve(k.did);
    expect(r.didDocument?.id).toBe(k.did);
  });

  it('writes the keystore with mode 0600, encrypts it with a passphrase, and refuses loose permissions', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-ks-'));
    const f = path.join(dir, 'keystore.json');
    const d = data();
    writeKeystore(f, d, 'una frase secreta larga');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readFileSync(f, 'utf8')).not.toContain(d.institution.seed);
    expect(readKeystore(f, 'una frase secreta larga').institution.did).toBe(d.institution.did);
    expect(() => readKeystore(f)).toThrowError(/encrypted/);
    expect(() => readKeystore(f, 'otra')).toThrowError(/wrong passphrase/);
    chmodSync(f, 0o644);
    expect(() => readKeystore(f, 'una frase secreta larga')).toThrowError(/chmod 600/);
    rmSync(dir, { recursive: true, force: true });
  });
});
