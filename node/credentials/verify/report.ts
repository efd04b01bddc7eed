/**
 * The verification report: check ids and their order, check results, the report's shape, and how a report is
 * finished (`verified` only when every check is `ok`). It must never decide a check itself, and never let a check
 * that was not reached read as anything but `unchecked`.
 */
import type { MicrocredentialRecordInput } from '../ob3.js';
import type { ProofRef } from '../proof-set.js';
import type { Freshness } from './deps.js';

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
  | 'holder_authenticated'
  /** Only for a credential naming evidence files the verifying node stores: their bytes match their digests. */
  | 'evidence';

export type CheckStatus = 'ok' | 'failed' | 'unchecked';

export interface Check {
  id: CheckId;
  status: CheckStatus;
  reason: string;
  /** `proof` / `holder_authenticated`: the proof of the set that failed or could not be checked. */
  proof?: ProofRef;
  /** `status` failed because a bit is set: which list, and since when the replica shows it set (null: not known). */
  statusChange?: StatusChange;
}

export interface StatusChange {
  purpose: 'revocation' | 'suspension';
  since: string | null;
  /** The reason category its issuer published (schemas/status-reason.schema.json); absent when none. */
  reason?: string;
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
  issuer?: { did: string; name: string; country: string; member: boolean; keyId: string; keyRevokedAt?: string; keyRevocationReason?: string };
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

/** Checks a credential has only when they apply (after CHECK_ORDER's, in this order); never `unchecked` for being absent. */
export const OPTIONAL_CHECKS: readonly CheckId[] = Object.freeze(['evidence']);

/** The checks of one credential as they are decided; `list()` gives them in report order, unreached ones `unchecked`. */
export class Checks {
  private readonly map = new Map<CheckId, Check>();
  set(id: CheckId, status: CheckStatus, reason: string, proof?: ProofRef): void {
    this.map.set(id, proof ? { id, status, reason, proof } : { id, status, reason });
  }
  /** Sets a check decided elsewhere as a whole (its extra fields, e.g. `statusChange`, kept). */
  put(check: Check): void {
    this.map.set(check.id, check);
  }
  has(id: CheckId): boolean {
    return this.map.has(id);
  }
  get(id: CheckId): Check | undefined {
    return this.map.get(id);
  }
  list(): Check[] {
    const optional = OPTIONAL_CHECKS.map((id) => this.map.get(id)).filter((c): c is Check => c !== undefined);
    return [...CHECK_ORDER.map((id) => this.map.get(id) ?? { id, status: 'unchecked' as const, reason: 'not reached' }), ...optional];
  }
}

export function finish(
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

/** The report for an input that could not be parsed: `parse` failed, everything else unchecked. */
export function invalid(reason: string, freshness: Freshness | null, now: Date): VerificationReport {
  const checks = CHECK_ORDER.map<Check>((id) =>
    id === 'parse' ? { id, status: 'failed', reason } : { id, status: 'unchecked', reason: 'input could not be parsed' },
  );
  return finish('credential', checks, freshness, now);
}

/** A report's details without the fields `finish` computes (to rebuild it with more checks). */
export function withoutOutcome(r: VerificationReport): Partial<VerificationReport> {
  const rest: Partial<VerificationReport> = { ...r };
  for (const k of ['kind', 'verified', 'outcome', 'checks', 'freshness', 'checkedAt'] as const) delete rest[k];
  return rest;
}
