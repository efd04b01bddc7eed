/**
 * What the verifier needs from the rest of the node, as interfaces (trust registry, status lists, catalogue,
 * freshness, clock, document loader), and the per-verifier context the checks share. Types only: it must never
 * import a store, the network or HTTP, so the verifier stays storage-independent and runs offline.
 */
import type { DocumentLoader } from '../../identity/document-loader.js';
import type { MicrocredentialRecordInput } from '../ob3.js';
import type { StatusBits, StatusPurpose } from '../status-list.js';

type MaybePromise<T> = T | Promise<T>;

export interface IssuerKeyTrust {
  institution: { did: string; name: string; country: string };
  /** The institution is a member of the network (admitted and not frozen). */
  member: boolean;
  /** When the key's `issuer-key` entry was published in the institution's feed (ISO 8601). */
  publishedAt: string;
  /** Optional start of the key's validity as declared in the entry. */
  validFrom?: string;
  revokedAt?: string | null;
  revocationReason?: string | null;
}

export interface StatusListView {
  bits: StatusBits;
  /** Purpose of the list, when known: must match the entry's `statusPurpose`. */
  purpose?: StatusPurpose;
}

export interface CatalogueHit {
  record: MicrocredentialRecordInput;
  /** Network-wide id (`<code>.<16 hex>`). */
  globalId?: string;
  /** DID of the institution whose feed lists it: must be the issuer key's institution. */
  institutionDid?: string;
  /** Set when the entry was withdrawn. */
  withdrawnAt?: string | null;
}

export interface Freshness {
  asOf: string;
  lagEntries?: number;
  peersConnected?: number;
}

export interface VerifierDeps {
  trust: { lookupIssuerKey(didKey: string): MaybePromise<IssuerKeyTrust | null> };
  status: {
    lookup(statusListCredential: string): MaybePromise<StatusListView | null>;
    /** Since when the replica shows the bit at `index` set (the time of the status-list entry that set it), if known. */
    setSince?(statusListCredential: string, index: number): MaybePromise<string | null>;
    /** The reason category (schemas/status-reason.schema.json) its issuer gave for the set bit at `index`, if any. */
    reasonAt?(statusListCredential: string, index: number): MaybePromise<string | null>;
  };
  catalogue: { lookup(achievementId: string, globalId: string | null): MaybePromise<CatalogueHit | null> };
  freshness(): MaybePromise<Freshness>;
  now(): Date;
  /** Reuse one loader across calls (its did:key cache); a fresh offline loader otherwise. */
  documentLoader?: DocumentLoader;
  /**
   * Extra documents (contexts, non-did:key verification methods) the verifier may use, by URL: for test vectors
   * only. Served by the default loader; a caller giving its own `documentLoader` must serve them too.
   */
  extraDocuments?: Record<string, unknown>;
  /** Tolerance for clock comparisons (validity period, key publication), seconds. Default 300. */
  maxClockSkewSeconds?: number;
  /**
   * Evidence files the verifying node stores: for a URL of its evidence route, the SHA-256 (hex) of the bytes it holds
   * now (null: none), undefined for any other URL. Absent: no `evidence` check (verify/evidence.ts).
   */
  evidence?: { hashOf(url: string): MaybePromise<string | null | undefined> };
  /** Largest accepted input, in characters of JSON. Default 1,000,000. */
  maxInputChars?: number;
}

/** What one verifier (createVerifier) shares across its checks and calls. */
export interface VerifierContext {
  deps: VerifierDeps;
  documentLoader: DocumentLoader;
  suites: unknown[];
  skew: number;
}
