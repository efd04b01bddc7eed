/**
 * The holder's side of a Verifiable Presentation: its own proof (Data Integrity, eddsa-rdfc-2022, proof purpose
 * `authentication`) by a did:key controlled by `holder` when the presentation names one, and the verifier's
 * `challenge` / `domain` when the caller supplies them. Gives the `holder_authenticated` check (ok / failed /
 * unchecked) and the presentation's one-line summary. Must never throw, never fetch (did:key is derived locally and
 * contexts are bundled: anything else is `unchecked`) and never call a holder authenticated without a verified proof.
 */
import type { DocumentLoader } from '../identity/document-loader.js';
import { checkProofSet, type OneProofResult, type ProofRef, type ProofSetResult } from './proof-set.js';
import type { Check, CheckId } from './verify.js';

/** What the caller of a verification asked the holder to sign (both optional). */
export interface PresentationOptions {
  challenge?: string;
  domain?: string;
}

/** A Data Integrity suite as @digitalbazaar/data-integrity's DataIntegrityProof exposes it. */
interface ProofSuite {
  verifyProof(args: {
    proof: Record<string, unknown>;
    proofSet: Record<string, unknown>[];
    document: Record<string, unknown>;
    documentLoader: DocumentLoader;
  }): Promise<{ verified: boolean; verificationMethod?: Record<string, unknown>; error?: unknown }>;
}

export interface HolderCheckEnv {
  documentLoader: DocumentLoader;
  /** DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite (the same instance the credential path uses). */
  suite: unknown;
  /** Whether a verification method can be resolved offline (did:key, or a test vector's extra document). */
  resolvable(verificationMethod: string): boolean;
  /** Contexts the document names that are not bundled (the proof cannot be checked without them). */
  unbundledContexts(doc: Record<string, unknown>): string[];
  now: Date;
  skewMs: number;
}

const HOLDER_SUITE = 'DataIntegrityProof/eddsa-rdfc-2022';

/** The presentation's `holder` id: a string, an object's `id`, undefined when absent, null when malformed. */
export function holderOf(vp: Record<string, unknown>): string | undefined | null {
  const h = vp['holder'];
  if (h === undefined) return undefined;
  if (typeof h === 'string') return h || null;
  const id = (h as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : null;
}

/** Normalises caller options: only non-empty strings count. */
export function presentationOptions(o: unknown): PresentationOptions {
  const r: PresentationOptions = {};
  if (!o || typeof o !== 'object') return r;
  const { challenge, domain } = o as Record<string, unknown>;
  if (typeof challenge === 'string' && challenge) r.challenge = challenge;
  if (typeof domain === 'string' && domain) r.domain = domain;
  return r;
}

/** The `holder_authenticated` check of a presentation. */
export async function checkHolder(env: HolderCheckEnv, vp: Record<string, unknown>, options: PresentationOptions): Promise<Check> {
  const r = await holderResult(env, vp, options);
  return { id: 'holder_authenticated', status: r.status, reason: r.reason, ...(r.proof ? { proof: r.proof } : {}) };
}

async function holderResult(env: HolderCheckEnv, vp: Record<string, unknown>, options: PresentationOptions): Promise<ProofSetResult> {
  const holder = holderOf(vp);
  if (holder === null) return { status: 'failed', reason: 'holder is neither a URI nor an object with an id' };
  const proofs = vp['proof'] === undefined || vp['proof'] === null ? [] : Array.isArray(vp['proof']) ? vp['proof'] : [vp['proof']];
  if (proofs.length === 0) {
    return {
      status: 'unchecked',
      reason: `the presentation has no proof: its holder${holder ? ` (${holder})` : ''} is not authenticated (anyone holding a copy of the credentials could have sent them)`,
    };
  }
  const unbundled = env.unbundledContexts(vp);
  if (unbundled.length) {
    return {
      status: 'unchecked',
      reason: `context not bundled: ${unbundled.slice(0, 3).join(', ')}${unbundled.length > 3 ? ', ...' : ''}; the holder's proof cannot be checked without all its contexts (the verifier never fetches from the network)`,
    };
  }
  const suite = env.suite as ProofSuite;
  // jsonld-signatures' ProofSet.verify does the same: the document without its proofs, each proof in its context.
  const document: Record<string, unknown> = { ...vp };
  delete document['proof'];
  const withContext = (p: Record<string, unknown>): Record<string, unknown> => ({ '@context': vp['@context'], ...p });
  const proofSet = proofs.filter((p): p is Record<string, unknown> => !!p && typeof p === 'object').map(withContext);

  return checkProofSet(proofs, {
    noun: 'presentation',
    precheck: (p, ref) => {
      if (!(p['type'] === 'DataIntegrityProof' && p['cryptosuite'] === 'eddsa-rdfc-2022')) {
        const name = ref.cryptosuite ? `${ref.type}/${ref.cryptosuite}` : ref.type;
        return { status: 'unchecked', reason: `the holder's proof suite ${name} is not supported (supported: ${HOLDER_SUITE})` };
      }
      if (p['proofPurpose'] !== 'authentication') {
        return { status: 'failed', reason: `the holder's proof has proofPurpose ${JSON.stringify(p['proofPurpose'])}; a presentation is signed for authentication` };
      }
      const vm = ref.verificationMethod;
      if (vm === undefined) return { status: 'failed', reason: 'the proof has no verificationMethod' };
      if (!env.resolvable(vm)) {
        return { status: 'unchecked', reason: `verification method ${vm} is not a did:key: it cannot be resolved offline (the verifier never fetches from the network)` };
      }
      if (options.challenge !== undefined && p['challenge'] !== options.challenge) {
        return {
          status: 'failed',
          reason: `the proof's challenge ${JSON.stringify(p['challenge'] ?? null).slice(0, 80)} is not the challenge this verification asked for (a replayed or foreign presentation)`,
        };
      }
      if (options.domain !== undefined) {
        const d = p['domain'];
        if (!(d === options.domain || (Array.isArray(d) && d.includes(options.domain)))) {
          return { status: 'failed', reason: `the proof's domain ${JSON.stringify(d ?? null).slice(0, 80)} is not ${JSON.stringify(options.domain)}` };
        }
      }
      if (p['expires'] !== undefined) {
        const exp = typeof p['expires'] === 'string' ? Date.parse(p['expires']) : NaN;
        if (Number.isNaN(exp)) return { status: 'failed', reason: `the proof's expires is not a date-time` };
        if (exp < env.now.getTime() - env.skewMs) return { status: 'failed', reason: `the holder's proof expired at ${String(p['expires'])}` };
      }
      return null;
    },
    verifyOne: async (p): Promise<OneProofResult> => {
      const r = await suite.verifyProof({ proof: withContext(p), proofSet, document, documentLoader: env.documentLoader });
      if (!r.verified) return r;
      return authorised(env, r.verificationMethod, holder);
    },
    okReason: (refs) => okReason(refs, holder, options),
  });
}

/** The proof purpose: the key's controller lists it under `authentication`, and is the holder when one is named. */
async function authorised(env: HolderCheckEnv, vm: Record<string, unknown> | undefined, holder: string | undefined): Promise<OneProofResult> {
  const fail = (message: string): OneProofResult => ({ verified: false, error: new Error(message) });
  const vmId = vm?.['id'];
  const c = vm?.['controller'];
  const controller = typeof c === 'string' ? c : (c as { id?: unknown } | null | undefined)?.id;
  if (typeof vmId !== 'string' || typeof controller !== 'string') return fail('the verification method names no controller');
  if (holder !== undefined && controller !== holder) {
    return fail(`the signing key ${vmId} is controlled by ${controller}, not by the presentation's holder ${holder}`);
  }
  let doc: unknown;
  try {
    doc = (await env.documentLoader(controller)).document;
  } catch (e) {
    return fail(`the key's controller ${controller} cannot be resolved: ${(e as Error).message}`);
  }
  const auth = (doc as { authentication?: unknown } | null)?.authentication;
  const ids = (Array.isArray(auth) ? auth : auth === undefined ? [] : [auth]).map((x) =>
    typeof x === 'string' ? x : (x as { id?: unknown } | null)?.id,
  );
  if (!ids.includes(vmId)) return fail(`the key ${vmId} is not an authentication method of ${controller}`);
  return { verified: true };
}

function okReason(refs: ProofRef[], holder: string | undefined, o: PresentationOptions): string {
  const who = holder ? `holder ${holder}` : `the signer ${[...new Set(refs.map((r) => r.verificationMethod?.split('#')[0]))].join(', ')} (the presentation names no holder)`;
  const bound: string[] = [];
  bound.push(o.challenge !== undefined ? 'challenge matched' : 'no challenge was asked for (a replay cannot be excluded)');
  if (o.domain !== undefined) bound.push('domain matched');
  return `${who} authenticated by ${refs.length === 1 ? 'its' : `all ${refs.length}`} ${HOLDER_SUITE} proof${refs.length === 1 ? '' : 's'}; ${bound.join('; ')}`;
}

/**
 * The presentation's checks in `order`: `parse` and `holder_authenticated` are its own, `contexts` fails for a
 * context of the envelope that is not bundled, and every other check is the worst of the contained credentials'.
 */
export function presentationChecks(
  order: readonly CheckId[],
  own: { parse: Check; holder: Check; envelopeUnbundled: string[] },
  credentials: { checks: Check[] }[],
): Check[] {
  return order.map<Check>((id) => {
    if (id === 'parse') return own.parse;
    if (id === 'holder_authenticated') return own.holder;
    if (id === 'contexts' && own.envelopeUnbundled.length) {
      const list = own.envelopeUnbundled.slice(0, 3).join(', ');
      return { id, status: 'failed', reason: `presentation: context not bundled: ${list} (the verifier never fetches from the network)` };
    }
    const sub = credentials.map((r) => r.checks.find((c) => c.id === id)!);
    if (sub.length === 0) return { id, status: 'unchecked', reason: 'no credential to check' };
    const worst = sub.find((c) => c.status === 'failed') ?? sub.find((c) => c.status === 'unchecked');
    return worst
      ? { ...worst, reason: `credential ${sub.indexOf(worst) + 1}: ${worst.reason}` }
      : { id, status: 'ok', reason: `ok for all ${sub.length} credential(s)` };
  });
}

/** One line for the whole presentation, e.g. "credentials verified, holder not authenticated". */
export function presentationSummary(credentialChecks: Check[], holder: Check): string {
  const creds = credentialChecks.some((c) => c.status === 'failed')
    ? 'credentials not verified'
    : credentialChecks.some((c) => c.status === 'unchecked')
      ? 'credentials not fully verified'
      : 'credentials verified';
  const h = holder.status === 'ok' ? 'holder authenticated' : holder.status === 'failed' ? 'holder authentication failed' : 'holder not authenticated';
  return `${creds}, ${h}`;
}
