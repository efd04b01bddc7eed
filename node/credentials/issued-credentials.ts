/**
 * This unit's issued credentials as stored (they hold personal data and never leave this node's database): one by
 * id, the admin list with its filters, and the shape the API shows. Reads only: issuing, status changes and
 * re-issuing write through their own modules. Must never expose the learner key or dedupe key, and never put a
 * caller's text into SQL other than as a bound parameter.
 */
import { and, asc, count, desc, eq, gte, isNotNull, isNull, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { RegistryError } from '../core/errors.js';
import type { Store } from '../store/database.js';
import { issuedCredentials, mailDeliveries } from '../store/schema.js';
import type { IssuingUnit } from './issuing-unit.js';

export interface CredentialStatus {
  revoked: boolean;
  suspended: boolean;
  revokedAt: string | null;
  suspendedAt: string | null;
  reason: string | null;
  /** The reason category the network was given (schemas/status-reason.schema.json); `reason` never leaves this node. */
  reasonCategory?: string | null;
}

export interface IssuedCredential {
  id: string;
  microcredential: string;
  microcredentialVersion: number;
  learnerName: string;
  issuedAt: string;
  issuerKey: string;
  status: CredentialStatus;
  credential: Record<string, unknown>;
  verifyUrl: string;
  qrUrl: string;
  jobId: string | null;
  /** The credential that re-issued this one (this one is revoked then). */
  replacedBy: string | null;
}

/** Filters of the admin list of issued credentials (all optional; dates are ISO 8601, `issuedTo` exclusive). */
export interface CredentialListQuery {
  q?: string;
  microcredential?: string;
  issuerKey?: string;
  /** active: neither revoked nor suspended. */
  status?: 'active' | 'suspended' | 'revoked';
  issuedFrom?: string;
  issuedTo?: string;
  /** Only the credentials of this CSV batch job (a cohort). */
  job?: string;
  /** Only the credentials whose newest claim-link e-mail is in this state (none: never e-mailed). */
  delivery?: (typeof DELIVERY_FILTERS)[number];
  limit?: number;
  offset?: number;
}

export const DELIVERY_FILTERS = ['queued', 'sending', 'sent', 'failed', 'bounced', 'none'] as const;

/** A row of issued_credentials, under its SQL column names (issuedRowColumns selects it). */
export interface IssuedRow {
  id: string;
  microcredential_id: string;
  microcredential_version: number;
  learner_name: string;
  learner_key: string;
  dedupe_key: string;
  credential: string;
  issuer_key: string;
  issued_at: string;
  revocation_list: string;
  revocation_index: number;
  suspension_list: string | null;
  suspension_index: number | null;
  revoked_at: string | null;
  suspended_at: string | null;
  reason: string | null;
  reason_category: string | null;
  job_id: string | null;
  replaced_by: string | null;
}

export class IssuedCredentials {
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: { store: Store; unit: IssuingUnit }) {
    this.st = prepareStatements(d.store);
  }

  row(id: string): IssuedRow | undefined {
    return this.st.credential.get({ id });
  }

  present(r: IssuedRow): IssuedCredential {
    return {
      id: r.id,
      microcredential: r.microcredential_id,
      microcredentialVersion: r.microcredential_version,
      learnerName: r.learner_name,
      issuedAt: r.issued_at,
      issuerKey: r.issuer_key,
      status: { revoked: r.revoked_at !== null, suspended: r.suspended_at !== null, revokedAt: r.revoked_at, suspendedAt: r.suspended_at, reason: r.reason, reasonCategory: r.reason_category },
      credential: JSON.parse(r.credential) as Record<string, unknown>,
      verifyUrl: this.d.unit.verifyUrl(r.id),
      qrUrl: `${this.d.unit.base()}/api/v1/credentials/${encodeURIComponent(r.id)}/qr.svg`,
      jobId: r.job_id,
      replacedBy: r.replaced_by ?? null,
    };
  }

  get(id: string): IssuedCredential | null {
    const r = this.row(id);
    return r ? this.present(r) : null;
  }

  list(q: CredentialListQuery = {}): { items: Omit<IssuedCredential, 'credential'>[]; total: number } {
    const c = issuedCredentials;
    const where: SQL[] = [];
    if (q.q) where.push(or(like(c.learnerName, `%${q.q.replace(/[%_]/g, '')}%`), eq(c.id, q.q))!);
    if (q.microcredential) where.push(eq(c.microcredentialId, q.microcredential));
    if (q.issuerKey) where.push(eq(c.issuerKey, q.issuerKey));
    if (q.status === 'revoked') where.push(isNotNull(c.revokedAt));
    else if (q.status === 'suspended') where.push(isNull(c.revokedAt), isNotNull(c.suspendedAt));
    else if (q.status === 'active') where.push(isNull(c.revokedAt), isNull(c.suspendedAt));
    else if (q.status !== undefined) throw new RegistryError('validation_failed', `unknown status ${String(q.status)}`);
    if (q.job) where.push(eq(c.jobId, q.job));
    if (q.delivery !== undefined) {
      if (!(DELIVERY_FILTERS as readonly string[]).includes(q.delivery)) throw new RegistryError('validation_failed', `unknown delivery state ${String(q.delivery)}`);
      const md = mailDeliveries;
      // the newest message of the credential (as DeliveryQueue.latest picks it: latest created, the last inserted on a tie)
      const newest = sql`(SELECT ${md.status} FROM ${md} WHERE ${md.credentialId} = ${c.id} ORDER BY ${md.createdAt} DESC, rowid DESC LIMIT 1)`;
      where.push(q.delivery === 'none' ? sql`${newest} IS NULL` : sql`${newest} = ${q.delivery}`);
    }
    // issued_at is stored as toISOString(): dates are normalised the same way so the text comparison is a time one
    for (const [d, op] of [[q.issuedFrom, gte], [q.issuedTo, lt]] as const) {
      if (d === undefined) continue;
      if (Number.isNaN(Date.parse(d))) throw new RegistryError('validation_failed', `not a date: ${d}`);
      where.push(op(c.issuedAt, new Date(d).toISOString()));
    }
    const w = where.length ? and(...where) : undefined;
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    const offset = Math.max(0, q.offset ?? 0);
    const db = this.d.store.db;
    const total = db.select({ c: count() }).from(c).where(w).get()?.c ?? 0;
    const rows: IssuedRow[] = db.select(issuedRowColumns).from(c).where(w).orderBy(desc(c.issuedAt), asc(c.id)).limit(limit).offset(offset).all();
    return {
      items: rows.map((r) => {
        const { credential: _c, ...rest } = this.present(r);
        return rest;
      }),
      total,
    };
  }
}

const ic = issuedCredentials;
/** Every column of issued_credentials under its SQL name: the IssuedRow the credential modules share. */
export const issuedRowColumns = {
  id: ic.id,
  microcredential_id: ic.microcredentialId,
  microcredential_version: ic.microcredentialVersion,
  learner_name: ic.learnerName,
  learner_key: ic.learnerKey,
  dedupe_key: ic.dedupeKey,
  credential: ic.credential,
  issuer_key: ic.issuerKey,
  issued_at: ic.issuedAt,
  revocation_list: ic.revocationList,
  revocation_index: ic.revocationIndex,
  suspension_list: ic.suspensionList,
  suspension_index: ic.suspensionIndex,
  revoked_at: ic.revokedAt,
  suspended_at: ic.suspendedAt,
  reason: ic.reason,
  reason_category: ic.reasonCategory,
  job_id: ic.jobId,
  replaced_by: ic.replacedBy,
};

/** Read per issued row (hot: a batch reads each credential it issues), prepared once. */
function prepareStatements(store: Store) {
  return {
    credential: store.db.select(issuedRowColumns).from(ic).where(eq(ic.id, sql.placeholder('id'))).prepare(),
  };
}
