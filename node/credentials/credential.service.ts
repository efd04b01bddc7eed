/**
 * Issuing, revoking and verifying this unit's credentials. Issued credentials hold personal data and stay in this
 * node's database only; what the network sees is the unit's status lists (`status-list` entries: a bit per
 * credential, no personal data) and its issuer keys. Verification reads only the replica (issuer keys, membership,
 * catalogue, status lists): it works offline and for credentials of any member.
 *
 * Status indices are allocated in a permutation of the list (not 0, 1, 2, ...) so an index says nothing about when
 * or to whom a credential was issued; lists are 131,072 entries (the spec's herd-privacy minimum).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../core/canonical.js';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import type { Keystore } from '../identity/keystore.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Store } from '../store/database.js';
import type { CatalogueService, StoredMicrocredential } from '../catalogue/catalogue.service.js';
import { microcredentialId } from '../catalogue/ids.js';
import type { InstitutionDirectory, InstitutionRow } from '../trust/institutions.js';
import type { IssuerKeyRegistry } from '../trust/issuer-keys.js';
import type { MembershipService } from '../trust/membership.js';
import { buildOpenBadgeCredential, microcredentialIdFromUri, primaryText, type MicrocredentialRecordInput, type StatusEntry } from './ob3.js';
import { createCredentialSigner, type CredentialSigner } from './sign.js';
import { buildStatusEntry, createStatusList, decodeStatusList, MIN_STATUS_LIST_BITS, signStatusListCredential, type StatusPurpose } from './status-list.js';
import { statusListGlobalId, type StatusListEntryBody, type StatusListRegistry } from './status-registry.js';
import { createVerifier, type Freshness, type VerificationReport } from './verify.js';
import { DID, EMAIL, parseCohortCsv, type CohortRow } from './csv.js';

export interface IssueRequest {
  /** Network-wide id (`<code>.<16 hex>`) or this unit's own catalogue code. */
  microcredential: string;
  learner: { name: string; email?: string; did?: string };
  validUntil?: string;
  /** Also give the credential a suspension status entry (default true). */
  suspension?: boolean;
}

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
}

export interface BatchRowResult {
  line: number;
  status: 'issued' | 'skipped' | 'failed';
  id?: string;
  name?: string;
  error?: string;
}

export interface BatchJob {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  issued: number;
  skipped: number;
  failed: number;
  rows: BatchRowResult[];
  error?: string;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialServiceDeps {
  store: Store;
  feed: FeedService;
  keystore: Keystore;
  catalogue: CatalogueService;
  institutions: InstitutionDirectory;
  issuerKeys: IssuerKeyRegistry;
  membership: MembershipService;
  statusLists: StatusListRegistry;
  clock: Clock;
  logger: Logger;
  documentLoader: DocumentLoader;
  /** Base URL others use to reach this node (verification links, status list URLs). */
  publicUrl: () => string;
  /** How current this node's replica is (set by the composition root once replication runs). */
  freshness?: () => Freshness;
}

interface Row {
  id: string;
  microcredential_id: string;
  microcredential_version: number;
  learner_name: string;
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
}

// a bijection of [0, 2^17): odd multiplier and offset modulo a power of two
const PERM_A = 0x2f3d5; // odd
const PERM_B = 0x1a2b3;

export class CredentialService {
  private signerCache: { did: string; signer: Promise<CredentialSigner> } | null = null;
  private readonly verifier;
  private readonly running = new Map<string, Promise<void>>();
  /** Rows of running jobs, served from memory (the table copy is written every 2 s and at the end). */
  private readonly live = new Map<string, BatchRowResult[]>();
  private stopping = false;

  constructor(private readonly d: CredentialServiceDeps) {
    this.verifier = createVerifier({
      trust: {
        lookupIssuerKey: (did) => {
          const k = d.issuerKeys.get(did);
          if (!k) return null;
          const inst = d.institutions.get(k.institution);
          return {
            institution: { did: k.institution, name: nameOf(inst, k.institution), country: inst?.profile.country ?? '' },
            member: d.membership.isMember(k.institution) && !d.feed.isFrozen(k.institution),
            publishedAt: k.publishedAt,
            validFrom: k.validFrom,
            revokedAt: k.revokedAt,
            revocationReason: k.revocationReason,
          };
        },
      },
      status: { lookup: (url) => d.statusLists.lookup(url) },
      catalogue: {
        lookup: (achievementId, globalId) => {
          const id = globalId ?? microcredentialIdFromUri(achievementId);
          if (!id) return null;
          const mc = d.catalogue.get(id);
          if (!mc) return null;
          return { record: mc.record as unknown as MicrocredentialRecordInput, globalId: mc.id, institutionDid: mc.author, withdrawnAt: mc.withdrawal?.at ?? null };
        },
      },
      freshness: () => d.freshness?.() ?? { asOf: d.clock.now().toISOString() },
      now: () => d.clock.now(),
      documentLoader: d.documentLoader,
    });
  }

  private get author(): string {
    return this.d.keystore.institution.did;
  }

  /** The signer of the current issuer key (rebuilt after a rotation). */
  private signer(): Promise<CredentialSigner> {
    const current = this.d.keystore.issuers[this.d.keystore.issuers.length - 1];
    if (!current) throw new RegistryError('internal', 'this node has no issuer key');
    if (!this.signerCache || this.signerCache.did !== current.key.did) {
      this.signerCache = { did: current.key.did, signer: createCredentialSigner(current.key.seed, { documentLoader: this.d.documentLoader }) };
    }
    return this.signerCache.signer;
  }

  private base(): string {
    return this.d.publicUrl().replace(/\/$/, '');
  }

  statusListUrl(globalId: string): string {
    return `${this.base()}/api/v1/status-lists/${encodeURIComponent(globalId)}`;
  }

  verifyUrl(credentialId: string): string {
    return `${this.base()}/verify?credential=${encodeURIComponent(credentialId)}`;
  }

  // ------------------------------------------------------------------ verification

  verify(input: unknown): Promise<VerificationReport> {
    return this.verifier.verify(input);
  }

  // ------------------------------------------------------------------ issuance

  /** Resolves a microcredential of this unit by global id or code; only active entries can be issued. */
  resolveMicrocredential(ref: string): StoredMicrocredential {
    if (typeof ref !== 'string' || !ref.trim()) throw new RegistryError('validation_failed', 'microcredential is required');
    const mc = this.d.catalogue.get(ref) ?? this.d.catalogue.get(microcredentialId(this.author, ref));
    if (!mc) throw new RegistryError('unknown_microcredential', `no microcredential ${ref} in this unit's catalogue`);
    if (mc.author !== this.author) throw new RegistryError('forbidden', `microcredential ${ref} belongs to another institution; only its own unit issues it`);
    if (mc.status !== 'active') throw new RegistryError('validation_failed', `microcredential ${ref} is withdrawn and can no longer be issued`);
    return mc;
  }

  private learnerKey(l: IssueRequest['learner']): string {
    if (l.did) return l.did;
    if (l.email) return sha256Hex(l.email.trim().toLowerCase());
    throw new RegistryError('validation_failed', 'the learner needs an e-mail or a DID');
  }

  /** Issues one credential. The same microcredential version to the same learner is issued once (`conflict`). */
  async issue(req: IssueRequest, opts: { jobId?: string } = {}): Promise<IssuedCredential> {
    const learner = req.learner ?? ({} as IssueRequest['learner']);
    const name = typeof learner.name === 'string' ? learner.name.trim() : '';
    if (!name) throw new RegistryError('validation_failed', "the learner's name is required");
    if (name.length > 300) throw new RegistryError('validation_failed', "the learner's name is longer than 300 characters");
    if (learner.email !== undefined && (typeof learner.email !== 'string' || !EMAIL.test(learner.email.trim())))
      throw new RegistryError('validation_failed', `not an e-mail address: ${String(learner.email)}`);
    if (learner.did !== undefined && (typeof learner.did !== 'string' || !DID.test(learner.did)))
      throw new RegistryError('validation_failed', `not a DID: ${String(learner.did)}`);
    if (req.validUntil !== undefined && Number.isNaN(Date.parse(req.validUntil))) throw new RegistryError('validation_failed', `validUntil is not a date: ${req.validUntil}`);
    const mc = this.resolveMicrocredential(req.microcredential);
    const version = Number(mc.record.version ?? 1);
    const learnerKey = this.learnerKey(learner);
    const dedupeKey = sha256Hex(`${mc.id}\n${version}\n${learnerKey}`);
    const dup = this.d.store.sqlite.prepare('SELECT id FROM issued_credentials WHERE dedupe_key = ?').get(dedupeKey) as { id: string } | undefined;
    if (dup) throw new RegistryError('conflict', `this learner already holds ${mc.id} (version ${version}): ${dup.id}`, { existing: dup.id });

    const now = this.d.clock.now();
    if (req.validUntil && Date.parse(req.validUntil) <= now.getTime()) throw new RegistryError('validation_failed', 'validUntil is in the past');
    const signer = await this.signer();
    const revocation = await this.allocate('revocation');
    const suspension = req.suspension === false ? null : await this.allocate('suspension');
    const status: StatusEntry[] = [buildStatusEntry({ statusListCredential: this.statusListUrl(revocation.list), index: revocation.index, purpose: 'revocation' })];
    if (suspension) status.push(buildStatusEntry({ statusListCredential: this.statusListUrl(suspension.list), index: suspension.index, purpose: 'suspension' }));
    const inst = this.d.institutions.get(this.author);
    const id = `urn:uuid:${randomUUID()}`;
    const unsigned = buildOpenBadgeCredential({
      record: mc.record as unknown as MicrocredentialRecordInput,
      microcredentialId: mc.id,
      baseUrl: this.base(),
      institution: {
        did: this.author,
        name: nameOf(inst, this.author),
        country: inst?.profile.country ?? (mc.record as { country?: string }).country ?? '',
        ...(inst?.profile.website ? { url: inst.profile.website } : {}),
      },
      issuerDid: signer.did,
      learner: { name, ...(learner.email ? { email: learner.email.trim() } : {}), ...(learner.did ? { did: learner.did } : {}) },
      issuedAt: now,
      credentialId: id,
      credentialStatus: status,
      salt: randomBytes(16).toString('base64url'),
      ...(req.validUntil ? { validUntil: req.validUntil } : {}),
    });
    const signed = await signer.sign(unsigned, { created: now });
    try {
      this.d.store.sqlite
        .prepare(
          `INSERT INTO issued_credentials (id, microcredential_id, microcredential_version, learner_name, learner_key, dedupe_key, credential,
             issuer_key, issued_at, revocation_list, revocation_index, suspension_list, suspension_index, job_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, mc.id, version, name, learnerKey, dedupeKey, JSON.stringify(signed), signer.did, now.toISOString(), revocation.list, revocation.index, suspension?.list ?? null, suspension?.index ?? null, opts.jobId ?? null);
    } catch (e) {
      // a concurrent issuance of the same credential won the race
      if (String(e).includes('UNIQUE')) throw new RegistryError('conflict', `this learner already holds ${mc.id} (version ${version})`);
      throw e;
    }
    return this.get(id)!;
  }

  /** Takes the next free index of the current list of that purpose, creating (and publishing) a new list when full. */
  private async allocate(purpose: StatusPurpose): Promise<{ list: string; index: number }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = this.d.store.tx(() => {
        const cur = this.d.store.sqlite
          .prepare('SELECT list_id, size, next_index FROM status_list_state WHERE purpose = ? AND next_index < size ORDER BY list_id LIMIT 1')
          .get(purpose) as { list_id: string; size: number; next_index: number } | undefined;
        if (!cur) return null;
        this.d.store.sqlite.prepare('UPDATE status_list_state SET next_index = next_index + 1, updated_at = ? WHERE list_id = ?').run(this.d.clock.now().toISOString(), cur.list_id);
        const index = cur.size === MIN_STATUS_LIST_BITS ? (PERM_A * cur.next_index + PERM_B) % cur.size : cur.next_index;
        return { list: statusListGlobalId(this.author, cur.list_id), index };
      });
      if (taken) return taken;
      await this.createList(purpose);
    }
    throw new RegistryError('internal', `could not allocate a ${purpose} status index`);
  }

  private async createList(purpose: StatusPurpose): Promise<void> {
    const n = (this.d.store.sqlite.prepare('SELECT count(*) AS c FROM status_list_state WHERE purpose = ?').get(purpose) as { c: number }).c;
    const listId = `${purpose === 'revocation' ? 'r' : 's'}${n + 1}`;
    const list = createStatusList(MIN_STATUS_LIST_BITS);
    const inserted = this.d.store.sqlite
      .prepare('INSERT OR IGNORE INTO status_list_state (list_id, purpose, size, next_index, encoded_list, dirty, updated_at) VALUES (?, ?, ?, 0, ?, 1, ?)')
      .run(listId, purpose, list.length, list.encode(), this.d.clock.now().toISOString());
    if (inserted.changes) await this.publishList(listId);
  }

  /** Publishes the current bits of one of this unit's lists as a `status-list` entry with its signed credential. */
  private async publishList(listId: string): Promise<void> {
    const st = this.d.store.sqlite.prepare('SELECT purpose, size, encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as
      | { purpose: StatusPurpose; size: number; encoded_list: string }
      | undefined;
    if (!st) throw new RegistryError('not_found', `no status list ${listId}`);
    const url = this.statusListUrl(statusListGlobalId(this.author, listId));
    const signer = await this.signer();
    const credential = await signStatusListCredential(signer, { id: url, purpose: st.purpose, list: decodeStatusList(st.encoded_list), validFrom: this.d.clock.now() });
    const body: StatusListEntryBody = { listId, purpose: st.purpose, size: st.size, encodedList: st.encoded_list, statusListCredential: url, credential };
    this.d.store.tx(() => {
      // publish only if nothing changed the bits meanwhile (otherwise the later change publishes)
      const again = this.d.store.sqlite.prepare('SELECT encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as { encoded_list: string };
      if (again.encoded_list !== st.encoded_list) return;
      this.d.feed.append('status-list', body);
      this.d.store.sqlite.prepare('UPDATE status_list_state SET dirty = 0 WHERE list_id = ?').run(listId);
    });
  }

  // ------------------------------------------------------------------ status changes

  revoke(id: string, reason?: string): Promise<IssuedCredential> {
    return this.setStatus(id, 'revoke', reason);
  }

  suspend(id: string, reason?: string): Promise<IssuedCredential> {
    return this.setStatus(id, 'suspend', reason);
  }

  reinstate(id: string, reason?: string): Promise<IssuedCredential> {
    return this.setStatus(id, 'reinstate', reason);
  }

  private async setStatus(id: string, action: 'revoke' | 'suspend' | 'reinstate', reason?: string): Promise<IssuedCredential> {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1000)) throw new RegistryError('validation_failed', 'reason must be a string of at most 1000 characters');
    const row = this.row(id);
    if (!row) throw new RegistryError('not_found', `no credential ${id} was issued by this node`);
    const localList = (globalId: string) => globalId.slice(0, globalId.lastIndexOf('.'));
    let listId: string;
    let index: number;
    let value: boolean;
    const now = this.d.clock.now().toISOString();
    if (action === 'revoke') {
      if (row.revoked_at) throw new RegistryError('conflict', `credential ${id} was already revoked on ${row.revoked_at}`);
      listId = localList(row.revocation_list);
      index = row.revocation_index;
      value = true;
    } else {
      if (row.revoked_at) throw new RegistryError('conflict', `credential ${id} is revoked; revocation is final`);
      if (row.suspension_list === null || row.suspension_index === null) throw new RegistryError('unsupported', `credential ${id} was issued without a suspension status`);
      if (action === 'suspend' && row.suspended_at) throw new RegistryError('conflict', `credential ${id} is already suspended`);
      if (action === 'reinstate' && !row.suspended_at) throw new RegistryError('conflict', `credential ${id} is not suspended`);
      listId = localList(row.suspension_list);
      index = row.suspension_index;
      value = action === 'suspend';
    }
    this.d.store.tx(() => {
      const st = this.d.store.sqlite.prepare('SELECT encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as { encoded_list: string } | undefined;
      if (!st) throw new RegistryError('internal', `status list ${listId} is missing from this node's state`);
      const list = decodeStatusList(st.encoded_list);
      list.set(index, value);
      this.d.store.sqlite.prepare('UPDATE status_list_state SET encoded_list = ?, dirty = 1, updated_at = ? WHERE list_id = ?').run(list.encode(), now, listId);
      if (action === 'revoke') this.d.store.sqlite.prepare('UPDATE issued_credentials SET revoked_at = ?, reason = ? WHERE id = ?').run(now, reason ?? null, id);
      else if (action === 'suspend') this.d.store.sqlite.prepare('UPDATE issued_credentials SET suspended_at = ?, reason = ? WHERE id = ?').run(now, reason ?? null, id);
      else this.d.store.sqlite.prepare('UPDATE issued_credentials SET suspended_at = NULL, reason = ? WHERE id = ?').run(reason ?? null, id);
    });
    await this.publishList(listId);
    return this.get(id)!;
  }

  /** Publishes lists whose bits changed but were not published (a crash between the change and the entry). */
  async publishPending(): Promise<number> {
    const rows = this.d.store.sqlite.prepare('SELECT list_id FROM status_list_state WHERE dirty = 1').all() as { list_id: string }[];
    for (const r of rows) await this.publishList(r.list_id);
    return rows.length;
  }

  // ------------------------------------------------------------------ reads

  private row(id: string): Row | undefined {
    return this.d.store.sqlite.prepare('SELECT * FROM issued_credentials WHERE id = ?').get(id) as Row | undefined;
  }

  private present(r: Row): IssuedCredential {
    return {
      id: r.id,
      microcredential: r.microcredential_id,
      microcredentialVersion: r.microcredential_version,
      learnerName: r.learner_name,
      issuedAt: r.issued_at,
      issuerKey: r.issuer_key,
      status: { revoked: r.revoked_at !== null, suspended: r.suspended_at !== null, revokedAt: r.revoked_at, suspendedAt: r.suspended_at, reason: r.reason },
      credential: JSON.parse(r.credential) as Record<string, unknown>,
      verifyUrl: this.verifyUrl(r.id),
      qrUrl: `${this.base()}/api/v1/credentials/${encodeURIComponent(r.id)}/qr.svg`,
      jobId: r.job_id,
    };
  }

  get(id: string): IssuedCredential | null {
    const r = this.row(id);
    return r ? this.present(r) : null;
  }

  list(q: { q?: string; microcredential?: string; limit?: number; offset?: number } = {}): { items: Omit<IssuedCredential, 'credential'>[]; total: number } {
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
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? 50), 500);
    const offset = Math.max(0, q.offset ?? 0);
    const total = (this.d.store.sqlite.prepare(`SELECT count(*) AS c FROM issued_credentials ${w}`).get(...args) as { c: number }).c;
    const rows = this.d.store.sqlite.prepare(`SELECT * FROM issued_credentials ${w} ORDER BY issued_at DESC, id LIMIT ? OFFSET ?`).all(...args, limit, offset) as Row[];
    return {
      items: rows.map((r) => {
        const { credential: _c, ...rest } = this.present(r);
        return rest;
      }),
      total,
    };
  }

  /** The signed status list credential, from the replica (any member's list, as its issuer signed it). */
  statusListCredential(globalId: string): Record<string, unknown> | null {
    return this.d.statusLists.get(globalId)?.body.credential ?? null;
  }

  // ------------------------------------------------------------------ batches

  /**
   * Issues a cohort. Each row on its own: a bad row is reported with its line and never stops the others; a row
   * already issued (same microcredential version and learner) is skipped, so re-running a file issues nothing twice.
   */
  async issueRows(rows: CohortRow[], opts: { microcredential?: string; jobId?: string; onProgress?: (done: number, last: BatchRowResult) => void } = {}): Promise<BatchRowResult[]> {
    const out: BatchRowResult[] = [];
    for (const row of rows) {
      if (this.stopping) throw new RegistryError('timeout', `interrupted at line ${row.line}: the node is stopping; re-run the same file to issue the remaining rows (issued rows are skipped)`);
      let r: BatchRowResult;
      if (row.error) r = { line: row.line, status: 'failed', error: row.error, ...(row.name ? { name: row.name } : {}) };
      else {
        const mcRef = row.microcredential ?? opts.microcredential;
        try {
          if (!mcRef) throw new RegistryError('validation_failed', 'no microcredential for this row (column microcredencial / microcredential, or one for the whole file)');
          const learner = { name: row.name!, ...(row.email ? { email: row.email } : {}), ...(row.did ? { did: row.did } : {}) };
          const c = await this.issue({ microcredential: mcRef, learner, ...(row.validUntil ? { validUntil: row.validUntil } : {}) }, opts.jobId ? { jobId: opts.jobId } : {});
          r = { line: row.line, status: 'issued', id: c.id, name: row.name! };
        } catch (e) {
          if (e instanceof RegistryError && e.code === 'conflict' && typeof (e.details as { existing?: unknown } | undefined)?.existing === 'string')
            r = { line: row.line, status: 'skipped', id: (e.details as { existing: string }).existing, name: row.name!, error: 'already issued' };
          else r = { line: row.line, status: 'failed', name: row.name!, error: e instanceof RegistryError ? e.message : 'internal error' };
          if (!(e instanceof RegistryError)) this.d.logger.error('batch row failed', { line: row.line, error: String(e) });
        }
      }
      out.push(r);
      opts.onProgress?.(out.length, r);
      // let HTTP requests in between rows
      if (out.length % 20 === 0) await new Promise((res) => setImmediate(res));
    }
    return out;
  }

  /** Starts a batch job from CSV text; runs in the background, progress through `job(id)`. */
  startBatch(csv: string, opts: { microcredential?: string } = {}): BatchJob {
    if (typeof csv !== 'string' || !csv.trim()) throw new RegistryError('validation_failed', 'csv is required (the file content as text)');
    const { rows } = parseCohortCsv(csv);
    if (opts.microcredential) this.resolveMicrocredential(opts.microcredential);
    const id = randomUUID();
    const now = this.d.clock.now().toISOString();
    this.d.store.sqlite
      .prepare("INSERT INTO jobs (id, kind, status, total, done, result, created_at, updated_at) VALUES (?, 'credential-batch', 'queued', ?, 0, '[]', ?, ?)")
      .run(id, rows.length, now, now);
    const results: BatchRowResult[] = [];
    const save = (state: BatchJob['state'], error?: string) =>
      this.d.store.sqlite
        .prepare('UPDATE jobs SET status = ?, done = ?, result = ?, updated_at = ? WHERE id = ?')
        .run(state, results.length, JSON.stringify(error ? { rows: results, error } : { rows: results }), this.d.clock.now().toISOString(), id);
    let lastSave = 0;
    const run = (async () => {
      await new Promise((res) => setImmediate(res));
      save('running');
      try {
        await this.issueRows(rows, {
          ...(opts.microcredential ? { microcredential: opts.microcredential } : {}),
          jobId: id,
          onProgress: (_n, r) => {
            results.push(r);
            if (performance.now() - lastSave > 2_000) {
              lastSave = performance.now();
              save('running');
            }
          },
        });
        save('done');
      } catch (e) {
        this.d.logger.error('batch job failed', { job: id, error: String(e) });
        save('failed', String((e as Error)?.message ?? e));
      }
    })().finally(() => {
      this.running.delete(id);
      this.live.delete(id);
    });
    this.live.set(id, results);
    this.running.set(id, run);
    return this.job(id)!;
  }

  /** A job with its counts and its row results from index `from` on (pollers ask only for what is new). */
  job(id: string, from = 0): BatchJob | null {
    const r = this.d.store.sqlite.prepare('SELECT id, status, total, done, created_at, updated_at FROM jobs WHERE id = ?').get(id) as
      | { id: string; status: BatchJob['state']; total: number; done: number; created_at: string; updated_at: string }
      | undefined;
    if (!r) return null;
    const live = this.live.get(id);
    let rows: BatchRowResult[];
    let error: string | undefined;
    if (live && r.status !== 'done' && r.status !== 'failed') rows = live;
    else {
      const res = (this.d.store.sqlite.prepare('SELECT result FROM jobs WHERE id = ?').get(id) as { result: string }).result;
      const parsed = JSON.parse(res) as { rows?: BatchRowResult[]; error?: string } | BatchRowResult[];
      rows = Array.isArray(parsed) ? parsed : (parsed.rows ?? []);
      if (!Array.isArray(parsed)) error = parsed.error;
    }
    let issued = 0;
    let skipped = 0;
    let failed = 0;
    for (const x of rows) {
      if (x.status === 'issued') issued++;
      else if (x.status === 'skipped') skipped++;
      else failed++;
    }
    const job: BatchJob = {
      id: r.id,
      state: live && r.status === 'queued' ? 'running' : r.status,
      total: r.total,
      processed: rows.length,
      issued,
      skipped,
      failed,
      rows: rows.slice(Math.max(0, from)),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
    if (error) job.error = error;
    return job;
  }

  /** Stops running batch jobs after their current row (each is marked failed with the line it stopped at). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Jobs interrupted by a stop are marked failed on the next start; their issued rows stay issued. */
  recoverInterruptedJobs(): number {
    return this.d.store.sqlite
      .prepare("UPDATE jobs SET status = 'failed', result = json_set(CASE WHEN json_type(result) = 'object' THEN result ELSE json_object('rows', json(result)) END, '$.error', 'interrupted: the node stopped; re-run the same file to issue the remaining rows (issued rows are skipped)') WHERE status IN ('queued', 'running')")
      .run().changes;
  }
}

/** The institution's name as its profile gives it, or its DID when no profile has replicated yet. */
function nameOf(inst: InstitutionRow | null, did: string): string {
  return (inst && primaryText(inst.profile.name)) ?? did;
}
