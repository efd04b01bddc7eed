/**
 * Status lists in the replica: projection of `status-list` entries (every node holds every institution's lists, so
 * revocation and suspension are checked offline) and the lookup the verifier uses. A list's network-wide id is
 * `<listId>.<16 hex of sha256(author)>`, the same rule as microcredential ids, and its URL on any node is
 * `<node>/api/v1/status-lists/<id>`: lookups go by that id whatever the host, so a credential issued by a node in
 * Mexico is checked from the replica of a node in Chile. Must never hold personal data (a bit per index).
 */
import type { Statement } from 'better-sqlite3';
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import { authorScopedId } from '../feed/ids.js';
import { decodeStatusList, type StatusList, type StatusPurpose } from './status-list.js';
import { LRUCache } from 'lru-cache';
import type { StatusListView } from './verify.js';

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

export class StatusListRegistry implements Projector {
  readonly name = 'status-lists';
  readonly types: readonly EntryType[] = ['status-list'];
  /** Decoded lists by id, with the entry they came from; the least recently used go first past 1,000. */
  private readonly decoded = new LRUCache<string, { entryId: string; list: StatusList }>({ max: 1_000 });

  /** Read by every verification of a credential with a status: prepared once. */
  private readonly byId: Statement;

  constructor(private readonly store: Store) {
    this.byId = store.sqlite.prepare('SELECT list_id, author, purpose, body, updated_at, entry_id FROM status_lists WHERE list_id = ?');
  }

  apply(entry: Entry): void {
    const b = entry.body as StatusListEntryBody;
    const id = statusListGlobalId(entry.author, b.listId);
    const existing = this.store.statement('SELECT purpose FROM status_lists WHERE list_id = ?').get(id) as { purpose: string } | undefined;
    if (existing && existing.purpose !== b.purpose) return; // a list never changes purpose: the later entry is ignored
    this.store
      .statement(
        `INSERT INTO status_lists (list_id, author, purpose, body, updated_at, entry_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(list_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, entry_id = excluded.entry_id`,
      )
      .run(id, entry.author, b.purpose, JSON.stringify(b), entry.ts, entry.id);
  }

  reset(): void {
    this.store.statement('DELETE FROM status_lists').run();
    this.decoded.clear();
  }

  get(id: string): StoredStatusList | null {
    const r = this.byId.get(id) as
      | { list_id: string; author: string; purpose: StatusPurpose; body: string; updated_at: string; entry_id: string }
      | undefined;
    if (!r) return null;
    return { id: r.list_id, author: r.author, purpose: r.purpose, body: JSON.parse(r.body) as StatusListEntryBody, updatedAt: r.updated_at, entryId: r.entry_id };
  }

  forAuthor(author: string): { id: string; purpose: StatusPurpose; updatedAt: string }[] {
    return (
      this.store.statement('SELECT list_id, purpose, updated_at FROM status_lists WHERE author = ? ORDER BY list_id').all(author) as {
        list_id: string;
        purpose: StatusPurpose;
        updated_at: string;
      }[]
    ).map((r) => ({ id: r.list_id, purpose: r.purpose, updatedAt: r.updated_at }));
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
}
