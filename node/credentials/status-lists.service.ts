/**
 * This unit's status lists (what the network sees of its credentials: a bit per credential, no personal data) and
 * the status changes written to them: revoke (final), suspend, reinstate. Indices are allocated in a permutation of
 * the list (not 0, 1, 2, ...) so an index says nothing about when or to whom a credential was issued; lists are
 * 131,072 entries (the spec's herd-privacy minimum). Each issuer key has its own lists, signed by that key (a list's
 * issuer is always its credentials' issuer, as standard verifiers require), also after the key is retired; a key
 * declared compromised signs nothing again: its lists are re-signed with the current key. A list is published
 * (a `status-list` entry in this unit's feed) after every change of its bits; a crash in between leaves it dirty
 * and it is published at the next start. Must never sign with a compromised key and never publish bits that
 * changed after they were read.
 */
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Store } from '../store/database.js';
import type { IssuedCredential, IssuedCredentials } from './issued-credentials.js';
import type { IssuingUnit } from './issuing-unit.js';
import { IssuerSigners, type SigningKeys } from './signers.js';
import { createStatusList, decodeStatusList, MIN_STATUS_LIST_BITS, pairedSuspensionListId, signStatusListCredential, type StatusPurpose } from './status-list.js';
import { statusListGlobalId, type StatusListEntryBody, type StatusListRegistry } from './status-registry.js';

// a bijection of [0, 2^17): odd multiplier and offset modulo a power of two
const PERM_A = 0x2f3d5; // odd
const PERM_B = 0x1a2b3;

export interface StatusListServiceDeps {
  store: Store;
  feed: FeedService;
  keys: SigningKeys;
  statusLists: StatusListRegistry;
  clock: Clock;
  logger: Logger;
  documentLoader: DocumentLoader;
  unit: IssuingUnit;
  issued: IssuedCredentials;
}

export class StatusListService {
  /** Whether unused lists without a key (from before lists were per key) may still exist, per purpose. */
  private readonly legacyLists: Record<StatusPurpose, boolean> = { revocation: true, suspension: true };
  /** Re-signing runs under way (a key change noticed during one does not start another). */
  private resignRunning = 0;
  readonly signers: IssuerSigners;
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: StatusListServiceDeps) {
    this.st = prepareStatements(d.store);
    this.signers = new IssuerSigners({ keys: d.keys, documentLoader: d.documentLoader, onKeyChange: () => this.keyChanged() });
  }

  /** The current key changed since the last signature: check the lists in the background (one run at a time). */
  private keyChanged(): void {
    if (this.resignRunning === 0)
      setImmediate(() => void this.resignStatusLists().catch((e: unknown) => this.d.logger.warn('status lists not re-signed after a key change', { error: String(e) })));
  }

  /**
   * Inside a transaction: revokes credential `id` (its bit, its row, the credential replacing it) and returns its
   * list, to publish after the commit; null when it was revoked meanwhile.
   */
  revokeInTx(id: string, now: string, reason: string, replacedBy: string | null): string | null {
    const row = this.d.issued.row(id);
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
  async allocate(purpose: StatusPurpose, issuerKey: string): Promise<{ list: string; index: number }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = this.d.store.tx(() => {
        // an unused list of a database from before per-key lists is taken by the first key that needs one (none are
        // made any more: once a look finds none, allocation stops looking)
        if (this.legacyLists[purpose] && this.st.adoptEmptyList.run(issuerKey, purpose).changes === 0) this.legacyLists[purpose] = false;
        const cur = this.st.currentList.get(issuerKey, purpose) as { list_id: string; size: number; next_index: number } | undefined;
        if (!cur) return null;
        this.st.takeIndex.run(this.d.clock.now().toISOString(), cur.list_id);
        const index = cur.size === MIN_STATUS_LIST_BITS ? (PERM_A * cur.next_index + PERM_B) % cur.size : cur.next_index;
        return { list: statusListGlobalId(this.d.unit.author, cur.list_id), index };
      });
      if (taken) return taken;
      await this.createList(purpose, issuerKey);
    }
    throw new RegistryError('internal', `could not allocate a ${purpose} status index`);
  }

  /**
   * The suspension index of a credential: the same index as its revocation bit, in the suspension list paired with its
   * revocation list (created and published the first time; never allocated from, its next_index is its size).
   */
  async pairedSuspension(revocation: { list: string; index: number }, issuerKey: string): Promise<{ list: string; index: number }> {
    const listId = pairedSuspensionListId(localListId(revocation.list));
    const rev = this.d.store.statement('SELECT size FROM status_list_state WHERE list_id = ?').get(localListId(revocation.list)) as { size: number } | undefined;
    if (!rev) throw new RegistryError('internal', `status list ${revocation.list} is missing from this node's state`);
    const list = createStatusList(Math.max(rev.size, MIN_STATUS_LIST_BITS));
    const inserted = this.d.store
      .statement('INSERT OR IGNORE INTO status_list_state (list_id, issuer_key, purpose, size, next_index, encoded_list, dirty, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)')
      .run(listId, issuerKey, 'suspension', list.length, list.length, list.encode(), this.d.clock.now().toISOString());
    if (inserted.changes) await this.publishList(listId);
    return { list: statusListGlobalId(this.d.unit.author, listId), index: revocation.index };
  }

  private async createList(purpose: StatusPurpose, issuerKey: string): Promise<void> {
    let n = (this.d.store.statement('SELECT count(*) AS c FROM status_list_state WHERE purpose = ?').get(purpose) as { c: number }).c;
    let listId = `${purpose === 'revocation' ? 'r' : 's'}${++n}`;
    // never an id this unit's feed already published (a database lost and its feed recovered from peers keeps the
    // old lists in the replica but not their local state): a new list must not overwrite an old list's bits
    while (this.d.store.statement('SELECT 1 FROM status_lists WHERE list_id = ?').get(statusListGlobalId(this.d.unit.author, listId)))
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
  async publishList(listId: string): Promise<void> {
    const st = this.d.store.statement('SELECT issuer_key, purpose, size, encoded_list FROM status_list_state WHERE list_id = ?').get(listId) as
      | { issuer_key: string | null; purpose: StatusPurpose; size: number; encoded_list: string }
      | undefined;
    if (!st) throw new RegistryError('not_found', `no status list ${listId}`);
    const url = this.d.unit.statusListUrl(statusListGlobalId(this.d.unit.author, listId));
    const signer = await this.signers.listSigner(st.issuer_key);
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
    const row = this.d.issued.row(id);
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
    return this.d.issued.get(id)!;
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
      const globalId = statusListGlobalId(this.d.unit.author, r.list_id);
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

  /** The signed status list credential, from the replica (any member's list, as its issuer signed it). */
  statusListCredential(globalId: string): Record<string, unknown> | null {
    return this.d.statusLists.get(globalId)?.body.credential ?? null;
  }
}

/** The allocation statements (hot: run for every credential issued); the rest use store.statement(). */
function prepareStatements(store: Store) {
  const p = (sql: string) => store.sqlite.prepare(sql);
  return {
    currentList: p('SELECT list_id, size, next_index FROM status_list_state WHERE issuer_key = ? AND purpose = ? AND next_index < size ORDER BY list_id LIMIT 1'),
    adoptEmptyList: p('UPDATE status_list_state SET issuer_key = ? WHERE issuer_key IS NULL AND purpose = ? AND next_index = 0'),
    takeIndex: p('UPDATE status_list_state SET next_index = next_index + 1, updated_at = ? WHERE list_id = ?'),
  };
}

/** `r1` of the network-wide list id `r1.<16 hex>`. */
function localListId(globalId: string): string {
  return globalId.slice(0, globalId.lastIndexOf('.'));
}
