/**
 * Projection of `microcredential` entries into the catalogue tables and the FTS5 index, in the transaction that
 * stores the entry. A record's times are those it was received at (node/core/received-time.ts: an entry's ts is its
 * author's word). Must never reject an entry for facts held in other feeds (replicas would diverge).
 */
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import type { Statement } from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { documents, institutions, microcredentials, microcredentialVersions } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';
import { microcredentialId } from '../feed/ids.js';
import { systemClock, type Clock } from '../core/clock.js';
import { receivedTs } from '../core/received-time.js';
import type { MicrocredentialRecord, LangMap } from './model.js';

type PutBody = { op: 'put'; microcredential: MicrocredentialRecord; reference?: unknown };

/** documents.type of the reference versions a catalogue entry was published under (key `<id>@<version>`). */
export const MICROCREDENTIAL_REFERENCE = 'microcredential-reference';
type WithdrawBody = { op: 'withdraw'; code: string; reason?: unknown };

export class CatalogueProjector implements Projector {
  readonly name = 'catalogue';
  readonly types: readonly EntryType[] = ['microcredential', 'profile'];
  /** Typed queries, prepared once: they run inside the ingest transaction for every catalogue entry (writes bound by boundWrite). */
  private readonly q;
  /** raw SQL: FTS5 virtual table (drizzle's schema cannot declare it; created by migration 0001_search_fts). */
  private readonly fts: { delete: Statement; insert: Statement };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {
    const db = store.db;
    const m = microcredentials;
    const v = microcredentialVersions;
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      current: db.select({ version: m.version }).from(m).where(eq(m.id, p('id'))).prepare(),
      upsert: boundWrite(
        store.sqlite,
        db
          .insert(m)
          .values({
            id: p('id'),
            author: p('author'),
            code: p('code'),
            version: p('version'),
            record: p('record'),
            status: 'active',
            withdrawal: null,
            titleSort: p('titleSort'),
            country: p('country'),
            field: p('field'),
            levelFramework: p('levelFramework'),
            levelValue: p('levelValue'),
            participation: p('participation'),
            hours: p('hours'),
            languages: p('languages'),
            pilotArea: p('pilotArea'),
            createdAt: p('ts'),
            updatedAt: p('ts'),
            entryId: p('entryId'),
          })
          .onConflictDoUpdate({
            target: m.id,
            set: {
              version: sql`excluded.version`,
              record: sql`excluded.record`,
              status: 'active',
              withdrawal: null,
              titleSort: sql`excluded.title_sort`,
              country: sql`excluded.country`,
              field: sql`excluded.field`,
              levelFramework: sql`excluded.level_framework`,
              levelValue: sql`excluded.level_value`,
              participation: sql`excluded.participation`,
              hours: sql`excluded.hours`,
              languages: sql`excluded.languages`,
              pilotArea: sql`excluded.pilot_area`,
              updatedAt: sql`excluded.updated_at`,
              entryId: sql`excluded.entry_id`,
            },
          }),
      ),
      // a version arriving again (rebuild, or the same version re-published) replaces the stored one
      version: boundWrite(
        store.sqlite,
        db
          .insert(v)
          .values({ id: p('id'), version: p('version'), record: p('record'), entryId: p('entryId'), ts: p('ts') })
          .onConflictDoUpdate({
            target: [v.id, v.version],
            set: { record: sql`excluded.record`, entryId: sql`excluded.entry_id`, ts: sql`excluded.ts` },
          }),
      ),
      // update's set() types take no placeholder: wrapped in sql``
      withdraw: boundWrite(
        store.sqlite,
        db
          .update(m)
          .set({ status: 'withdrawn', withdrawal: sql`${p('withdrawal')}`, updatedAt: sql`${p('ts')}`, entryId: sql`${p('entryId')}` })
          .where(eq(m.id, p('id'))),
      ),
      // the catalogue row's rowid, which its FTS row shares
      rowidOf: db.select({ r: sql<number>`rowid` }).from(m).where(eq(m.id, p('id'))).prepare(),
      byAuthor: db.select({ id: m.id, record: m.record }).from(m).where(eq(m.author, p('author'))).prepare(),
      institution: db.select({ profile: institutions.profile }).from(institutions).where(eq(institutions.did, p('did'))).prepare(),
      // the reference versions a version was published under, kept beside it (generic documents table)
      reference: boundWrite(
        store.sqlite,
        db
          .insert(documents)
          .values({ type: MICROCREDENTIAL_REFERENCE, author: p('author'), key: p('key'), body: p('body'), entryId: p('entryId'), ts: p('ts') })
          .onConflictDoUpdate({ target: [documents.type, documents.author, documents.key], set: { body: sql`excluded.body`, entryId: sql`excluded.entry_id`, ts: sql`excluded.ts` } }),
      ),
    };
    this.fts = {
      delete: store.sqlite.prepare('DELETE FROM microcredentials_fts WHERE rowid = ?'),
      insert: store.sqlite.prepare(
        'INSERT INTO microcredentials_fts (rowid, id, title, description, outcomes, skills, institution) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  apply(entry: Entry): void {
    if (entry.type === 'profile') {
      // keep the institution name in the full-text index current
      const name = langText((entry.body as { name: LangMap }).name) + ' ' + String((entry.body as { shortName?: string }).shortName ?? '');
      for (const row of this.q.byAuthor.all({ author: entry.author })) {
        this.index(row.id, JSON.parse(row.record) as MicrocredentialRecord, name);
      }
      return;
    }
    const body = entry.body as PutBody | WithdrawBody;
    // the time it is listed under (newest first): as this node received it, not a date in year 9999 (core/received-time.ts)
    const ts = receivedTs(entry.ts, this.clock.now());
    if (body.op === 'withdraw') {
      const id = microcredentialId(entry.author, body.code);
      this.q.withdraw({ withdrawal: JSON.stringify({ reason: body.reason ?? null, at: ts }), ts, entryId: entry.id, id });
      return;
    }
    const r = body.microcredential;
    const id = microcredentialId(entry.author, r.code);
    const cur = this.q.current.get({ id });
    const recordJson = JSON.stringify(r);
    this.q.version({ id, version: r.version, record: recordJson, entryId: entry.id, ts });
    if (body.reference) this.q.reference({ author: entry.author, key: `${id}@${r.version}`, body: JSON.stringify(body.reference), entryId: entry.id, ts });
    if (cur && cur.version > r.version) return; // an older version arriving late only goes to the history
    this.q.upsert({
      id,
      author: entry.author,
      code: r.code,
      version: r.version,
      record: recordJson,
      titleSort: foldForSort(r.title.es ?? r.title.en ?? r.title.pt ?? r.code),
      country: r.country ?? '',
      field: r.fieldOfStudy?.iscedF ?? '',
      levelFramework: r.level?.framework ?? '',
      levelValue: String(r.level?.value ?? ''),
      participation: r.participation?.mode ?? '',
      hours: r.workload?.hours ?? 0,
      languages: `,${(r.languages ?? []).join(',')},`,
      pilotArea: r.pilotArea ?? null,
      ts,
      entryId: entry.id,
    });
    const inst = this.q.institution.get({ did: entry.author });
    const instName = inst ? langText((JSON.parse(inst.profile) as { name: LangMap }).name) : (r.awardingBody?.name ?? '');
    this.index(id, r, instName);
  }

  reset(): void {
    this.store.db.delete(microcredentials).run();
    this.store.db.delete(microcredentialVersions).run();
    this.store.db.delete(documents).where(eq(documents.type, MICROCREDENTIAL_REFERENCE)).run();
    // raw SQL: FTS5 virtual table (not in drizzle's schema)
    this.store.sqlite.exec('DELETE FROM microcredentials_fts');
  }

  /** The FTS row shares the rowid of the catalogue row, so updates delete by rowid (FTS5 cannot index `id`). */
  private index(id: string, r: MicrocredentialRecord, institution: string): void {
    const row = this.q.rowidOf.get({ id });
    if (!row) return;
    this.fts.delete.run(row.r);
    this.fts.insert.run(
      row.r,
      id,
      langText(r.title) + ' ' + r.code,
      langText(r.description),
      (r.learningOutcomes ?? []).map((o) => langText(o.text)).join(' \n '),
      (r.skills ?? []).map((s) => langText(s.name)).join(' \n '),
      institution + ' ' + (r.awardingBody?.name ?? ''),
    );
  }
}

export function langText(m: LangMap | string | undefined): string {
  if (!m) return '';
  if (typeof m === 'string') return m;
  return [m.es, m.en, m.pt].filter(Boolean).join(' \n ');
}

export function foldForSort(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
