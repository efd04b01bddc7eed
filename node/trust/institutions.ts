/**
 * Institutions: projection of `profile` entries, and the directory queries over it. Must never decide membership
 * (see membership.ts) — it only reports it.
 */
import { asc, eq, sql } from 'drizzle-orm';
import { langText } from '../core/lang-text.js';
import type { Entry, EntryType } from '../feed/entry.js';
import type { Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import { institutions } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';

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

  /** Typed queries prepared once: `byDid` is read by every verification and catalogue page, `upsert` per profile entry. */
  private readonly q;

  constructor(private readonly store: Store) {
    const t = institutions;
    const row = { did: t.did, profile: t.profile, updatedAt: t.updatedAt };
    const order = [asc(t.country), asc(sql`COALESCE(${t.nameEs}, ${t.nameEn})`)];
    this.q = {
      byDid: store.db.select(row).from(t).where(eq(t.did, sql.placeholder('did'))).prepare(),
      all: store.db.select(row).from(t).orderBy(...order).prepare(),
      inCountry: store.db.select(row).from(t).where(eq(t.country, sql.placeholder('country'))).orderBy(...order).prepare(),
      upsert: boundWrite(
        store.sqlite,
        store.db
          .insert(t)
          .values({
            did: sql.placeholder('did'),
            profile: sql.placeholder('profile'),
            country: sql.placeholder('country'),
            kind: sql.placeholder('kind'),
            nameEs: sql.placeholder('nameEs'),
            nameEn: sql.placeholder('nameEn'),
            updatedAt: sql.placeholder('updatedAt'),
            entryId: sql.placeholder('entryId'),
          })
          .onConflictDoUpdate({
            target: t.did,
            set: {
              profile: sql`excluded.profile`,
              country: sql`excluded.country`,
              kind: sql`excluded.kind`,
              nameEs: sql`excluded.name_es`,
              nameEn: sql`excluded.name_en`,
              updatedAt: sql`excluded.updated_at`,
              entryId: sql`excluded.entry_id`,
            },
          }),
      ),
    };
  }

  apply(entry: Entry): void {
    const p = entry.body as Profile;
    this.q.upsert({
      did: entry.author,
      profile: JSON.stringify(p),
      country: p.country,
      kind: p.kind,
      nameEs: p.name.es ?? null,
      nameEn: p.name.en ?? null,
      updatedAt: entry.ts,
      entryId: entry.id,
    });
  }

  reset(): void {
    this.store.db.delete(institutions).run();
  }

  get(did: string): InstitutionRow | null {
    const r = this.q.byDid.get({ did });
    return r ? { did: r.did, profile: JSON.parse(r.profile) as Profile, updatedAt: r.updatedAt } : null;
  }

  list(filter: { country?: string } = {}): InstitutionRow[] {
    const rows = filter.country ? this.q.inCountry.all({ country: filter.country }) : this.q.all.all();
    return rows.map((r) => ({ did: r.did, profile: JSON.parse(r.profile) as Profile, updatedAt: r.updatedAt }));
  }
}

export function displayName(p: Profile | undefined, lang: 'es' | 'en' = 'es'): string {
  if (!p) return '';
  // a blank name in every language counts as none: the short name then (node/core/lang-text.ts)
  return langText(p.name, lang) || langText(p.shortName);
}
