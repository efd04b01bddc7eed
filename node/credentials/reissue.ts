/**
 * Re-issuing credentials in force with the current issuer key (after a rotation or a compromise): the same
 * achievement, learner, award date and end of validity, a new id and status entries; the old credential is revoked
 * ("re-issued as ...", `replacedBy`) in the same transaction that stores the new one. One at a time or in batches by
 * key and issue date. Must never re-issue a revoked, suspended or expired credential, and never revoke one before
 * its replacement is stored.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import { and, asc, count, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { issuedCredentials } from '../store/schema.js';
import { insertCredential } from './issuance.js';
import type { EvidenceFiles } from './evidence-files.js';
import type { IssuedCredential, IssuedCredentials } from './issued-credentials.js';
import type { IssuingUnit } from './issuing-unit.js';
import { asProofSet, isoSeconds, toCurrentShape, type StatusEntry } from './ob3.js';
import type { SigningKeys } from './signers.js';
import { buildStatusEntry } from './status-list.js';
import type { StatusListService } from './status-lists.service.js';

/** One credential of a re-issue run. */
export interface ReissueRowResult {
  id: string;
  status: 'reissued' | 'failed';
  newId?: string;
  learnerName?: string;
  error?: string;
}

export interface ReissueDeps {
  store: Store;
  feed: FeedService;
  keys: SigningKeys;
  clock: Clock;
  logger: Logger;
  unit: IssuingUnit;
  issued: IssuedCredentials;
  lists: StatusListService;
  /** True once the node is stopping: a batch stops between credentials. */
  isStopping: () => boolean;
  /** Evidence files: the new credential names the old one's (the same URLs and digests). */
  evidence?: Pick<EvidenceFiles, 'copyLinksInTx'>;
}

export class ReissueService {
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: ReissueDeps) {
    this.st = prepareStatements(d.store);
  }

  /**
   * Re-issues a credential in force with the current key: the same achievement, learner (the same identity hash and
   * salt), award date and end of validity, a new id, new status entries and `validFrom` now; the old one is revoked
   * ("re-issued as …", `replacedBy`) in the same transaction that stores the new one.
   */
  async reissue(id: string): Promise<{ old: IssuedCredential; credential: IssuedCredential }> {
    const { newId, replacedList } = await this.reissueUnpublished(id);
    await this.d.lists.publishList(replacedList);
    return { old: this.d.issued.get(id)!, credential: this.d.issued.get(newId)! };
  }

  /** `reissue` without publishing the old credential's list (left dirty: a batch publishes each list once). */
  private async reissueUnpublished(id: string): Promise<{ newId: string; replacedList: string }> {
    this.d.feed.assertCanAppend(); // before anything is revoked: the revocation must be publishable
    const row = this.d.issued.row(id);
    if (!row) throw userError('not_found', 'credential.issuedNotFound', { id });
    if (row.revoked_at) throw userError('conflict', 'reissue.revoked', { id });
    if (row.suspended_at) throw userError('conflict', 'reissue.suspended', { id });
    const signer = await this.d.lists.signers.signer();
    if (row.issuer_key === signer.did) throw userError('conflict', 'reissue.alreadyCurrentKey', { id });
    const old = JSON.parse(row.credential) as Record<string, unknown>;
    const now = this.d.clock.now();
    if (typeof old['validUntil'] === 'string' && Date.parse(old['validUntil']) <= now.getTime())
      throw userError('conflict', 'reissue.expired', { id, date: old['validUntil'] });
    const revocation = await this.d.lists.allocate('revocation', signer.did);
    const suspension = row.suspension_list !== null ? await this.d.lists.pairedSuspension(revocation, signer.did) : null;
    const status: StatusEntry = buildStatusEntry({ statusListCredential: this.d.unit.statusListUrl(revocation.list), index: revocation.index, purpose: 'revocation' });
    const newId = `urn:uuid:${randomUUID()}`;
    const { proof: _proof, ...rest } = old;
    const issuer = rest['issuer'] && typeof rest['issuer'] === 'object' ? { ...(rest['issuer'] as Record<string, unknown>), id: signer.did } : signer.did;
    // a credential issued before the current shape is re-issued in it (two contexts, EU elements as alignments)
    const unsigned = { ...toCurrentShape(rest), id: newId, issuer, validFrom: isoSeconds(now), credentialStatus: status };
    const signed = asProofSet(await signer.sign(unsigned, { created: now }));
    const replacedList = this.d.store.tx(() => {
      const listId = this.d.lists.revokeInTx(id, now.toISOString(), `re-issued as ${newId} with issuer key ${signer.did}`, newId);
      if (!listId) throw new RegistryError('conflict', `credential ${id} was revoked meanwhile`);
      this.st.insertCredential.run({
        id: newId,
        microcredentialId: row.microcredential_id,
        microcredentialVersion: row.microcredential_version,
        learnerName: row.learner_name,
        learnerKey: row.learner_key,
        dedupeKey: row.dedupe_key,
        credential: JSON.stringify(signed),
        issuerKey: signer.did,
        issuedAt: now.toISOString(),
        revocationList: revocation.list,
        revocationIndex: revocation.index,
        suspensionList: suspension?.list ?? null,
        suspensionIndex: suspension?.index ?? null,
        jobId: null,
      });
      this.d.evidence?.copyLinksInTx(id, newId);
      return listId;
    });
    return { newId, replacedList };
  }

  /**
   * Re-issues, with the current key, the credentials in force (not suspended) signed by `issuerKey` and issued in
   * [issuedFrom, issuedTo), oldest first, at most `limit` per call; each row reports on its own. `remaining` counts
   * what still matches (call again until it is 0; rows that failed stay there).
   */
  async reissueBatch(q: { issuerKey: string; issuedFrom?: string; issuedTo?: string; limit?: number }): Promise<{ rows: ReissueRowResult[]; reissued: number; failed: number; remaining: number }> {
    if (typeof q.issuerKey !== 'string' || !q.issuerKey) throw userError('validation_failed', 'reissue.issuerKeyRequired');
    for (const d of [q.issuedFrom, q.issuedTo]) if (d !== undefined && Number.isNaN(Date.parse(d))) throw new RegistryError('validation_failed', `not a date: ${d}`);
    this.d.feed.assertCanAppend();
    const current = this.d.keys.currentSigningKey().did;
    if (q.issuerKey === current) throw userError('validation_failed', 'reissue.currentKey', { key: q.issuerKey });
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const c = issuedCredentials;
    const where: SQL[] = [eq(c.issuerKey, q.issuerKey), isNull(c.revokedAt), isNull(c.suspendedAt)];
    if (q.issuedFrom) where.push(gte(c.issuedAt, new Date(q.issuedFrom).toISOString()));
    if (q.issuedTo) where.push(lt(c.issuedAt, new Date(q.issuedTo).toISOString()));
    const ids = this.d.store.db
      .select({ id: c.id, learner_name: c.learnerName })
      .from(c)
      .where(and(...where))
      .orderBy(asc(c.issuedAt), asc(c.id))
      .limit(limit)
      .all();
    const rows: ReissueRowResult[] = [];
    const touched = new Set<string>();
    try {
      for (const r of ids) {
        if (this.d.isStopping()) break;
        try {
          const out = await this.reissueUnpublished(r.id);
          touched.add(out.replacedList);
          rows.push({ id: r.id, status: 'reissued', newId: out.newId, learnerName: r.learner_name });
        } catch (e) {
          if (!(e instanceof RegistryError)) this.d.logger.error('re-issue failed', { id: r.id, error: String(e) });
          rows.push({ id: r.id, status: 'failed', learnerName: r.learner_name, error: e instanceof RegistryError ? e.message : 'internal error' });
        }
        if (rows.length % 20 === 0) await new Promise((res) => setImmediate(res));
      }
    } finally {
      // each list whose bits changed is published once (a crash before this leaves it dirty: published at start)
      for (const listId of touched) await this.d.lists.publishList(listId);
    }
    const remaining = this.d.store.db.select({ n: count() }).from(c).where(and(...where)).get()?.n ?? 0;
    const reissued = rows.filter((r) => r.status === 'reissued').length;
    return { rows, reissued, failed: rows.length - reissued, remaining };
  }
}

/** The statement storing a re-issued credential. */
function prepareStatements(store: Store) {
  return { insertCredential: insertCredential(store) };
}
