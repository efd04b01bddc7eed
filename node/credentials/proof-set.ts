/**
 * Proof sets (Data Integrity): a document carrying several proofs is verified only if EVERY proof verifies. Each
 * proof is checked on its own (the document with that proof alone), so one good proof can never hide a broken one,
 * and the result names the proof that failed (index, type / cryptosuite, verificationMethod). Used for the
 * issuer's proofs of a credential and the holder's proofs of a presentation. Must never throw, never fetch (the
 * caller's verifyOne uses the offline document loader) and never call a proof ok that it could not check.
 */
import type { CheckStatus } from './verify.js';

/** Which proof of a set a check is about (index is 0-based, as in the `proof` array). */
export interface ProofRef {
  index: number;
  type: string;
  cryptosuite?: string;
  verificationMethod?: string;
}

export interface ProofSetResult {
  status: CheckStatus;
  reason: string;
  /** The proof that failed (or could not be checked), when the set did not verify. */
  proof?: ProofRef;
}

/** What verifying one proof gave: the shape @digitalbazaar/vc and jsonld-signatures return. */
export interface OneProofResult {
  verified?: boolean;
  error?: unknown;
  results?: { error?: unknown }[];
}

export interface ProofSetOptions {
  /** "credential" or "presentation": used in reasons. */
  noun: string;
  /** Most proofs accepted in one set (each costs a canonicalisation). Default 8. */
  maxProofs?: number;
  /** A problem found without cryptography (unsupported suite, unresolvable method), or null to go on. */
  precheck(proof: Record<string, unknown>, ref: ProofRef): { status: Exclude<CheckStatus, 'ok'>; reason: string } | null;
  /** Verifies the document as if it carried this proof alone. */
  verifyOne(proof: Record<string, unknown>): Promise<OneProofResult>;
  /** Reason of an `ok` set, given the proofs (all verified). */
  okReason(refs: ProofRef[]): string;
}

export const MAX_PROOFS = 8;

export function proofRef(p: Record<string, unknown>, index: number): ProofRef {
  const vm = typeof p['verificationMethod'] === 'string' ? p['verificationMethod'] : (p['verificationMethod'] as { id?: unknown } | null)?.id;
  const ref: ProofRef = { index, type: typeof p['type'] === 'string' ? p['type'] : String(p['type']) };
  if (typeof p['cryptosuite'] === 'string') ref.cryptosuite = p['cryptosuite'];
  if (typeof vm === 'string') ref.verificationMethod = vm;
  return ref;
}

/** "proof 2 of 2 (DataIntegrityProof/eddsa-rdfc-2022, did:key:z6Mk...#z6Mk...)" */
export function describeProof(ref: ProofRef, total: number): string {
  const suite = ref.cryptosuite ? `${ref.type}/${ref.cryptosuite}` : ref.type;
  return `proof ${ref.index + 1} of ${total} (${suite}, ${ref.verificationMethod ?? 'no verificationMethod'})`;
}

/**
 * Checks every proof in `proofs`, in order, and stops at the first that does not verify. A single proof keeps the
 * short reasons of before (no "proof 1 of 1" prefix); in a set, the reason starts with the proof it is about.
 */
export async function checkProofSet(proofs: unknown[], o: ProofSetOptions): Promise<ProofSetResult> {
  const max = o.maxProofs ?? MAX_PROOFS;
  if (proofs.length === 0) return { status: 'failed', reason: `the ${o.noun} has no proof` };
  if (proofs.length > max) {
    return { status: 'failed', reason: `the ${o.noun} carries ${proofs.length} proofs; at most ${max} are checked` };
  }
  const total = proofs.length;
  const prefix = (ref: ProofRef): string => (total === 1 ? '' : `${describeProof(ref, total)}: `);
  const refs: ProofRef[] = [];
  for (let i = 0; i < total; i++) {
    const p = proofs[i];
    if (!p || typeof p !== 'object' || Array.isArray(p)) {
      const ref: ProofRef = { index: i, type: typeof p };
      return { status: 'failed', reason: `${total === 1 ? 'the proof' : `proof ${i + 1} of ${total}`} is not an object`, proof: ref };
    }
    const proof = p as Record<string, unknown>;
    const ref = proofRef(proof, i);
    const pre = o.precheck(proof, ref);
    if (pre) return { status: pre.status, reason: `${prefix(ref)}${pre.reason}`, proof: ref };
    let result: OneProofResult;
    try {
      result = await o.verifyOne(proof);
    } catch (e) {
      result = { verified: false, error: e };
    }
    if (result.verified !== true) return { status: 'failed', reason: `${prefix(ref)}${explainProofError(result)}`, proof: ref };
    refs.push(ref);
  }
  return { status: 'ok', reason: o.okReason(refs) };
}

/** Plain-language reason for a proof that did not verify. */
export function explainProofError(result: OneProofResult): string {
  const messages: string[] = [];
  const visit = (e: unknown, depth = 0): void => {
    if (!e || depth > 5) return;
    const err = e as { message?: string; errors?: unknown[]; details?: unknown; cause?: unknown };
    if (Array.isArray(e)) for (const x of e) visit(x, depth + 1);
    else if (err.errors?.length) for (const x of err.errors) visit(x, depth + 1);
    else if (err.message) messages.push(err.message);
    if (err.cause) visit(err.cause, depth + 1);
  };
  visit(result.error);
  for (const r of result.results ?? []) visit(r.error);
  const text = messages.join('; ') || 'the proof did not verify';
  if (/Invalid signature|signature.*(length|size)|bad signature/i.test(text)) {
    return 'signature does not match the signed content (it was altered after signing, or the proofValue is wrong)';
  }
  if (/safe mode/i.test(text)) return `JSON-LD safe mode rejected the document (a term or value its contexts do not define): ${text}`;
  if (/context not bundled|never fetches/i.test(text)) return text;
  if (/issuer must match/i.test(text)) return 'the credential issuer is not the controller of the signing key';
  if (/not authorized by controller/i.test(text)) return `the key is not an assertion method of its controller: ${text}`;
  if (/did not match any supported suite|No matching proofs|insufficient proofs matched/i.test(text)) {
    return `the proof does not match an accepted suite and proof purpose: ${text}`;
  }
  return text.slice(0, 500);
}
