/**
 * Feed entries: the one replicated data structure. Encode, hash (id), sign and verify entries.
 * Format 2: sig = Ed25519 over JCS(entry without sig) (base64url); id = sha256(JCS(entry with sig)). An entry's `prev`
 * is the id of the entry before it, so the chain covers every signed byte: the newest signature of a feed
 * authenticates every byte below it, signatures included (as Hypercore's signed roots do).
 * Pure functions: must never touch the database or the network.
 */
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import { RegistryError } from '../core/errors.js';
import { signBytes, verifyBytes, type Ed25519Key } from '../identity/keys.js';

export const ENTRY_TYPES = [
  'profile',
  'issuer-key',
  'issuer-key-revocation',
  'microcredential',
  'status-list',
  'recognition',
  'agreement',
  'endorsement',
  'accreditation',
  'membership',
  'reference',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** The feed format this node reads and writes (format 1's ids left signatures outside the chain). */
export const ENTRY_VERSION = 2;

/** An entry as signed: everything but `sig`. */
export interface UnsignedEntry<B = unknown> {
  v: typeof ENTRY_VERSION;
  net: string;
  author: string; // did:key of the institution
  seq: number; // 1, 2, 3, ...
  prev: string | null; // id of entry seq-1 (which covers its sig), null for seq 1
  ts: string; // ISO 8601 UTC
  type: EntryType;
  body: B;
}

export interface SignedEntry<B = unknown> extends UnsignedEntry<B> {
  sig: string; // base64url Ed25519 signature over JCS(UnsignedEntry)
}

/** A signed entry with its computed id, sha256(JCS(signed entry)) (never trusted from the wire; it is recomputed). */
export interface Entry<B = unknown> extends SignedEntry<B> {
  id: string;
}

export const MAX_ENTRY_BYTES = 256 * 1024;

export function unsignedOf(e: SignedEntry | UnsignedEntry): UnsignedEntry {
  return { v: e.v, net: e.net, author: e.author, seq: e.seq, prev: e.prev, ts: e.ts, type: e.type, body: e.body };
}

/**
 * Canonical body JSON, computed once per entry object (hashing, size check and storage all need it) and kept in a
 * symbol property (JSON and JCS ignore symbols) together with the body it was computed from, so a copy with another
 * body never reuses it. (A WeakMap or defineProperty cost as much as the canonicalisation at catch-up rates.)
 */
const BODY_JSON = Symbol('bodyJson');

/** JCS of the entry's body, cached on the entry object. */
export function bodyJson(e: UnsignedEntry): string {
  const cached = (e as unknown as { [BODY_JSON]?: { body: unknown; json: string } })[BODY_JSON];
  if (cached && cached.body === e.body) return cached.json;
  const json = canonicalJson(e.body);
  // a copy made by spreading carries this along, but only for the same body object (checked above)
  (e as unknown as { [BODY_JSON]?: { body: unknown; json: string } })[BODY_JSON] = { body: e.body, json };
  return json;
}

/**
 * JCS of the unsigned entry. The envelope's members are fixed and their JCS order is known (author, body, net,
 * prev, seq, ts, type, v), so the body is canonicalised once and the rest is assembled: identical bytes to
 * canonicalJson(unsignedOf(e)) (a unit test holds the two equal).
 */
export function signingString(e: UnsignedEntry): string {
  return (
    `{"author":${JSON.stringify(e.author)},"body":${bodyJson(e)},"net":${JSON.stringify(e.net)},` +
    `"prev":${e.prev === null ? 'null' : JSON.stringify(e.prev)},"seq":${String(e.seq)},"ts":${JSON.stringify(e.ts)},` +
    `"type":${JSON.stringify(e.type)},"v":${String(e.v)}}`
  );
}

export function signingBytes(e: UnsignedEntry): Buffer {
  return Buffer.from(signingString(e), 'utf8');
}

/**
 * JCS of the signed entry (what its id hashes): the signing string with `"sig"` in its JCS place, between `seq` and
 * `ts`. Identical bytes to canonicalJson(signedOf(e)) (a unit test holds the two equal).
 */
export function idString(e: SignedEntry): string {
  return (
    `{"author":${JSON.stringify(e.author)},"body":${bodyJson(e)},"net":${JSON.stringify(e.net)},` +
    `"prev":${e.prev === null ? 'null' : JSON.stringify(e.prev)},"seq":${String(e.seq)},"sig":${JSON.stringify(e.sig)},` +
    `"ts":${JSON.stringify(e.ts)},"type":${JSON.stringify(e.type)},"v":${String(e.v)}}`
  );
}

/** The entry's id: SHA-256 of its canonical signed form, so every byte of it, the signature included, is covered. */
export function entryId(e: SignedEntry): string {
  return sha256Hex(idString(e));
}

/**
 * The signed entry as JSON, as stored and served by sync: envelope members in a fixed order, the body canonical.
 * Assembled from the entry's (verified) fields, never copied from a peer's bytes.
 */
export function entryJson(e: Entry): string {
  return (
    entryJsonHead(e.net, e.author, e.seq) +
    `"prev":${e.prev === null ? 'null' : JSON.stringify(e.prev)},"ts":${JSON.stringify(e.ts)},"type":${JSON.stringify(e.type)},` +
    `"body":${bodyJson(e)},"sig":${JSON.stringify(e.sig)},"id":${JSON.stringify(e.id)}}`
  );
}

/** How entryJson begins: with the network, the author and the seq (a served batch is checked against it). */
export function entryJsonHead(net: string, author: string, seq: number): string {
  return `{"v":${ENTRY_VERSION},"net":${JSON.stringify(net)},"author":${JSON.stringify(author)},"seq":${String(seq)},`;
}

/** The indexed lookup key of an entry id: its first 13 hex characters (52 bits) as an integer. */
export function idKey(id: string): number {
  return parseInt(id.slice(0, 13), 16);
}

export function signEntry<B>(key: Ed25519Key, e: UnsignedEntry<B>): Entry<B> {
  if (e.author !== key.did) throw new RegistryError('invalid_entry', 'entry author is not the signing key');
  const out = { ...(unsignedOf(e) as UnsignedEntry<B>), sig: '', id: '' };
  out.sig = Buffer.from(signBytes(key, signingBytes(out))).toString('base64url');
  out.id = entryId(out);
  return out;
}

export function verifyEntrySignature(e: SignedEntry): boolean {
  if (typeof e.sig !== 'string' || !SIG64.test(e.sig)) return false;
  const sig = Buffer.from(e.sig, 'base64url');
  if (sig.length !== 64) return false;
  return verifyBytes(e.author, signingBytes(e), sig);
}

const ENVELOPE_FIELDS = new Set(['v', 'net', 'author', 'seq', 'prev', 'ts', 'type', 'body', 'sig', 'id']);
const ENTRY_TYPE_SET: ReadonlySet<string> = new Set(ENTRY_TYPES);
/** An entry id (or prev): SHA-256 in lowercase hex. */
export const HEX64 = /^[0-9a-f]{64}$/;
/**
 * 64 bytes in canonical unpadded base64url: 86 characters whose last one carries no stray low bits (decoders ignore
 * them, so a relay could otherwise change the text of a valid signature without changing the bytes it decodes to).
 */
const SIG64 = /^[A-Za-z0-9_-]{85}[AQgw]$/;

/** Structural check of the envelope (not the body: bodies are validated against schemas/ by the feed service). */
export function checkEnvelope(raw: unknown): { ok: true; entry: Entry } | { ok: false; reason: string } {
  const env = checkEnvelopeFields(raw);
  if (!env.ok) return env;
  const entry = env.entry;
  try {
    entry.id = entryId(entry);
  } catch {
    return { ok: false, reason: 'entry cannot be canonicalised' };
  }
  if (env.claimedId !== undefined && env.claimedId !== entry.id) return { ok: false, reason: 'id does not match the entry hash' };
  return { ok: true, entry };
}

/**
 * checkEnvelope without the id: every field but the body checked, `entry.id` left empty for the caller to compute
 * (the sync batch check hashes the entry's bytes as received), and the id the raw entry claims, if any.
 */
export function checkEnvelopeFields(raw: unknown): { ok: true; entry: Entry; claimedId: unknown } | { ok: false; reason: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'entry is not an object' };
  const e = raw as Record<string, unknown>;
  for (const k in e) if (!ENVELOPE_FIELDS.has(k)) return { ok: false, reason: `unexpected field ${k}` };
  if (e.v !== ENTRY_VERSION) return { ok: false, reason: `unsupported entry version (this node reads format ${ENTRY_VERSION})` };
  if (typeof e.net !== 'string' || e.net.length === 0 || e.net.length > 128) return { ok: false, reason: 'bad net' };
  if (typeof e.author !== 'string' || !e.author.startsWith('did:key:z6Mk') || e.author.length > 128)
    return { ok: false, reason: 'author is not an Ed25519 did:key' };
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 1) return { ok: false, reason: 'bad seq' };
  if (e.seq === 1 ? e.prev !== null : typeof e.prev !== 'string' || !HEX64.test(e.prev))
    return { ok: false, reason: 'bad prev' };
  if (typeof e.ts !== 'string' || Number.isNaN(Date.parse(e.ts)) || e.ts.length > 40) return { ok: false, reason: 'bad ts' };
  if (typeof e.type !== 'string' || !ENTRY_TYPE_SET.has(e.type))
    return { ok: false, reason: `unknown entry type ${String(e.type)}` };
  if (e.body === undefined) return { ok: false, reason: 'missing body' };
  // an Ed25519 signature in base64url (64 bytes): the newest entry of a batch is verified, the ones below it are
  // covered by the chain of ids up to it
  if (typeof e.sig !== 'string' || !SIG64.test(e.sig)) return { ok: false, reason: 'bad sig' };
  const entry: Entry = { v: ENTRY_VERSION, net: e.net, author: e.author, seq: e.seq, prev: e.prev as string | null, ts: e.ts, type: e.type as EntryType, body: e.body, sig: e.sig, id: '' };
  return { ok: true, entry, claimedId: e.id };
}
