/**
 * The live reference data of a node: the bundled set (schemas/reference, the floor) plus the `reference` entries the
 * network's authorised publishers signed (credit systems, qualifications frameworks, correspondence tables). Per kind
 * and id the newest version wins; a network version replaces the bundled one only when it is newer. Projects
 * `reference` entries into the generic documents table (every version is kept, so an old catalogue entry can still
 * name the version it was published under), and publishes this node's own reference entries.
 * Must never decide who may publish (the manifest's rule, node/trust/reference-policy.ts, does) and must never reject
 * an entry at projection (replicas would diverge): an entry that reaches it has passed the acceptance rule.
 */
import { and, eq, sql } from 'drizzle-orm';
import { RegistryError } from '../core/errors.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { Entry, EntryType } from '../feed/entry.js';
import type { FeedService, Projector } from '../feed/feed.service.js';
import { boundWrite } from '../store/bound-write.js';
import type { Store } from '../store/database.js';
import { documents } from '../store/schema.js';
import type { CorrespondenceTable, CreditSystem, LevelFramework, ReferenceData } from './reference-data.js';

export const REFERENCE_KINDS = ['credit-system', 'qualifications-framework', 'correspondence-table'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

/** The body of a `reference` entry (schemas/entries/reference.schema.json). */
export interface ReferenceBody {
  kind: ReferenceKind;
  version: string;
  record: { id: string } & Record<string, unknown>;
  statement?: string;
}

/** Where the live version of a record comes from. */
export interface ReferenceProvenance {
  origin: 'bundled' | 'network';
  version: string;
  /** The member that signed it (null for the bundled set). */
  publishedBy: string | null;
  entryId: string | null;
  publishedAt: string | null;
}

export interface LiveReference {
  kind: ReferenceKind;
  id: string;
  record: Record<string, unknown>;
  provenance: ReferenceProvenance;
}

/** The reference versions a catalogue entry was published under (signed into its entry; see catalogue.service.ts). */
export interface ReferenceStamp {
  creditSystem?: { id: string; version: string; publishedBy: string | null };
  levelFramework?: { id: string; version: string; publishedBy: string | null };
}

/** Version of a bundled file without its own `version` (never newer than any network version). */
const NO_VERSION = '0000-00-00';
const DOC_TYPE = 'reference';

interface NetworkVersion {
  body: ReferenceBody;
  author: string;
  entryId: string;
  ts: string;
}

interface Live {
  data: ReferenceData;
  items: LiveReference[];
}

export class ReferenceRegistry implements Projector {
  readonly name = 'reference';
  readonly types: readonly EntryType[] = ['reference'];
  private readonly q;
  private live: Live | null = null;
  private dataVersion = -1;
  private checkedAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly bundled: ReferenceData,
  ) {
    const d = documents;
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      put: boundWrite(
        store.sqlite,
        store.db
          .insert(d)
          .values({ type: DOC_TYPE, author: p('author'), key: p('key'), body: p('body'), entryId: p('entryId'), ts: p('ts') })
          .onConflictDoUpdate({ target: [d.type, d.author, d.key], set: { body: sql`excluded.body`, entryId: sql`excluded.entry_id`, ts: sql`excluded.ts` } }),
      ),
      all: store.db.select({ author: d.author, body: d.body, entryId: d.entryId, ts: d.ts }).from(d).where(eq(d.type, DOC_TYPE)).prepare(),
      one: store.db
        .select({ author: d.author, body: d.body, entryId: d.entryId, ts: d.ts })
        .from(d)
        .where(and(eq(d.type, DOC_TYPE), sql`${d.key} LIKE ${p('prefix')} ESCAPE '\\'`))
        .prepare(),
    };
  }

  // ---------------------------------------------------------------- projection

  apply(entry: Entry): void {
    const b = entry.body as ReferenceBody;
    // every version is kept (key kind/id/version); the same publisher signing a version again replaces its own copy
    this.q.put({ author: entry.author, key: `${b.kind}/${b.record.id}/${b.version}`, body: JSON.stringify(b), entryId: entry.id, ts: entry.ts });
    this.live = null;
  }

  reset(): void {
    this.store.db.delete(documents).where(eq(documents.type, DOC_TYPE)).run();
    this.live = null;
  }

  // ---------------------------------------------------------------- the live set

  /** The live reference data, in the bundled files' shape (what CreditSystems and the catalogue checks read). */
  data(): ReferenceData {
    return this.current().data;
  }

  /** Every live record with who published it. */
  list(kind?: ReferenceKind): LiveReference[] {
    const items = this.current().items;
    return kind ? items.filter((i) => i.kind === kind) : items;
  }

  get(kind: ReferenceKind, id: string): LiveReference | null {
    return this.current().items.find((i) => i.kind === kind && i.id === id) ?? null;
  }

  /** Every version of one record this node holds: the bundled one and the network's, oldest first. */
  history(kind: ReferenceKind, id: string): (ReferenceProvenance & { record: Record<string, unknown> })[] {
    const out: (ReferenceProvenance & { record: Record<string, unknown> })[] = [];
    const b = this.bundledOf(kind, id);
    if (b) out.push({ ...b.provenance, record: b.record });
    const prefix = `${kind}/${id.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    for (const v of this.q.one.all({ prefix }).map(toVersion).sort(byVersion))
      out.push({ origin: 'network', version: v.body.version, publishedBy: v.author, entryId: v.entryId, publishedAt: v.ts, record: v.body.record });
    return out;
  }

  /** The versions of the credit system and level framework a catalogue record names, as they are live now. */
  stampFor(record: { workload?: { credits?: { system?: string } }; level?: { framework?: string } }): ReferenceStamp {
    const stamp: ReferenceStamp = {};
    const cs = record.workload?.credits?.system ? this.get('credit-system', record.workload.credits.system) : null;
    if (cs) stamp.creditSystem = { id: cs.id, version: cs.provenance.version, publishedBy: cs.provenance.publishedBy };
    const fw = record.level?.framework ? this.get('qualifications-framework', record.level.framework) : null;
    if (fw) stamp.levelFramework = { id: fw.id, version: fw.provenance.version, publishedBy: fw.provenance.publishedBy };
    return stamp;
  }

  private current(): Live {
    // another process (the CLI) may have stored reference entries: data_version tells, checked at most every 50 ms
    const t = performance.now();
    if (t - this.checkedAt > 50) {
      this.checkedAt = t;
      const dv = this.store.sqlite.pragma('data_version', { simple: true }) as number;
      if (dv !== this.dataVersion) {
        this.dataVersion = dv;
        this.live = null;
      }
    }
    this.live ??= this.compute();
    return this.live;
  }

  private bundledOf(kind: ReferenceKind, id: string): LiveReference | null {
    return this.bundledItems().find((i) => i.kind === kind && i.id === id) ?? null;
  }

  private bundledItems(): LiveReference[] {
    const prov = (version: string | undefined): ReferenceProvenance => ({ origin: 'bundled', version: version ?? NO_VERSION, publishedBy: null, entryId: null, publishedAt: null });
    const b = this.bundled;
    return [
      ...b.creditSystems.systems.map((r) => ({ kind: 'credit-system' as const, id: r.id, record: r as unknown as Record<string, unknown>, provenance: prov(b.creditSystems.version) })),
      ...b.levels.frameworks.map((r) => ({ kind: 'qualifications-framework' as const, id: r.id, record: r as unknown as Record<string, unknown>, provenance: prov(b.levels.version) })),
      ...(b.correspondenceTables?.tables ?? []).map((r) => ({
        kind: 'correspondence-table' as const,
        id: r.id,
        record: r as unknown as Record<string, unknown>,
        provenance: prov(b.correspondenceTables?.version),
      })),
    ];
  }

  private compute(): Live {
    const items = new Map<string, LiveReference>();
    for (const i of this.bundledItems()) items.set(`${i.kind}/${i.id}`, i);
    // the newest network version per kind and id (ties: the later entry, then the greater id, so replicas agree)
    const newest = new Map<string, NetworkVersion>();
    for (const v of this.q.all.all().map(toVersion)) {
      const k = `${v.body.kind}/${v.body.record.id}`;
      const cur = newest.get(k);
      if (!cur || byVersion(cur, v) < 0) newest.set(k, v);
    }
    for (const [k, v] of newest) {
      const floor = items.get(k);
      if (floor && floor.provenance.version >= v.body.version) continue; // the bundled set is the floor
      items.set(k, {
        kind: v.body.kind,
        id: v.body.record.id,
        record: v.body.record,
        provenance: { origin: 'network', version: v.body.version, publishedBy: v.author, entryId: v.entryId, publishedAt: v.ts },
      });
    }
    const all = [...items.values()];
    const of = <T>(kind: ReferenceKind) => all.filter((i) => i.kind === kind).map((i) => i.record as unknown as T);
    const systems = of<CreditSystem>('credit-system');
    const ids = new Set(systems.map((s) => s.id));
    const b = this.bundled;
    const data: ReferenceData = {
      ...b,
      // a system the network published is no longer "unconfirmed" here
      creditSystems: { ...b.creditSystems, systems, unconfirmed: (b.creditSystems.unconfirmed ?? []).filter((u) => !ids.has(u.id)) },
      levels: { ...b.levels, frameworks: of<LevelFramework>('qualifications-framework') },
      correspondenceTables: { ...(b.correspondenceTables ?? { description: 'Correspondence tables published on the network.' }), tables: of<CorrespondenceTable>('correspondence-table') },
    };
    return { data, items: all };
  }
}

function toVersion(r: { author: string; body: string; entryId: string; ts: string }): NetworkVersion {
  return { body: JSON.parse(r.body) as ReferenceBody, author: r.author, entryId: r.entryId, ts: r.ts };
}

/** Older first: by version, then entry time, then entry id. */
function byVersion(a: NetworkVersion, b: NetworkVersion): number {
  return a.body.version < b.body.version ? -1 : a.body.version > b.body.version ? 1 : a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0;
}

/** Who may publish reference data on this network (the manifest's rule). */
export interface ReferenceAuthority {
  mayPublish(did: string): boolean;
  publishers(): string[];
}

/**
 * Publishes this node's reference entries: only a member the manifest authorises, only a valid record, and only a
 * version that would be live (newer than the live one, or a correction of a network version on the same date).
 */
export class ReferencePublisher {
  constructor(
    private readonly d: {
      feed: Pick<FeedService, 'author' | 'append'>;
      schemas: Pick<SchemaRegistry, 'assertValid'>;
      authority: ReferenceAuthority;
      membership: { isMember(did: string): boolean };
      registry: Pick<ReferenceRegistry, 'get'>;
    },
  ) {}

  publish(input: unknown): Entry<ReferenceBody> {
    const self = this.d.feed.author;
    if (!this.d.authority.mayPublish(self))
      throw new RegistryError('not_authorised', `this node (${self}) is not named in the network manifest's referencePublishers; it cannot publish reference data`);
    this.d.schemas.assertValid('entries/reference', input, 'reference entry');
    if (!this.d.membership.isMember(self)) throw new RegistryError('not_a_member', 'this node is not a member of the network');
    const body = input as ReferenceBody;
    const live = this.d.registry.get(body.kind, body.record.id);
    if (live && (body.version < live.provenance.version || (body.version === live.provenance.version && live.provenance.origin === 'bundled')))
      throw new RegistryError(
        'conflict',
        `${body.kind} ${body.record.id}: version ${body.version} would not be live (the live version is ${live.provenance.version}, ${live.provenance.origin}); publish a newer version`,
        { live: live.provenance },
      );
    return this.d.feed.append('reference', body);
  }
}
