/**
 * Status lists in the replica: projection of `status-list` entries (every node holds every institution's lists, so
 * revocation and suspension are checked offline) and the lookup the verifier uses. A list's network-wide id is
 * `<listId>.<16 hex of sha256(author)>`, the same rule as microcredential ids, and its URL on any node is
 * `<node>/api/v1/status-lists/<id>`: lookups go by that id whatever the host, so a credential issued by a node in
 * Mexico is checked from the replica of a node in Chile. A list's companion (`<listId>-c`, status-reasons.ts) gives
 * the reason category of its set bits. Must never hold personal data (a bit per index, a category code per index).
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import { entries, statusLists } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';
import { authorScopedId } from '../feed/ids.js';
import { decodeStatusList, type StatusList, type StatusPurpose } from './status-list.js';
import { LRUCache } from 'lru-cache';
import type { StatusListView } from './verify.js';
import { categoryAt, categoryListGlobalId, decodeCategories, type ReasonCategory } from './status-reasons.js';
import type { StatusBits } from './status-list.js';

export interface StatusListEntryBody {
  listId: string;
  purpose: StatusPurpose;
  size: number;
  encodedList: string;
  statusListCredential?: string;
  /** The signed BitstringStatusListCredential, so any node can serve it to verifiers outside the network. */
  credential?: Record<string, unknown>;
}

export interface StoredStatusList {
  id: string;
  author: string;
  purpose: StatusPurpose;
  body: StatusListEntryBody;
  updatedAt: string;
  entryId: string;
}

export function statusListGlobalId(author: string, listId: string): string {
  return authorScopedId(listId, author);
}

/** The id in a status list URL (`.../api/v1/status-lists/<id>`), or null. */
export function statusListIdFromUrl(url: string): string | null {
  const m = /\/api\/v1\/status-lists\/([^/?#]+)(?:[?#].*)?$/.exec(url);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** How many versions of one list `setSince` reads back at most; past that it says it cannot tell. */
const SINCE_HISTORY_LIMIT = 500;

export class StatusListRegistry implements Projector {
  readonly name = 'status-lists';
  readonly types: readonly EntryType[] = ['status-list'];
  /** Decoded lists by id, with the entry they came from; the least recently used go first past 1,000. */
  private readonly decoded = new LRUCache<string, { entryId: string; list: StatusList }>({ max: 1_000 });
  /** Decoded companions (null: unreadable within their bounds), by id, with the entry they came from. */
  private readonly categories = new LRUCache<string, { entryId: string; bits: StatusBits | null }>({ max: 200 });

  /** Typed queries prepared once: `byId` is read by every verification of a credential with a status. */
  private readonly q;

  constructor(private readonly store: Store) {
    const t = statusLists;
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      byId: store.db
        .select({ id: t.listId, author: t.author, purpose: t.purpose, body: t.body, updatedAt: t.updatedAt, entryId: t.entryId })
        .from(t)
        .where(eq(t.listId, p('id')))
        .prepare(),
      purposeOf: store.db.select({ purpose: t.purpose }).from(t).where(eq(t.listId, p('id'))).prepare(),
      put: boundWrite(
        store.sqlite,
        store.db
          .insert(t)
          .values({ listId: p('id'), author: p('author'), purpose: p('purpose'), body: p('body'), updatedAt: p('updatedAt'), entryId: p('entryId') })
          .onConflictDoUpdate({
            target: t.listId,
            set: { body: sql`excluded.body`, updatedAt: sql`excluded.updated_at`, entryId: sql`excluded.entry_id` },
          }),
      ),
      forAuthor: store.db
        .select({ id: t.listId, purpose: t.purpose, updatedAt: t.updatedAt })
        .from(t)
        .where(eq(t.author, p('author')))
        .orderBy(asc(t.listId))
        .prepare(),
      // the list's history in its author's feed, newest first: read only for a credential whose bit is set
      history: store.db
        .select({ ts: sql<string>`json_extract(${entries.entry}, '$.ts')`, encoded: sql<string>`json_extract(${entries.entry}, '$.body.encodedList')` })
        .from(entries)
        .where(
          and(
            eq(entries.author, p('author')),
            eq(entries.type, 'status-list'),
            sql`json_extract(${entries.entry}, '$.body.listId') = ${p('listId')}`,
            sql`json_extract(${entries.entry}, '$.body.purpose') = ${p('purpose')}`,
          ),
        )
        .orderBy(desc(entries.seq))
        .limit(SINCE_HISTORY_LIMIT)
        .prepare(),
    };
  }

  apply(entry: Entry): void {
    const b = entry.body as StatusListEntryBody;
    const id = statusListGlobalId(entry.author, b.listId);
    const existing = this.q.purposeOf.get({ id });
    if (existing && existing.purpose !== b.purpose) return; // a list never changes purpose: the later entry is ignored
    this.q.put({ id, author: entry.author, purpose: b.purpose, body: JSON.stringify(b), updatedAt: entry.ts, entryId: entry.id });
  }

  reset(): void {
    this.store.db.delete(statusLists).run();
    this.decoded.clear();
    this.categories.clear();
  }

  get(id: string): StoredStatusList | null {
    const r = this.q.byId.get({ id });
    if (!r) return null;
    return { ...r, purpose: r.purpose as StatusPurpose, body: JSON.parse(r.body) as StatusListEntryBody };
  }

  forAuthor(author: string): { id: string; purpose: StatusPurpose; updatedAt: string }[] {
    return this.q.forAuthor.all({ author }).map((r) => ({ ...r, purpose: r.purpose as StatusPurpose }));
  }

  /**
   * The origin (http(s)) of the node that serves an institution's credentials, as its newest status list names it
   * (`statusListCredential`, in an entry the institution signed); null when it published none. For people: "this
   * link or QR code points to a node of the network".
   */
  nodeOrigin(author: string): string | null {
    const lists = this.forAuthor(author).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
    for (const l of lists) {
      const url = this.get(l.id)?.body.statusListCredential;
      if (!url) continue;
      try {
        const u = new URL(url);
        if (u.protocol === 'https:' || u.protocol === 'http:') return u.origin;
      } catch {
        // not a URL: try the next list
      }
    }
    return null;
  }

  /** For the verifier: the bits of the list a credential points at, from this node's replica. */
  lookup(url: string): StatusListView | null {
    const id = statusListIdFromUrl(url);
    if (!id) return null;
    const row = this.get(id);
    if (!row) return null;
    let hit = this.decoded.get(id);
    if (!hit || hit.entryId !== row.entryId) {
      hit = { entryId: row.entryId, list: decodeStatusList(row.body.encodedList) };
      this.decoded.set(id, hit);
    }
    return { bits: hit.list, purpose: row.purpose };
  }

  /**
   * For the verifier: the reason category its issuer gave for bit `index` of the list, from the list's companion
   * (same author, same purpose, read within CATEGORY_BITS bits per index of the list). Null when the bit is clear (a
   * category for a clear bit is ignored), or when there is no companion, no category, or one this node does not know.
   */
  reasonAt(url: string, index: number): ReasonCategory | null {
    const id = statusListIdFromUrl(url);
    if (!id || !Number.isSafeInteger(index) || index < 0) return null;
    const list = this.lookup(url);
    if (!list || index >= list.bits.length || !list.bits.get(index)) return null;
    const cid = categoryListGlobalId(id);
    const companion = this.get(cid);
    const parent = this.get(id);
    if (!companion || !parent || companion.author !== parent.author || companion.purpose !== parent.purpose) return null;
    let hit = this.categories.get(cid);
    if (!hit || hit.entryId !== companion.entryId) {
      hit = { entryId: companion.entryId, bits: decodeCategories(companion.body.encodedList, list.bits.length) };
      this.categories.set(cid, hit);
    }
    return hit.bits ? categoryAt(hit.bits, index) : null;
  }

  /**
   * For the verifier: since when this replica shows bit `index` of the list set, i.e. the time of the author's
   * status-list entry that set it (the oldest of the newest run of versions with the bit set). Null when the bit is
   * not set, the list is unknown, or the run goes back further than the history read.
   */
  setSince(url: string, index: number): string | null {
    const id = statusListIdFromUrl(url);
    if (!id) return null;
    const row = this.get(id);
    if (!row) return null;
    const versions = this.q.history.all({ author: row.author, listId: row.body.listId, purpose: row.purpose });
    let since: string | null = null;
    for (const v of versions) {
      let set = false;
      try {
        const list = decodeStatusList(v.encoded);
        set = index < list.length && list.get(index);
      } catch {
        return since; // an undecodable version cannot have been applied: the run stops here
      }
      if (!set) return since;
      since = v.ts;
    }
    return versions.length < SINCE_HISTORY_LIMIT ? since : null;
  }
}
