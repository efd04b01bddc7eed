import { describe, expect, it } from 'vitest';
import { generateKey } from '../../node/identity/keys.js';
import { bodyJson, checkEnvelope, entryId, entryJson, idString, signEntry, signingString, unsignedOf, type Entry } from '../../node/feed/entry.js';
import { decodeBatchFrame } from '../../node/federation/batch-frame.js';
import { canonicalJson, sha256Hex } from '../../node/core/canonical.js';
import { createManifest } from '../../node/trust/manifest.js';
import { memoryServices } from '../helpers/nodes.js';

function dump(s: ReturnType<typeof memoryServices>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of ['members', 'endorsements', 'institutions', 'issuer_keys', 'microcredentials', 'microcredential_versions', 'status_lists', 'documents']) {
    out[t] = s.store.sqlite.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
  }
  out.fts = s.store.sqlite.prepare('SELECT id, title, description, outcomes, skills, institution FROM microcredentials_fts ORDER BY id').all();
  return out;
}

describe('feed', () => {
  it('assembles the signing bytes exactly as JCS of the whole entry would, and the body cache follows the body', () => {
    const k = generateKey();
    const bodies = [
      { z: 1, a: [3, 2, { y: 'ñandú', b: null }], 'é': 'Formación \u2028 "x"', n: 1e21, f: 0.1 + 0.2 },
      { statement: 'emoji 🎓 and \u0000 control', nested: { deep: { deeper: [true, false] } } },
    ];
    for (const [i, body] of bodies.entries()) {
      const e = signEntry(k, { v: 2, net: 'red-x-0123456789abcdef', author: k.did, seq: i + 1, prev: i === 0 ? null : 'ab'.repeat(32), ts: '2026-11-29T10:00:00.000Z', type: 'membership', body });
      expect(signingString(e)).toBe(canonicalJson(unsignedOf(e)));
      // the id hashes the canonical signed entry: the signature is covered by the chain of ids
      const { id: _id, ...signed } = e;
      expect(idString(e)).toBe(canonicalJson(signed));
      expect(e.id).toBe(sha256Hex(canonicalJson(signed)));
      expect(entryId({ ...e, sig: `${e.sig[0] === "A" ? "B" : "A"}${e.sig.slice(1)}` })).not.toBe(e.id);
      const env = checkEnvelope(JSON.parse(JSON.stringify(e)));
      expect(env.ok && env.entry.id).toBe(e.id);
      // every entry's signature must be 64 bytes in canonical base64url: the same bytes in another spelling (stray
      // low bits in the last character, which decoders ignore) would be a second id for one signed entry
      const last = e.sig[85]!;
      const sameBytes = `${e.sig.slice(0, 85)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
      expect(Buffer.from(sameBytes, 'base64url').equals(Buffer.from(e.sig, 'base64url'))).toBe(true);
      for (const sig of ['x', `${e.sig}A`, `${e.sig.slice(0, 85)}"`, e.sig.slice(0, 85), sameBytes]) expect(checkEnvelope({ ...JSON.parse(JSON.stringify(e)), sig })).toEqual({ ok: false, reason: 'bad sig' });
      // a spread copy with another body must not reuse the cached canonical body
      const copy = { ...e, body: { other: true } };
      expect(bodyJson(copy)).toBe('{"other":true}');
      expect(bodyJson(e)).toBe(canonicalJson(body));
    }
  });

  it('appends hash-linked, signed entries and serves them back', () => {
    const s = memoryServices();
    const k1 = generateKey();
    const a = s.feed.append('issuer-key', { keyId: k1.did, publicKeyMultibase: k1.publicKeyMultibase, validFrom: new Date().toISOString() });
    const b = s.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'a'.repeat(64) });
    expect(a.seq).toBe(1);
    expect(a.prev).toBeNull();
    expect(b.seq).toBe(2);
    expect(b.prev).toBe(a.id);
    const read = s.feed.read(s.feed.author, 1, 10);
    expect(read.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(read[0]!.net).toBe(s.network);
    expect(s.issuerKeys.get(k1.did)?.institution).toBe(s.feed.author);
    s.store.close();
  });

  it('serves entries as wire JSON batches cut at the byte budget, always at least one entry', () => {
    const s = memoryServices();
    const sizes = [10, 2000, 10, 10, 3900, 10, 10, 10]; // ñ is 2 bytes: 4 KB and 7.8 KB entries
    const appended = sizes.map((n, i) => s.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'a'.repeat(64), statement: `${i} ${'ñ'.repeat(n)}` }));
    const decode = (b: Uint8Array) => JSON.parse(`[${Buffer.from(b).toString('utf8')}]`) as unknown[];
    // everything fits
    const all = s.feed.readWire(s.feed.author, 1, 100, 1 << 20);
    expect(all.count).toBe(sizes.length);
    expect(all.lastSeq).toBe(sizes.length);
    expect(decode(all.json)).toEqual(JSON.parse(JSON.stringify(s.feed.read(s.feed.author, 1, 100))));
    // walk with a budget of 6 KB: every batch within it (or a single entry), together the whole feed, in order
    const seen: string[] = [];
    let from = 1;
    for (;;) {
      const b = s.feed.readWire(s.feed.author, from, 3, 6_000);
      if (b.count === 0) break;
      expect(b.count === 1 || b.json.length <= 6_000).toBe(true);
      expect(b.count).toBeLessThanOrEqual(3);
      const es = decode(b.json) as Entry[];
      expect(es.map((e) => e.seq)).toEqual(Array.from({ length: b.count }, (_, k) => from + k));
      seen.push(...es.map((e) => e.id));
      from = b.lastSeq + 1;
    }
    expect(seen).toEqual(appended.map((e) => e.id));
    // a single entry larger than the budget still goes (alone)
    const big = s.feed.readWire(s.feed.author, 5, 10, 100);
    expect(big.count).toBe(1);
    expect((decode(big.json)[0] as Entry).id).toBe(appended[4]!.id);
    expect(s.feed.readWire(s.feed.author, 99, 10, 1 << 20).count).toBe(0);
    expect(s.feed.get(appended[3]!.id)?.seq).toBe(4);
    expect(s.feed.get('nope')).toBeNull();
    s.store.close();
  });

  it('rejects an invalid body and stores nothing', () => {
    const s = memoryServices();
    expect(() => s.feed.append('issuer-key', { keyId: 'nope' })).toThrowError(/not valid/);
    expect(s.feed.heads()).toEqual([]);
    s.store.close();
  });

  it('ingests a peer feed in a batch, rejects forged, broken and gapped entries, and detects equivocation', () => {
    const author = generateKey();
    const src = memoryServices({ key: author, founders: [author.did] });
    const manifest = src.manifest;
    const dst = memoryServices({ manifest });
    const entries: Entry[] = [];
    for (let i = 0; i < 5; i++) {
      const k = generateKey();
      entries.push(src.feed.append('issuer-key', { keyId: k.did, publicKeyMultibase: k.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' }));
    }
    // forged signature on the newest entry of the batch: its id (which covers the signature) no longer matches; sent
    // without an id, the signature itself is refused; only entries authenticated by a valid signature are kept
    const forged = { ...entries[4]!, sig: entries[3]!.sig };
    const r0 = dst.feed.ingestBatch(author.did, [...entries.slice(0, 4), forged]);
    expect([r0.accepted, r0.rejected.map((x) => [x.code, x.seq])]).toEqual([4, [['invalid_entry', 5]]]);
    const r1 = memoryServices({ manifest }).feed.ingestBatch(author.did, [...entries.slice(0, 4), { ...forged, id: undefined }]);
    expect(r1.rejected.map((x) => x.code)).toContain('bad_signature');
    expect(r1.accepted).toBe(4);
    // a skipped sequence number
    const r2 = dst.feed.ingestOne({ ...entries[4]!, seq: 7 });
    expect(r2.accepted).toBe(0);
    expect(r2.rejected[0]?.code).toMatch(/sequence_gap|invalid_entry|bad_signature/);
    // broken chain: the entry's prev does not match
    const k = generateKey();
    const broken = signEntry(author, { v: 2, net: src.network, author: author.did, seq: 5, prev: 'f'.repeat(64), ts: new Date().toISOString(), type: 'issuer-key', body: { keyId: k.did, publicKeyMultibase: k.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' } });
    expect(dst.feed.ingestOne(broken).rejected[0]?.code).toBe('broken_chain');
    // the honest entry still goes in
    expect(dst.feed.ingestOne(entries[4]).accepted).toBe(1);
    expect(dst.feed.headsDigest()).toBe(src.feed.headsDigest());
    // a different signed entry at seq 3: equivocation, kept as proof, author frozen
    const fork = signEntry(author, { v: 2, net: src.network, author: author.did, seq: 3, prev: entries[1]!.id, ts: new Date().toISOString(), type: 'membership', body: { action: 'leave', manifestHash: 'b'.repeat(64) } });
    const r3 = dst.feed.ingestOne(fork);
    expect(r3.equivocations).toBe(1);
    expect(r3.rejected[0]?.code).toBe('equivocation');
    const proofs = dst.feed.equivocations();
    expect(proofs).toHaveLength(1);
    expect(proofs[0]!.storedId).toBe(entries[2]!.id);
    expect(proofs[0]!.conflictingId).toBe(fork.id);
    expect(dst.feed.isFrozen(author.did)).toBe(true);
    src.store.close();
    dst.store.close();
  });

  it('hashes a batch frame from its bytes, yet an id is always the hash of the canonical entry and only canonical bytes are stored', () => {
    const author = generateKey();
    const src = memoryServices({ key: author, founders: [author.did] });
    const entries = Array.from({ length: 6 }, (_, i) => src.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `declaración ${i}` }));
    // the same body with its members out of order (not JCS); `rehash` gives the entry the id of those bytes, as an
    // author that signed non-canonical bytes, or a relaying node that wanted them stored, would have to
    const recoded = (e: Entry, rehash: boolean): string => {
      const b = e.body as Record<string, string>;
      const body = `{"statement":${JSON.stringify(b.statement)},"action":"${b.action}","manifestHash":"${b.manifestHash}"}`;
      const id = rehash ? sha256Hex(idString(e).replace(bodyJson(e), body)) : e.id;
      return entryJson(e).replace(bodyJson(e), body).replace(`"id":"${e.id}"`, `"id":"${id}"`);
    };
    const frame = (texts: string[]) => Buffer.from(`{"t":"batch","author":${JSON.stringify(author.did)},"entries":[${texts.join(',')}]}`);
    const ingest = (dst: ReturnType<typeof memoryServices>, texts: string[]) => {
      const d = decodeBatchFrame(frame(texts), dst.schemas);
      if (!d.ok) throw new Error(d.error);
      return dst.feed.ingestChecked(d.batch);
    };
    const stored = (dst: ReturnType<typeof memoryServices>) => (dst.store.sqlite.prepare('SELECT entry FROM entries WHERE author = ? ORDER BY seq').pluck().all(author.did) as string[]);

    // an id over non-canonical bytes is refused wherever the entry stands (newest or middle): the id of an entry is the
    // hash of its canonical form on every path
    const a = memoryServices({ manifest: src.manifest });
    const r1 = ingest(a, [...entries.slice(0, 5).map(entryJson), recoded(entries[5]!, true)]);
    expect([r1.accepted, r1.rejected.map((x) => [x.code, x.seq])]).toEqual([5, [['invalid_entry', 6]]]);
    expect(stored(a)).toEqual(entries.slice(0, 5).map(entryJson));
    expect(ingest(a, [entryJson(entries[5]!)]).accepted).toBe(1);
    expect(a.feed.headsDigest()).toBe(src.feed.headsDigest());
    const b = memoryServices({ manifest: src.manifest });
    const r2 = ingest(b, [entryJson(entries[0]!), entryJson(entries[1]!), recoded(entries[2]!, true), entryJson(entries[3]!)]);
    expect([r2.accepted, r2.rejected.map((x) => [x.code, x.seq])]).toEqual([2, [['invalid_entry', 3]]]);
    expect(stored(b)).toEqual(entries.slice(0, 2).map(entryJson));
    // an entry already held, re-sent re-encoded: with the canonical id a duplicate, with another id refused; never a fork
    const r3 = ingest(a, [recoded(entries[2]!, false)]);
    expect([r3.duplicates, r3.equivocations, r3.rejected]).toEqual([1, 0, []]);
    const r3b = ingest(a, [recoded(entries[2]!, true)]);
    expect([r3b.duplicates, r3b.equivocations, r3b.rejected.map((x) => x.code)]).toEqual([0, 0, ['invalid_entry']]);
    expect(a.feed.isFrozen(author.did)).toBe(false);
    // re-encoded with the canonical id (a sender that formats JSON its own way): accepted, stored canonical
    const c = memoryServices({ manifest: src.manifest });
    const r4 = ingest(c, [entryJson(entries[0]!), recoded(entries[1]!, false), entryJson(entries[2]!)]);
    expect([r4.accepted, r4.rejected]).toEqual([3, []]);
    expect(stored(c)).toEqual(entries.slice(0, 3).map(entryJson));
    for (const x of [src, a, b, c]) x.store.close();
  });

  it('stores a long batch in slices with the same verdict, and stops cleanly when another writer moved the head', async () => {
    const author = generateKey();
    const src = memoryServices({ key: author, founders: [author.did] });
    const entries = Array.from({ length: 10 }, (_, i) => src.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `s ${i}` }));
    const frame = Buffer.from(`{"t":"batch","author":${JSON.stringify(author.did)},"entries":[${entries.map(entryJson).join(',')}]}`);
    const decoded = () => {
      const d = decodeBatchFrame(frame, src.schemas);
      if (!d.ok) throw new Error(d.error);
      return d.batch;
    };
    const a = memoryServices({ manifest: src.manifest });
    let pauses = 0;
    const r = await a.feed.ingestCheckedInSlices(decoded(), 3, async () => void pauses++);
    expect([r.accepted, r.rejected, pauses]).toEqual([10, [], 3]);
    expect(a.feed.headsDigest()).toBe(src.feed.headsDigest());
    // gossip stores seq 4 and 5 while the first slice's pause runs: the next slice no longer follows the head
    const b = memoryServices({ manifest: src.manifest });
    const r2 = await b.feed.ingestCheckedInSlices(decoded(), 3, async () => {
      if (b.feed.head(author.did)?.seq === 3) for (const e of entries.slice(3, 5)) expect(b.feed.ingestOne(JSON.parse(entryJson(e))).accepted).toBe(1);
    });
    expect([r2.accepted, r2.rejected]).toEqual([3, []]);
    expect(b.feed.head(author.did)?.seq).toBe(5);
    expect(b.feed.ingestChecked(decoded()).accepted).toBe(5); // the next round: duplicates, then the rest
    expect(b.feed.headsDigest()).toBe(src.feed.headsDigest());
    for (const x of [src, a, b]) x.store.close();
  });

  it('refuses entries of non-members and of other networks', () => {
    const stranger = generateKey();
    const other = memoryServices({ key: stranger });
    const s = memoryServices();
    const k = generateKey();
    const e = other.feed.append('issuer-key', { keyId: k.did, publicKeyMultibase: k.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' });
    expect(s.feed.ingestOne(e).rejected[0]?.code).toBe('invalid_entry'); // other network
    const sameNet = signEntry(stranger, { ...e, net: s.network, prev: null });
    expect(s.feed.ingestOne(sameNet).rejected[0]?.code).toBe('not_a_member');
    expect(s.feed.heads()).toEqual([]);
    other.store.close();
    s.store.close();
  });

  it('admits a candidate after the endorsements the manifest requires', () => {
    const a = generateKey();
    const b = generateKey();
    const c = generateKey();
    const manifest = createManifest({ name: 'net', founders: [a.did, b.did], endorsements: 2 });
    const na = memoryServices({ key: a, manifest });
    const nb = memoryServices({ key: b, manifest });
    const e1 = na.feed.append('endorsement', { subject: c.did });
    expect(na.membership.statusOf(c.did)).toBe('candidate');
    const e2 = nb.feed.append('endorsement', { subject: c.did });
    expect(na.feed.ingestOne(e2).accepted).toBe(1);
    expect(na.membership.statusOf(c.did)).toBe('admitted');
    expect(na.membership.endorsersOf(c.did).sort()).toEqual([a.did, b.did].sort());
    void e1;
    na.store.close();
    nb.store.close();
  });

  it('rebuild reproduces every projection exactly', () => {
    const s = memoryServices();
    for (let i = 0; i < 3; i++) {
      const k = generateKey();
      s.feed.append('issuer-key', { keyId: k.did, publicKeyMultibase: k.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' });
    }
    const k = s.issuerKeys.forInstitution(s.feed.author)[0]!;
    s.feed.append('issuer-key-revocation', { keyId: k.keyId, reason: 'rotated', revokedAt: '2026-02-01T00:00:00.000Z' });
    s.feed.append('endorsement', { subject: generateKey().did });
    const before = dump(s);
    const r = s.feed.rebuild();
    expect(r.entries).toBe(5);
    expect(dump(s)).toEqual(before);
    s.store.close();
  });
});
