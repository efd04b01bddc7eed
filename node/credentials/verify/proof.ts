/**
 * The `proof` check: the issuer's proofs of a credential (a proof set: every proof must verify), suites
 * DataIntegrityProof/eddsa-rdfc-2022 and Ed25519Signature2020, verification methods resolvable offline (did:key).
 * Cryptographic only: dates are the validity and key checks' business. It must never fetch a verification method or
 * a context, and never call a proof ok that it could not check.
 */
import * as vc from '@digitalbazaar/vc';
import { checkProofSet, type ProofRef } from '../proof-set.js';
import type { VerifierContext } from './deps.js';
import { asArray, isExtraContext } from './parse.js';
import type { Checks } from './report.js';

export const SUPPORTED_SUITES = 'DataIntegrityProof/eddsa-rdfc-2022 or Ed25519Signature2020';

/** The issuer's proofs: every proof of the set must verify (Data Integrity); a failure names its proof. */
export async function checkProof(ctx: VerifierContext, c: Record<string, unknown>, checks: Checks): Promise<void> {
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
