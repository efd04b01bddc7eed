/**
 * One acceptance rule (issue 13): random member feeds and random mutations by a relaying peer — byte flips, re-encoded
 * numbers and escapes, reordered or duplicated keys, swapped or replaced signatures, truncated frames — go through
 * every ingest path: the in-thread sync path (parseFrame + ingestBatch), the batch frame decoder in-thread
 * (decodeBatchFrame + ingestChecked) and on its worker thread, stored in slices as a catch-up stores
 * (ingestCheckedInSlices), and gossip (strict UTF-8 message + ingestOne). Verdicts and stored
 * bytes must be identical, and nothing stored may be anything but the honest feed's own bytes, verifying entry by entry
 * with the author's key. Fixed seed, bounded number of cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openStore } from '../../node/store/database.js';
import { FeedService } from '../../node/feed/feed.service.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { systemClock } from '../../node/core/clock.js';
import { silentLogger } from '../../node/core/logger.js';
import { keyFromSeed, type Ed25519Key } from '../../node/identity/keys.js';
import { bodyJson, checkEnvelope, entryId, entryJson, idString, signEntry, signingString, verifyEntrySignature, type Entry } from '../../node/feed/entry.js';
import { signBytes } from '../../node/identity/keys.js';
import { sha256Hex } from '../../node/core/canonical.js';
import { decodeBatchFrame } from '../../node/federation/batch-frame.js';
import { BatchDecoder } from '../../node/federation/batch-decoder.js';
import { parseFrame, ProtocolError } from '../../node/federation/sync-protocol.js';
import type { IngestResult } from '../../node/feed/replica.js';

const schemas = new SchemaRegistry();
const net = 'mochila-prop-0123456789abcdef';
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
let worker: BatchDecoder;

beforeAll(async () => {
  worker = new BatchDecoder({ schemas, logger: silentLogger, threads: 1 });
  await worker.start();
  expect(worker.threaded).toBe(1);
});
afterAll(async () => {
  await worker.stop();
});

/** A replica with no membership policy (every author may write: the rule under test is the feed's own). */
function replica(): { feed: FeedService; close(): void } {
  const store = openStore(':memory:');
  const feed = new FeedService({ store, schemas, network: net, key: keyFromSeed(new Uint8Array(32).fill(7)), clock: systemClock, logger: silentLogger });
  return { feed, close: () => store.close() };
}

interface Verdict {
  frameError: boolean;
  accepted: number;
  duplicates: number;
  equivocations: number;
  rejected: string[];
}
const frameError: Verdict = { frameError: true, accepted: 0, duplicates: 0, equivocations: 0, rejected: [] };
const verdict = (r: IngestResult): Verdict => ({ frameError: false, accepted: r.accepted, duplicates: r.duplicates, equivocations: r.equivocations, rejected: r.rejected.map((x) => `${x.code}@${x.seq ?? '-'}`) });

/** The in-thread sync path, as pullRound runs it for a frame it does not hand to the decoder. */
function viaSync(feed: FeedService, frame: Uint8Array): Verdict {
  let msg: { author?: unknown; entries?: unknown };
  try {
    msg = parseFrame<{ t: 'batch'; author?: unknown; entries?: unknown }>(frame, ['batch']);
  } catch (e) {
    if (e instanceof ProtocolError) return frameError;
    throw e;
  }
  if (typeof msg.author !== 'string' || !Array.isArray(msg.entries)) return frameError;
  return verdict(feed.ingestBatch(msg.author, msg.entries));
}

/** The batch decoder's path, in-thread or on its worker; on the worker, stored in slices of 3 as a catch-up stores. */
async function viaDecoder(feed: FeedService, frame: Uint8Array, onWorker: boolean): Promise<Verdict> {
  const d = onWorker ? await worker.decode(Uint8Array.from(frame)) : decodeBatchFrame(frame, schemas);
  if (!d.ok) return frameError;
  return verdict(onWorker ? await feed.ingestCheckedInSlices(d.batch, 3, () => new Promise((r) => setImmediate(r))) : feed.ingestChecked(d.batch));
}

/** Gossip: one message per entry, read as onGossip reads it (strict UTF-8, JSON), the entry ingested on its own. */
function viaGossip(feed: FeedService, entry: Buffer): Verdict {
  const message = Buffer.concat([Buffer.from('{"v":1,"author":"x","seq":1,"id":"x","entry":'), entry, Buffer.from('}')]);
  let msg: { entry?: unknown };
  try {
    msg = JSON.parse(strict.decode(message)) as { entry?: unknown };
  } catch {
    return frameError;
  }
  return verdict(feed.ingestOne(msg.entry));
}

const frameOf = (author: string, texts: string[]) => `{"t":"batch","author":${JSON.stringify(author)},"entries":[${texts.join(',')}]}`;
/** A batch frame around entries given as bytes (a mutated entry need not be UTF-8). */
const frameOfBytes = (author: string, entries: Buffer[]) =>
  Buffer.concat([Buffer.from(`{"t":"batch","author":${JSON.stringify(author)},"entries":[`), ...entries.flatMap((e, i) => (i ? [Buffer.from(','), e] : [e])), Buffer.from(']}')]);

/**
 * The author's feed as JSON texts, and how many of its first entries are what an honest author writes. From
 * `nonCanonicalAt` on, the author itself signed and hashed a body that is not canonical JSON (members reversed), and
 * chained the later entries to those hashes: no path may store that entry or any after it.
 */
function authorFeed(key: Ed25519Key, statements: string[], withNumbers: boolean[], nonCanonicalAt: number): { texts: string[]; honest: Entry[] } {
  const texts: string[] = [];
  const honest: Entry[] = [];
  let prev: string | null = null;
  statements.forEach((statement, i) => {
    const body = withNumbers[i]
      ? { keyId: key.did, publicKeyMultibase: key.publicKeyMultibase, validFrom: '2026-01-01T00:00:00.000Z' }
      : { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement };
    const e: Entry = signEntry(key, { v: 2, net, author: key.did, seq: i + 1, prev, ts: `2026-11-29T10:00:${String(i % 60).padStart(2, '0')}.000Z`, type: withNumbers[i] ? 'issuer-key' : 'membership', body });
    if (i < nonCanonicalAt) {
      honest.push(e);
      texts.push(entryJson(e));
      prev = e.id;
      return;
    }
    const canonical = bodyJson(e);
    const other = reversed(body);
    const sig = Buffer.from(signBytes(key, Buffer.from(signingString(e).replace(canonical, other)))).toString('base64url');
    const signed = { ...e, sig };
    const id = sha256Hex(idString(signed).replace(canonical, other));
    texts.push(entryJson({ ...signed, id }).replace(canonical, other));
    prev = id;
  });
  return { texts, honest };
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; k: number; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'number'; k: number; form: number }
  | { kind: 'escape'; k: number; nth: number }
  | { kind: 'reorder'; k: number }
  | { kind: 'dupKey'; k: number; value: string }
  | { kind: 'swapSigs'; j: number; k: number }
  | { kind: 'replaceSig'; k: number; from: number }
  | { kind: 'sigSpelling'; k: number }
  | { kind: 'dropId'; k: number }
  | { kind: 'liar'; k: number; statement: string }
  | { kind: 'dupEntry'; k: number }
  | { kind: 'dropEntry'; k: number };

const idx = fc.nat({ max: 1000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'none' }),
  fc.record({ kind: fc.constant('flip' as const), k: idx, at: idx, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: idx }),
  fc.record({ kind: fc.constant('number' as const), k: idx, form: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant('escape' as const), k: idx, nth: fc.nat({ max: 4 }) }),
  fc.record({ kind: fc.constant('reorder' as const), k: idx }),
  fc.record({ kind: fc.constant('dupKey' as const), k: idx, value: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('swapSigs' as const), j: idx, k: idx }),
  fc.record({ kind: fc.constant('replaceSig' as const), k: idx, from: idx }),
  fc.record({ kind: fc.constant('sigSpelling' as const), k: idx }),
  fc.record({ kind: fc.constant('dropId' as const), k: idx }),
  fc.record({ kind: fc.constant('liar' as const), k: idx, statement: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant('dupEntry' as const), k: idx }),
  fc.record({ kind: fc.constant('dropEntry' as const), k: idx }),
);

/** Reverses the member order of every object (a JSON value re-encoded by another implementation). */
function reversed(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reversed).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).reverse().map(([k, x]) => `${JSON.stringify(k)}:${reversed(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The entries a relaying peer sends, as bytes (none for a frame cut short), and the frame that carries them. */
function mutate(author: string, texts: string[], m: Mutation): { entries: Buffer[]; frame: Buffer } {
  const t = [...texts];
  const at = (i: number) => i % t.length;
  switch (m.kind) {
    case 'flip': {
      // the flipped bytes need not be UTF-8: they travel as they are
      const k = at(m.k);
      const entries = t.map((x) => Buffer.from(x));
      entries[k]![m.at % entries[k]!.length]! ^= m.xor;
      return { entries, frame: frameOfBytes(author, entries) };
    }
    case 'truncate': {
      const f = Buffer.from(frameOf(author, t));
      return { entries: [], frame: f.subarray(0, m.at % f.length) };
    }
    case 'number': {
      const k = at(m.k);
      const forms = ['.0', 'e0', 'E+0', '.00'];
      t[k] = t[k]!.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${n}${forms[m.form]}`);
      break;
    }
    case 'escape': {
      const k = at(m.k);
      let n = 0;
      t[k] = t[k]!.replace(/"([a-z])/g, (s, c: string) => (n++ === m.nth ? `"\\u00${c.charCodeAt(0).toString(16)}` : s));
      break;
    }
    case 'reorder': {
      const k = at(m.k);
      t[k] = reversed(JSON.parse(t[k]!));
      break;
    }
    case 'dupKey': {
      const k = at(m.k);
      t[k] = t[k]!.replace('"body":{', `"body":{"statement":${JSON.stringify(m.value)},`);
      break;
    }
    case 'swapSigs': {
      const j = at(m.j);
      const k = at(m.k);
      const sj = (JSON.parse(t[j]!) as Entry).sig;
      const sk = (JSON.parse(t[k]!) as Entry).sig;
      t[j] = t[j]!.replace(sj, sk);
      t[k] = t[k]!.replace(sk, sj);
      break;
    }
    case 'replaceSig': {
      const k = at(m.k);
      const other = (JSON.parse(t[at(m.from)]!) as Entry).sig;
      t[k] = t[k]!.replace((JSON.parse(t[k]!) as Entry).sig, other);
      break;
    }
    case 'sigSpelling': {
      // the same 64 bytes spelled with stray low bits in the last character
      const k = at(m.k);
      const sig = (JSON.parse(t[k]!) as Entry).sig;
      t[k] = t[k]!.replace(sig, sig.slice(0, 85) + String.fromCharCode(sig.charCodeAt(85) + 1));
      break;
    }
    case 'dropId': {
      const k = at(m.k);
      t[k] = t[k]!.replace(/,"id":"[0-9a-f]{64}"\}$/, '}');
      break;
    }
    case 'liar': {
      // a relay that rewrites a body and gives the entry the id of what it wrote (it cannot sign)
      const k = at(m.k);
      const e = JSON.parse(t[k]!) as Entry;
      const body = e.type === 'membership' ? { ...(e.body as object), statement: m.statement } : { ...(e.body as object), validFrom: '2020-01-01T00:00:00.000Z' };
      const forged = { ...e, body };
      t[k] = entryJson({ ...forged, id: entryId(forged) });
      break;
    }
    case 'dupEntry': {
      const k = at(m.k);
      t.splice(k, 0, t[k]!);
      break;
    }
    case 'dropEntry':
      if (t.length > 1) t.splice(at(m.k), 1);
      break;
    case 'none':
      break;
  }
  const entries = t.map((x) => Buffer.from(x));
  return { entries, frame: frameOfBytes(author, entries) };
}

function storedOf(feed: FeedService, author: string): string[] {
  return feed.read(author, 1, 10_000).map((e) => entryJson(e));
}

/** Every stored entry verifies on its own with the author's key, and the stored feed is a prefix of the honest one. */
function expectAuthentic(stored: string[], honest: Entry[]): void {
  stored.forEach((text, i) => {
    expect(text).toBe(entryJson(honest[i]!));
    const env = checkEnvelope(JSON.parse(text));
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    expect(env.entry.id).toBe(honest[i]!.id);
    expect(verifyEntrySignature(env.entry)).toBe(true);
    expect(env.entry.prev).toBe(i === 0 ? null : honest[i - 1]!.id);
  });
}

const scenario = fc.record({
  seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  statements: fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 12 }),
  numbers: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  held: fc.nat({ max: 12 }),
  from: fc.nat({ max: 12 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
  nonCanonicalAt: fc.oneof(fc.constant(99), fc.nat({ max: 11 })),
});

describe('one acceptance rule on every ingest path', () => {
  it('gives identical verdicts and stored bytes for random feeds and mutations, and stores only authentic bytes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const key = keyFromSeed(s.seed);
        const feed = authorFeed(key, s.statements, s.numbers, s.nonCanonicalAt);
        const honest = feed.honest;
        const held = Math.min(s.held, honest.length);
        const from = Math.min(s.from, held); // the batch starts at or below the next seq: duplicates, then new entries
        if (from >= feed.texts.length) return;
        let texts = feed.texts.slice(from);
        let sent: Buffer[] = texts.map((x) => Buffer.from(x));
        let frame: Buffer = frameOfBytes(key.did, sent);
        for (const m of s.mutations) {
          if (m.kind !== 'none') ({ entries: sent, frame } = mutate(key.did, texts, m));
          // a second mutation applies to the first one's entries when they are still text
          const asText = sent.map((b) => { try { return strict.decode(b); } catch { return null; } });
          if (sent.length > 0 && asText.every((x) => x !== null)) texts = asText as string[];
          else break;
        }

        // 1. one batch frame through the three sync paths
        const paths = [replica(), replica(), replica()];
        try {
          for (const p of paths) if (held > 0) expect(p.feed.ingestBatch(key.did, honest.slice(0, held)).accepted).toBe(held);
          const verdicts = [viaSync(paths[0]!.feed, frame), await viaDecoder(paths[1]!.feed, frame, false), await viaDecoder(paths[2]!.feed, frame, true)];
          expect(verdicts[1]).toEqual(verdicts[0]);
          expect(verdicts[2]).toEqual(verdicts[0]);
          const stored = paths.map((p) => storedOf(p.feed, key.did));
          expect(stored[1]).toEqual(stored[0]);
          expect(stored[2]).toEqual(stored[0]);
          expectAuthentic(stored[0]!, honest);
        } finally {
          for (const p of paths) p.close();
        }

        // 2. the same entries one by one, as gossip carries them, and as one-entry batches on the three sync paths
        const one = [replica(), replica(), replica(), replica()];
        try {
          for (const p of one) if (held > 0) p.feed.ingestBatch(key.did, honest.slice(0, held));
          for (const entry of sent) {
            const f = frameOfBytes(key.did, [entry]);
            const v = [viaSync(one[0]!.feed, f), await viaDecoder(one[1]!.feed, f, false), await viaDecoder(one[2]!.feed, f, true), viaGossip(one[3]!.feed, entry)];
            expect(v[1]).toEqual(v[0]);
            expect(v[2]).toEqual(v[0]);
            // gossip has no batch and no frame: what it accepts, holds or refuses is the same
            const kind = (x: Verdict) => (x.accepted ? 'accepted' : x.duplicates ? 'duplicate' : 'refused');
            expect(kind(v[3]!)).toBe(kind(v[0]!));
          }
          const stored = one.map((p) => storedOf(p.feed, key.did));
          for (const x of stored.slice(1)) expect(x).toEqual(stored[0]);
          expectAuthentic(stored[0]!, honest);
        } finally {
          for (const p of one) p.close();
        }
      }),
      { seed: 1312, numRuns: 150, endOnFailure: true },
    );
  }, 240_000);
});
