// Issuer keys and their status lists, below HTTP: migration 0009 gives the lists of an older database to the key of
// their first credential and makes the duplicate rule hold for credentials in force only; the issuer-key projection
// keeps a compromise whatever order the rotation and compromise entries come in; each list is re-published signed by
// the key that should sign it (its credentials' key, or the current key once that one is compromised).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../node/store/database.js';
import { IssuerKeyRegistry } from '../../node/trust/issuer-keys.js';
import { generateKey } from '../../node/identity/keys.js';
import type { Entry } from '../../node/feed/entry.js';
import { statusListGlobalId } from '../../node/credentials/status-registry.js';
import { createStatusList } from '../../node/credentials/status-list.js';
import { memoryServices } from '../helpers/nodes.js';
import { databaseBefore } from '../helpers/migrations.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');

describe('migration 0009 (status lists per issuer key, one credential in force)', () => {
  it('assigns each older list to the key of its first credential and lets a revoked credential be issued again', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-migrate-keys-'));
    try {
      const { raw, file, index } = databaseBefore(dir, '0009_');
      expect(index).toBe(9);
      const list = raw.prepare("INSERT INTO status_list_state (list_id, purpose, size, next_index, encoded_list, dirty, updated_at) VALUES (?, ?, 131072, ?, 'u', 0, '2026-01-01')");
      list.run('r1', 'revocation', 3);
      list.run('s1', 'suspension', 1);
      list.run('r10', 'revocation', 0);
      const cred = raw.prepare(
        "INSERT INTO issued_credentials (id, microcredential_id, microcredential_version, learner_name, learner_key, dedupe_key, credential, issuer_key, issued_at, revocation_list, revocation_index, suspension_list, suspension_index, revoked_at) VALUES (?, 'mc', 1, 'X', 'k', ?, '{}', ?, ?, ?, ?, ?, ?, ?)",
      );
      // r1 was shared by two keys (the old behaviour): key B's credential came after key A's
      cred.run('urn:uuid:b', 'd2', 'did:key:B', '2026-02-01T00:00:00.000Z', 'r1.tag', 1, null, null, null);
      cred.run('urn:uuid:a', 'd1', 'did:key:A', '2026-01-01T00:00:00.000Z', 'r1.tag', 0, 's1.tag', 0, '2026-01-05T00:00:00.000Z');
      cred.run('urn:uuid:c', 'd3', 'did:key:B', '2026-03-01T00:00:00.000Z', 'r1.tag', 2, null, null, null);
      raw.close();

      const s = openStore(file);
      expect(s.sqlite.prepare('SELECT list_id, issuer_key FROM status_list_state ORDER BY list_id').all()).toEqual([
        { list_id: 'r1', issuer_key: 'did:key:A' },
        { list_id: 'r10', issuer_key: null }, // no credential: taken by the current key when it next needs a list
        { list_id: 's1', issuer_key: 'did:key:A' },
      ]);
      // urn:uuid:a (dedupe d1) is revoked: the same learner can be issued it again, but only once while in force
      const insert = s.sqlite.prepare(
        "INSERT INTO issued_credentials (id, microcredential_id, microcredential_version, learner_name, learner_key, dedupe_key, credential, issuer_key, issued_at, revocation_list, revocation_index) VALUES (?, 'mc', 1, 'X', 'k', ?, '{}', 'did:key:B', '2026-04-01T00:00:00.000Z', 'r2.tag', ?)",
      );
      insert.run('urn:uuid:a2', 'd1', 0);
      expect(() => insert.run('urn:uuid:a3', 'd1', 1)).toThrow(/UNIQUE/);
      expect(() => insert.run('urn:uuid:b2', 'd2', 2)).toThrow(/UNIQUE/);
      s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issuer-key projection', () => {
  const author = generateKey().did;
  const key = generateKey();
  let seq = 0;
  const entry = (type: 'issuer-key' | 'issuer-key-revocation', body: Record<string, unknown>, by = author): Entry =>
    ({ v: 2, net: 'n', author: by, seq: ++seq, prev: null, ts: '2026-01-01T00:00:00.000Z', type, body, sig: 's', id: `e${seq}` }) as unknown as Entry;
  const registry = () => {
    const store = openStore(':memory:');
    const r = new IssuerKeyRegistry(store);
    r.apply(entry('issuer-key', { keyId: key.did, publicKeyMultibase: key.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' }));
    return { r, close: () => store.close() };
  };

  it('a rotated key declared compromised later is compromised (the earlier end kept)', () => {
    const { r, close } = registry();
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'rotated', revokedAt: '2026-03-01T00:00:00.000Z' }));
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'compromised', revokedAt: '2026-04-01T00:00:00.000Z' }));
    expect(r.get(key.did)).toMatchObject({ revokedAt: '2026-03-01T00:00:00.000Z', revocationReason: 'compromised' });
    close();
  });

  it('a compromise earlier than the rotation moves the end back; nothing makes a compromised key merely rotated', () => {
    const { r, close } = registry();
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'rotated', revokedAt: '2026-03-01T00:00:00.000Z' }));
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'compromised', revokedAt: '2026-02-01T00:00:00.000Z' }));
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'rotated', revokedAt: '2026-01-15T00:00:00.000Z' }));
    expect(r.get(key.did)).toMatchObject({ revokedAt: '2026-01-15T00:00:00.000Z', revocationReason: 'compromised' });
    // another institution cannot end this key
    r.apply(entry('issuer-key-revocation', { keyId: key.did, reason: 'rotated', revokedAt: '2026-01-02T00:00:00.000Z' }, generateKey().did));
    expect(r.get(key.did)?.revokedAt).toBe('2026-01-15T00:00:00.000Z');
    close();
  });
});

describe('status lists signed by the key that should sign them', () => {
  it('puts back a list an older version re-signed with a later key, and moves a compromised key\'s lists to the current key', async () => {
    const s = memoryServices();
    try {
      const load = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'mx-uan', f), 'utf8')) as unknown;
      s.institution.ensureIssuerKeyPublished();
      s.institution.publishProfile(load('profile.json'));
      const mc = s.catalogue.create((load('catalogue.json') as unknown[])[0]);
      // an unused list without a key, as migration 0009 leaves one: the first key that needs a list takes it
      s.store.sqlite
        .prepare("INSERT INTO status_list_state (list_id, purpose, size, next_index, encoded_list, dirty, updated_at) VALUES ('r1', 'revocation', 131072, 0, ?, 1, '2026-01-01')")
        .run(createStatusList().encode());
      const a = await s.credentials.issue({ microcredential: mc.id, learner: { name: 'Ana', email: 'ana@correo.example.mx' } });
      const k1 = a.issuerKey;
      expect((a.credential['credentialStatus'] as { statusListCredential: string }).statusListCredential).toContain(`/r1.`);
      expect(s.store.sqlite.prepare("SELECT issuer_key AS k FROM status_list_state WHERE list_id = 'r1'").get()).toEqual({ k: k1 });
      await s.credentials.publishPending();
      const lists = () => s.store.sqlite.prepare('SELECT list_id AS id FROM status_list_state ORDER BY list_id').all() as { id: string }[];
      const signer = (id: string) => (s.statusLists.get(statusListGlobalId(s.feed.author, id))?.body.credential as { issuer: string }).issuer;
      expect(lists().map((l) => signer(l.id))).toEqual([k1, k1]);
      expect(await s.credentials.resignStatusLists()).toEqual([]);

      const { newKeyId: k2 } = s.institution.rotateIssuerKey();
      // what the old code did: the next revocation re-signed the shared list with the new key
      s.store.sqlite.prepare('UPDATE status_list_state SET issuer_key = ?, dirty = 1').run(k2);
      await s.credentials.publishPending();
      s.store.sqlite.prepare('UPDATE status_list_state SET issuer_key = ?').run(k1); // what migration 0009 assigns
      expect(lists().map((l) => signer(l.id))).toEqual([k2, k2]);
      expect((await s.credentials.resignStatusLists()).length).toBe(2);
      expect(lists().map((l) => signer(l.id))).toEqual([k1, k1]);

      // the old key compromised: its lists move to the current key, and stay there
      s.institution.declareCompromised(k1, new Date());
      expect((await s.credentials.resignStatusLists()).length).toBe(2);
      expect(lists().map((l) => signer(l.id))).toEqual([k2, k2]);
      expect(await s.credentials.resignStatusLists()).toEqual([]);
    } finally {
      s.store.close();
    }
  });
});
