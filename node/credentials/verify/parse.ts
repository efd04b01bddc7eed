/**
 * Reading the input: JSON text / bytes / object to a plain JSON object (size-limited), the VC data model's shape
 * (`parse` check), the contexts a document references (`contexts` check: bundled only), the credential summary of
 * the report, and the small field readers the checks share. It must never throw out of the verifier (ParseError is
 * caught by the caller), never fetch a context, and never trust a field's type without testing it.
 */
import { CONTEXTS, isBundledContext } from '../../identity/document-loader.js';
import type { VerifierContext } from './deps.js';
import type { CredentialSummary } from './report.js';

export const VC_CONTEXTS = new Set<string>([CONTEXTS.VC_V1, CONTEXTS.VC_V2]);

export class ParseError extends Error {}

export function parseInput(input: unknown, maxChars: number): unknown {
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

export function isExtraContext(ctx: VerifierContext, url: string): boolean {
  return ctx.deps.extraDocuments !== undefined && Object.prototype.hasOwnProperty.call(ctx.deps.extraDocuments, url);
}

export function unbundledContexts(ctx: VerifierContext, doc: unknown): string[] {
  return [...collectContextUrls(doc)].filter((u) => !isBundledContext(u) && !isExtraContext(ctx, u));
}

export function vcShapeProblem(c: Record<string, unknown>): string | null {
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

export function collectContextUrls(node: unknown, out = new Set<string>(), depth = 0): Set<string> {
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

/** What the report shows of the credential (whatever its checks say): ids, names, dates, proof type. */
export function summarise(c: Record<string, unknown>): CredentialSummary {
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

export function asArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

export function time(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

export function issuanceTime(c: Record<string, unknown>): { at: number | null; label: string } {
  if (c['validFrom'] !== undefined) return { at: time(c['validFrom']), label: 'validFrom' };
  if (c['issuanceDate'] !== undefined) return { at: time(c['issuanceDate']), label: 'issuanceDate' };
  return { at: null, label: 'validFrom' };
}
