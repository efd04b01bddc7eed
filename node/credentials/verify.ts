/**
 * Verifies a credential or presentation and returns a report of checks (`ok` / `failed` / `unchecked`, each with its
 * reason) plus what the replica knows about the issuer and the microcredential. Storage-independent: trust, status,
 * catalogue and freshness come in as interfaces. It must never throw on any input, never fetch from the network
 * (contexts are bundled, did:key is derived locally) and never say "verified" for something it could not check.
 *
 * This file is the verifier's entry point and runs the checks in order; each concern lives in ./verify/: deps (what
 * the verifier is given), report (check ids, the report, `finish`), parse (input, VC shape, contexts, summary),
 * proof, trust (issuer key, membership, key validity at issuance), status, validity (validity period), structure
 * (OB 3.0 + EU elements: the `schema` check) and catalogue (microcredential listed).
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { CONTEXTS, createDocumentLoader } from '../identity/document-loader.js';
import { installJsonLdContextCache } from './jsonld-context-cache.js';
import { createCachingEddsaRdfc2022Cryptosuite } from './ed25519-fast.js';
import { checkHolder, holderOf, presentationChecks, presentationOptions, presentationSummary, type PresentationOptions } from './presentation.js';
import type { Freshness, VerifierContext, VerifierDeps } from './verify/deps.js';
import { CHECK_ORDER, Checks, finish, invalid, withoutOutcome, type Check, type CheckId, type VerificationReport } from './verify/report.js';
import { asArray, isExtraContext, parseInput, summarise, unbundledContexts, vcShapeProblem, VC_CONTEXTS } from './verify/parse.js';
import { checkProof } from './verify/proof.js';
import { checkIssuer, checkKeyValidity } from './verify/trust.js';
import { checkStatus } from './verify/status.js';
import { checkValidity } from './verify/validity.js';
import { checkStructure } from './verify/structure.js';
import { checkListed } from './verify/catalogue.js';
import { checkEvidence } from './verify/evidence.js';

export type { CatalogueHit, Freshness, IssuerKeyTrust, StatusListView, VerifierDeps } from './verify/deps.js';
export type { Check, CheckId, CheckStatus, CredentialSummary, VerificationReport } from './verify/report.js';
export { CHECK_ORDER } from './verify/report.js';
export { schemaProblems } from './verify/structure.js';

export interface Verifier {
  /** `options`: the challenge / domain the caller asked the holder of a presentation to sign. */
  verify(input: unknown, options?: PresentationOptions): Promise<VerificationReport>;
}

/** A verifier that reuses its document loader and proof suites across calls (use this on hot paths). */
export function createVerifier(deps: VerifierDeps): Verifier {
  installJsonLdContextCache();
  const documentLoader = deps.documentLoader ?? createDocumentLoader({ extraDocuments: deps.extraDocuments });
  const suites = [new DataIntegrityProof({ cryptosuite: createCachingEddsaRdfc2022Cryptosuite() }), new Ed25519Signature2020()];
  const ctx: VerifierContext = { deps, documentLoader, suites, skew: deps.maxClockSkewSeconds ?? 300 };
  return { verify: (input, options) => verifyTop(ctx, input, presentationOptions(options)) };
}

/** Verifies one input (JSON text, bytes or a parsed object: a credential or a presentation). Never throws. */
export async function verifyCredential(input: unknown, deps: VerifierDeps, options?: PresentationOptions): Promise<VerificationReport> {
  return createVerifier(deps).verify(input, options);
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

/**
 * The context of one verification: a stored evidence file is re-hashed once per call, however many credentials of a
 * presentation name it (a presentation of one credential copied 100 times must not hash its files 100 times).
 */
function perCall(ctx: VerifierContext): VerifierContext {
  const evidence = ctx.deps.evidence;
  if (!evidence) return ctx;
  const memo = new Map<string, ReturnType<typeof evidence.hashOf>>();
  const hashOf = (url: string) => {
    if (!memo.has(url)) memo.set(url, evidence.hashOf(url));
    return memo.get(url);
  };
  return { ...ctx, deps: { ...ctx.deps, evidence: { hashOf } } };
}

async function verifyTop(shared: VerifierContext, input: unknown, options: PresentationOptions): Promise<VerificationReport> {
  const ctx = perCall(shared);
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

/** Presentation checks: the credentials' checks (worst of each), the holder's proof after the credentials' proofs. */
const PRESENTATION_CHECK_ORDER: readonly CheckId[] = Object.freeze([...CHECK_ORDER.slice(0, 3), 'holder_authenticated', ...CHECK_ORDER.slice(3)]);

async function verifyPresentation(
  ctx: VerifierContext,
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
  ctx: VerifierContext,
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
  const structure = checkStructure(c);
  checks.set('schema', structure.status, structure.reason);
  const listed = await checkListed(ctx, c, trust, checks);
  // evidence files this node stores, re-hashed (no check when it stores none of them, nor when the proof does not
  // hold: an unsigned credential could name stored files only to make this node hash them)
  const evidence = checks.get('proof')?.status === 'ok' ? await checkEvidence(ctx, c) : null;
  if (evidence) checks.put(evidence);

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
            ...(trust.revokedAt ? { keyRevokedAt: trust.revokedAt } : {}),
            ...(trust.revokedAt && trust.revocationReason ? { keyRevocationReason: trust.revocationReason } : {}),
          },
        }
      : {}),
    ...(listed ? { microcredential: listed } : {}),
  });
}
