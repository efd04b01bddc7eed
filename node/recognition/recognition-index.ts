/**
 * The replica's catalogue prepared for recognition lookups: every active microcredential analysed once (terms per
 * part, cached by the entry that put its current version, so an unchanged record is never re-analysed), document
 * frequencies over the whole replica, and each record's BM25-weighted vectors. Rebuilt lazily when the catalogue
 * changes: the key is the catalogue's replica version (SQLite data_version, which moves when another connection
 * commits, and this connection's total_changes). Raw SQL: this is the lookup's hot path (one scan of ids and entry
 * ids). Must never write to the store.
 */
import type { Store } from '../store/database.js';
import type { MicrocredentialRecord } from '../catalogue/model.js';
import { Analyzer, CorpusStats, weighRecord, type Analysis, type WeightedRecord } from './similarity.js';

export interface IndexedMicrocredential {
  id: string;
  author: string;
  record: MicrocredentialRecord;
  weighted: WeightedRecord;
}

export class RecognitionIndex {
  private version = '';
  private readonly analyzer = new Analyzer();
  private readonly analysed = new Map<string, { entryId: string; record: MicrocredentialRecord; analysis: Analysis }>();
  private byAuthor = new Map<string, IndexedMicrocredential[]>();
  /** per institution: term → the records holding it (indexes into byAuthor's list) and their idf weights */
  private postings = new Map<string, Map<string, { i: number[]; w: number[] }>>();
  private byId = new Map<string, IndexedMicrocredential>();
  private stats = new CorpusStats([]);
  /** how many times the index was rebuilt (for tests and diagnostics) */
  rebuilds = 0;

  constructor(
    private readonly d: {
      store: Store;
      /** a token that changes whenever the replica changes */
      replicaVersion: () => string;
    },
  ) {}

  private refresh(): void {
    const v = this.d.replicaVersion();
    if (v === this.version) return;
    const rows = this.d.store.statement("SELECT id, author, entry_id AS entryId FROM microcredentials WHERE status = 'active'").all() as { id: string; author: string; entryId: string }[];
    const load = this.d.store.statement('SELECT record FROM microcredentials WHERE id = ?');
    const seen = new Set<string>();
    let changed = false;
    for (const r of rows) {
      seen.add(r.id);
      const a = this.analysed.get(r.id);
      if (a && a.entryId === r.entryId) continue;
      changed = true;
      const row = load.get(r.id) as { record: string } | undefined;
      if (!row) continue;
      const record = JSON.parse(row.record) as MicrocredentialRecord;
      this.analysed.set(r.id, { entryId: r.entryId, record, analysis: this.analyzer.analyse(record) });
    }
    for (const id of [...this.analysed.keys()])
      if (!seen.has(id)) {
        this.analysed.delete(id);
        changed = true;
      }
    // something else was written (a status list, a decision): the catalogue, its frequencies and weights still hold
    if (!changed && this.rebuilds > 0) {
      this.version = v;
      return;
    }
    this.stats = new CorpusStats([...this.analysed.values()].map((a) => a.analysis.terms));
    const byAuthor = new Map<string, IndexedMicrocredential[]>();
    const byId = new Map<string, IndexedMicrocredential>();
    for (const r of rows) {
      const a = this.analysed.get(r.id);
      if (!a) continue;
      const m = { id: r.id, author: r.author, record: a.record, weighted: weighRecord(a.analysis, this.stats) };
      byId.set(r.id, m);
      const list = byAuthor.get(r.author);
      if (list) list.push(m);
      else byAuthor.set(r.author, [m]);
    }
    const postings = new Map<string, Map<string, { i: number[]; w: number[] }>>();
    for (const [author, list] of byAuthor) {
      const p = new Map<string, { i: number[]; w: number[] }>();
      list.forEach((m, i) => {
        for (const [t, w] of m.weighted.pooled.w) {
          let e = p.get(t);
          if (!e) p.set(t, (e = { i: [], w: [] }));
          e.i.push(i);
          e.w.push(w);
        }
      });
      postings.set(author, p);
    }
    this.postings = postings;
    this.byAuthor = byAuthor;
    this.byId = byId;
    this.version = v;
    this.rebuilds++;
  }

  /** The active microcredentials of one institution, weighted with the replica's document frequencies. */
  ofInstitution(did: string): IndexedMicrocredential[] {
    this.refresh();
    return this.byAuthor.get(did) ?? [];
  }

  /**
   * The institution's microcredentials that share at least one term with `foreign`, the `max` closest by the cosine
   * of their idf-weighted term sets (one pass over the postings). A record sharing no term scores 0 in every textual
   * part, hence below every band, so leaving it out changes no answer; `max` bounds the full comparisons.
   */
  shortlist(did: string, foreign: WeightedRecord, max: number): IndexedMicrocredential[] {
    this.refresh();
    const list = this.byAuthor.get(did) ?? [];
    const p = this.postings.get(did);
    if (!p || list.length <= max) return list;
    const acc = new Float64Array(list.length);
    for (const [t, wf] of foreign.pooled.w) {
      const e = p.get(t);
      if (!e) continue;
      for (let k = 0; k < e.i.length; k++) acc[e.i[k]!]! += wf * e.w[k]!;
    }
    const hits: number[] = [];
    for (let i = 0; i < acc.length; i++) if (acc[i]! > 0) hits.push(i);
    const score = (i: number) => acc[i]! / (list[i]!.weighted.pooled.norm || 1);
    hits.sort((a, b) => score(b) - score(a));
    return hits.slice(0, max).map((i) => list[i]!);
  }

  /**
   * One microcredential weighted with the replica's document frequencies (a withdrawn one, or an earlier version,
   * is analysed on the fly).
   */
  weighted(id: string, record: MicrocredentialRecord): WeightedRecord {
    this.refresh();
    const m = this.byId.get(id);
    if (m && m.record.version === record.version) return m.weighted;
    return weighRecord(this.analyzer.analyse(record), this.stats);
  }
}
