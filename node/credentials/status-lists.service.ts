/**
 * This unit's status lists (what the network sees of its credentials: a bit per credential, no personal data) and
 * the status changes written to them: revoke (final), suspend, reinstate. Indices are allocated in a permutation of
 * the list (not 0, 1, 2, ...) so an index says nothing about when or to whom a credential was issued; lists are
 * 131,072 entries (the spec's herd-privacy minimum). Each issuer key has its own lists, signed by that key (a list's
 * issuer is always its credentials' issuer, as standard verifiers require), also after the key is retired; a key
 * declared compromised signs nothing again: its lists are re-signed with the current key. A list is published
 * (a `status-list` entry in this unit's feed) after every change of its bits; a crash in between leaves it dirty
 * and it is published at the next start. A list some of whose set bits have a reason category (the closed list of
 * schemas/status-reason.schema.json) is followed, in the same transaction, by its companion (status-reasons.ts),
 * rebuilt from the credentials' rows; the free-text reason stays in this node's database. Must never sign with a
 * compromised key, never publish bits that changed after they were read, and never publish the free-text reason.
 */
import { and, asc, count, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Store } from '../store/database.js';
import { issuedCredentials, statusListState, statusLists } from '../store/schema.js';
import type { IssuedCredential, IssuedCredentials } from './issued-credentials.js';
import type { IssuingUnit } from './issuing-unit.js';
import { IssuerSigners, type SigningKeys } from './signers.js';
import { createStatusList, decodeStatusList, MIN_STATUS_LIST_BITS, pairedSuspensionListId, signStatusListCredential, type StatusPurpose } from './status-list.js';
import { statusListGlobalId, type StatusListEntryBody, type StatusListRegistry } from './status-registry.js';
import { CATEGORY_BITS, categoryListId, CHOSEN_REASON_CATEGORIES, encodeCategories, isReasonCategory, type ReasonCategory } from './status-reasons.js';

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
   * Inside a transaction: revokes credential `id` (its bit, its row, the credential replacing it; category
   * `superseded`) and returns its list, to publish after the commit; null when it was revoked meanwhile.
   */
  revokeInTx(id: string, now: string, reason: string, replacedBy: string | null): string | null {
    const row = this.d.issued.row(id);
    if (!row || row.revoked_at) return null;
    const listId = localListId(row.revocation_list);
    this.setBitInTx(listId, row.revocation_index, true, now);
    this.st.revoke.run({ at: now, reason, replacedBy, category: replacedBy ? 'superseded' : null, id });
    return listId;
  }

  private setBitInTx(listId: string, index: number, value: boolean, now: string): void {
    const st = this.st.bits.get({ listId });
    if (!st) throw new RegistryError('internal', `status list ${listId} is missing from this node's state`);
    const list = decodeStatusList(st.encodedList);
    list.set(index, value);
    this.st.setBits.run({ encodedList: list.encode(), now, listId });
  }

  /** Takes the next free index of the current list of that purpose, creating (and publishing) a new list when full. */
  async allocate(purpose: StatusPurpose, issuerKey: string): Promise<{ list: string; index: number }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = this.d.store.tx(() => {
        // an unused list of a database from before per-key lists is taken by the first key that needs one (none are
        // made any more: once a look finds none, allocation stops looking)
        if (this.legacyLists[purpose] && this.st.adoptEmptyList.run({ issuerKey, purpose }).changes === 0) this.legacyLists[purpose] = false;
        const cur = this.st.currentList.get({ issuerKey, purpose });
        if (!cur) return null;
        this.st.takeIndex.run({ now: this.d.clock.now().toISOString(), listId: cur.listId });
        const index = cur.size === MIN_STATUS_LIST_BITS ? (PERM_A * cur.nextIndex + PERM_B) % cur.size : cur.nextIndex;
        return { list: statusListGlobalId(this.d.unit.author, cur.listId), index };
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
    const rev = this.st.size.get({ listId: localListId(revocation.list) });
    if (!rev) throw new RegistryError('internal', `status list ${revocation.list} is missing from this node's state`);
    const list = createStatusList(Math.max(rev.size, MIN_STATUS_LIST_BITS));
    const inserted = this.st.insertList.run({
      listId,
      issuerKey,
      purpose: 'suspension',
      size: list.length,
      nextIndex: list.length,
      encodedList: list.encode(),
      now: this.d.clock.now().toISOString(),
    });
    if (inserted.changes) await this.publishList(listId);
    return { list: statusListGlobalId(this.d.unit.author, listId), index: revocation.index };
  }

  private async createList(purpose: StatusPurpose, issuerKey: string): Promise<void> {
    let n = this.st.countOfPurpose.get({ purpose })?.c ?? 0;
    let listId = `${purpose === 'revocation' ? 'r' : 's'}${++n}`;
    // never an id this unit's feed already published (a database lost and its feed recovered from peers keeps the
    // old lists in the replica but not their local state): a new list must not overwrite an old list's bits
    while (this.st.published.get({ id: statusListGlobalId(this.d.unit.author, listId) }))
      listId = `${purpose === 'revocation' ? 'r' : 's'}${++n}`;
    const list = createStatusList(MIN_STATUS_LIST_BITS);
    const inserted = this.st.insertList.run({
      listId,
      issuerKey,
      purpose,
      size: list.length,
      nextIndex: 0,
      encodedList: list.encode(),
      now: this.d.clock.now().toISOString(),
    });
    if (inserted.changes) await this.publishList(listId);
  }

  /**
   * Publishes the current bits of one of this unit's lists as a `status-list` entry with its signed credential, signed
   * by the key whose credentials the list holds (the current key instead once that key was declared compromised).
   */
  async publishList(listId: string): Promise<void> {
    const st = this.st.list.get({ listId });
    if (!st) throw new RegistryError('not_found', `no status list ${listId}`);
    const purpose = st.purpose as StatusPurpose;
    const url = this.d.unit.statusListUrl(statusListGlobalId(this.d.unit.author, listId));
    const signer = await this.signers.listSigner(st.issuerKey);
    const credential = await signStatusListCredential(signer, { id: url, purpose, list: decodeStatusList(st.encodedList), validFrom: this.d.clock.now() });
    const body: StatusListEntryBody = { listId, purpose, size: st.size, encodedList: st.encodedList, statusListCredential: url, credential };
    this.d.store.tx(() => {
      // publish only if nothing changed the bits meanwhile (otherwise the later change publishes)
      const again = this.st.bits.get({ listId });
      if (again!.encodedList !== st.encodedList) return;
      this.d.feed.append('status-list', body);
      const companion = this.categoryBody(listId, purpose, st.size);
      if (companion) this.d.feed.append('status-list', companion);
      this.st.markPublished.run({ listId });
    });
  }

  /**
   * The companion of list `listId` as its credentials' rows say now (status-reasons.ts), or null when there is nothing
   * to publish: no category and none published before, or the same bits as the published one. Inside the transaction
   * that publishes the list.
   */
  private categoryBody(listId: string, purpose: StatusPurpose, size: number): StatusListEntryBody | null {
    const bits = size * CATEGORY_BITS;
    if (bits > 16_777_216) return null; // the status-list schema's bound (lists are 131,072 entries)
    const globalId = statusListGlobalId(this.d.unit.author, listId);
    const rows = (purpose === 'revocation' ? this.st.revokedCategories : this.st.suspendedCategories).all({ list: globalId });
    const companionId = categoryListId(listId);
    const published = this.d.statusLists.get(statusListGlobalId(this.d.unit.author, companionId));
    if (rows.length === 0 && !published) return null;
    const list = createStatusList(bits);
    encodeCategories(
      list,
      rows.flatMap((r) => (r.index !== null && isReasonCategory(r.category) ? [{ index: r.index, category: r.category }] : [])),
    );
    const encodedList = list.encode();
    if (published && published.purpose === purpose && published.body.encodedList === encodedList) return null;
    return { listId: companionId, purpose, size: bits, encodedList };
  }

  // ------------------------------------------------------------------ status changes

  revoke(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.setStatus(id, 'revoke', reason, category);
  }

  suspend(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.setStatus(id, 'suspend', reason, category);
  }

  reinstate(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.setStatus(id, 'reinstate', reason, category);
  }

  /** A reinstatement clears the category (its list's companion no longer names the index). */
  private async setStatus(id: string, action: 'revoke' | 'suspend' | 'reinstate', reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1000)) throw new RegistryError('validation_failed', 'reason must be a string of at most 1000 characters');
    if (category !== undefined && action === 'reinstate') throw userError('validation_failed', 'status.categoryOnReinstate', {});
    if (category !== undefined && !(CHOSEN_REASON_CATEGORIES as readonly unknown[]).includes(category))
      throw userError('validation_failed', 'status.categoryUnknown', { list: CHOSEN_REASON_CATEGORIES.join(', ') });
    const row = this.d.issued.row(id);
    if (!row) throw userError('not_found', 'credential.issuedNotFound', { id });
    const localList = localListId;
    let listId: string;
    let index: number;
    let value: boolean;
    const now = this.d.clock.now().toISOString();
    if (action === 'revoke') {
      if (row.revoked_at) throw userError('conflict', 'status.alreadyRevoked', { id, date: row.revoked_at.slice(0, 10) });
      listId = localList(row.revocation_list);
      index = row.revocation_index;
      value = true;
    } else {
      if (row.revoked_at) throw userError('conflict', 'status.revokedFinal', { id });
      if (row.suspension_list === null || row.suspension_index === null) throw userError('unsupported', 'status.noSuspension', { id });
      if (action === 'suspend' && row.suspended_at) throw userError('conflict', 'status.alreadySuspended', { id });
      if (action === 'reinstate' && !row.suspended_at) throw userError('conflict', 'status.notSuspended', { id });
      listId = localList(row.suspension_list);
      index = row.suspension_index;
      value = action === 'suspend';
    }
    this.d.store.tx(() => {
      this.setBitInTx(listId, index, value, now);
      if (action === 'revoke') this.st.revokeOnly.run({ at: now, reason: reason ?? null, category: category ?? null, id });
      else if (action === 'suspend') this.st.suspend.run({ at: now, reason: reason ?? null, category: category ?? null, id });
      else this.st.reinstate.run({ reason: reason ?? null, id });
    });
    await this.publishList(listId);
    return this.d.issued.get(id)!;
  }

  /** Publishes lists whose bits changed but were not published (a crash between the change and the entry). */
  async publishPending(): Promise<number> {
    const rows = this.st.dirtyLists.all();
    for (const r of rows) await this.publishList(r.listId);
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
    const rows = this.st.allLists.all();
    for (const r of rows) {
      const globalId = statusListGlobalId(this.d.unit.author, r.listId);
      const published = this.d.statusLists.get(globalId)?.body.credential as { issuer?: unknown } | undefined;
      const issuer = typeof published?.issuer === 'string' ? published.issuer : (published?.issuer as { id?: unknown } | undefined)?.id;
      if (typeof issuer !== 'string') continue; // never published: publishPending's work
      const compromised = this.d.keys.isCompromised(issuer);
      const misSigned = r.issuerKey !== null && issuer !== r.issuerKey && !this.d.keys.isCompromised(r.issuerKey) && this.d.keys.listSigningKey(r.issuerKey) !== null;
      if (!compromised && !misSigned) continue;
      try {
        await this.publishList(r.listId);
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

/** Typed queries over this unit's list state and its issued credentials' status, prepared once (allocation runs for every credential issued). */
function prepareStatements(store: Store) {
  const db = store.db;
  const s = statusListState;
  const c = issuedCredentials;
  const p = (name: string) => sql.placeholder(name);
  // update's set() types take no placeholder: wrapped in sql``
  const v = (name: string) => sql`${p(name)}`;
  return {
    currentList: db
      .select({ listId: s.listId, size: s.size, nextIndex: s.nextIndex })
      .from(s)
      .where(and(eq(s.issuerKey, p('issuerKey')), eq(s.purpose, p('purpose')), lt(s.nextIndex, s.size)))
      .orderBy(asc(s.listId))
      .limit(1)
      .prepare(),
    adoptEmptyList: db
      .update(s)
      .set({ issuerKey: v('issuerKey') })
      .where(and(isNull(s.issuerKey), eq(s.purpose, p('purpose')), eq(s.nextIndex, 0)))
      .prepare(),
    takeIndex: db
      .update(s)
      .set({ nextIndex: sql`${s.nextIndex} + 1`, updatedAt: v('now') })
      .where(eq(s.listId, p('listId')))
      .prepare(),
    bits: db.select({ encodedList: s.encodedList }).from(s).where(eq(s.listId, p('listId'))).prepare(),
    setBits: db
      .update(s)
      .set({ encodedList: v('encodedList'), dirty: true, updatedAt: v('now') })
      .where(eq(s.listId, p('listId')))
      .prepare(),
    size: db.select({ size: s.size }).from(s).where(eq(s.listId, p('listId'))).prepare(),
    list: db
      .select({ issuerKey: s.issuerKey, purpose: s.purpose, size: s.size, encodedList: s.encodedList })
      .from(s)
      .where(eq(s.listId, p('listId')))
      .prepare(),
    // a list id taken meanwhile is left as it is (INSERT OR IGNORE)
    insertList: db
      .insert(s)
      .values({
        listId: p('listId'),
        issuerKey: p('issuerKey'),
        purpose: p('purpose'),
        size: p('size'),
        nextIndex: p('nextIndex'),
        encodedList: p('encodedList'),
        dirty: true,
        updatedAt: p('now'),
      })
      .onConflictDoNothing()
      .prepare(),
    countOfPurpose: db.select({ c: count() }).from(s).where(eq(s.purpose, p('purpose'))).prepare(),
    published: db.select({ listId: statusLists.listId }).from(statusLists).where(eq(statusLists.listId, p('id'))).prepare(),
    markPublished: db.update(s).set({ dirty: false }).where(eq(s.listId, p('listId'))).prepare(),
    dirtyLists: db.select({ listId: s.listId }).from(s).where(eq(s.dirty, true)).prepare(),
    allLists: db.select({ listId: s.listId, issuerKey: s.issuerKey }).from(s).orderBy(asc(s.listId)).prepare(),
    revoke: db
      .update(c)
      .set({ revokedAt: v('at'), reason: v('reason'), replacedBy: v('replacedBy'), reasonCategory: v('category') })
      .where(eq(c.id, p('id')))
      .prepare(),
    revokeOnly: db.update(c).set({ revokedAt: v('at'), reason: v('reason'), reasonCategory: v('category') }).where(eq(c.id, p('id'))).prepare(),
    suspend: db.update(c).set({ suspendedAt: v('at'), reason: v('reason'), reasonCategory: v('category') }).where(eq(c.id, p('id'))).prepare(),
    reinstate: db.update(c).set({ suspendedAt: null, reason: v('reason'), reasonCategory: null }).where(eq(c.id, p('id'))).prepare(),
    // a companion's contents: the categories of a list's set bits (the revoked rows of a revocation list; the suspended,
    // not revoked, rows of a suspension list)
    revokedCategories: db
      .select({ index: c.revocationIndex, category: c.reasonCategory })
      .from(c)
      .where(and(eq(c.revocationList, p('list')), isNotNull(c.reasonCategory), isNotNull(c.revokedAt)))
      .prepare(),
    suspendedCategories: db
      .select({ index: c.suspensionIndex, category: c.reasonCategory })
      .from(c)
      .where(and(eq(c.suspensionList, p('list')), isNotNull(c.reasonCategory), isNotNull(c.suspendedAt), isNull(c.revokedAt)))
      .prepare(),
  };
}

/** `r1` of the network-wide list id `r1.<16 hex>`. */
function localListId(globalId: string): string {
  return globalId.slice(0, globalId.lastIndexOf('.'));
}
