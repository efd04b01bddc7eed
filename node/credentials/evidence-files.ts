/**
 * Evidence files attached to a credential at issuance (issue 15 item 1): the checks a file must pass before anything
 * is signed (a safe file name, a media type from a short allow-list whose content really is of that type, bounded
 * size per file, per credential and in count), and their storage, content-addressed by the SHA-256 of the bytes, in
 * the credential's own transaction (the caller's `store.tx`), so a failed issuance stores no file. The credential
 * names each file by its URL under this node's public URL, ending in the hex digest, and by `digestSRI` (see
 * ob3-evidence.ts), so anyone holding the bytes checks them offline. Must never trust a caller's name or type, never
 * store a file outside a credential's transaction, and never hand out bytes that are not linked to a credential.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { RegistryError } from '../core/errors.js';
import { userError, type MessageRef } from '../core/messages/index.js';
import type { Store } from '../store/database.js';
import { credentialEvidence, evidenceFiles } from '../store/schema.js';

/** Bounds of the files attached to one credential. */
export const EVIDENCE_LIMITS = Object.freeze({
  /** Largest file, in bytes (decoded). */
  fileBytes: 5 * 1024 * 1024,
  /** All files of one credential together, in bytes. */
  credentialBytes: 10 * 1024 * 1024,
  /** Files per credential. */
  files: 5,
  /** Evidence entries (narratives, links and files) per credential. */
  entries: 10,
});

interface MediaTypeRule {
  extensions: readonly string[];
  /** Whether the bytes are of this type (a signature at the start, or for text: UTF-8 without control bytes). */
  matches(b: Buffer): boolean;
  /** Shown inline by the browser (images, PDF); everything else is a download under a sandboxing CSP. */
  inline: boolean;
}

const starts = (b: Buffer, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const ZIP = [0x50, 0x4b, 0x03, 0x04];

/** The media types a file may have, with the extensions its name may end in. No HTML, SVG, scripts or archives. */
export const EVIDENCE_MEDIA_TYPES: Readonly<Record<string, MediaTypeRule>> = Object.freeze({
  'application/pdf': { extensions: ['pdf'], matches: (b) => starts(b, ascii('%PDF-')), inline: true },
  'image/png': { extensions: ['png'], matches: (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), inline: true },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], matches: (b) => starts(b, [0xff, 0xd8, 0xff]), inline: true },
  'image/webp': { extensions: ['webp'], matches: (b) => starts(b, ascii('RIFF')) && starts(b, ascii('WEBP'), 8), inline: true },
  'text/plain': { extensions: ['txt', 'md'], matches: isPlainText, inline: false },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extensions: ['docx'], matches: (b) => starts(b, ZIP), inline: false },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { extensions: ['pptx'], matches: (b) => starts(b, ZIP), inline: false },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['xlsx'], matches: (b) => starts(b, ZIP), inline: false },
  'application/vnd.oasis.opendocument.text': { extensions: ['odt'], matches: (b) => starts(b, ZIP), inline: false },
});

function isPlainText(b: Buffer): boolean {
  // valid UTF-8 (a decode that replaced nothing round-trips) and no control bytes other than tab, LF, CR, FF
  if (!Buffer.from(b.toString('utf8'), 'utf8').equals(b)) return false;
  for (const x of b) if ((x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c) || x === 0x7f) return false;
  return true;
}

/** The media type a file name's extension implies (for the CLI and CSV, which read files from disk), or null. */
export function mediaTypeForName(name: string): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!ext) return null;
  return Object.entries(EVIDENCE_MEDIA_TYPES).find(([, r]) => r.extensions.includes(ext))?.[0] ?? null;
}

/** A file as a caller hands it over: its name, declared media type and content (base64 text or bytes). */
export interface EvidenceFileInput {
  name: string;
  mediaType: string;
  content: string | Buffer;
}

/** A file that passed every check, with its digest, ready to be named in a credential and stored with it. */
export interface PreparedEvidenceFile {
  name: string;
  mediaType: string;
  /** Hex SHA-256 of the bytes (the last segment of the file's URL). */
  digest: string;
  /** `sha256-<base64>` (W3C Subresource Integrity form, the VC 2.0 `digestSRI` property). */
  sri: string;
  size: number;
  bytes: Buffer;
}

/**
 * Checks a file name: a plain name (no path, no control or bidi characters, no leading dot), at most 200 characters,
 * ending in an extension of its media type. Returns it NFC-normalised.
 */
export function checkFileName(name: unknown, mediaType: string): string {
  if (typeof name !== 'string') throw userError('evidence_file_name_invalid', 'evidence.nameMissing');
  const n = name.normalize('NFC').trim();
  // the reason in English stays in the error's message (technicalDetail); people read the rule for names
  const bad = (why: string) =>
    new RegistryError('evidence_file_name_invalid', `evidence file name ${JSON.stringify(name.slice(0, 80))} refused: ${why}`, {
      name: name.slice(0, 200),
      message: { key: 'evidence.nameInvalid', params: { name: JSON.stringify(name.slice(0, 80)) } } satisfies MessageRef,
    });
  if (!n) throw bad('it is empty');
  if (n.length > 200) throw bad('it is longer than 200 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(n)) throw bad('it contains control or text-direction characters');
  if (/[/\\:*?"<>|]/.test(n)) throw bad('it contains a path separator or a character file systems refuse (/ \\ : * ? " < > |)');
  if (n.startsWith('.') || n.endsWith('.')) throw bad('it starts or ends with a dot');
  const rule = EVIDENCE_MEDIA_TYPES[mediaType];
  const ext = /\.([A-Za-z0-9]+)$/.exec(n)?.[1]?.toLowerCase();
  if (rule && (!ext || !rule.extensions.includes(ext))) throw bad(`a ${mediaType} file's name must end in .${rule.extensions.join(' or .')}`);
  return n;
}

/** A size for people: whole MiB as "5 MB", else kB. */
export function sizeLabel(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${Math.ceil(bytes / 1024)} kB`;
}

const fileTooLarge = (name: string) =>
  userError('evidence_file_too_large', 'evidence.fileTooLarge', { name, size: sizeLabel(EVIDENCE_LIMITS.fileBytes) }, { name, limit: EVIDENCE_LIMITS.fileBytes });

function decode(content: unknown, name: string): Buffer {
  if (Buffer.isBuffer(content)) return content;
  if (typeof content !== 'string') throw userError('validation_failed', 'evidence.notBase64', { name });
  // strict base64 (standard alphabet, padding optional, no whitespace): Buffer.from would silently skip anything else
  if (content.length > Math.ceil((EVIDENCE_LIMITS.fileBytes * 4) / 3) + 4) throw fileTooLarge(name);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 === 1) throw userError('validation_failed', 'evidence.notBase64', { name });
  return Buffer.from(content, 'base64');
}

/**
 * Checks the files of one credential (names, types against their content, sizes, count) and digests them. Throws
 * `evidence_file_name_invalid`, `evidence_type_not_allowed`, `evidence_file_too_large` or `evidence_too_many_files`.
 */
export function prepareEvidenceFiles(files: readonly EvidenceFileInput[]): PreparedEvidenceFile[] {
  if (files.length > EVIDENCE_LIMITS.files)
    throw userError('evidence_too_many_files', 'evidence.tooManyFiles', { limit: EVIDENCE_LIMITS.files, given: files.length }, { limit: EVIDENCE_LIMITS.files });
  let total = 0;
  const out: PreparedEvidenceFile[] = [];
  for (const f of files) {
    const mediaType = typeof f?.mediaType === 'string' ? f.mediaType.trim().toLowerCase() : '';
    const rule = EVIDENCE_MEDIA_TYPES[mediaType];
    if (!rule)
      throw userError(
        'evidence_type_not_allowed',
        'evidence.typeNotAllowed',
        { type: JSON.stringify(String(f?.mediaType ?? '').slice(0, 100)), accepted: Object.keys(EVIDENCE_MEDIA_TYPES).join(', ') },
        { mediaType: String(f?.mediaType ?? '').slice(0, 100), allowed: Object.keys(EVIDENCE_MEDIA_TYPES) },
      );
    const name = checkFileName(f.name, mediaType);
    const bytes = decode(f.content, name);
    if (bytes.length === 0) throw userError('validation_failed', 'evidence.empty', { name });
    if (bytes.length > EVIDENCE_LIMITS.fileBytes) throw fileTooLarge(name);
    total += bytes.length;
    if (total > EVIDENCE_LIMITS.credentialBytes)
      throw userError('evidence_file_too_large', 'evidence.totalTooLarge', { size: sizeLabel(EVIDENCE_LIMITS.credentialBytes) }, { limit: EVIDENCE_LIMITS.credentialBytes });
    if (!rule.matches(bytes)) throw userError('evidence_type_not_allowed', 'evidence.contentMismatch', { name, type: mediaType }, { name, mediaType });
    const hash = createHash('sha256').update(bytes).digest();
    const digest = hash.toString('hex');
    if (out.some((o) => o.digest === digest)) throw userError('validation_failed', 'evidence.twice', { name, other: out.find((o) => o.digest === digest)!.name });
    out.push({ name, mediaType, digest, sri: `sha256-${hash.toString('base64')}`, size: bytes.length, bytes });
  }
  return out;
}

/** The URL an evidence file is served at: under the node's public URL, ending in its hex digest. */
export function evidenceFileUrl(base: string, digest: string): string {
  return `${base.replace(/\/$/, '')}/api/v1/evidence/${digest}`;
}

/** The hex digest at the end of an evidence file URL of the node at `base`, or null for any other URL. */
export function digestOfEvidenceUrl(base: string, url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const prefix = `${base.replace(/\/$/, '')}/api/v1/evidence/`;
  if (!url.startsWith(prefix)) return null;
  const d = url.slice(prefix.length);
  return /^[0-9a-f]{64}$/.test(d) ? d : null;
}

/** A stored evidence file as served. */
export interface StoredEvidenceFile {
  digest: string;
  name: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
  /** Served inline (images, PDF) or as a download under a sandbox. */
  inline: boolean;
}

/** The evidence files store (this node's database). */
export class EvidenceFiles {
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: { store: Store }) {
    this.st = prepareStatements(d.store);
  }

  /** Inside the credential's transaction: stores each file once (by digest) and links it to the credential. */
  storeInTx(credentialId: string, files: readonly PreparedEvidenceFile[], at: string): void {
    for (const f of files) {
      this.st.insertFile.run({ digest: f.digest, mediaType: f.mediaType, size: f.size, content: f.bytes, createdAt: at });
      this.st.link.run({ credentialId, digest: f.digest, name: f.name });
    }
  }

  /** Inside a re-issue's transaction: the new credential names the same files as the one it replaces. */
  copyLinksInTx(fromCredentialId: string, toCredentialId: string): void {
    for (const l of this.d.store.db.select().from(credentialEvidence).where(eq(credentialEvidence.credentialId, fromCredentialId)).all())
      this.st.link.run({ credentialId: toCredentialId, digest: l.digest, name: l.name });
  }

  /** A file linked to at least one credential (with the name of its first link), or null. */
  get(digest: string): StoredEvidenceFile | null {
    if (!/^[0-9a-f]{64}$/.test(digest)) return null;
    const r = this.st.get.get({ digest });
    if (!r) return null;
    return { digest, name: r.name, mediaType: r.mediaType, size: r.size, bytes: r.content, inline: EVIDENCE_MEDIA_TYPES[r.mediaType]?.inline ?? false };
  }

  /** The files a credential names (digest, name, type, size), in no particular order. */
  forCredential(credentialId: string): { digest: string; name: string; mediaType: string; size: number }[] {
    return this.d.store.db
      .select({ digest: credentialEvidence.digest, name: credentialEvidence.name, mediaType: evidenceFiles.mediaType, size: evidenceFiles.size })
      .from(credentialEvidence)
      .innerJoin(evidenceFiles, eq(evidenceFiles.digest, credentialEvidence.digest))
      .where(eq(credentialEvidence.credentialId, credentialId))
      .all();
  }

  /**
   * The SHA-256 (hex) of the bytes this node holds for a digest, recomputed now, or null when it holds none: what
   * the verifier compares with the digest the credential names (a file altered at rest no longer matches).
   */
  rehash(digest: string): string | null {
    const f = this.get(digest);
    return f ? createHash('sha256').update(f.bytes).digest('hex') : null;
  }
}

function prepareStatements(store: Store) {
  const p = (name: string) => sql.placeholder(name);
  return {
    insertFile: store.db
      .insert(evidenceFiles)
      .values({ digest: p('digest'), mediaType: p('mediaType'), size: p('size'), content: p('content'), createdAt: p('createdAt') })
      .onConflictDoNothing()
      .prepare(),
    link: store.db.insert(credentialEvidence).values({ credentialId: p('credentialId'), digest: p('digest'), name: p('name') }).onConflictDoNothing().prepare(),
    get: store.db
      .select({ name: credentialEvidence.name, mediaType: evidenceFiles.mediaType, size: evidenceFiles.size, content: evidenceFiles.content })
      .from(evidenceFiles)
      .innerJoin(credentialEvidence, eq(credentialEvidence.digest, evidenceFiles.digest))
      .where(and(eq(evidenceFiles.digest, p('digest'))))
      .orderBy(asc(credentialEvidence.credentialId))
      .limit(1)
      .prepare(),
  };
}
