/**
 * The replica's catalogue prepared for recognition lookups: every active microcredential analysed once (terms per
 * part, cached by the entry that put its current version, so an unchanged record is never re-analysed), document
 * frequencies over the whole replica, and, for the institution whose catalogue is compared (built on its first lookup
 * after a change), postings (term → records) for the shortlist and every record's BM25-weighted vectors; other
 * institutions' records only count for the frequencies (a foreign record is weighted when it is looked up). Rebuilt lazily when the catalogue changes: the
 * key is the catalogue's replica version (SQLite data_version, which moves when another connection commits, and this
 * connection's total_changes); a write that changes no catalogue row keeps everything. Raw SQL: this is the lookup's
 * hot path (one scan of ids and entry ids). Must never write to the store.
 */
import type { Store } from '../store/database.js';
import type { MicrocredentialRecord } from '../catalogue/model.js';
import { Analyzer, CorpusStats, weighRecord, type Analysis, type WeightedRecord } from './similarity.js';

export interface IndexedMicrocredential {
  id: string;
  author: string;
  record: MicrocredentialRecord;
  analysis: Analysis;
}

interface Postings {
  list: IndexedMicrocredential[];
  /** term → indexes into `list` */
  terms: Map<string, number[]>;
  /** per record: the norm of its idf-weighted term set */
  norms: Float64Array;
}

export class RecognitionIndex {
  private version = '';
  private readonly analyzer = new Analyzer();
  private readonly analysed = new Map<string, { entryId: string; author: string; record: MicrocredentialRecord; analysis: Analysis }>();
  private byAuthor = new Map<string, IndexedMicrocredential[]>();
  private postings = new Map<string, Postings>();
  private byId = new Map<string, IndexedMicrocredential>();
  private weightedCache = new Map<string, WeightedRecord>();
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

  /**
   * Brings the index up to the replica's current version (cheap when nothing changed: one version check). Call it
   * once per lookup; the other methods answer as of the last refresh (the version check is a pragma and a query,
   * too costly to repeat for every candidate).
   */
  refresh(): void {
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
      this.analysed.set(r.id, { entryId: r.entryId, author: r.author, record, analysis: this.analyzer.analyse(record) });
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
    for (const [id, a] of this.analysed) {
      const m = { id, author: a.author, record: a.record, analysis: a.analysis };
      byId.set(id, m);
      const list = byAuthor.get(a.author);
      if (list) list.push(m);
      else byAuthor.set(a.author, [m]);
    }
    this.byAuthor = byAuthor;
    this.byId = byId;
    this.postings = new Map(); // built per institution on first use
    this.weightedCache = new Map();
    this.version = v;
    this.rebuilds++;
  }

  private postingsOf(did: string): Postings {
    let p = this.postings.get(did);
    if (p) return p;
    const list = this.byAuthor.get(did) ?? [];
    const terms = new Map<string, number[]>();
    const norms = new Float64Array(list.length);
    list.forEach((m, i) => {
      // the institution's records are the ones a lookup compares: weigh them all now, once per catalogue version
      if (!this.weightedCache.has(m.id)) this.weightedCache.set(m.id, weighRecord(m.analysis, this.stats));
      let n = 0;
      for (const t of m.analysis.terms) {
        const x = this.stats.idf(t);
        n += x * x;
        const e = terms.get(t);
        if (e) e.push(i);
        else terms.set(t, [i]);
      }
      norms[i] = Math.sqrt(n);
    });
    p = { list, terms, norms };
    this.postings.set(did, p);
    return p;
  }

  /** The active microcredentials of one institution. */
  ofInstitution(did: string): IndexedMicrocredential[] {
    return this.byAuthor.get(did) ?? [];
  }

  /**
   * The institution's microcredentials closest to `foreign` by the cosine of their idf-weighted term sets, at most
   * `max` (one pass over the postings). While the catalogue is no larger than `max` every record is returned; above
   * that, only records sharing a term are candidates (one sharing none scores 0 in every textual part, hence below
   * every band) and terms held by more than half of the institution's records are skipped in this pass (their idf is
   * under ln 2: they never decide a ranking, and they would make the pass scan the whole catalogue).
   */
  shortlist(did: string, foreign: Analysis, max: number): IndexedMicrocredential[] {
    const p = this.postingsOf(did);
    const n = p.list.length;
    if (n <= max) return p.list;
    const acc = new Float64Array(n);
    for (const t of foreign.terms) {
      const e = p.terms.get(t);
      if (!e || e.length > n / 2) continue;
      const x = this.stats.idf(t);
      const w = x * x;
      for (const i of e) acc[i]! += w;
    }
    for (let i = 0; i < n; i++) if (acc[i]! > 0) acc[i] = acc[i]! / (p.norms[i] || 1);
    // the max-th best score by a numeric sort of a copy (no comparator), then the records at or above it
    const sorted = Float64Array.from(acc).sort();
    const threshold = Math.max(sorted[n - max]!, Number.MIN_VALUE);
    const hits: number[] = [];
    for (let i = 0; i < n && hits.length < max; i++) if (acc[i]! >= threshold) hits.push(i);
    hits.sort((a, b) => acc[b]! - acc[a]!);
    return hits.map((i) => p.list[i]!);
  }

  /** The analysis of a record: the indexed one when it is the current version, else analysed now. */
  analysis(id: string, record: MicrocredentialRecord): Analysis {
    const m = this.byId.get(id);
    return m && m.record.version === record.version ? m.analysis : this.analyzer.analyse(record);
  }

  /** A record's BM25-weighted vectors under the replica's current document frequencies (cached until it changes). */
  weighted(id: string, record: MicrocredentialRecord): WeightedRecord {
    const m = this.byId.get(id);
    if (!m || m.record.version !== record.version) return weighRecord(this.analyzer.analyse(record), this.stats);
    let w = this.weightedCache.get(id);
    if (!w) {
      w = weighRecord(m.analysis, this.stats);
      this.weightedCache.set(id, w);
    }
    return w;
  }
}
