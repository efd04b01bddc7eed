/**
 * Migration 0014 on a database the previous version left (catalogue rows already projected, search_rows filled by
 * 0011's triggers): the order indexes appear on search_rows, the unused catalogue order indexes go, and a search
 * without text pages through those indexes (query plan) with the documented order and tie-break (hours, then title,
 * then id; recent, then id), equal to a plain sort of the catalogue rows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseBefore } from '../helpers/migrations.js';
import { openStore } from '../../node/store/database.js';
import { CatalogueSearch } from '../../node/catalogue/search.js';
import { generateRecords } from '../../scripts/bench/gen-catalogue.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mochila-search-mig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0014 (search_rows order indexes)', () => {
  it('adds the order indexes to an existing catalogue and the search pages through them in the documented order', () => {
    const { raw, file } = databaseBefore(dir, '0014_');
    const insert = raw.prepare(
      `INSERT INTO microcredentials (id, author, code, version, record, status, title_sort, country, field, level_framework, level_value, participation, hours, languages, pilot_area, created_at, updated_at, entry_id)
       VALUES (@id, @author, @code, 1, @record, 'active', @title, 'MX', @field, 'EQF', @level, @mode, @hours, ',es,', NULL, @at, @at, @id)`,
    );
    // few distinct titles, hours and dates: ties everywhere, for the id to break
    for (const [i, r] of generateRecords(60, 7).entries())
      insert.run({
        id: `${r.code}.${(i % 5).toString(16).padStart(16, '0')}`,
        author: `did:key:z${i % 3}`,
        code: r.code,
        record: JSON.stringify(r),
        title: ['a', 'b', 'c'][i % 3],
        field: r.fieldOfStudy!.iscedF,
        level: r.level!.value,
        mode: r.participation!.mode,
        hours: 8 * (1 + (i % 4)),
        at: `2026-0${1 + (i % 2)}-01T00:00:00.000Z`,
      });
    const names = (db: { prepare: (s: string) => { all: () => unknown[] } }) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((x) => x.name);
    expect(names(raw)).toContain('microcredentials_recent');
    expect(names(raw)).not.toContain('search_rows_hours');
    raw.close();

    const store = openStore(file);
    try {
      const after = names(store.sqlite);
      expect(after).toEqual(expect.arrayContaining(['search_rows_recent', 'search_rows_title', 'search_rows_hours']));
      expect(after).not.toContain('microcredentials_recent');
      expect(after).not.toContain('microcredentials_title');
      const plan = (store.sqlite.prepare("EXPLAIN QUERY PLAN SELECT m.rid FROM search_rows m WHERE m.status = 'active' ORDER BY m.hours, m.title_sort, m.id LIMIT 5").all() as { detail: string }[])
        .map((x) => x.detail)
        .join(' | ');
      expect(plan).toContain('search_rows_hours');
      expect(plan).not.toContain('TEMP B-TREE');

      const search = new CatalogueSearch(store);
      const plain = (order: string) =>
        (store.sqlite.prepare(`SELECT id FROM microcredentials WHERE status = 'active' ORDER BY ${order}`).all() as { id: string }[]).map((x) => x.id);
      const pages = (sort: 'hours' | 'recent' | 'title') => [1, 2, 3].flatMap((page) => search.search({ sort, page, pageSize: 20 }).rows.map((r) => r.id));
      expect(pages('hours')).toEqual(plain('hours, title_sort, id'));
      expect(pages('recent')).toEqual(plain('updated_at DESC, id'));
      expect(pages('title')).toEqual(plain('title_sort, id'));
      expect(search.search({}).total).toBe(60);
    } finally {
      store.close();
    }
  });
});
