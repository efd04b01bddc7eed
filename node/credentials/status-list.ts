/**
 * W3C Bitstring Status List: the bitstring (index 0 = left-most bit of the first byte), its GZIP + base64url
 * multibase ('u') encoding, bounded decoding, the `BitstringStatusListEntry` of a credential and the
 * `BitstringStatusListCredential` served over HTTP. Must never hold personal data (only bits) and never decode
 * more than the configured limits: a hostile list must not blow memory.
 */
import { gzipSync, gunzipSync } from 'node:zlib';
import { RegistryError } from '../core/errors.js';
import { CONTEXTS } from '../identity/document-loader.js';
import type { StatusEntry } from './ob3.js';
import { isoSeconds } from './ob3.js';
import type { CredentialSigner, SignOptions } from './sign.js';

/** Herd-privacy minimum of the spec: 16 KiB = 131,072 entries. */
export const MIN_STATUS_LIST_BITS = 131_072;
/** Default decoding bounds: 16 Mbit (2 MiB) decoded, 1 MiB encoded. */
export const DEFAULT_MAX_BITS = 16 * 1024 * 1024;
export const DEFAULT_MAX_ENCODED_CHARS = 1024 * 1024;

export type StatusPurpose = 'revocation' | 'suspension';

/** Read-only view a verifier needs (what `status.lookup()` returns). */
export interface StatusBits {
  readonly length: number;
  get(index: number): boolean;
}

export class StatusList implements StatusBits {
  private readonly bytes: Uint8Array;

  /** A new all-zero list of `length` bits (rounded up to whole bytes, at least the herd-privacy minimum). */
  constructor(length: number = MIN_STATUS_LIST_BITS, bytes?: Uint8Array) {
    if (!Number.isInteger(length) || length <= 0) throw new RegistryError('validation_failed', 'status list length');
    if (bytes) {
      if (bytes.length * 8 < length) throw new RegistryError('validation_failed', 'status list bytes shorter than length');
      this.bytes = bytes;
    } else {
      if (length < MIN_STATUS_LIST_BITS) {
        throw new RegistryError('validation_failed', `a status list has at least ${MIN_STATUS_LIST_BITS} entries`);
      }
      this.bytes = new Uint8Array(Math.ceil(length / 8));
    }
    this.length = this.bytes.length * 8;
  }

  readonly length: number;

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RegistryError('validation_failed', `status index ${index} out of range 0..${this.length - 1}`);
    }
  }

  get(index: number): boolean {
    this.check(index);
    return (this.bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value = true): void {
    this.check(index);
    const mask = 0x80 >> (index & 7);
    if (value) this.bytes[index >> 3]! |= mask;
    else this.bytes[index >> 3]! &= ~mask;
  }

  clear(index: number): void {
    this.set(index, false);
  }

  /** Indices of set bits (for projections and tests). */
  setIndices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bytes.length; i++) {
      const b = this.bytes[i]!;
      if (b === 0) continue;
      for (let j = 0; j < 8; j++) if (b & (0x80 >> j)) out.push(i * 8 + j);
    }
    return out;
  }

  /** `encodedList`: 'u' + base64url (no padding) of the GZIP of the bitstring. */
  encode(): string {
    return 'u' + gzipSync(this.bytes).toString('base64url');
  }

  toBytes(): Uint8Array {
    return new Uint8Array(this.bytes);
  }

  static decode(encoded: string, limits: { maxBits?: number; maxEncodedChars?: number } = {}): StatusList {
    return new StatusList(...decodeBits(encoded, limits));
  }
}

function decodeBits(
  encoded: string,
  { maxBits = DEFAULT_MAX_BITS, maxEncodedChars = DEFAULT_MAX_ENCODED_CHARS }: { maxBits?: number; maxEncodedChars?: number },
): [number, Uint8Array] {
  if (typeof encoded !== 'string' || encoded.length < 2) throw new RegistryError('validation_failed', 'encodedList is empty');
  if (encoded.length > maxEncodedChars) {
    throw new RegistryError('payload_too_large', `encodedList longer than ${maxEncodedChars} characters`);
  }
  // The spec's multibase prefix is 'u'; lists from older (StatusList2021) issuers omit it.
  const body = encoded.startsWith('u') ? encoded.slice(1) : encoded;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body)) throw new RegistryError('validation_failed', 'encodedList is not base64url');
  let bytes: Buffer;
  try {
    bytes = gunzipSync(Buffer.from(body, 'base64url'), { maxOutputLength: Math.ceil(maxBits / 8) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /maxOutputLength|too large/i.test((e as Error).message)) {
      throw new RegistryError('payload_too_large', `status list decodes to more than ${maxBits} bits`);
    }
    throw new RegistryError('validation_failed', `encodedList is not GZIP data: ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new RegistryError('validation_failed', 'status list is empty');
  return [bytes.length * 8, new Uint8Array(bytes)];
}

/** Decodes an `encodedList` within the limits (throws `payload_too_large` / `validation_failed`). */
export function decodeStatusList(encoded: string, limits?: { maxBits?: number; maxEncodedChars?: number }): StatusList {
  return StatusList.decode(encoded, limits);
}

export function createStatusList(length: number = MIN_STATUS_LIST_BITS): StatusList {
  return new StatusList(length);
}

/** The `credentialStatus` entry of a credential at `index` of the list published at `statusListCredential`. */
export function buildStatusEntry(args: {
  statusListCredential: string;
  index: number;
  purpose: StatusPurpose;
}): StatusEntry {
  if (!Number.isInteger(args.index) || args.index < 0) throw new RegistryError('validation_failed', 'statusListIndex');
  if (args.purpose !== 'revocation' && args.purpose !== 'suspension') {
    throw new RegistryError('validation_failed', `unsupported status purpose ${String(args.purpose)}`);
  }
  return {
    id: `${args.statusListCredential}#${args.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: args.purpose,
    statusListIndex: String(args.index),
    statusListCredential: args.statusListCredential,
  };
}

/**
 * The suspension list paired with a revocation list: same issuer key, same size, and a credential's suspension bit
 * at the same index as its revocation bit. Open Badges 3.0 allows one `credentialStatus` entry, so a credential names
 * only its revocation entry; verifiers in the network find the suspension bit through this pairing (a local id
 * `<revocation list id>-s`, network-wide `<id>-s.<tag>`).
 */
export function pairedSuspensionListId(revocationListId: string): string {
  const dot = revocationListId.lastIndexOf('.');
  return dot < 0 ? `${revocationListId}-s` : `${revocationListId.slice(0, dot)}-s${revocationListId.slice(dot)}`;
}

/** URL of the suspension list paired with the revocation list at `url` (a `.../api/v1/status-lists/<id>` URL), or null. */
export function pairedSuspensionListUrl(url: string): string | null {
  const m = /^(.*\/api\/v1\/status-lists\/)([^/?#]+)$/.exec(url);
  if (!m?.[1] || !m[2]) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    return null;
  }
  return m[1] + encodeURIComponent(pairedSuspensionListId(id));
}

/** Unsigned `BitstringStatusListCredential` (VC 2.0) for the list; `id` is the URL it is served at. */
export function buildStatusListCredential(args: {
  id: string;
  issuerDid: string;
  purpose: StatusPurpose;
  list: StatusList;
  validFrom: Date | string;
  validUntil?: Date | string;
  /** Cache hint for verifiers (the spec's `ttl`, in milliseconds). */
  ttl?: number;
}): Record<string, unknown> {
  const subject: Record<string, unknown> = {
    id: `${args.id}#list`,
    type: 'BitstringStatusList',
    statusPurpose: args.purpose,
    encodedList: args.list.encode(),
  };
  if (args.ttl !== undefined) subject['ttl'] = args.ttl;
  const vc: Record<string, unknown> = {
    '@context': [CONTEXTS.VC_V2],
    id: args.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: args.issuerDid,
    validFrom: isoSeconds(args.validFrom),
    credentialSubject: subject,
  };
  if (args.validUntil) vc['validUntil'] = isoSeconds(args.validUntil);
  return vc;
}

/** Builds and signs the status list credential with the issuer key's signer. */
export async function signStatusListCredential(
  signer: CredentialSigner,
  args: Omit<Parameters<typeof buildStatusListCredential>[0], 'issuerDid'>,
  options?: SignOptions,
): Promise<Record<string, unknown>> {
  return signer.sign(buildStatusListCredential({ ...args, issuerDid: signer.did }), options);
}

/**
 * Reads the bits of a `BitstringStatusListCredential` (already verified by the caller, e.g. a feed entry).
 * Returns the purpose and the decoded list, within the limits.
 */
export function statusListFromCredential(
  credential: unknown,
  limits?: { maxBits?: number; maxEncodedChars?: number },
): { purpose: StatusPurpose; list: StatusList; issuer: string | undefined } {
  const c = credential as { credentialSubject?: { statusPurpose?: unknown; encodedList?: unknown }; issuer?: unknown };
  const s = c?.credentialSubject;
  if (!s || typeof s.encodedList !== 'string') throw new RegistryError('validation_failed', 'not a status list credential');
  if (s.statusPurpose !== 'revocation' && s.statusPurpose !== 'suspension') {
    throw new RegistryError('validation_failed', `unsupported status purpose ${String(s.statusPurpose)}`);
  }
  const issuer = typeof c.issuer === 'string' ? c.issuer : (c.issuer as { id?: string } | undefined)?.id;
  return { purpose: s.statusPurpose, list: decodeStatusList(s.encodedList, limits), issuer };
}
