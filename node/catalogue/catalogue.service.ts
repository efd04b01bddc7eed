/**
 * The unit's catalogue: publish, update and withdraw its own microcredentials (as feed entries) and read the
 * network-wide catalogue from the replica. Checks the EU standard elements before publishing.
 * Must never write the catalogue tables directly (the projector does, from entries).
 */
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import { pageParams, type ListPage } from '../core/bounded-lists.js';
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { FeedService } from '../feed/feed.service.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import type { Store } from '../store/database.js';
import { documents, microcredentials, microcredentialVersions } from '../store/schema.js';
import { MICROCREDENTIAL_REFERENCE } from './catalogue.projector.js';
import type { ReferenceRegistry, ReferenceStamp } from './reference-registry.js';
import { checkEuElements } from './eu-elements.js';
import type { CreditSystems } from './credit-systems.js';
import { microcredentialId } from '../feed/ids.js';
import type { MicrocredentialRecord } from './model.js';
import type { CatalogueSearch, SearchParams, SearchResult } from './search.js';

export interface StoredMicrocredential {
  id: string;
  author: string;
  record: MicrocredentialRecord;
  status: 'active' | 'withdrawn';
  withdrawal: { reason: unknown; at: string } | null;
  createdAt: string;
  updatedAt: string;
  entryId: string;
}

export class CatalogueService {
  /** Typed queries prepared once: `byId` is read by every verification, issuance and detail page. */
  private readonly q;

  constructor(
    private readonly deps: {
      store: Store;
      feed: FeedService;
      schemas: SchemaRegistry;
      institutions: InstitutionDirectory;
      search: CatalogueSearch;
      credits: CreditSystems;
      /** The versions of the live reference data a record is published under (signed into its entry). */
      reference?: Pick<ReferenceRegistry, 'stampFor'>;
      /** The node's clock: an internal QA review dated in the future is refused on publishing. */
      clock: { now(): Date };
    },
  ) {
    const db = deps.store.db;
    const m = microcredentials;
    const v = microcredentialVersions;
    // constants stay literals in the SQL (as before), so the planner sees them
    const active = sql`${m.status} = 'active'`;
    const idsOf = (withdrawn: boolean) =>
      db
        .select({ id: m.id })
        .from(m)
        .where(withdrawn ? eq(m.author, sql.placeholder('did')) : and(eq(m.author, sql.placeholder('did')), active))
        .orderBy(asc(m.titleSort))
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('offset'))
        .prepare();
    this.q = {
      byId: db
        .select({
          id: m.id,
          author: m.author,
          record: m.record,
          status: m.status,
          withdrawal: m.withdrawal,
          createdAt: m.createdAt,
          updatedAt: m.updatedAt,
          entryId: m.entryId,
        })
        .from(m)
        .where(eq(m.id, sql.placeholder('id')))
        .prepare(),
      // the newest versions first, one page (a SQL LIMIT), and how many
      versions: db
        .select({ version: v.version, entryId: v.entryId, ts: v.ts })
        .from(v)
        .where(eq(v.id, sql.placeholder('id')))
        .orderBy(desc(v.version))
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('offset'))
        .prepare(),
      versionCount: db.select({ n: sql<number>`count(*)` }).from(v).where(eq(v.id, sql.placeholder('id'))).prepare(),
      version: db
        .select({ record: v.record })
        .from(v)
        .where(and(eq(v.id, sql.placeholder('id')), eq(v.version, sql.placeholder('version'))))
        .prepare(),
      activeIdsOf: idsOf(false),
      allIdsOf: idsOf(true),
      activeCounts: db.select({ author: m.author, n: count() }).from(m).where(active).groupBy(m.author).prepare(),
      referenceOf: db
        .select({ body: documents.body })
        .from(documents)
        .where(and(eq(documents.type, MICROCREDENTIAL_REFERENCE), eq(documents.key, sql.placeholder('key'))))
        .limit(1)
        .prepare(),
    };
  }

  get author(): string {
    return this.deps.feed.author;
  }

  /** Validates a record as the admin API receives it and completes awarding body / country from the profile. */
  prepare(input: unknown, opts: { version?: number } = {}): MicrocredentialRecord {
    if (input && typeof input === 'object' && !Array.isArray(input) && opts.version !== undefined && (input as { version?: unknown }).version === undefined) {
      input = { ...(input as object), version: opts.version };
    }
    this.deps.schemas.assertValid('microcredential', input, 'microcredential');
    const record = structuredClone(input) as MicrocredentialRecord;
    const own = this.deps.institutions.get(this.author);
    if (!record.awardingBody && own) {
      record.awardingBody = { name: own.profile.name.es ?? own.profile.name.en ?? own.profile.shortName ?? '', did: this.author };
    }
    if (!record.country && own) record.country = own.profile.country;
    const eu = checkEuElements(record, this.deps.credits.reference());
    if (!eu.ok) {
      throw new RegistryError(
        'missing_eu_elements',
        `the microcredential lacks mandatory EU standard elements: ${eu.missing.map((m) => m.element).join(', ')}`,
        { errors: eu.missing, warnings: eu.warnings },
      );
    }
    if (record.workload?.credits) this.deps.credits.get(record.workload.credits.system); // throws unknown_credit_system
    // the framework must be in the live reference data (bundled, or published on the network by an authorised member)
    const frameworks = this.deps.credits.reference().levels.frameworks;
    const framework = record.level?.framework;
    if (framework && !frameworks.some((f) => f.id === framework))
      throw userError('unknown_level_framework', 'catalogue.unknownLevelFramework', { framework, known: frameworks.map((f) => f.id).join(', ') });
    // a module of this unit may be named by its code on input; entries carry network-wide ids only
    for (const m of record.stackability?.stacksFrom ?? []) if (!m.id.includes('.')) m.id = microcredentialId(this.author, m.id);
    // likewise a programme of this unit named by code in stackableTowards (other ids are kept as given)
    for (const t of record.stackability?.stackableTowards ?? []) if (t.id && /^[a-z0-9][a-z0-9-]{2,63}$/.test(t.id)) t.id = microcredentialId(this.author, t.id);
    const modules = (record.stackability?.stacksFrom ?? []).map((m) => m.id);
    const self = microcredentialId(this.author, record.code);
    if (modules.includes(self)) throw userError('validation_failed', 'catalogue.stacksFromItself', { code: record.code });
    const twice = modules.find((m, i) => modules.indexOf(m) !== i);
    if (twice) throw userError('validation_failed', 'catalogue.moduleTwice', { module: twice });
    // the internal QA procedure's last review happened: not after today (the schema bounds the rest)
    const lastReview = record.qualityAssurance?.procedure?.lastReview;
    const today = this.deps.clock.now().toISOString().slice(0, 10);
    if (lastReview && lastReview > today)
      throw userError('validation_failed', 'catalogue.lastReviewFuture', { date: lastReview, today });
    return record;
  }

  /** Throws `own_feed_unconfirmed` while this unit may not publish (checked first: it is the cause to report). */
  assertCanPublish(): void {
    this.deps.feed.assertCanAppend();
  }

  create(input: unknown): StoredMicrocredential {
    this.assertCanPublish();
    const version = (input as { version?: number } | null)?.version ?? 1;
    const record = this.prepare(input, { version });
    const id = microcredentialId(this.author, record.code);
    const existing = this.get(id);
    if (existing) throw userError('conflict', 'catalogue.codeTaken', { code: record.code, version: existing.record.version }, { id });
    this.deps.feed.append('microcredential', this.putBody(record));
    return this.get(id)!;
  }

  update(code: string, input: unknown): StoredMicrocredential {
    this.assertCanPublish();
    const id = microcredentialId(this.author, code);
    const existing = this.get(id);
    if (!existing) throw userError('not_found', 'catalogue.notInUnit', { code });
    const requested = (input as { version?: number } | null)?.version;
    const version = requested ?? existing.record.version + 1;
    if (version <= existing.record.version)
      throw userError('conflict', 'catalogue.versionNotNewer', { current: existing.record.version }, { current: existing.record.version });
    const record = this.prepare({ ...(input as object), code }, { version });
    record.version = version;
    this.deps.feed.append('microcredential', this.putBody(record));
    return this.get(id)!;
  }

  /** The entry body of a put: the record and the reference versions it is published under (absent: none known). */
  private putBody(record: MicrocredentialRecord): { op: 'put'; microcredential: MicrocredentialRecord; reference?: ReferenceStamp } {
    const stamp = this.deps.reference?.stampFor(record);
    return { op: 'put', microcredential: record, ...(stamp && Object.keys(stamp).length ? { reference: stamp } : {}) };
  }

  /** The reference versions a version of a microcredential was published under (null: published before they were recorded). */
  referenceOf(id: string, version: number): ReferenceStamp | null {
    const r = this.q.referenceOf.get({ key: `${id}@${version}` });
    return r ? (JSON.parse(r.body) as ReferenceStamp) : null;
  }

  withdraw(code: string, reason: unknown): StoredMicrocredential {
    this.assertCanPublish();
    const id = microcredentialId(this.author, code);
    const existing = this.get(id);
    if (!existing) throw userError('not_found', 'catalogue.notInUnit', { code });
    if (existing.status === 'withdrawn') throw userError('conflict', 'catalogue.alreadyWithdrawn', { code });
    this.deps.feed.append('microcredential', { op: 'withdraw', code, reason: reason ?? 'withdrawn' });
    return this.get(id)!;
  }

  get(id: string): StoredMicrocredential | null {
    const r = this.q.byId.get({ id });
    if (!r) return null;
    return {
      id: r.id,
      author: r.author,
      record: JSON.parse(r.record) as MicrocredentialRecord,
      status: r.status as StoredMicrocredential['status'],
      withdrawal: r.withdrawal ? (JSON.parse(r.withdrawal) as { reason: unknown; at: string }) : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      entryId: r.entryId,
    };
  }

  /** The newest versions (LIST_LIMIT unless the page says), oldest of them first. */
  versions(id: string, page: ListPage = {}): { version: number; entryId: string; ts: string }[] {
    return this.q.versions.all({ id, ...pageParams(page) }).reverse();
  }

  /** How many versions of the microcredential the replica holds. */
  versionCount(id: string): number {
    return this.q.versionCount.get({ id })?.n ?? 0;
  }

  version(id: string, version: number): MicrocredentialRecord | null {
    const r = this.q.version.get({ id, version });
    return r ? (JSON.parse(r.record) as MicrocredentialRecord) : null;
  }

  /** The institution's microcredentials by title: all of them, or one page (public answers bound it). */
  byInstitution(did: string, includeWithdrawn = false, page?: ListPage): StoredMicrocredential[] {
    // a page (public answers) or all of them (the unit's own catalogue; LIMIT -1 is none in SQLite)
    const ids = (includeWithdrawn ? this.q.allIdsOf : this.q.activeIdsOf).all({ did, ...(page ? pageParams(page) : { limit: -1, offset: 0 }) });
    return ids.map((r) => this.get(r.id)).filter((m): m is StoredMicrocredential => m !== null);
  }

  countByInstitution(): Map<string, number> {
    const rows = this.q.activeCounts.all();
    return new Map(rows.map((r) => [r.author, r.n]));
  }

  search(params: SearchParams): SearchResult {
    return this.deps.search.search(params);
  }

  /** A token that changes whenever the replica changes (for response caches). */
  replicaVersion(): string {
    return this.deps.search.version();
  }
}
