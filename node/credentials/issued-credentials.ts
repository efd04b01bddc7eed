/**
 * This unit's issued credentials as stored (they hold personal data and never leave this node's database): one by
 * id, the admin list with its filters, and the shape the API shows. Reads only: issuing, status changes and
 * re-issuing write through their own modules. Must never expose the learner key or dedupe key, and never put a
 * caller's text into SQL other than as a bound parameter.
 */
import { RegistryError } from '../core/errors.js';
import type { Store } from '../store/database.js';
import type { IssuingUnit } from './issuing-unit.js';

export interface CredentialStatus {
  revoked: boolean;
  suspended: boolean;
  revokedAt: string | null;
  suspendedAt: string | null;
  reason: string | null;
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
  limit?: number;
  offset?: number;
}

/** A row of issued_credentials. */
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
  job_id: string | null;
  replaced_by: string | null;
}

export class IssuedCredentials {
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: { store: Store; unit: IssuingUnit }) {
    this.st = prepareStatements(d.store);
  }

  row(id: string): IssuedRow | undefined {
    return this.st.credential.get(id) as IssuedRow | undefined;
  }

  present(r: IssuedRow): IssuedCredential {
    return {
      id: r.id,
      microcredential: r.microcredential_id,
      microcredentialVersion: r.microcredential_version,
      learnerName: r.learner_name,
      issuedAt: r.issued_at,
      issuerKey: r.issuer_key,
      status: { revoked: r.revoked_at !== null, suspended: r.suspended_at !== null, revokedAt: r.revoked_at, suspendedAt: r.suspended_at, reason: r.reason },
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
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.q) {
      where.push('(learner_name LIKE ? OR id = ?)');
      args.push(`%${q.q.replace(/[%_]/g, '')}%`, q.q);
    }
    if (q.microcredential) {
      where.push('microcredential_id = ?');
      args.push(q.microcredential);
    }
    if (q.issuerKey) {
      where.push('issuer_key = ?');
      args.push(q.issuerKey);
    }
    if (q.status === 'revoked') where.push('revoked_at IS NOT NULL');
    else if (q.status === 'suspended') where.push('revoked_at IS NULL AND suspended_at IS NOT NULL');
    else if (q.status === 'active') where.push('revoked_at IS NULL AND suspended_at IS NULL');
    else if (q.status !== undefined) throw new RegistryError('validation_failed', `unknown status ${String(q.status)}`);
    // issued_at is stored as toISOString(): dates are normalised the same way so the text comparison is a time one
    for (const [d, op] of [[q.issuedFrom, '>='], [q.issuedTo, '<']] as const) {
      if (d === undefined) continue;
      if (Number.isNaN(Date.parse(d))) throw new RegistryError('validation_failed', `not a date: ${d}`);
      where.push(`issued_at ${op} ?`);
      args.push(new Date(d).toISOString());
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    const offset = Math.max(0, q.offset ?? 0);
    const total = (this.d.store.statement(`SELECT count(*) AS c FROM issued_credentials ${w}`).get(...args) as { c: number }).c;
    const rows = this.d.store.statement(`SELECT * FROM issued_credentials ${w} ORDER BY issued_at DESC, id LIMIT ? OFFSET ?`).all(...args, limit, offset) as IssuedRow[];
    return {
      items: rows.map((r) => {
        const { credential: _c, ...rest } = this.present(r);
        return rest;
      }),
      total,
    };
  }
}

/** Read per issued row (hot: a batch reads each credential it issues). */
function prepareStatements(store: Store) {
  const p = (sql: string) => store.sqlite.prepare(sql);
  return {
    credential: p('SELECT * FROM issued_credentials WHERE id = ?'),
  };
}
