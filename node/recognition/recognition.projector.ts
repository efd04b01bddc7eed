/**
 * Projection of `recognition` and `agreement` entries (and `accreditation` ones) into the generic documents table.
 * Never edits a decision: a superseding decision is a new row and the old one is marked by the reader.
 * A row's `ts` (what the bounded public lists order by, newest first) is the entry's time as this node received it
 * (node/core/received-time.ts): a member cannot date its decisions in year 9999 to keep them the newest for good.
 * Must never reject entries for facts held in other feeds.
 */
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { documents } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';
import { authorScopedId } from '../feed/ids.js';
import { systemClock, type Clock } from '../core/clock.js';
import { receivedTs } from '../core/received-time.js';

export class RecognitionProjector implements Projector {
  readonly name = 'recognition';
  readonly types: readonly EntryType[] = ['recognition', 'agreement', 'accreditation'];

  /** Typed queries prepared once: they run inside the ingest transaction for every projected entry. */
  private readonly q;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {
    const d = documents;
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      put: boundWrite(
        store.sqlite,
        store.db
          .insert(d)
          .values({ type: p('type'), author: p('author'), key: p('key'), body: p('body'), entryId: p('entryId'), ts: p('ts') })
          .onConflictDoUpdate({
            target: [d.type, d.author, d.key],
            set: { body: sql`excluded.body`, entryId: sql`excluded.entry_id`, ts: sql`excluded.ts` },
          }),
      ),
      exists: store.db
        .select({ one: sql<number>`1` })
        .from(d)
        .where(and(eq(d.type, p('type')), eq(d.author, p('author')), eq(d.key, p('key'))))
        .prepare(),
    };
  }

  apply(entry: Entry): void {
    const ts = receivedTs(entry.ts, this.clock.now());
    const put = (type: string, key: string, body: unknown) =>
      this.q.put({ type, author: entry.author, key, body: JSON.stringify(body), entryId: entry.id, ts });
    const exists = (type: string, key: string) => this.q.exists.get({ type, author: entry.author, key }) !== undefined;
    if (entry.type === 'recognition') {
      const b = entry.body as { decisionId: string };
      // a decision id is written once; a later entry with the same id is ignored (decisions are superseded, not edited)
      if (!exists('recognition', b.decisionId)) put('recognition', b.decisionId, entry.body);
    } else if (entry.type === 'agreement') {
      const b = entry.body as { action: 'propose' | 'sign' | 'withdraw'; agreementId: string };
      const globalId = b.action === 'propose' ? authorScopedId(b.agreementId.split('.')[0]!, entry.author) : b.agreementId;
      if (b.action === 'propose') {
        if (exists('agreement', globalId)) return; // terms are immutable: a new agreement needs a new id
        put('agreement', globalId, entry.body);
      }
      put('agreement-action', globalId, { ...(entry.body as object), agreementId: globalId });
    } else if (entry.type === 'accreditation') {
      put('accreditation', (entry.body as { accreditationId: string }).accreditationId, entry.body);
    }
  }

  reset(): void {
    this.store.db.delete(documents).where(inArray(documents.type, ['recognition', 'agreement', 'agreement-action', 'accreditation'])).run();
  }
}
