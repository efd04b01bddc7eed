/**
 * Verifies a credential or presentation and returns a report of checks (`ok` / `failed` / `unchecked`, each with its
 * reason) plus what the replica knows about the issuer and the microcredential. Storage-independent: trust, status,
 * catalogue and freshness come in as interfaces. It must never throw on any input, never fetch from the network
 * (contexts are bundled, did:key is derived locally) and never say "verified" for something it could not check.
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { CONTEXTS, createDocumentLoader, isBundledContext, type DocumentLoader } from '../identity/document-loader.js';
import {
  LEARNING_OUTCOME_TARGET_TYPE,
  microcredentialIdFromUri,
  type MicrocredentialRecordInput,
} from './ob3.js';
import type { StatusBits, StatusPurpose } from './status-list.js';
import { installJsonLdContextCache } from './jsonld-context-cache.js';
import { createCachingEddsaRdfc2022Cryptosuite } from './ed25519-fast.js';
import { checkProofSet, type ProofRef } from './proof-set.js';
import { checkHolder, holderOf, presentationChecks, presentationOptions, presentationSummary, type PresentationOptions } from './presentation.js';

// ---------------------------------------------------------------------------------------------------------------
// Dependencies (implemented by trust / store / federation; sync or async)

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
  status: { lookup(statusListCredential: string): MaybePromise<StatusListView | null> };
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
  /** Largest accepted input, in characters of JSON. Default 1,000,000. */
  maxInputChars?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

export type CheckId =
  | 'parse'
  | 'contexts'
  | 'proof'
  | 'issuer_known'
  | 'key_valid_at_issuance'
  | 'status'
  | 'validity_period'
  | 'schema'
  | 'microcredential_listed'
  /** Presentations (and credentials verified against a challenge / domain): the holder's own proof. */
  | 'holder_authenticated';

export type CheckStatus = 'ok' | 'failed' | 'unchecked';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  reason: string;
  /** `proof` / `holder_authenticated`: the proof of the set that failed or could not be checked. */
  proof?: ProofRef;
}

export interface CredentialSummary {
  id?: string;
  type: string[];
  issuer?: string;
  issuerName?: string;
  claimedInstitutionDid?: string;
  validFrom?: string;
  validUntil?: string;
  achievement?: { id?: string; name?: string; achievementType?: string };
  learner?: { id?: string; name?: string; identityHash?: string };
  proofType?: string;
}

export interface VerificationReport {
  kind: 'credential' | 'presentation';
  /** True only when every check is `ok`. */
  verified: boolean;
  /** `verified`; `failed` when any check failed; `incomplete` when nothing failed but something was unchecked. */
  outcome: 'verified' | 'failed' | 'incomplete';
  checks: Check[];
  credential?: CredentialSummary;
  issuer?: { did: string; name: string; country: string; member: boolean; keyId: string };
  microcredential?: { achievementId: string; globalId?: string; record: MicrocredentialRecordInput };
  /** Presentations: one report per contained credential. */
  credentials?: VerificationReport[];
  holder?: string;
  /** Presentations: one line for the whole, e.g. "credentials verified, holder not authenticated". */
  summary?: string;
  freshness: Freshness | null;
  checkedAt: string;
}

export const CHECK_ORDER: readonly CheckId[] = Object.freeze([
  'parse',
  'contexts',
  'proof',
  'issuer_known',
  'key_valid_at_issuance',
  'status',
  'validity_period',
  'schema',
  'microcredential_listed',
]);

const VC_CONTEXTS = new Set<string>([CONTEXTS.VC_V1, CONTEXTS.VC_V2]);
const OB_TYPES = new Set(['OpenBadgeCredential', 'AchievementCredential']);

// ---------------------------------------------------------------------------------------------------------------

export interface Verifier {
  /** `options`: the challenge / domain the caller asked the holder of a presentation to sign. */
  verify(input: unknown, options?: PresentationOptions): Promise<VerificationReport>;
}

/** A verifier that reuses its document loader and proof suites across calls (use this on hot paths). */
export function createVerifier(deps: VerifierDeps): Verifier {
  installJsonLdContextCache();
  const documentLoader = deps.documentLoader ?? createDocumentLoader({ extraDocuments: deps.extraDocuments });
  const suites = [new DataIntegrityProof({ cryptosuite: createCachingEddsaRdfc2022Cryptosuite() }), new Ed25519Signature2020()];
  const ctx: Ctx = { deps, documentLoader, suites, skew: deps.maxClockSkewSeconds ?? 300 };
  return { verify: (input, options) => verifyTop(ctx, input, presentationOptions(options)) };
}

/** Verifies one input (JSON text, bytes or a parsed object: a credential or a presentation). Never throws. */
export async function verifyCredential(input: unknown, deps: VerifierDeps, options?: PresentationOptions): Promise<VerificationReport> {
  return createVerifier(deps).verify(input, options);
}

interface Ctx {
  deps: VerifierDeps;
  documentLoader: DocumentLoader;
  suites: unknown[];
  skew: number;
}

class Checks {
  private readonly map = new Map<CheckId, Check>();
  set(id: CheckId, status: CheckStatus, reason: string, proof?: ProofRef): void {
    this.map.set(id, proof ? { id, status, reason, proof } : { id, status, reason });
  }
  has(id: CheckId): boolean {
    return this.map.has(id);
  }
  get(id: CheckId): Check | undefined {
    return this.map.get(id);
  }
  list(): Check[] {
    return CHECK_ORDER.map((id) => this.map.get(id) ?? { id, status: 'unchecked' as const, reason: 'not reached' });
  }
}

function finish(
  kind: VerificationReport['kind'],
  checks: Check[],
  freshness: Freshness | null,
  now: Date,
  extra: Partial<VerificationReport> = {},
): VerificationReport {
  const failed = checks.some((c) => c.status === 'failed');
  const unchecked = checks.some((c) => c.status === 'unchecked');
  return {
    kind,
    verified: !failed && !unchecked,
    outcome: failed ? 'failed' : unchecked ? 'incomplete' : 'verified',
    checks,
    ...extra,
    freshness,
    checkedAt: now.toISOString(),
  };
}

async function safeFreshness(deps: VerifierDeps): Promise<Freshness | null> {
  try {
    return await deps.freshness();
  } catch {
    return null;
  }
}

function safeNow(deps: VerifierDeps): Date {
  try {
    const d = deps.now();
    if (d instanceof Date && !Number.isNaN(d.getTime())) return d;
  } catch {
    /* fall through */
  }
  return new Date();
}

async function verifyTop(ctx: Ctx, input: unknown, options: PresentationOptions): Promise<VerificationReport> {
  const now = safeNow(ctx.deps);
  const freshness = await safeFreshness(ctx.deps);
  let parsed: unknown;
  try {
    parsed = parseInput(input, ctx.deps.maxInputChars ?? 1_000_000);
  } catch (e) {
    return invalid((e as Error).message, freshness, now);
  }
  try {
    const obj = parsed as Record<string, unknown>;
    const types = asArray(obj['type']).filter((t): t is string => typeof t === 'string');
    if (types.includes('VerifiablePresentation')) return await verifyPresentation(ctx, obj, options, freshness, now);
    const report = await verifyOne(ctx, obj, freshness, now);
    if (options.challenge === undefined && options.domain === undefined) return report;
    // The caller asked a holder to prove presence: a bare credential cannot, whatever its own checks say.
    const holder: Check = {
      id: 'holder_authenticated',
      status: 'unchecked',
      reason: 'a challenge / domain was given, but a credential alone carries no holder proof: send a presentation signed by its holder',
    };
    return finish('credential', [...report.checks, holder], freshness, now, withoutOutcome(report));
  } catch (e) {
    // Defensive: a bug in a check must still produce a report, never an exception.
    return invalid(`internal error while verifying: ${(e as Error)?.message ?? String(e)}`, freshness, now);
  }
}

function invalid(reason: string, freshness: Freshness | null, now: Date): VerificationReport {
  const checks = CHECK_ORDER.map<Check>((id) =>
    id === 'parse' ? { id, status: 'failed', reason } : { id, status: 'unchecked', reason: 'input could not be parsed' },
  );
  return finish('credential', checks, freshness, now);
}

class ParseError extends Error {}

function parseInput(input: unknown, maxChars: number): unknown {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) text = new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text !== undefined) {
    if (text.length > maxChars) throw new ParseError(`input is larger than ${maxChars} characters`);
    try {
      input = JSON.parse(text);
    } catch {
      throw new ParseError('input is not valid JSON');
    }
  } else {
    // A parsed object: normalise to plain JSON (drops functions/undefined, rejects cycles and BigInt).
    try {
      const s = JSON.stringify(input);
      if (s === undefined) throw new Error('x');
      if (s.length > maxChars) throw new ParseError(`input is larger than ${maxChars} characters`);
      input = JSON.parse(s);
    } catch (e) {
      if (e instanceof ParseError) throw e;
      throw new ParseError('input is not JSON data');
    }
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new ParseError('input is not a JSON object (a credential or presentation is an object)');
  }
  return input;
}

/** A report's details without the fields `finish` computes (to rebuild it with more checks). */
function withoutOutcome(r: VerificationReport): Partial<VerificationReport> {
  const rest: Partial<VerificationReport> = { ...r };
  for (const k of ['kind', 'verified', 'outcome', 'checks', 'freshness', 'checkedAt'] as const) delete rest[k];
  return rest;
}

/** Presentation checks: the credentials' checks (worst of each), the holder's proof after the credentials' proofs. */
const PRESENTATION_CHECK_ORDER: readonly CheckId[] = Object.freeze([...CHECK_ORDER.slice(0, 3), 'holder_authenticated', ...CHECK_ORDER.slice(3)]);

async function verifyPresentation(
  ctx: Ctx,
  vp: Record<string, unknown>,
  options: PresentationOptions,
  freshness: Freshness | null,
  now: Date,
): Promise<VerificationReport> {
  const checks = new Checks();
  const ctxs = asArray(vp['@context']);
  if (!VC_CONTEXTS.has(ctxs[0] as string)) {
    checks.set('parse', 'failed', 'a presentation must start its @context with the VC 1.1 or 2.0 context');
  }
  const inner = asArray(vp['verifiableCredential']);
  if (inner.length === 0 && !checks.has('parse')) checks.set('parse', 'failed', 'the presentation contains no credential');
  if (inner.length > 100 && !checks.has('parse')) checks.set('parse', 'failed', 'the presentation contains more than 100 credentials');
  const credentials: VerificationReport[] = [];
  let holderCheck: Check = { id: 'holder_authenticated', status: 'unchecked', reason: 'not a well-formed presentation' };
  // The envelope's own contexts (the credentials' are their own `contexts` checks).
  const envelope = unbundledContexts(ctx, { ...vp, verifiableCredential: null });
  if (!checks.has('parse')) {
    checks.set('parse', 'ok', `presentation with ${inner.length} credential(s)`);
    for (const c of inner) {
      if (typeof c === 'string') {
        credentials.push(invalid('enveloped (JWT / VC-JOSE) credentials are not supported', freshness, now));
      } else if (!c || typeof c !== 'object' || Array.isArray(c)) {
        credentials.push(invalid('a presentation entry is not a credential object', freshness, now));
      } else {
        credentials.push(await verifyOne(ctx, c as Record<string, unknown>, freshness, now));
      }
    }
    holderCheck = await checkHolder(
      {
        documentLoader: ctx.documentLoader,
        suite: ctx.suites[0],
        resolvable: (vm) => vm.startsWith('did:key:') || isExtraContext(ctx, vm.split('#')[0]!) || isExtraContext(ctx, vm),
        unbundledContexts: (doc) => unbundledContexts(ctx, doc),
        now,
        skewMs: ctx.skew * 1000,
      },
      vp,
      options,
    );
  }
  const list = presentationChecks(PRESENTATION_CHECK_ORDER, { parse: checks.get('parse')!, holder: holderCheck, envelopeUnbundled: envelope }, credentials);
  const credentialChecks = list.filter((c) => c.id !== 'holder_authenticated');
  const holder = holderOf(vp);
  return finish('presentation', list, freshness, now, {
    credentials,
    ...(holder ? { holder } : {}),
    summary: presentationSummary(credentialChecks, holderCheck),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// One credential

async function verifyOne(
  ctx: Ctx,
  c: Record<string, unknown>,
  freshness: Freshness | null,
  now: Date,
): Promise<VerificationReport> {
  const checks = new Checks();
  const summary = summarise(c);

  // parse: the VC data model's shape.
  const parseProblem = vcShapeProblem(c);
  if (parseProblem) {
    checks.set('parse', 'failed', parseProblem);
    for (const id of CHECK_ORDER) if (id !== 'parse') checks.set(id, 'unchecked', 'not a verifiable credential');
    return finish('credential', checks.list(), freshness, now, { credential: summary });
  }
  checks.set('parse', 'ok', `verifiable credential (VC ${asArray(c['@context'])[0] === CONTEXTS.VC_V2 ? '2.0' : '1.1'})`);

  // contexts: every referenced context must be bundled (never fetched).
  const unknown = unbundledContexts(ctx, c);
  if (unknown.length) {
    checks.set(
      'contexts',
      'failed',
      `context not bundled: ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', ...' : ''} (the verifier never fetches from the network)`,
    );
    checks.set('proof', 'unchecked', 'the proof cannot be checked without all its contexts');
  } else {
    checks.set('contexts', 'ok', 'all contexts are bundled');
    await checkProof(ctx, c, checks);
  }

  const issuerId = summary.issuer;
  const trust = await checkIssuer(ctx, issuerId, summary, checks);
  checkKeyValidity(ctx, c, trust, checks);
  await checkStatus(ctx, c, checks);
  checkValidity(ctx, c, now, checks);
  checkSchema(c, checks);
  const listed = await checkListed(ctx, c, trust, checks);

  return finish('credential', checks.list(), freshness, now, {
    credential: summary,
    ...(trust && issuerId
      ? {
          issuer: {
            did: trust.institution.did,
            name: trust.institution.name,
            country: trust.institution.country,
            member: trust.member,
            keyId: issuerId,
          },
        }
      : {}),
    ...(listed ? { microcredential: listed } : {}),
  });
}

function isExtraContext(ctx: Ctx, url: string): boolean {
  return ctx.deps.extraDocuments !== undefined && Object.prototype.hasOwnProperty.call(ctx.deps.extraDocuments, url);
}

function unbundledContexts(ctx: Ctx, doc: unknown): string[] {
  return [...collectContextUrls(doc)].filter((u) => !isBundledContext(u) && !isExtraContext(ctx, u));
}

function vcShapeProblem(c: Record<string, unknown>): string | null {
  const ctxs = asArray(c['@context']);
  if (ctxs.length === 0) return 'no @context: this is not a verifiable credential';
  if (!VC_CONTEXTS.has(ctxs[0] as string)) {
    return `the first @context must be ${CONTEXTS.VC_V2} (or ${CONTEXTS.VC_V1}), found ${JSON.stringify(ctxs[0]).slice(0, 100)}`;
  }
  const types = asArray(c['type']);
  if (!types.includes('VerifiableCredential')) return 'type does not include VerifiableCredential';
  const issuer = c['issuer'];
  const issuerId = typeof issuer === 'string' ? issuer : (issuer as { id?: unknown } | null)?.id;
  if (typeof issuerId !== 'string' || !issuerId) return 'the credential has no issuer id';
  if (!c['credentialSubject'] || typeof c['credentialSubject'] !== 'object') return 'the credential has no credentialSubject';
  return null;
}

function collectContextUrls(node: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 64 || !node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const v of node) collectContextUrls(v, out, depth + 1);
    return out;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === '@context' || k === '@import') {
      for (const x of asArray(v)) {
        if (typeof x === 'string') out.add(x);
        else collectContextUrls(x, out, depth + 1);
      }
    } else if (typeof v === 'object') {
      collectContextUrls(v, out, depth + 1);
    }
  }
  return out;
}

const SUPPORTED_SUITES = 'DataIntegrityProof/eddsa-rdfc-2022 or Ed25519Signature2020';

/** The issuer's proofs: every proof of the set must verify (Data Integrity); a failure names its proof. */
async function checkProof(ctx: Ctx, c: Record<string, unknown>, checks: Checks): Promise<void> {
  const proofs = asArray(c['proof']);
  const result = await checkProofSet(proofs, {
    noun: 'credential',
    precheck: (p, ref) => {
      if (!((p['type'] === 'DataIntegrityProof' && p['cryptosuite'] === 'eddsa-rdfc-2022') || p['type'] === 'Ed25519Signature2020')) {
        const name = p['type'] === 'DataIntegrityProof' ? `${ref.type}/${String(p['cryptosuite'])}` : ref.type;
        return { status: 'failed', reason: `unsupported proof suite: ${name} (supported: ${SUPPORTED_SUITES})` };
      }
      const vm = ref.verificationMethod;
      if (vm === undefined) return { status: 'failed', reason: 'the proof has no verificationMethod' };
      if (!vm.startsWith('did:key:') && !isExtraContext(ctx, vm.split('#')[0]!) && !isExtraContext(ctx, vm)) {
        return { status: 'failed', reason: `verification method ${vm} is not a did:key (only did:key issuers are resolvable offline)` };
      }
      return null;
    },
    // The credential with this proof alone: jsonld-signatures calls a set verified when ANY proof verifies.
    verifyOne: (p) =>
      vc.verifyCredential({
        credential: { ...c, proof: p },
        suite: ctx.suites,
        documentLoader: ctx.documentLoader,
        // Dates are the validity_period check's business: the proof check is cryptographic only.
        maxClockSkew: Infinity,
        checkStatus: async () => ({ verified: true }),
      }),
    okReason: (refs) => {
      const suite = (r: ProofRef): string => (r.type === 'DataIntegrityProof' ? 'DataIntegrityProof (eddsa-rdfc-2022)' : r.type);
      if (refs.length === 1) return `${suite(refs[0]!)} signature verified with ${refs[0]!.verificationMethod ?? ''}`;
      return `all ${refs.length} proofs verified: ${refs.map((r) => `${suite(r)} with ${r.verificationMethod ?? ''}`).join('; ')}`;
    },
  });
  checks.set('proof', result.status, result.reason, result.proof);
}

async function checkIssuer(
  ctx: Ctx,
  issuerId: string | undefined,
  summary: CredentialSummary,
  checks: Checks,
): Promise<IssuerKeyTrust | null> {
  if (!issuerId) {
    checks.set('issuer_known', 'failed', 'the credential has no issuer');
    return null;
  }
  if (!issuerId.startsWith('did:key:')) {
    checks.set('issuer_known', 'failed', `issuer ${issuerId} is not a did:key: not an issuer key of the network`);
    return null;
  }
  let trust: IssuerKeyTrust | null;
  try {
    trust = await ctx.deps.trust.lookupIssuerKey(issuerId);
  } catch (e) {
    checks.set('issuer_known', 'unchecked', `trust registry unavailable: ${(e as Error).message}`);
    return null;
  }
  if (!trust) {
    checks.set(
      'issuer_known',
      'failed',
      `issuer key ${issuerId} is not published by any institution of the network (issued outside the network)`,
    );
    return null;
  }
  const inst = trust.institution;
  if (summary.claimedInstitutionDid && summary.claimedInstitutionDid !== inst.did) {
    checks.set(
      'issuer_known',
      'failed',
      `the credential claims institution ${summary.claimedInstitutionDid} but the key belongs to ${inst.name} (${inst.did})`,
    );
    return trust;
  }
  if (!trust.member) {
    checks.set('issuer_known', 'failed', `the key belongs to ${inst.name} (${inst.country}), which is not a member of the network`);
    return trust;
  }
  checks.set('issuer_known', 'ok', `issuer key of ${inst.name} (${inst.country}), a member of the network`);
  return trust;
}

function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function issuanceTime(c: Record<string, unknown>): { at: number | null; label: string } {
  if (c['validFrom'] !== undefined) return { at: time(c['validFrom']), label: 'validFrom' };
  if (c['issuanceDate'] !== undefined) return { at: time(c['issuanceDate']), label: 'issuanceDate' };
  return { at: null, label: 'validFrom' };
}

function checkKeyValidity(ctx: Ctx, c: Record<string, unknown>, trust: IssuerKeyTrust | null, checks: Checks): void {
  if (!trust) {
    checks.set('key_valid_at_issuance', 'unchecked', 'the issuer key is not known to the network');
    return;
  }
  const { at, label } = issuanceTime(c);
  if (at === null) {
    checks.set('key_valid_at_issuance', 'failed', `the credential has no valid ${label} to compare with the key's validity`);
    return;
  }
  const skew = ctx.skew * 1000;
  const published = time(trust.publishedAt);
  const keyFrom = time(trust.validFrom) ?? published;
  if (published === null) {
    checks.set('key_valid_at_issuance', 'unchecked', 'the key publication date is unknown');
    return;
  }
  if (at + skew < published || (keyFrom !== null && at + skew < keyFrom)) {
    checks.set(
      'key_valid_at_issuance',
      'failed',
      `issued (${label} ${String(c[label])}) before the key was published in the institution's feed (${trust.publishedAt})`,
    );
    return;
  }
  const revoked = time(trust.revokedAt ?? undefined);
  if (revoked !== null) {
    // The latest proof counts: in a proof set, any proof made after the revocation was made with a revoked key.
    const proofCreated = asArray(c['proof'])
      .map((p) => time((p as { created?: unknown })?.created))
      .reduce<number | null>((a, t) => (t !== null && (a === null || t > a) ? t : a), null);
    const reason = trust.revocationReason ?? 'revoked';
    if (at >= revoked) {
      checks.set('key_valid_at_issuance', 'failed', `issued at or after the key was ${reason} (${trust.revokedAt})`);
      return;
    }
    if (proofCreated !== null && proofCreated >= revoked + skew) {
      checks.set('key_valid_at_issuance', 'failed', `signed (proof created) after the key was ${reason} (${trust.revokedAt})`);
      return;
    }
    if (reason === 'compromised') {
      // The dates are the signer's own claim: whoever holds the stolen key can backdate a credential (and leave out
      // its status entry), so one that claims to precede the compromise cannot be told apart from a forgery. The
      // institution re-issues what it issued with that key under its current key.
      checks.set(
        'key_valid_at_issuance',
        'unchecked',
        `signed by a key its institution declared compromised (${trust.revokedAt}); the credential claims an earlier date, but dates are set by the signer and cannot be trusted after a key is stolen: ask the issuer, or the holder for the credential re-issued under the institution's current key`,
      );
      return;
    }
    checks.set('key_valid_at_issuance', 'ok', `issued while the key was valid (published ${trust.publishedAt}, ${reason} ${trust.revokedAt})`);
    return;
  }
  checks.set('key_valid_at_issuance', 'ok', `issued after the key was published (${trust.publishedAt}); the key is not revoked`);
}

async function checkStatus(ctx: Ctx, c: Record<string, unknown>, checks: Checks): Promise<void> {
  const entries = asArray(c['credentialStatus']);
  if (entries.length === 0) {
    checks.set('status', 'ok', 'the credential has no status entry: its issuer cannot revoke or suspend it');
    return;
  }
  const results: Check[] = [];
  for (const raw of entries) {
    const e = (raw ?? {}) as Record<string, unknown>;
    const purpose = e['statusPurpose'];
    if (e['type'] !== 'BitstringStatusListEntry') {
      results.push({ id: 'status', status: 'unchecked', reason: `unsupported status type ${String(e['type'])}` });
      continue;
    }
    const url = e['statusListCredential'];
    const idx = typeof e['statusListIndex'] === 'string' && /^\d{1,10}$/.test(e['statusListIndex']) ? Number(e['statusListIndex']) : NaN;
    if (typeof url !== 'string' || !Number.isSafeInteger(idx)) {
      results.push({ id: 'status', status: 'failed', reason: 'malformed status entry (statusListCredential / statusListIndex)' });
      continue;
    }
    let view: StatusListView | null;
    try {
      view = await ctx.deps.status.lookup(url);
    } catch (err) {
      results.push({ id: 'status', status: 'unchecked', reason: `status list ${url} could not be read: ${(err as Error).message}` });
      continue;
    }
    if (!view) {
      results.push({ id: 'status', status: 'unchecked', reason: `status list ${url} is not in this node's replica` });
      continue;
    }
    if (view.purpose && view.purpose !== purpose) {
      results.push({ id: 'status', status: 'failed', reason: `status list ${url} is a ${view.purpose} list, the entry says ${String(purpose)}` });
      continue;
    }
    if (idx >= view.bits.length) {
      results.push({ id: 'status', status: 'failed', reason: `statusListIndex ${idx} is outside the list (${view.bits.length} entries)` });
      continue;
    }
    const set = view.bits.get(idx);
    if (set) {
      results.push({
        id: 'status',
        status: 'failed',
        reason: purpose === 'suspension' ? 'the credential is suspended' : purpose === 'revocation' ? 'the credential is revoked' : `status bit set (${String(purpose)})`,
      });
    } else {
      results.push({ id: 'status', status: 'ok', reason: `not ${purpose === 'suspension' ? 'suspended' : 'revoked'} (${url}#${idx})` });
    }
  }
  const worst = results.find((r) => r.status === 'failed') ?? results.find((r) => r.status === 'unchecked');
  if (worst) checks.set('status', worst.status, worst.reason);
  else checks.set('status', 'ok', results.map((r) => r.reason).join('; '));
}

function checkValidity(ctx: Ctx, c: Record<string, unknown>, now: Date, checks: Checks): void {
  const v2 = asArray(c['@context'])[0] === CONTEXTS.VC_V2;
  const fromKey = v2 ? 'validFrom' : 'issuanceDate';
  const untilKey = v2 ? 'validUntil' : 'expirationDate';
  const skew = ctx.skew * 1000;
  const nowMs = now.getTime();
  const from = c[fromKey];
  const until = c[untilKey];
  if (from === undefined && !v2) {
    checks.set('validity_period', 'failed', 'a VC 1.1 credential needs issuanceDate');
    return;
  }
  const fromMs = from === undefined ? null : time(from);
  const untilMs = until === undefined ? null : time(until);
  if (from !== undefined && (fromMs === null || !vc.dateRegex.test(String(from)))) {
    checks.set('validity_period', 'failed', `${fromKey} is not a valid date-time: ${JSON.stringify(from).slice(0, 60)}`);
    return;
  }
  if (until !== undefined && (untilMs === null || !vc.dateRegex.test(String(until)))) {
    checks.set('validity_period', 'failed', `${untilKey} is not a valid date-time: ${JSON.stringify(until).slice(0, 60)}`);
    return;
  }
  if (fromMs !== null && fromMs > nowMs + skew) {
    checks.set('validity_period', 'failed', `not yet valid: ${fromKey} is ${String(from)}`);
    return;
  }
  if (untilMs !== null && untilMs < nowMs - skew) {
    checks.set('validity_period', 'failed', `expired: ${untilKey} was ${String(until)}`);
    return;
  }
  checks.set(
    'validity_period',
    'ok',
    untilMs === null ? `valid from ${String(from ?? 'issuance')}, no end date` : `valid from ${String(from ?? 'issuance')} until ${String(until)}`,
  );
}

/** OB 3.0 structure and the eleven mandatory EU elements. */
export function schemaProblems(c: Record<string, unknown>): { ob3: string[]; eu: string[] } {
  const ob3: string[] = [];
  const eu: string[] = [];
  const types = asArray(c['type']);
  if (!types.some((t) => OB_TYPES.has(t as string))) ob3.push('type is not OpenBadgeCredential / AchievementCredential');
  const subject = asArray(c['credentialSubject'])[0] as Record<string, unknown> | undefined;
  const ach = (subject?.['achievement'] ?? undefined) as Record<string, unknown> | undefined;
  if (!ach || typeof ach !== 'object') ob3.push('credentialSubject.achievement is missing');
  else {
    if (typeof ach['id'] !== 'string') ob3.push('achievement.id is missing');
    if (!asArray(ach['type']).includes('Achievement')) ob3.push('achievement.type must include Achievement');
    if (typeof ach['name'] !== 'string') ob3.push('achievement.name is missing');
    if (typeof ach['description'] !== 'string') ob3.push('achievement.description is missing');
    if (!ach['criteria'] || typeof ach['criteria'] !== 'object') ob3.push('achievement.criteria is missing');
  }
  if (subject && !asArray(subject['type']).some((t) => t === 'AchievementSubject')) ob3.push('credentialSubject.type must include AchievementSubject');
  const issuer = c['issuer'] as Record<string, unknown> | string | undefined;
  const issuerObj = typeof issuer === 'object' && issuer ? issuer : undefined;
  if (!issuerObj || !asArray(issuerObj['type']).includes('Profile')) ob3.push('issuer must be a Profile object');

  // EU elements (Council Recommendation 2022/C 243/02, Annex I, mandatory part).
  const a = ach ?? {};
  const identifiers = asArray(subject?.['identifier']);
  if (!subject || (typeof subject['id'] !== 'string' && identifiers.length === 0 && typeof subject['name'] !== 'string')) {
    eu.push('identification of the learner');
  }
  if (typeof a['name'] !== 'string' || !a['name']) eu.push('title');
  const countryOf = (p: unknown): unknown => ((p as { address?: { addressCountryCode?: unknown } } | undefined)?.address)?.addressCountryCode;
  if (typeof countryOf(issuerObj) !== 'string' && typeof countryOf(a['creator']) !== 'string') eu.push('country of the issuer');
  if (!(a['creator'] as { name?: unknown } | undefined)?.name && !issuerObj?.['name']) eu.push('awarding body');
  if (time(c['validFrom'] ?? c['issuanceDate'] ?? c['awardedDate']) === null) eu.push('date of issuing');
  const outcomes = asArray(a['alignment']).filter(
    (x) => (x as { targetType?: unknown })?.targetType === LEARNING_OUTCOME_TARGET_TYPE,
  );
  if (outcomes.length === 0) eu.push('learning outcomes');
  const workload = a['workload'] as { hours?: unknown } | undefined;
  if (!(typeof workload?.hours === 'number' && workload.hours > 0)) eu.push('notional workload');
  const level = a['level'] as { framework?: unknown; value?: unknown } | undefined;
  if (typeof level?.framework !== 'string' || level.value === undefined) eu.push('level');
  if (typeof a['assessmentType'] !== 'string') eu.push('type of assessment');
  if (typeof a['participationMode'] !== 'string') eu.push('form of participation');
  if (typeof a['qualityAssuranceType'] !== 'string') eu.push('type of quality assurance');
  return { ob3, eu };
}

function checkSchema(c: Record<string, unknown>, checks: Checks): void {
  const { ob3, eu } = schemaProblems(c);
  if (ob3.length) {
    checks.set('schema', 'failed', `not a valid Open Badges 3.0 credential: ${ob3.join('; ')}`);
  } else if (eu.length) {
    checks.set('schema', 'failed', `Open Badges 3.0 credential missing EU micro-credential elements: ${eu.join(', ')}`);
  } else {
    checks.set('schema', 'ok', 'Open Badges 3.0 structure with all 11 mandatory EU micro-credential elements');
  }
}

async function checkListed(
  ctx: Ctx,
  c: Record<string, unknown>,
  trust: IssuerKeyTrust | null,
  checks: Checks,
): Promise<VerificationReport['microcredential'] | null> {
  const subject = asArray(c['credentialSubject'])[0] as { achievement?: { id?: unknown } } | undefined;
  const achievementId = subject?.achievement?.id;
  if (typeof achievementId !== 'string') {
    checks.set('microcredential_listed', 'failed', 'the credential names no achievement id');
    return null;
  }
  const globalId = microcredentialIdFromUri(achievementId);
  let hit: CatalogueHit | null;
  try {
    hit = await ctx.deps.catalogue.lookup(achievementId, globalId);
  } catch (e) {
    checks.set('microcredential_listed', 'unchecked', `catalogue unavailable: ${(e as Error).message}`);
    return null;
  }
  if (!hit) {
    checks.set(
      'microcredential_listed',
      'failed',
      globalId
        ? `microcredential ${globalId} is not in the network catalogue`
        : `achievement ${achievementId} is not a microcredential of the network catalogue`,
    );
    return null;
  }
  const listed = { achievementId, ...(hit.globalId ?? globalId ? { globalId: hit.globalId ?? globalId! } : {}), record: hit.record };
  if (trust && hit.institutionDid && hit.institutionDid !== trust.institution.did) {
    checks.set('microcredential_listed', 'failed', `the microcredential is listed by ${hit.institutionDid}, not by the issuer's institution`);
    return listed;
  }
  const issued = issuanceTime(c).at;
  const withdrawn = time(hit.withdrawnAt ?? undefined);
  if (withdrawn !== null && (issued === null || issued >= withdrawn)) {
    checks.set('microcredential_listed', 'failed', `the microcredential was withdrawn from the catalogue (${hit.withdrawnAt}) before this credential was issued`);
    return listed;
  }
  const title = hit.record.title?.es ?? hit.record.title?.en ?? hit.record.title?.pt ?? hit.record.code;
  checks.set(
    'microcredential_listed',
    'ok',
    `listed in the network catalogue as "${title}"${withdrawn !== null ? ` (withdrawn ${hit.withdrawnAt}, after issuance)` : ''}`,
  );
  return listed;
}

// ---------------------------------------------------------------------------------------------------------------

function summarise(c: Record<string, unknown>): CredentialSummary {
  const issuer = c['issuer'];
  const issuerObj = issuer && typeof issuer === 'object' ? (issuer as Record<string, unknown>) : undefined;
  const issuerId = typeof issuer === 'string' ? issuer : typeof issuerObj?.['id'] === 'string' ? (issuerObj['id'] as string) : undefined;
  const claimed = asArray(issuerObj?.['otherIdentifier']).find(
    (x) => typeof (x as { identifier?: unknown })?.identifier === 'string' && String((x as { identifier: string }).identifier).startsWith('did:'),
  ) as { identifier: string } | undefined;
  const subject = asArray(c['credentialSubject'])[0] as Record<string, unknown> | undefined;
  const ach = subject?.['achievement'] as Record<string, unknown> | undefined;
  const idObj = asArray(subject?.['identifier'])[0] as { identityHash?: unknown } | undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const proof = asArray(c['proof'])[0] as Record<string, unknown> | undefined;
  const s: CredentialSummary = {
    type: asArray(c['type']).filter((t): t is string => typeof t === 'string'),
  };
  const set = <K extends keyof CredentialSummary>(k: K, v: CredentialSummary[K] | undefined): void => {
    if (v !== undefined) s[k] = v;
  };
  set('id', str(c['id']));
  set('issuer', issuerId);
  set('issuerName', str(issuerObj?.['name']));
  set('claimedInstitutionDid', claimed?.identifier);
  set('validFrom', str(c['validFrom'] ?? c['issuanceDate']));
  set('validUntil', str(c['validUntil'] ?? c['expirationDate']));
  if (ach && typeof ach === 'object') {
    const a: NonNullable<CredentialSummary['achievement']> = {};
    if (str(ach['id'])) a.id = str(ach['id']);
    if (str(ach['name'])) a.name = str(ach['name']);
    if (str(ach['achievementType'])) a.achievementType = str(ach['achievementType']);
    s.achievement = a;
  }
  if (subject && typeof subject === 'object') {
    const l: NonNullable<CredentialSummary['learner']> = {};
    if (str(subject['id'])) l.id = str(subject['id']);
    if (str(subject['name'])) l.name = str(subject['name']);
    if (str(idObj?.identityHash)) l.identityHash = str(idObj?.identityHash);
    s.learner = l;
  }
  if (proof) {
    set('proofType', proof['type'] === 'DataIntegrityProof' ? `DataIntegrityProof/${String(proof['cryptosuite'])}` : str(proof['type']));
  }
  return s;
}

function asArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
