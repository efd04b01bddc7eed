/**
 * Institutions: projection of `profile` entries, and the directory queries over it. Must never decide membership
 * (see membership.ts) — it only reports it.
 */
import type { Statement } from 'better-sqlite3';
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';

export type LangMap = { es?: string; en?: string; pt?: string };

export interface Profile {
  name: LangMap;
  shortName?: string;
  country: string;
  city?: string;
  unitName?: LangMap | string;
  kind: 'hei' | 'qa-agency';
  website?: string;
  email?: string;
  description?: LangMap;
  logo?: string;
}

export interface InstitutionRow {
  did: string;
  profile: Profile;
  updatedAt: string;
}

export class InstitutionDirectory implements Projector {
  readonly name = 'institutions';
  readonly types: readonly EntryType[] = ['profile'];

  /** Read by every verification and catalogue page: prepared once. */
  private readonly byDid: Statement;

  constructor(private readonly store: Store) {
    this.byDid = store.sqlite.prepare('SELECT did, profile, updated_at FROM institutions WHERE did = ?');
  }

  apply(entry: Entry): void {
    const p = entry.body as Profile;
    this.store
      .statement(
        `INSERT INTO institutions (did, profile, country, kind, name_es, name_en, updated_at, entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(did) DO UPDATE SET profile = excluded.profile, country = excluded.country, kind = excluded.kind,
           name_es = excluded.name_es, name_en = excluded.name_en, updated_at = excluded.updated_at, entry_id = excluded.entry_id`,
      )
      .run(entry.author, JSON.stringify(p), p.country, p.kind, p.name.es ?? null, p.name.en ?? null, entry.ts, entry.id);
  }

  reset(): void {
    this.store.statement('DELETE FROM institutions').run();
  }

  get(did: string): InstitutionRow | null {
    const r = this.byDid.get(did) as
      | { did: string; profile: string; updated_at: string }
      | undefined;
    return r ? { did: r.did, profile: JSON.parse(r.profile) as Profile, updatedAt: r.updated_at } : null;
  }

  list(filter: { country?: string } = {}): InstitutionRow[] {
    const rows = (
      filter.country
        ? this.store.statement('SELECT did, profile, updated_at FROM institutions WHERE country = ? ORDER BY country, COALESCE(name_es, name_en)').all(filter.country)
        : this.store.statement('SELECT did, profile, updated_at FROM institutions ORDER BY country, COALESCE(name_es, name_en)').all()
    ) as { did: string; profile: string; updated_at: string }[];
    return rows.map((r) => ({ did: r.did, profile: JSON.parse(r.profile) as Profile, updatedAt: r.updated_at }));
  }
}

export function displayName(p: Profile | undefined, lang: 'es' | 'en' = 'es'): string {
  if (!p) return '';
  return p.name[lang] ?? p.name.es ?? p.name.en ?? p.name.pt ?? p.shortName ?? '';
}
