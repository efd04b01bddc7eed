/**
 * Projection of `microcredential` entries into the catalogue tables and the FTS5 index, in the transaction that
 * stores the entry. Must never reject an entry for facts held in other feeds (replicas would diverge).
 */
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import type { Statement } from 'better-sqlite3';
import { microcredentialId } from '../feed/ids.js';
import type { MicrocredentialRecord, LangMap } from './model.js';

type PutBody = { op: 'put'; microcredential: MicrocredentialRecord };
type WithdrawBody = { op: 'withdraw'; code: string; reason?: unknown };

export class CatalogueProjector implements Projector {
  readonly name = 'catalogue';
  readonly types: readonly EntryType[] = ['microcredential', 'profile'];
  private readonly st: Record<string, Statement>;

  constructor(private readonly store: Store) {
    const s = store.sqlite;
    this.st = {
      current: s.prepare('SELECT version, created_at FROM microcredentials WHERE id = ?'),
      upsert: s.prepare(
        `INSERT INTO microcredentials (id, author, code, version, record, status, withdrawal, title_sort, country, field,
            level_framework, level_value, participation, hours, languages, pilot_area, created_at, updated_at, entry_id)
         VALUES (@id, @author, @code, @version, @record, 'active', NULL, @titleSort, @country, @field, @levelFramework,
            @levelValue, @participation, @hours, @languages, @pilotArea, @ts, @ts, @entryId)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, record = excluded.record, status = 'active', withdrawal = NULL,
            title_sort = excluded.title_sort, country = excluded.country, field = excluded.field,
            level_framework = excluded.level_framework, level_value = excluded.level_value, participation = excluded.participation,
            hours = excluded.hours, languages = excluded.languages, pilot_area = excluded.pilot_area,
            updated_at = excluded.updated_at, entry_id = excluded.entry_id`,
      ),
      version: s.prepare(
        'INSERT OR REPLACE INTO microcredential_versions (id, version, record, entry_id, ts) VALUES (?, ?, ?, ?, ?)',
      ),
      withdraw: s.prepare("UPDATE microcredentials SET status = 'withdrawn', withdrawal = ?, updated_at = ?, entry_id = ? WHERE id = ?"),
      ftsDelete: s.prepare('DELETE FROM microcredentials_fts WHERE rowid = ?'),
      rowidOf: s.prepare('SELECT rowid AS r FROM microcredentials WHERE id = ?'),
      ftsInsert: s.prepare(
        'INSERT INTO microcredentials_fts (rowid, id, title, description, outcomes, skills, institution) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byAuthor: s.prepare('SELECT id, record FROM microcredentials WHERE author = ?'),
      institution: s.prepare('SELECT profile FROM institutions WHERE did = ?'),
    };
  }

  apply(entry: Entry): void {
    if (entry.type === 'profile') {
      // keep the institution name in the full-text index current
      const name = langText((entry.body as { name: LangMap }).name) + ' ' + String((entry.body as { shortName?: string }).shortName ?? '');
      for (const row of this.st.byAuthor!.all(entry.author) as { id: string; record: string }[]) {
        this.index(row.id, JSON.parse(row.record) as MicrocredentialRecord, name);
      }
      return;
    }
    const body = entry.body as PutBody | WithdrawBody;
    if (body.op === 'withdraw') {
      const id = microcredentialId(entry.author, body.code);
      this.st.withdraw!.run(JSON.stringify({ reason: body.reason ?? null, at: entry.ts }), entry.ts, entry.id, id);
      return;
    }
    const r = body.microcredential;
    const id = microcredentialId(entry.author, r.code);
    const cur = this.st.current!.get(id) as { version: number } | undefined;
    const recordJson = JSON.stringify(r);
    this.st.version!.run(id, r.version, recordJson, entry.id, entry.ts);
    if (cur && cur.version > r.version) return; // an older version arriving late only goes to the history
    this.st.upsert!.run({
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
      ts: entry.ts,
      entryId: entry.id,
    });
    const inst = this.st.institution!.get(entry.author) as { profile: string } | undefined;
    const instName = inst ? langText((JSON.parse(inst.profile) as { name: LangMap }).name) : (r.awardingBody?.name ?? '');
    this.index(id, r, instName);
  }

  reset(): void {
    this.store.sqlite.exec('DELETE FROM microcredentials; DELETE FROM microcredential_versions; DELETE FROM microcredentials_fts;');
  }

  /** The FTS row shares the rowid of the catalogue row, so updates delete by rowid (FTS5 cannot index `id`). */
  private index(id: string, r: MicrocredentialRecord, institution: string): void {
    const row = this.st.rowidOf!.get(id) as { r: number } | undefined;
    if (!row) return;
    this.st.ftsDelete!.run(row.r);
    this.st.ftsInsert!.run(
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
