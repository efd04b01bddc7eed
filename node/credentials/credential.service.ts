/**
 * Issuing, revoking and verifying this unit's credentials. Issued credentials hold personal data and stay in this
 * node's database only; what the network sees is the unit's status lists (`status-list` entries: a bit per
 * credential, no personal data) and its issuer keys. Verification reads only the replica (issuer keys, membership,
 * catalogue, status lists): it works offline and for credentials of any member.
 *
 * Status indices are allocated in a permutation of the list (not 0, 1, 2, ...) so an index says nothing about when
 * or to whom a credential was issued; lists are 131,072 entries (the spec's herd-privacy minimum).
 *
 * Each issuer key has its own status lists, signed by that key (a list's issuer is always its credentials' issuer, as
 * standard verifiers require), also after the key is retired; a key declared compromised signs nothing again: its
 * lists are re-signed with the current key. Must never sign with a key the institution's feed has ended for new
 * credentials, nor with a compromised key at all.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../core/canonical.js';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import type { Keystore } from '../identity/keystore.js';
import type { Ed25519Key } from '../identity/keys.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Store } from '../store/database.js';
import type { CatalogueService, StoredMicrocredential } from '../catalogue/catalogue.service.js';
import { microcredentialId } from '../feed/ids.js';
import type { InstitutionDirectory, InstitutionRow } from '../trust/institutions.js';
import type { IssuerKeyRegistry } from '../trust/issuer-keys.js';
import type { MembershipService } from '../trust/membership.js';
import { buildOpenBadgeCredential, isoSeconds, microcredentialIdFromUri, primaryText, type MicrocredentialRecordInput, type StatusEntry } from './ob3.js';
import { createCredentialSigner, type CredentialSigner } from './sign.js';
import { buildStatusEntry, createStatusList, decodeStatusList, MIN_STATUS_LIST_BITS, signStatusListCredential, type StatusPurpose } from './status-list.js';
import { statusListGlobalId, type StatusListEntryBody, type StatusListRegistry } from './status-registry.js';
import { createVerifier, type Freshness, type VerificationReport } from './verify.js';
import type { PresentationOptions } from './presentation.js';
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

/** One credential of a re-issue run. */
export interface ReissueRowResult {
  id: string;
  status: 'reissued' | 'failed';
  newId?: string;
  learnerName?: string;
  error?: string;
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

/** Which of this unit's issuer keys may sign now (the institution service, which owns the key file). */
export interface SigningKeys {
  /** The key new credentials are signed with; throws when the feed ended it and no newer key is held. */
  currentSigningKey(): Ed25519Key;
  /** The key itself while merely retired, null once declared compromised (or not held). */
  listSigningKey(did: string): Ed25519Key | null;
  isCompromised(did: string): boolean;
}

export interface CredentialServiceDeps {
  store: Store;
  feed: FeedService;
  keystore: Keystore;
  keys: SigningKeys;
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

// a bijection of [0, 2^17): odd multiplier and offset modulo a power of two
const PERM_A = 0x2f3d5; // odd
const PERM_B = 0x1a2b3;

export class CredentialService {
  /** Whether unused lists without a key (from before lists were per key) may still exist, per purpose. */
  private readonly legacyLists: Record<StatusPurpose, boolean> = { revocation: true, suspension: true };
  /** Re-signing runs under way (a key change noticed during one does not start another). */
  private resignRunning = 0;
  /** The key of the last signature (to notice a rotation made by another process). */
  private lastKey: string | null = null;
  /** One signer per issuer key (a node holds a handful). */
  private readonly signers = new Map<string, Promise<CredentialSigner>>();
  private readonly verifier;
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;
  /** Statements of the issuance and batch-job paths (hot: a batch runs them per row), prepared once; the rest use store.statement(). */
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: CredentialServiceDeps) {
    this.st = prepareStatements(d.store);
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

  private signerOf(key: Ed25519Key): Promise<CredentialSigner> {
    let s = this.signers.get(key.did);
    if (!s) {
      s = createCredentialSigner(key.seed, { documentLoader: this.d.documentLoader });
      this.signers.set(key.did, s);
    }
    return s;
  }

  /**
   * The signer of the current issuer key: asked for every credential, so a rotation (also by the CLI) applies at once.
   * When the key changed since the last signature, the lists are checked too (in the background): a CLI that declared
   * a compromise and stopped before re-signing its lists leaves nothing signed only by that key for long.
   */
  private signer(): Promise<CredentialSigner> {
    const key = this.d.keys.currentSigningKey();
    if (this.lastKey !== null && this.lastKey !== key.did && this.resignRunning === 0)
      setImmediate(() => void this.resignStatusLists().catch((e: unknown) => this.d.logger.warn('status lists not re-signed after a key change', { error: String(e) })));
    this.lastKey = key.did;
    return this.signerOf(key);
  }

  /** The signer of a list of `issuerKey`: that key while only retired, the current key once it was declared compromised. */
  private listSigner(issuerKey: string | null): Promise<CredentialSigner> {
    const own = issuerKey ? this.d.keys.listSigningKey(issuerKey) : null;
    return own ? this.signerOf(own) : this.signer();
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

  /** `options`: the challenge / domain the caller gave the holder of a presentation. */
  verify(input: unknown, options?: PresentationOptions): Promise<VerificationReport> {
    return this.verifier.verify(input, options);
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

  /**
   * Issues one credential. The same microcredential version is issued to the same learner once while in force
   * (`conflict`): a revoked credential can be issued again, and one signed by a key declared compromised is replaced
   * (revoked, pointing at the new one, in the same transaction that stores the new one).
   */
  async issue(req: IssueRequest, opts: { jobId?: string; jobRow?: { idx: number; line: number } } = {}): Promise<IssuedCredential> {
    // status lists live in this unit's feed: while it may not append (own feed not confirmed current), nothing is issued
    this.d.feed.assertCanAppend();
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
    const dup = this.st.dedupe.get(dedupeKey) as { id: string; issuer_key: string } | undefined;
    if (dup && !this.d.keys.isCompromised(dup.issuer_key))
      throw new RegistryError('conflict', `this learner already holds ${mc.id} (version ${version}): ${dup.id}`, { existing: dup.id });

    const now = this.d.clock.now();
    if (req.validUntil && Date.parse(req.validUntil) <= now.getTime()) throw new RegistryError('validation_failed', 'validUntil is in the past');
    const signer = await this.signer();
    const revocation = await this.allocate('revocation', signer.did);
    const suspension = req.suspension === false ? null : await this.allocate('suspension', signer.did);
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
    let replacedList: string | null = null;
    try {
      // a batch row's result commits with its credential: a crash leaves both or neither
      this.d.store.tx(() => {
        if (dup) replacedList = this.revokeInTx(dup.id, now.toISOString(), `re-issued as ${id}: its issuer key ${dup.issuer_key} was declared compromised`, id);
        this.st.insertCredential.run(id, mc.id, version, name, learnerKey, dedupeKey, JSON.stringify(signed), signer.did, now.toISOString(), revocation.list, revocation.index, suspension?.list ?? null, suspension?.index ?? null, opts.jobId ?? null);
        if (opts.jobId && opts.jobRow) this.st.insertJobRow.run(opts.jobId, opts.jobRow.idx, opts.jobRow.line, 'issued', id, name, null);
      });
    } catch (e) {
      // a concurrent issuance of the same credential won the race
      if (String(e).includes('issued_credentials.dedupe_key')) throw new RegistryError('conflict', `this learner already holds ${mc.id} (version ${version})`);
      throw e;
    }
    if (replacedList) await this.publishList(replacedList);
    return this.get(id)!;
  }

  /**
   * Inside a transaction: revokes credential `id` (its bit, its row, the credential replacing it) and returns its
   * list, to publish after the commit; null when it was revoked meanwhile.
   */
  private revokeInTx(id: string, now: string, reason: string, replacedBy: string | null): string | null {
    const row = this.row(id);
    if (!row || row.revoked_at) return null;
    const listId = localListId(row.revocation_list);
    this.setBitInTx(listId, row.revocation_index, true, now);
    this.d.store.statement('UPDATE issued_credentials SET revoked_at = ?, reason = ?, replaced_by = ? WHERE id = ?').run(now, reason, replacedBy, id);
    return listId;
  }

  private setBitInTx(listId: string, index: number, value: boolean, now: string): void {
    const st = this.d.store.statement('SELECT encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as { encoded_list: string } | undefined;
    if (!st) throw new RegistryError('internal', `status list ${listId} is missing from this node's state`);
    const list = decodeStatusList(st.encoded_list);
    list.set(index, value);
    this.d.store.statement('UPDATE status_list_state SET encoded_list = ?, dirty = 1, updated_at = ? WHERE list_id = ?').run(list.encode(), now, listId);
  }

  /** Takes the next free index of the current list of that purpose, creating (and publishing) a new list when full. */
  private async allocate(purpose: StatusPurpose, issuerKey: string): Promise<{ list: string; index: number }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = this.d.store.tx(() => {
        // an unused list of a database from before per-key lists is taken by the first key that needs one (none are
        // made any more: once a look finds none, allocation stops looking)
        if (this.legacyLists[purpose] && this.st.adoptEmptyList.run(issuerKey, purpose).changes === 0) this.legacyLists[purpose] = false;
        const cur = this.st.currentList.get(issuerKey, purpose) as { list_id: string; size: number; next_index: number } | undefined;
        if (!cur) return null;
        this.st.takeIndex.run(this.d.clock.now().toISOString(), cur.list_id);
        const index = cur.size === MIN_STATUS_LIST_BITS ? (PERM_A * cur.next_index + PERM_B) % cur.size : cur.next_index;
        return { list: statusListGlobalId(this.author, cur.list_id), index };
      });
      if (taken) return taken;
      await this.createList(purpose, issuerKey);
    }
    throw new RegistryError('internal', `could not allocate a ${purpose} status index`);
  }

  private async createList(purpose: StatusPurpose, issuerKey: string): Promise<void> {
    let n = (this.d.store.statement('SELECT count(*) AS c FROM status_list_state WHERE purpose = ?').get(purpose) as { c: number }).c;
    let listId = `${purpose === 'revocation' ? 'r' : 's'}${++n}`;
    // never an id this unit's feed already published (a database lost and its feed recovered from peers keeps the
    // old lists in the replica but not their local state): a new list must not overwrite an old list's bits
    while (this.d.store.statement('SELECT 1 FROM status_lists WHERE list_id = ?').get(statusListGlobalId(this.author, listId)))
      listId = `${purpose === 'revocation' ? 'r' : 's'}${++n}`;
    const list = createStatusList(MIN_STATUS_LIST_BITS);
    const inserted = this.d.store
      .statement('INSERT OR IGNORE INTO status_list_state (list_id, issuer_key, purpose, size, next_index, encoded_list, dirty, updated_at) VALUES (?, ?, ?, ?, 0, ?, 1, ?)')
      .run(listId, issuerKey, purpose, list.length, list.encode(), this.d.clock.now().toISOString());
    if (inserted.changes) await this.publishList(listId);
  }

  /**
   * Publishes the current bits of one of this unit's lists as a `status-list` entry with its signed credential, signed
   * by the key whose credentials the list holds (the current key instead once that key was declared compromised).
   */
  private async publishList(listId: string): Promise<void> {
    const st = this.d.store.statement('SELECT issuer_key, purpose, size, encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as
      | { issuer_key: string | null; purpose: StatusPurpose; size: number; encoded_list: string }
      | undefined;
    if (!st) throw new RegistryError('not_found', `no status list ${listId}`);
    const url = this.statusListUrl(statusListGlobalId(this.author, listId));
    const signer = await this.listSigner(st.issuer_key);
    const credential = await signStatusListCredential(signer, { id: url, purpose: st.purpose, list: decodeStatusList(st.encoded_list), validFrom: this.d.clock.now() });
    const body: StatusListEntryBody = { listId, purpose: st.purpose, size: st.size, encodedList: st.encoded_list, statusListCredential: url, credential };
    this.d.store.tx(() => {
      // publish only if nothing changed the bits meanwhile (otherwise the later change publishes)
      const again = this.d.store.statement('SELECT encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as { encoded_list: string };
      if (again.encoded_list !== st.encoded_list) return;
      this.d.feed.append('status-list', body);
      this.d.store.statement('UPDATE status_list_state SET dirty = 0 WHERE list_id = ?').run(listId);
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
    const localList = localListId;
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
      this.setBitInTx(listId, index, value, now);
      if (action === 'revoke') this.d.store.statement('UPDATE issued_credentials SET revoked_at = ?, reason = ? WHERE id = ?').run(now, reason ?? null, id);
      else if (action === 'suspend') this.d.store.statement('UPDATE issued_credentials SET suspended_at = ?, reason = ? WHERE id = ?').run(now, reason ?? null, id);
      else this.d.store.statement('UPDATE issued_credentials SET suspended_at = NULL, reason = ? WHERE id = ?').run(reason ?? null, id);
    });
    await this.publishList(listId);
    return this.get(id)!;
  }

  /** Publishes lists whose bits changed but were not published (a crash between the change and the entry). */
  async publishPending(): Promise<number> {
    const rows = this.d.store.statement('SELECT list_id FROM status_list_state WHERE dirty = 1').all() as { list_id: string }[];
    for (const r of rows) await this.publishList(r.list_id);
    return rows.length;
  }

  /**
   * Re-publishes every list of this unit whose published copy is not signed by the key that should sign it: a key
   * declared compromised is replaced by the current key, so no list stays signed only by such a key (run after a
   * compromise, by whichever process declared it, and at start); and a list a database from before per-key lists
   * had re-signed with a later key goes back to its credentials' key. Credentials of a compromised key then point at
   * a list of another issuer: standard verifiers that demand matching issuers report their status as unverifiable,
   * so they are to be re-issued (`reissue`). A list that cannot be signed now (no usable key) is left and reported.
   */
  async resignStatusLists(): Promise<string[]> {
    this.resignRunning++;
    try {
      return await this.resignNow();
    } finally {
      this.resignRunning--;
    }
  }

  private async resignNow(): Promise<string[]> {
    const done: string[] = [];
    const rows = this.d.store.statement('SELECT list_id, issuer_key FROM status_list_state ORDER BY list_id').all() as { list_id: string; issuer_key: string | null }[];
    for (const r of rows) {
      const globalId = statusListGlobalId(this.author, r.list_id);
      const published = this.d.statusLists.get(globalId)?.body.credential as { issuer?: unknown } | undefined;
      const issuer = typeof published?.issuer === 'string' ? published.issuer : (published?.issuer as { id?: unknown } | undefined)?.id;
      if (typeof issuer !== 'string') continue; // never published: publishPending's work
      const compromised = this.d.keys.isCompromised(issuer);
      const misSigned = r.issuer_key !== null && issuer !== r.issuer_key && !this.d.keys.isCompromised(r.issuer_key) && this.d.keys.listSigningKey(r.issuer_key) !== null;
      if (!compromised && !misSigned) continue;
      try {
        await this.publishList(r.list_id);
        done.push(globalId);
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        this.d.logger.warn('status list left as published: no key may sign it now', { list: globalId, error: e.message });
      }
    }
    return done;
  }

  // ------------------------------------------------------------------ re-issuing

  /**
   * Re-issues a credential in force with the current key: the same achievement, learner (the same identity hash and
   * salt), award date and end of validity, a new id, new status entries and `validFrom` now; the old one is revoked
   * ("re-issued as …", `replacedBy`) in the same transaction that stores the new one.
   */
  async reissue(id: string): Promise<{ old: IssuedCredential; credential: IssuedCredential }> {
    const { newId, replacedList } = await this.reissueUnpublished(id);
    await this.publishList(replacedList);
    return { old: this.get(id)!, credential: this.get(newId)! };
  }

  /** `reissue` without publishing the old credential's list (left dirty: a batch publishes each list once). */
  private async reissueUnpublished(id: string): Promise<{ newId: string; replacedList: string }> {
    this.d.feed.assertCanAppend(); // before anything is revoked: the revocation must be publishable
    const row = this.row(id);
    if (!row) throw new RegistryError('not_found', `no credential ${id} was issued by this node`);
    if (row.revoked_at) throw new RegistryError('conflict', `credential ${id} is revoked; issue a new one instead`);
    if (row.suspended_at) throw new RegistryError('conflict', `credential ${id} is suspended; reinstate or revoke it first`);
    const signer = await this.signer();
    if (row.issuer_key === signer.did) throw new RegistryError('conflict', `credential ${id} is already signed by the current issuer key`);
    const old = JSON.parse(row.credential) as Record<string, unknown>;
    const now = this.d.clock.now();
    if (typeof old['validUntil'] === 'string' && Date.parse(old['validUntil']) <= now.getTime())
      throw new RegistryError('conflict', `credential ${id} expired on ${old['validUntil']}`);
    const revocation = await this.allocate('revocation', signer.did);
    const suspension = row.suspension_list !== null ? await this.allocate('suspension', signer.did) : null;
    const status: StatusEntry[] = [buildStatusEntry({ statusListCredential: this.statusListUrl(revocation.list), index: revocation.index, purpose: 'revocation' })];
    if (suspension) status.push(buildStatusEntry({ statusListCredential: this.statusListUrl(suspension.list), index: suspension.index, purpose: 'suspension' }));
    const newId = `urn:uuid:${randomUUID()}`;
    const { proof: _proof, ...rest } = old;
    const issuer = rest['issuer'] && typeof rest['issuer'] === 'object' ? { ...(rest['issuer'] as Record<string, unknown>), id: signer.did } : signer.did;
    const unsigned = { ...rest, id: newId, issuer, validFrom: isoSeconds(now), credentialStatus: status.length === 1 ? status[0] : status };
    const signed = await signer.sign(unsigned, { created: now });
    const replacedList = this.d.store.tx(() => {
      const listId = this.revokeInTx(id, now.toISOString(), `re-issued as ${newId} with issuer key ${signer.did}`, newId);
      if (!listId) throw new RegistryError('conflict', `credential ${id} was revoked meanwhile`);
      this.st.insertCredential.run(newId, row.microcredential_id, row.microcredential_version, row.learner_name, row.learner_key, row.dedupe_key, JSON.stringify(signed), signer.did, now.toISOString(), revocation.list, revocation.index, suspension?.list ?? null, suspension?.index ?? null, null);
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
    if (typeof q.issuerKey !== 'string' || !q.issuerKey) throw new RegistryError('validation_failed', 'issuerKey is required');
    for (const d of [q.issuedFrom, q.issuedTo]) if (d !== undefined && Number.isNaN(Date.parse(d))) throw new RegistryError('validation_failed', `not a date: ${d}`);
    this.d.feed.assertCanAppend();
    const current = this.d.keys.currentSigningKey().did;
    if (q.issuerKey === current) throw new RegistryError('validation_failed', `${q.issuerKey} is the current issuer key: its credentials need no re-issue`);
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const where = ['issuer_key = ?', 'revoked_at IS NULL', 'suspended_at IS NULL'];
    const args: unknown[] = [q.issuerKey];
    if (q.issuedFrom) {
      where.push('issued_at >= ?');
      args.push(new Date(q.issuedFrom).toISOString());
    }
    if (q.issuedTo) {
      where.push('issued_at < ?');
      args.push(new Date(q.issuedTo).toISOString());
    }
    const ids = this.d.store.statement(`SELECT id, learner_name FROM issued_credentials WHERE ${where.join(' AND ')} ORDER BY issued_at, id LIMIT ?`).all(...args, limit) as { id: string; learner_name: string }[];
    const rows: ReissueRowResult[] = [];
    const touched = new Set<string>();
    try {
      for (const r of ids) {
        if (this.stopping) break;
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
      for (const listId of touched) await this.publishList(listId);
    }
    const remaining = (this.d.store.statement(`SELECT count(*) AS c FROM issued_credentials WHERE ${where.join(' AND ')}`).get(...args) as { c: number }).c;
    const reissued = rows.filter((r) => r.status === 'reissued').length;
    return { rows, reissued, failed: rows.length - reissued, remaining };
  }

  // ------------------------------------------------------------------ reads

  private row(id: string): Row | undefined {
    return this.st.credential.get(id) as Row | undefined;
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
    const rows = this.d.store.statement(`SELECT * FROM issued_credentials ${w} ORDER BY issued_at DESC, id LIMIT ? OFFSET ?`).all(...args, limit, offset) as Row[];
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
   * With a `jobId`, each row's result is stored in job_rows as it is processed; an issued row's result in the same
   * transaction as its credential.
   */
  async issueRows(rows: CohortRow[], opts: { microcredential?: string; jobId?: string; onProgress?: (done: number, last: BatchRowResult) => void } = {}): Promise<BatchRowResult[]> {
    const out: BatchRowResult[] = [];
    for (const [idx, row] of rows.entries()) {
      if (this.stopping) throw new RegistryError('timeout', `interrupted at line ${row.line}: the node is stopping; re-run the same file to issue the remaining rows (issued rows are skipped)`);
      let r: BatchRowResult;
      if (row.error) r = { line: row.line, status: 'failed', error: row.error, ...(row.name ? { name: row.name } : {}) };
      else {
        const mcRef = row.microcredential ?? opts.microcredential;
        try {
          if (!mcRef) throw new RegistryError('validation_failed', 'no microcredential for this row (column microcredencial / microcredential, or one for the whole file)');
          const learner = { name: row.name!, ...(row.email ? { email: row.email } : {}), ...(row.did ? { did: row.did } : {}) };
          const c = await this.issue({ microcredential: mcRef, learner, ...(row.validUntil ? { validUntil: row.validUntil } : {}) }, opts.jobId ? { jobId: opts.jobId, jobRow: { idx, line: row.line } } : {});
          r = { line: row.line, status: 'issued', id: c.id, name: row.name! };
        } catch (e) {
          if (e instanceof RegistryError && e.code === 'conflict' && typeof (e.details as { existing?: unknown } | undefined)?.existing === 'string')
            r = { line: row.line, status: 'skipped', id: (e.details as { existing: string }).existing, name: row.name!, error: 'already issued' };
          else r = { line: row.line, status: 'failed', name: row.name!, error: e instanceof RegistryError ? e.message : 'internal error' };
          if (!(e instanceof RegistryError)) this.d.logger.error('batch row failed', { line: row.line, error: String(e) });
        }
      }
      // issued rows were stored with their credential; OR IGNORE keeps that result if anything threw after the commit
      if (opts.jobId && r.status !== 'issued') this.st.insertJobRowIfNone.run(opts.jobId, idx, r.line, r.status, r.id ?? null, r.name ?? null, r.error ?? null);
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
    this.d.feed.assertCanAppend(); // refused at once (own feed not confirmed current), not row by row in the background
    const { rows } = parseCohortCsv(csv);
    if (opts.microcredential) this.resolveMicrocredential(opts.microcredential);
    const id = randomUUID();
    const now = this.d.clock.now().toISOString();
    this.st.insertJob.run(id, rows.length, now, now);
    const setState = (state: BatchJob['state'], error?: string) => this.st.setJobState.run(state, error ?? null, this.d.clock.now().toISOString(), id);
    const run = (async () => {
      await new Promise((res) => setImmediate(res));
      setState('running');
      try {
        await this.issueRows(rows, { ...(opts.microcredential ? { microcredential: opts.microcredential } : {}), jobId: id });
        setState('done');
      } catch (e) {
        this.d.logger.error('batch job failed', { job: id, error: String(e) });
        setState('failed', String((e as Error)?.message ?? e));
      }
    })().finally(() => this.running.delete(id));
    this.running.set(id, run);
    return this.job(id)!;
  }

  /**
   * A job with its counts and its row results from index `from` on (pollers ask only for what is new). Read from the
   * database, where each row's result is stored as it is processed: what a job reports is what happened, even after
   * a crash.
   */
  job(id: string, from = 0): BatchJob | null {
    const r = this.st.job.get(id) as { id: string; status: BatchJob['state']; total: number; error: string | null; created_at: string; updated_at: string } | undefined;
    if (!r) return null;
    const counts = { issued: 0, skipped: 0, failed: 0 };
    for (const c of this.st.jobCounts.all(id) as { status: BatchRowResult['status']; n: number }[]) counts[c.status in counts ? c.status : 'failed'] += c.n;
    const rows = (this.st.jobRows.all(id, Math.max(0, Math.floor(from) || 0)) as { line: number; status: BatchRowResult['status']; credential_id: string | null; name: string | null; error: string | null }[]).map(
      (x): BatchRowResult => ({ line: x.line, status: x.status, ...(x.credential_id !== null ? { id: x.credential_id } : {}), ...(x.name !== null ? { name: x.name } : {}), ...(x.error !== null ? { error: x.error } : {}) }),
    );
    const job: BatchJob = {
      id: r.id,
      state: r.status,
      total: r.total,
      processed: counts.issued + counts.skipped + counts.failed,
      ...counts,
      rows,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
    if (r.error !== null) job.error = r.error;
    return job;
  }

  /** Stops running batch jobs after their current row (each is marked failed with the line it stopped at). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Jobs left queued or running by the last stop (or a crash) are marked failed on the next start. Their row results
   * need no repair: each was stored as its row was processed, an issued row with its credential.
   */
  recoverInterruptedJobs(): number {
    return this.st.failInterruptedJobs.run('interrupted: the node stopped; re-run the same file to issue the remaining rows (issued rows are skipped)', this.d.clock.now().toISOString()).changes;
  }
}

/** The issuance and batch-job statements (CredentialService.st). */
function prepareStatements(store: Store) {
  const p = (sql: string) => store.sqlite.prepare(sql);
  return {
    // the duplicate rule holds for credentials in force only (a partial unique index backs it)
    dedupe: p('SELECT id, issuer_key FROM issued_credentials WHERE dedupe_key = ? AND revoked_at IS NULL'),
    credential: p('SELECT * FROM issued_credentials WHERE id = ?'),
    insertCredential: p(
      `INSERT INTO issued_credentials (id, microcredential_id, microcredential_version, learner_name, learner_key, dedupe_key, credential,
         issuer_key, issued_at, revocation_list, revocation_index, suspension_list, suspension_index, job_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertJob: p("INSERT INTO jobs (id, kind, status, total, created_at, updated_at) VALUES (?, 'credential-batch', 'queued', ?, ?, ?)"),
    setJobState: p('UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?'),
    failInterruptedJobs: p("UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE status IN ('queued', 'running')"),
    insertJobRow: p('INSERT INTO job_rows (job_id, idx, line, status, credential_id, name, error) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertJobRowIfNone: p('INSERT OR IGNORE INTO job_rows (job_id, idx, line, status, credential_id, name, error) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    currentList: p('SELECT list_id, size, next_index FROM status_list_state WHERE issuer_key = ? AND purpose = ? AND next_index < size ORDER BY list_id LIMIT 1'),
    adoptEmptyList: p('UPDATE status_list_state SET issuer_key = ? WHERE issuer_key IS NULL AND purpose = ? AND next_index = 0'),
    takeIndex: p('UPDATE status_list_state SET next_index = next_index + 1, updated_at = ? WHERE list_id = ?'),
    job: p('SELECT id, status, total, error, created_at, updated_at FROM jobs WHERE id = ?'),
    jobCounts: p('SELECT status, count(*) AS n FROM job_rows WHERE job_id = ? GROUP BY status'),
    jobRows: p('SELECT line, status, credential_id, name, error FROM job_rows WHERE job_id = ? AND idx >= ? ORDER BY idx'),
  };
}

/** `r1` of the network-wide list id `r1.<16 hex>`. */
function localListId(globalId: string): string {
  return globalId.slice(0, globalId.lastIndexOf('.'));
}

/** The institution's name as its profile gives it, or its DID when no profile has replicated yet. */
function nameOf(inst: InstitutionRow | null, did: string): string {
  return (inst && primaryText(inst.profile.name)) ?? did;
}
