/**
 * Evidence that two microcredentials teach the same thing, explained part by part: learning outcomes matched one by
 * one under BM25 weights (idf from the whole replica's catalogue, so distinctive words count more than the words every
 * outcome uses), the ISCED-F distance, shared ESCO skills (by URI where both sides give them, else by name), and the
 * title and description as weaker signals. Words are folded (case, accents), stop-words dropped, and stemmed with the
 * Snowball stemmer of the text's language (es, en, pt); texts in different languages meet through the translations a
 * record carries (same-language channels) or, failing that, through a language-neutral cognate form
 * (text-similarity.ts). Workload, level, assessment, participation and QA are NOT evidence here: they are explained
 * differences (comparison.ts). Pure: must never read the store, call the network or load a model.
 */
import snowball from 'snowball-stemmers';
import { LRUCache } from 'lru-cache';
import type { LangMap, MicrocredentialRecord } from '../catalogue/model.js';
import { isStopWord, termOf } from './text-similarity.js';

type Lang = 'es' | 'en' | 'pt';
const STEMMERS: Record<Lang, { stem(w: string): string }> = {
  es: snowball.newStemmer('spanish'),
  en: snowball.newStemmer('english'),
  pt: snowball.newStemmer('portuguese'),
};

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Terms of one text, per channel: `es:`/`en:`/`pt:` stems and `x:` language-neutral cognate forms. */
export interface Bag {
  tf: Map<string, number>;
  /** a readable word for each term (its first occurrence), for explanations */
  words: Map<string, string>;
}

function emptyBag(): Bag {
  return { tf: new Map(), words: new Map() };
}

/**
 * Stems and cognate forms are pure functions of the word: an Analyzer memoises them (bounded, least recently used first out)
 * because a catalogue repeats the same few thousand words and the Snowball stemmers are the costly part of analysing a
 * record. The recognition index keeps one Analyzer for its lifetime.
 */
const MEMO_MAX = 100_000;
/** A Map for one record, an LRUCache for an Analyzer's lifetime. */
interface Memo {
  get(key: string): [string | null, string | null] | undefined;
  set(key: string, forms: [string | null, string | null]): unknown;
}
function forms(memo: Memo, lower: string, lang: string, stemmer: { stem(w: string): string } | undefined): [string | null, string | null] {
  const key = `${lang}|${lower}`;
  let f = memo.get(key);
  if (!f) {
    const s = stemmer ? fold(stemmer.stem(lower)) : '';
    f = [s.length >= 2 ? `${lang}:${s}` : null, ((x) => (x ? `x:${x}` : null))(termOf(lower))];
    memo.set(key, f);
  }
  return f;
}

function addText(memo: Memo, bag: Bag, text: string, lang: string): void {
  const stemmer = (STEMMERS as Record<string, { stem(w: string): string } | undefined>)[lang];
  for (const raw of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    const lower = raw.toLowerCase();
    const folded = fold(lower);
    if (folded.length < 3 || /^\d+$/.test(folded) || isStopWord(folded)) continue;
    const add = (t: string) => {
      bag.tf.set(t, (bag.tf.get(t) ?? 0) + 1);
      if (!bag.words.has(t)) bag.words.set(t, lower);
    };
    const [stem, x] = forms(memo, lower, lang, stemmer);
    if (stem) add(stem);
    if (x) add(x);
  }
}

function bagOf(memo: Memo, ...maps: (LangMap | undefined)[]): Bag {
  const bag = emptyBag();
  for (const m of maps) {
    if (!m || typeof m !== 'object') continue;
    for (const [lang, text] of Object.entries(m)) if (typeof text === 'string') addText(memo, bag, text.slice(0, 4000), lang);
  }
  return bag;
}

/** What the similarity needs of a record, before weighting: bags of terms per part. Cacheable per record version. */
export interface Analysis {
  outcomes: Bag[];
  title: Bag;
  description: Bag;
  skills: Bag;
  skillUris: string[];
  field: string;
  /** every term of the record (for document frequencies) */
  terms: Set<string>;
}

/** Analyses records, memoising the stems and cognate forms of the words it meets. */
export class Analyzer {
  private readonly memo: Memo = new LRUCache<string, [string | null, string | null]>({ max: MEMO_MAX });
  analyse(r: MicrocredentialRecord): Analysis {
    return analyseWith(this.memo, r);
  }
}

/** One record, with a memo of its own (tests, the evaluation; the index uses an Analyzer). */
export function analyse(r: MicrocredentialRecord): Analysis {
  return analyseWith(new Map(), r);
}

function analyseWith(memo: Memo, r: MicrocredentialRecord): Analysis {
  const outcomes = (r.learningOutcomes ?? []).slice(0, 40).map((o) => bagOf(memo, o.text));
  const title = bagOf(memo, r.title);
  const description = bagOf(memo, r.description);
  const skills = bagOf(memo, ...(r.skills ?? []).slice(0, 40).map((s) => s.name));
  const skillUris = [
    ...new Set([...(r.skills ?? []).map((s) => s.uri), ...(r.learningOutcomes ?? []).map((o) => o.escoUri)].filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u))),
  ];
  const terms = new Set<string>();
  for (const b of [...outcomes, title, description, skills]) for (const t of b.tf.keys()) terms.add(t);
  return { outcomes, title, description, skills, skillUris, field: String(r.fieldOfStudy?.iscedF ?? ''), terms };
}

/** Document frequencies over a catalogue (the replica): one document per microcredential. */
export class CorpusStats {
  private readonly df = new Map<string, number>();
  readonly n: number;
  constructor(docs: Iterable<Set<string>>) {
    let n = 0;
    for (const d of docs) {
      n++;
      for (const t of d) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
    this.n = n;
  }
  private readonly idfs = new Map<string, number>();
  /** BM25 idf: ln(1 + (N - df + 0.5) / (df + 0.5)); a term the corpus never saw weighs as a unique one. */
  idf(term: string): number {
    let x = this.idfs.get(term);
    if (x === undefined) {
      const df = this.df.get(term) ?? 0;
      x = Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
      if (df > 0) this.idfs.set(term, x);
    }
    return x;
  }
}

const K1 = 1.2;

/** A bag weighted with BM25 (saturating tf × idf), split per channel, each channel with its norm. */
export interface Weighted {
  channels: Map<string, { w: Map<string, number>; norm: number }>;
  words: Map<string, string>;
}

export function weigh(bag: Bag, stats: CorpusStats): Weighted {
  const channels = new Map<string, { w: Map<string, number>; norm: number }>();
  for (const [t, tf] of bag.tf) {
    const ch = t.slice(0, t.indexOf(':'));
    let c = channels.get(ch);
    if (!c) channels.set(ch, (c = { w: new Map(), norm: 0 }));
    const w = ((tf * (K1 + 1)) / (tf + K1)) * stats.idf(t);
    c.w.set(t, w);
    c.norm += w * w;
  }
  for (const c of channels.values()) c.norm = Math.sqrt(c.norm);
  return { channels, words: bag.words };
}

/**
 * Cosine of the best channel both sides have (same language through translations, or the cognate channel). When
 * `shared` is given, the terms the best channel shares are written into it (explanations only: the ranking pass
 * allocates nothing).
 */
function cosineInto(a: Weighted, b: Weighted, shared: string[] | null): number {
  let best = 0;
  let bestCh: string | null = null;
  for (const [ch, ca] of a.channels) {
    const cb = b.channels.get(ch);
    if (!cb || ca.norm === 0 || cb.norm === 0) continue;
    let dot = 0;
    const small = ca.w.size <= cb.w.size ? ca.w : cb.w;
    const large = small === ca.w ? cb.w : ca.w;
    for (const [t, x] of small) {
      const y = large.get(t);
      if (y) dot += x * y;
    }
    const sc = dot / (ca.norm * cb.norm);
    if (sc > best) {
      best = sc;
      bestCh = ch;
    }
  }
  if (shared && bestCh !== null) {
    const wb = b.channels.get(bestCh)!.w;
    const seen = new Set<string>();
    for (const t of a.channels.get(bestCh)!.w.keys())
      if (wb.has(t)) {
        const word = a.words.get(t) ?? b.words.get(t) ?? t.slice(t.indexOf(':') + 1);
        if (!seen.has(word)) {
          seen.add(word);
          shared.push(word);
        }
      }
  }
  return best;
}

export function cosine(a: Weighted, b: Weighted): { score: number; shared: string[] } {
  const shared: string[] = [];
  const score = cosineInto(a, b, shared);
  return { score, shared };
}

export interface WeightedRecord {
  outcomes: Weighted[];
  title: Weighted;
  description: Weighted;
  skills: Weighted;
  skillUris: string[];
  field: string;
}

export function weighRecord(a: Analysis, stats: CorpusStats): WeightedRecord {
  return {
    outcomes: a.outcomes.map((b) => weigh(b, stats)),
    title: weigh(a.title, stats),
    description: weigh(a.description, stats),
    skills: weigh(a.skills, stats),
    skillUris: a.skillUris,
    field: a.field,
  };
}

export type FieldMatch = 'detailed' | 'narrow' | 'broad' | 'none';

/** Distance in the ISCED-F 2013 hierarchy: 2 digits broad, 3 narrow, 4 detailed. */
export function fieldMatch(a: string, b: string): FieldMatch {
  if (a.length >= 4 && a.slice(0, 4) === b.slice(0, 4)) return 'detailed';
  if (a.length >= 3 && a.slice(0, 3) === b.slice(0, 3)) return 'narrow';
  if (a.length >= 2 && a.slice(0, 2) === b.slice(0, 2)) return 'broad';
  return 'none';
}

/** The weight of each part in the score, and the value of a field distance. Chosen by hand, not fitted (README). */
export const WEIGHTS = { outcomes: 0.55, field: 0.15, skills: 0.1, title: 0.12, description: 0.08 } as const;
export const FIELD_VALUE: Record<FieldMatch, number> = { detailed: 1, narrow: 0.6, broad: 0.3, none: 0 };
/** Skills compared by name (no URIs on one side) count this fraction of a URI match. */
export const SKILL_NAME_FACTOR = 0.5;
/** Textual evidence (outcomes, title or skills) at which the field distance counts in full. */
export const FIELD_NEEDS = 0.3;

export interface OutcomeMatch {
  foreign: number; // index of the foreign outcome
  local: number | null; // best matching local outcome
  score: number; // 0..1
  sharedTerms: string[];
}

/**
 * A title read against the other side's outcomes: a title states what a course is about, so "Reanimación
 * cardiopulmonar básica y uso del DEA" against the outcome "Realizar reanimación cardiopulmonar y uso del
 * desfibrilador" is a pair of the same kind as two outcomes. Counts only in the strongest-pair term, never in coverage.
 */
export interface TitlePair {
  /** whose title: the foreign record's (against a local outcome) or the local record's (against a foreign outcome) */
  title: 'foreign' | 'local';
  /** index of the outcome on the other side */
  outcome: number;
  score: number;
  sharedTerms: string[];
}

export interface ScorePart {
  part: 'learning-outcomes' | 'field' | 'skills' | 'title' | 'description';
  weight: number;
  value: number; // 0..1
  contribution: number; // weight × value
}

export interface Similarity {
  score: number;
  parts: ScorePart[];
  outcomes: { score: number; foreignCovered: number; localCovered: number; matches: OutcomeMatch[]; titlePair: TitlePair | null };
  field: FieldMatch;
  skills: { by: 'uri' | 'name' | 'none'; value: number; sharedUris: string[]; sharedTerms: string[] };
  title: { value: number; sharedTerms: string[] };
  description: { value: number; sharedTerms: string[] };
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The evidence for one pair. With `explain` false (the ranking pass over the shortlist) no shared words are collected;
 * the score is the same.
 */
export function similarity(f: WeightedRecord, l: WeightedRecord, explain = true): Similarity {
  // outcomes: each foreign outcome's best local match and each local outcome's best foreign match, averaged both ways
  const nf = f.outcomes.length;
  const nl = l.outcomes.length;
  const bestJ = new Array<number>(nf).fill(-1);
  const bestS = new Array<number>(nf).fill(0);
  const back = new Array<number>(nl).fill(0);
  for (let i = 0; i < nf; i++)
    for (let j = 0; j < nl; j++) {
      const c = cosineInto(f.outcomes[i]!, l.outcomes[j]!, null);
      if (c > bestS[i]!) {
        bestS[i] = c;
        bestJ[i] = j;
      }
      if (c > back[j]!) back[j] = c;
    }
  const best = bestS.map((sc, i) => ({ j: bestJ[i]!, s: sc, shared: [] as string[] }));
  if (explain)
    best.forEach((b, i) => {
      if (b.j >= 0) cosineInto(f.outcomes[i]!, l.outcomes[b.j]!, b.shared);
    });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : 0);
  const fwd = mean(best.map((b) => b.s));
  const bwd = mean(back);
  // coverage both ways, plus the strongest single pair (two outcomes, or a title and an outcome of the other side): a
  // partial counterpart covers some outcomes well, not all
  let pair: { title: 'foreign' | 'local'; outcome: number; s: number } | null = null;
  for (let j = 0; j < nl; j++) {
    const c = cosineInto(f.title, l.outcomes[j]!, null);
    if (c > (pair?.s ?? 0)) pair = { title: 'foreign', outcome: j, s: c };
  }
  for (let i = 0; i < nf; i++) {
    const c = cosineInto(f.outcomes[i]!, l.title, null);
    if (c > (pair?.s ?? 0)) pair = { title: 'local', outcome: i, s: c };
  }
  const strongestOutcomes = Math.max(0, ...back);
  // the title pair is reported only where it is the strongest pair (where it changed the score)
  if (pair && pair.s <= strongestOutcomes) pair = null;
  const strongest = Math.max(strongestOutcomes, pair?.s ?? 0);
  let titlePair: TitlePair | null = null;
  if (pair) {
    const sharedTerms: string[] = [];
    if (explain) {
      if (pair.title === 'foreign') cosineInto(f.title, l.outcomes[pair.outcome]!, sharedTerms);
      else cosineInto(f.outcomes[pair.outcome]!, l.title, sharedTerms);
    }
    titlePair = { title: pair.title, outcome: pair.outcome, score: r3(pair.s), sharedTerms };
  }
  const outcomes = 0.35 * fwd + 0.35 * bwd + 0.3 * strongest;
  const field = fieldMatch(f.field, l.field);
  let skills: Similarity['skills'];
  if (f.skillUris.length && l.skillUris.length) {
    const shared = f.skillUris.filter((u) => l.skillUris.includes(u));
    skills = { by: 'uri', value: (2 * shared.length) / (f.skillUris.length + l.skillUris.length), sharedUris: shared, sharedTerms: [] };
  } else {
    // skill names are free text: weaker evidence than a shared URI, so they count half
    const c = explain ? cosine(f.skills, l.skills) : { score: cosineInto(f.skills, l.skills, null), shared: [] };
    skills = { by: f.skills.channels.size && l.skills.channels.size ? 'name' : 'none', value: c.score * SKILL_NAME_FACTOR, sharedUris: [], sharedTerms: c.shared };
  }
  const title = explain ? cosine(f.title, l.title) : { score: cosineInto(f.title, l.title, null), shared: [] };
  const description = explain ? cosine(f.description, l.description) : { score: cosineInto(f.description, l.description, null), shared: [] };
  // the field supports textual evidence and never stands alone: it counts in full once the outcomes, title or skills
  // show some overlap (FIELD_NEEDS), in proportion below that, and not at all without any
  const evidence = Math.max(outcomes, title.score, skills.value);
  const fieldValue = FIELD_VALUE[field] * Math.min(1, evidence / FIELD_NEEDS);
  const values = { 'learning-outcomes': outcomes, field: fieldValue, skills: skills.value, title: title.score, description: description.score } as const;
  const weightOf = { 'learning-outcomes': WEIGHTS.outcomes, field: WEIGHTS.field, skills: WEIGHTS.skills, title: WEIGHTS.title, description: WEIGHTS.description } as const;
  const parts = (Object.keys(values) as ScorePart['part'][]).map((part) => ({ part, weight: weightOf[part], value: r3(values[part]), contribution: r3(weightOf[part] * values[part]) }));
  const score = r3(parts.reduce((a, p) => a + p.weight * values[p.part], 0));
  return {
    score,
    parts,
    outcomes: {
      score: r3(outcomes),
      foreignCovered: r3(fwd),
      localCovered: r3(bwd),
      matches: best.map((b, i) => ({ foreign: i, local: b.j >= 0 ? b.j : null, score: r3(b.s), sharedTerms: b.shared })),
      titlePair,
    },
    field,
    skills: { ...skills, value: r3(skills.value) },
    title: { value: r3(title.score), sharedTerms: title.shared },
    description: { value: r3(description.score), sharedTerms: description.shared },
  };
}
