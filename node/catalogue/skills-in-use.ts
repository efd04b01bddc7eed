/**
 * The skills the replica's catalogue already uses (distinct name + framework + URI, most used first): what the
 * publish form offers to pick from, since no skills list is bundled. Reads the newest active records only (a bound,
 * so a large replica answers quickly) and keeps the answer until the replica changes. Replicated records are hostile
 * input: a skill that is not a plain language map with an optional short framework and http(s) URI is left out.
 * Must never write, nor invent skills.
 */
import type { Store } from '../store/database.js';

export interface SkillInUse {
  name: { es?: string; en?: string; pt?: string };
  framework?: string;
  uri?: string;
  count: number;
}
export interface SkillsAnswer {
  items: SkillInUse[];
  scanned: number;
  limited: boolean;
}

/** At most this many of the newest active records are read, and this many skills answered. */
export const SKILLS_SCAN = 20_000;
export const SKILLS_MAX = 500;

const LANGS = ['es', 'en', 'pt'] as const;
const HTTP_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^\s/?#]+\S*$/;

/** The skill as the schema allows it, or null (anything else a peer may have replicated is dropped). */
export function cleanSkill(v: unknown): Omit<SkillInUse, 'count'> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const s = v as Record<string, unknown>;
  if (!s.name || typeof s.name !== 'object' || Array.isArray(s.name)) return null;
  const name: SkillInUse['name'] = {};
  for (const l of LANGS) {
    const x = (s.name as Record<string, unknown>)[l];
    if (typeof x === 'string' && x.length >= 1 && x.length <= 300) name[l] = x;
  }
  if (!Object.keys(name).length) return null;
  const framework = typeof s.framework === 'string' && s.framework.length <= 40 && s.framework ? s.framework : undefined;
  const uri = typeof s.uri === 'string' && s.uri.length <= 500 && HTTP_URL.test(s.uri) ? s.uri : undefined;
  return { name, ...(framework ? { framework } : {}), ...(uri ? { uri } : {}) };
}

export class SkillsInUse {
  private cache: { version: string; answer: SkillsAnswer } | null = null;

  constructor(private readonly deps: { store: Pick<Store, 'statement'>; catalogue: { replicaVersion(): string } }) {}

  list(): SkillsAnswer {
    const version = this.deps.catalogue.replicaVersion();
    if (this.cache?.version === version) return this.cache.answer;
    const rows = this.deps.store
      .statement(
        `SELECT je.value AS skill, count(*) AS n
           FROM (SELECT record FROM microcredentials WHERE status = 'active' ORDER BY rowid DESC LIMIT ${SKILLS_SCAN}) AS m,
                json_each(m.record, '$.skills') AS je
          WHERE json_valid(m.record) AND je.type = 'object'
          GROUP BY je.value ORDER BY n DESC, je.value LIMIT ${SKILLS_MAX * 2}`,
      )
      .all() as { skill: string; n: number }[];
    const seen = new Map<string, SkillInUse>();
    for (const r of rows) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.skill);
      } catch {
        continue;
      }
      const s = cleanSkill(parsed);
      if (!s) continue;
      const key = JSON.stringify([s.name.es ?? '', s.name.en ?? '', s.name.pt ?? '', s.framework ?? '', s.uri ?? '']);
      const had = seen.get(key);
      if (had) had.count += r.n;
      else seen.set(key, { ...s, count: r.n });
    }
    const items = [...seen.values()].sort((a, b) => b.count - a.count).slice(0, SKILLS_MAX);
    const active = (this.deps.store.statement("SELECT count(*) AS n FROM microcredentials WHERE status = 'active'").get() as { n: number }).n;
    const answer = { items, scanned: Math.min(active, SKILLS_SCAN), limited: active > SKILLS_SCAN };
    this.cache = { version, answer };
    return answer;
  }
}
