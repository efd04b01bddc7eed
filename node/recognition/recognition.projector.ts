/**
 * Projection of `recognition` and `agreement` entries (and `accreditation` ones) into the generic documents table.
 * Never edits a decision: a superseding decision is a new row and the old one is marked by the reader.
 * Must never reject entries for facts held in other feeds.
 */
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import { authorScopedId } from '../feed/ids.js';

export class RecognitionProjector implements Projector {
  readonly name = 'recognition';
  readonly types: readonly EntryType[] = ['recognition', 'agreement', 'accreditation'];

  constructor(private readonly store: Store) {}

  apply(entry: Entry): void {
    const put = (type: string, key: string, body: unknown) =>
      this.store
        .statement(
          `INSERT INTO documents (type, author, key, body, entry_id, ts) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(type, author, key) DO UPDATE SET body = excluded.body, entry_id = excluded.entry_id, ts = excluded.ts`,
        )
        .run(type, entry.author, key, JSON.stringify(body), entry.id, entry.ts);
    if (entry.type === 'recognition') {
      const b = entry.body as { decisionId: string };
      // a decision id is written once; a later entry with the same id is ignored (decisions are superseded, not edited)
      const exists = this.store.statement("SELECT 1 FROM documents WHERE type = 'recognition' AND author = ? AND key = ?").get(entry.author, b.decisionId);
      if (!exists) put('recognition', b.decisionId, entry.body);
    } else if (entry.type === 'agreement') {
      const b = entry.body as { action: 'propose' | 'sign' | 'withdraw'; agreementId: string };
      const globalId = b.action === 'propose' ? authorScopedId(b.agreementId.split('.')[0]!, entry.author) : b.agreementId;
      if (b.action === 'propose') {
        const exists = this.store.statement("SELECT 1 FROM documents WHERE type = 'agreement' AND author = ? AND key = ?").get(entry.author, globalId);
        if (exists) return; // terms are immutable: a new agreement needs a new id
        put('agreement', globalId, entry.body);
      }
      put('agreement-action', globalId, { ...(entry.body as object), agreementId: globalId });
    } else if (entry.type === 'accreditation') {
      put('accreditation', (entry.body as { accreditationId: string }).accreditationId, entry.body);
    }
  }

  reset(): void {
    this.store.statement("DELETE FROM documents WHERE type IN ('recognition', 'agreement', 'agreement-action', 'accreditation')").run();
  }
}
