/**
 * Recognition: registrars record signed decisions about other institutions' microcredentials, units sign
 * agreements, and a lookup gathers for one microcredential everything a registrar needs: the catalogue entry,
 * accreditations, every decision in the network, agreements that apply and the ranked comparison with the local
 * catalogue. Must never decide for the registrar: comparison only suggests.
 */
import { randomBytes } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import { LIST_LIMIT, listBound, pageParams, type Bounded, type ListPage } from '../core/bounded-lists.js';
import type { Clock } from '../core/clock.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { FeedService } from '../feed/feed.service.js';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { documents, microcredentials } from '../store/schema.js';
import type { MembershipService } from '../trust/membership.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import type { CatalogueService, StoredMicrocredential } from '../catalogue/catalogue.service.js';
import { authorScopedId } from '../feed/ids.js';
import type { LangMap } from '../catalogue/model.js';
import { BANDS, rankCandidates, type Comparison, type CreditTable, type Ranking } from './comparison.js';
import { RecognitionIndex } from './recognition-index.js';
import { accreditationInForce, type AccreditationBody } from '../trust/accreditations.js';
import type { AccreditedBy } from './comparison.js';

/** An accreditation as the API serves it (schemas/api/accreditation.schema.json). */
export type ServedAccreditation = AccreditationBody & {
  agency: { did: string; name: LangMap; country: string };
  publishedAt: string;
  inForce: boolean;
  withdrawnOn?: string;
  viaProgramme?: { id: string; title: LangMap };
};

/** What the comparison says of one accreditation in force: who, of what, until when. */
function accreditedBy(a: ServedAccreditation): AccreditedBy {
  return {
    agency: a.agency.name,
    agencyDid: a.agency.did,
    subject: a.viaProgramme ? 'programme' : a.subject.type,
    ...(a.validUntil ? { validUntil: a.validUntil } : {}),
  };
}

export interface DecisionBody {
  decisionId: string;
  microcredential: { id: string; version: number };
  outcome: 'equivalent' | 'credits' | 'partial' | 'not-recognised';
  equivalentTo?: { kind: string; code?: string; microcredentialId?: string; name: LangMap };
  credits?: { system: string; value: number };
  conditions?: LangMap;
  validFrom: string;
  validUntil?: string;
  reasons: LangMap;
  substantialDifferences?: { aspect: string; description: LangMap }[];
  agreement?: string;
  supersedes?: string;
  decidedBy?: string;
}

export interface Decision extends DecisionBody {
  institution: { did: string; name: LangMap; country: string };
  entryId: string;
  publishedAt: string;
  status: 'current' | 'superseded' | 'expired' | 'not-yet-valid';
  supersededBy: string | null;
}

export interface AgreementTerms {
  title: LangMap;
  parties: string[];
  scope: { type: 'catalogue' | 'field' | 'microcredentials'; fields?: string[]; microcredentials?: string[] };
  creditRules?: { description: LangMap; hoursPerLocalCredit?: number; maxCreditsPerMicrocredential?: number; system?: string }[];
  validFrom: string;
  validUntil?: string;
  text?: LangMap;
}

export interface Agreement {
  id: string;
  proposer: string;
  terms: AgreementTerms;
  termsHash: string;
  status: 'pending' | 'in-force' | 'withdrawn' | 'expired';
  signatures: { party: string; name: LangMap; signed: boolean; at: string | null; withdrawn: boolean }[];
  proposedAt: string;
}

/** Candidates compared in full per lookup (the closest by shared terms; see RecognitionIndex.shortlist). */
const SHORTLIST = 200;

/** Which of a microcredential's or institution's accreditations: in force today, or the others (history). */
type AccreditationSide = 'in-force' | 'history';

export function termsHash(terms: AgreementTerms): string {
  return sha256Hex(canonicalJson(terms));
}

export class RecognitionService {
  constructor(
    private readonly d: {
      store: Store;
      feed: FeedService;
      schemas: SchemaRegistry;
      catalogue: CatalogueService;
      membership: MembershipService;
      institutions: InstitutionDirectory;
      credits: CreditTable & { known(system: string): boolean };
      clock: Clock;
    },
  ) {
    this.index = new RecognitionIndex({ store: d.store, replicaVersion: () => d.catalogue.replicaVersion() });
    const db = d.store.db;
    const t = documents;
    const p = (name: string) => sql.placeholder(name);
    // document types are literals in the SQL (not parameters), so SQLite can use the partial expression indexes of
    // migration 0003 (documents_recognition_mc, documents_accreditation_subject)
    const ofType = (type: 'recognition' | 'agreement' | 'agreement-action' | 'accreditation') => sql`${t.type} = ${sql.raw(`'${type}'`)}`;
    const decisionRow = { author: t.author, body: t.body, entryId: t.entryId, ts: t.ts };
    const decisionsFilter = (byMc: boolean, byInstitution: boolean) => {
      const w: SQL[] = [ofType('recognition')];
      if (byMc) w.push(sql`json_extract(${t.body}, '$.microcredential.id') = ${p('mc')}`);
      if (byInstitution) w.push(eq(t.author, p('institution')));
      return and(...w);
    };
    // newest first, one page (a SQL LIMIT: never the whole list), and how many there are
    const decisionsWhere = (byMc: boolean, byInstitution: boolean) =>
      db.select(decisionRow).from(t).where(decisionsFilter(byMc, byInstitution)).orderBy(desc(t.ts), desc(t.entryId)).limit(p('limit')).offset(p('offset')).prepare();
    const decisionsCount = (byMc: boolean, byInstitution: boolean) =>
      db.select({ n: sql<number>`count(*)` }).from(t).where(decisionsFilter(byMc, byInstitution)).prepare();
    // accreditations of a microcredential (as one or as a programme), of an institution, or of a programme the
    // microcredential is a module of (the programme's catalogue record names it in stackability.stacksFrom), by the
    // agencies given (member qa-agencies), in force today or not: newest first, one page, and how many
    const accreditationWhere = (side: AccreditationSide) => {
      const viaProgramme = sql`(json_extract(${t.body}, '$.subject.type') = 'programme' AND json_extract(${t.body}, '$.subject.id') <> ${p('mc')} AND EXISTS (SELECT 1 FROM ${microcredentials} c, json_each(c.record, '$.stackability.stacksFrom') m WHERE c.id = json_extract(${t.body}, '$.subject.id') AND json_extract(m.value, '$.id') = ${p('mc')}))`;
      const inForce = sql`(json_extract(${t.body}, '$.status') <> 'withdrawn' AND json_extract(${t.body}, '$.validFrom') <= ${p('today')} AND (json_extract(${t.body}, '$.validUntil') IS NULL OR json_extract(${t.body}, '$.validUntil') >= ${p('today')}))`;
      return and(
        ofType('accreditation'),
        sql`${t.author} IN (SELECT value FROM json_each(${p('agencies')}))`,
        sql`(${subject('microcredential', 'mc')} OR ${subject('programme', 'mc')} OR ${subject('institution', 'institution')} OR (${p('withProgrammes')} = 1 AND ${viaProgramme}))`,
        side === 'in-force' ? inForce : sql`NOT ${inForce}`,
      );
    };
    const accreditationPage = (side: AccreditationSide) =>
      db.select({ author: t.author, body: t.body, ts: t.ts }).from(t).where(accreditationWhere(side)).orderBy(desc(t.ts), desc(t.entryId)).limit(p('limit')).prepare();
    const accreditationCount = (side: AccreditationSide) => db.select({ n: sql<number>`count(*)` }).from(t).where(accreditationWhere(side)).prepare();
    const subject = (kind: 'microcredential' | 'programme' | 'institution', id: string) =>
      sql`(json_extract(${t.body}, '$.subject.type') = ${sql.raw(`'${kind}'`)} AND json_extract(${t.body}, '$.subject.id') = ${p(id)})`;
    // agreements, newest first, one page, and how many: all, those a party is in, or those that apply to a foreign
    // microcredential here (this institution and its author among the parties, none withdrawn, not expired, the
    // scope covering it: the whole catalogue, its field, or it by id)
    const hasParty = (name: string) => sql`EXISTS (SELECT 1 FROM json_each(${t.body}, '$.terms.parties') WHERE value = ${p(name)})`;
    const applies = sql`(${hasParty('me')} AND ${hasParty('mcAuthor')}
      AND NOT EXISTS (SELECT 1 FROM ${t} a WHERE a.type = 'agreement-action' AND a.key = ${t.key} AND json_extract(a.body, '$.action') = 'withdraw' AND a.author IN (SELECT value FROM json_each(${t.body}, '$.terms.parties')))
      AND (json_extract(${t.body}, '$.terms.validUntil') IS NULL OR json_extract(${t.body}, '$.terms.validUntil') >= ${p('today')})
      AND CASE json_extract(${t.body}, '$.terms.scope.type')
        WHEN 'catalogue' THEN 1
        WHEN 'field' THEN EXISTS (SELECT 1 FROM json_each(${t.body}, '$.terms.scope.fields') f WHERE substr(${p('field')}, 1, length(f.value)) = f.value)
        ELSE EXISTS (SELECT 1 FROM json_each(${t.body}, '$.terms.scope.microcredentials') m WHERE m.value = ${p('mc')}) END)`;
    const agreementWhere = (byParty: boolean, forMc: boolean) => and(ofType('agreement'), byParty ? hasParty('party') : undefined, forMc ? applies : undefined);
    const agreementKeys = (byParty: boolean, forMc: boolean) =>
      db.select({ key: t.key }).from(t).where(agreementWhere(byParty, forMc)).orderBy(desc(t.ts), desc(t.key)).limit(p('limit')).offset(p('offset')).prepare();
    const agreementCount = (byParty: boolean, forMc: boolean) => db.select({ n: sql<number>`count(*)` }).from(t).where(agreementWhere(byParty, forMc)).prepare();
    this.q = {
      decision: db.select(decisionRow).from(t).where(and(ofType('recognition'), eq(t.author, p('author')), eq(t.key, p('key')))).prepare(),
      decisions: [decisionsWhere(false, false), decisionsWhere(false, true), decisionsWhere(true, false), decisionsWhere(true, true)],
      // raw SQL, measured: without ANALYZE statistics SQLite reads every decision of the network through the primary
      // key and sorts them for an unfiltered page; INDEXED BY reads the page in order from migration 0016's index
      allDecisions: d.store.sqlite.prepare<{ limit: number; offset: number }, { author: string; body: string; entryId: string; ts: string }>(
        "SELECT author, body, entry_id AS entryId, ts FROM documents INDEXED BY documents_recognition_ts WHERE type = 'recognition' ORDER BY ts DESC, entry_id DESC LIMIT @limit OFFSET @offset",
      ),
      decisionCounts: [decisionsCount(false, false), decisionsCount(false, true), decisionsCount(true, false), decisionsCount(true, true)],
      // which of the given decisions (a JSON array of ids) of one author a later decision of that author supersedes:
      // one pass over the author's decisions per page, not one per decision
      // (no ORDER BY: it would send the planner through the author's decisions in time order; the few rows are ordered in JS)
      supersededBy: db
        .select({ key: t.key, supersedes: sql<string>`json_extract(${t.body}, '$.supersedes')`, ts: t.ts })
        .from(t)
        .where(and(ofType('recognition'), eq(t.author, p('author')), sql`json_extract(${t.body}, '$.supersedes') IN (SELECT value FROM json_each(${p('decisionIds')}))`))
        .prepare(),
      accreditationPages: { 'in-force': accreditationPage('in-force'), history: accreditationPage('history') },
      accreditationCounts: { 'in-force': accreditationCount('in-force'), history: accreditationCount('history') },
      agreement: db.select({ author: t.author, body: t.body, ts: t.ts }).from(t).where(and(ofType('agreement'), eq(t.key, p('key')))).prepare(),
      agreementActions: db.select({ author: t.author, body: t.body, ts: t.ts }).from(t).where(and(ofType('agreement-action'), eq(t.key, p('key')))).prepare(),
      agreementKeys: [agreementKeys(false, false), agreementKeys(true, false), agreementKeys(false, true)],
      agreementCounts: [agreementCount(false, false), agreementCount(true, false), agreementCount(false, true)],
    };
  }

  /** Typed queries over the documents projection, prepared once. */
  private readonly q;

  /** The replica's catalogue prepared for comparison (document frequencies, weighted vectors), cached per replica version. */
  readonly index: RecognitionIndex;

  private get me(): string {
    return this.d.feed.author;
  }

  private instRef(did: string) {
    const p = this.d.institutions.get(did)?.profile;
    return { did, name: p?.name ?? {}, country: p?.country ?? '' };
  }

  // ------------------------------------------------------------------ decisions

  recordDecision(input: unknown): Decision {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new RegistryError('validation_failed', 'a decision is a JSON object');
    const body = { decisionId: `rec-${this.d.clock.now().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`, ...(input as object) } as DecisionBody;
    this.d.schemas.assertValid('entries/recognition', body, 'recognition decision');
    if (!this.d.membership.isMember(this.me))
      throw userError('not_a_member', 'recognition.notMemberDecision');
    const mc = this.d.catalogue.get(body.microcredential.id);
    if (!mc)
      throw userError('unknown_microcredential', 'lookup.unknownMicrocredential', { id: body.microcredential.id });
    if (mc.author === this.me) throw userError('validation_failed', 'lookup.ownMicrocredential');
    if (!this.d.catalogue.version(mc.id, body.microcredential.version))
      throw userError('unknown_microcredential', 'lookup.unknownVersion', { id: mc.id, version: body.microcredential.version, latest: Number(mc.record.version ?? 1) });
    if (body.credits && !this.d.credits.known(body.credits.system))
      throw userError('unknown_credit_system', 'recognition.unknownCreditSystem', { system: body.credits.system });
    if (body.validUntil && body.validUntil < body.validFrom) throw userError('validation_failed', 'recognition.validUntilBeforeFrom');
    if (this.getDecision(this.me, body.decisionId)) throw userError('conflict', 'recognition.decisionExists', { id: body.decisionId });
    if (body.supersedes) {
      const prev = this.getDecision(this.me, body.supersedes);
      if (!prev) throw userError('not_found', 'recognition.noDecisionToSupersede', { id: body.supersedes });
      if (prev.supersededBy) throw userError('conflict', 'recognition.alreadySuperseded', { id: body.supersedes, by: prev.supersededBy });
    }
    if (body.agreement) {
      const ag = this.agreement(body.agreement);
      if (!ag || !ag.terms.parties.includes(this.me)) throw userError('validation_failed', 'recognition.notPartyToAgreement', { id: body.agreement });
    }
    this.d.feed.append('recognition', body);
    return this.getDecision(this.me, body.decisionId)!;
  }

  getDecision(author: string, decisionId: string): Decision | null {
    const r = this.q.decision.get({ author, key: decisionId });
    if (!r) return null;
    return this.toDecisions([r])[0] ?? null;
  }

  /** The decisions, newest first: at most `limit` (LIST_LIMIT unless said, never more than 1,000) from `offset`. */
  decisions(filter: { microcredential?: string; institution?: string } = {}, page: ListPage = {}): Decision[] {
    if (!filter.microcredential && !filter.institution) return this.toDecisions(this.q.allDecisions.all(pageParams(page)));
    const query = this.q.decisions[(filter.microcredential ? 2 : 0) + (filter.institution ? 1 : 0)]!;
    return this.toDecisions(query.all({ mc: filter.microcredential, institution: filter.institution, ...pageParams(page) }));
  }

  /** How many decisions the filter selects in all. */
  decisionCount(filter: { microcredential?: string; institution?: string } = {}): number {
    const query = this.q.decisionCounts[(filter.microcredential ? 2 : 0) + (filter.institution ? 1 : 0)]!;
    return query.get({ mc: filter.microcredential, institution: filter.institution })?.n ?? 0;
  }

  /** One page of decisions and how many the filter selects in all. */
  decisionList(filter: { microcredential?: string; institution?: string } = {}, page: ListPage = {}): Bounded<Decision> {
    return { items: this.decisions(filter, page), total: this.decisionCount(filter) };
  }

  private toDecisions(rows: { author: string; body: string; entryId: string; ts: string }[]): Decision[] {
    const today = this.d.clock.now().toISOString().slice(0, 10);
    const bodies = rows.map((r) => JSON.parse(r.body) as DecisionBody);
    // the first later decision of the same author naming each one in `supersedes`: one query per author on the page
    const superseding = new Map<string, string>();
    for (const author of new Set(rows.map((r) => r.author))) {
      const ids = bodies.filter((_, i) => rows[i]!.author === author).map((b) => b.decisionId);
      const later = this.q.supersededBy.all({ author, decisionIds: JSON.stringify(ids) }).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      for (const x of later)
        if (!superseding.has(`${author} ${x.supersedes}`)) superseding.set(`${author} ${x.supersedes}`, x.key);
    }
    return rows.map((r, i) => {
      const b = bodies[i]!;
      const supKey = superseding.get(`${r.author} ${b.decisionId}`);
      const sup = supKey === undefined ? undefined : { key: supKey };
      const status: Decision['status'] = sup
        ? 'superseded'
        : b.validUntil && b.validUntil < today
          ? 'expired'
          : b.validFrom > today
            ? 'not-yet-valid'
            : 'current';
      return { ...b, institution: this.instRef(r.author), entryId: r.entryId, publishedAt: r.ts, status, supersededBy: sup?.key ?? null };
    });
  }

  // ------------------------------------------------------------------ agreements

  proposeAgreement(input: { agreementId?: string; terms: AgreementTerms }): Agreement {
    const slug = input.agreementId ?? `agr-${randomBytes(4).toString('hex')}`;
    const body = { action: 'propose' as const, agreementId: slug, terms: input.terms };
    this.d.schemas.assertValid('entries/agreement', body, 'agreement');
    if (!this.d.membership.isMember(this.me)) throw new RegistryError('not_a_member', 'this institution is not a member of the network');
    if (!input.terms.parties.includes(this.me)) throw new RegistryError('validation_failed', 'the proposing institution must be one of the parties');
    for (const p of input.terms.parties)
      if (!this.d.membership.isMember(p)) throw new RegistryError('not_a_member', `party ${p} is not a member of the network`);
    const id = authorScopedId(slug.split('.')[0]!, this.me);
    if (this.agreement(id)) throw userError('conflict', 'recognition.agreementExists', { id });
    this.d.feed.append('agreement', body);
    return this.agreement(id)!;
  }

  signAgreement(id: string): Agreement {
    const ag = this.agreement(id);
    if (!ag) throw userError('not_found', 'recognition.agreementNotInReplica', { id });
    if (!ag.terms.parties.includes(this.me)) throw userError('forbidden', 'recognition.notParty');
    if (ag.signatures.find((s) => s.party === this.me)?.signed) throw userError('conflict', 'recognition.alreadySigned');
    this.d.feed.append('agreement', { action: 'sign', agreementId: id, termsHash: ag.termsHash });
    return this.agreement(id)!;
  }

  withdrawAgreement(id: string): Agreement {
    const ag = this.agreement(id);
    if (!ag) throw new RegistryError('not_found', `no agreement ${id} in this node's replica`);
    if (!ag.terms.parties.includes(this.me)) throw new RegistryError('forbidden', 'this institution is not a party to the agreement');
    this.d.feed.append('agreement', { action: 'withdraw', agreementId: id, termsHash: ag.termsHash });
    return this.agreement(id)!;
  }

  agreement(id: string): Agreement | null {
    const r = this.q.agreement.get({ key: id });
    if (!r) return null;
    const body = JSON.parse(r.body) as { terms: AgreementTerms };
    const hash = termsHash(body.terms);
    const actions = this.q.agreementActions.all({ key: id });
    const byParty = new Map(actions.map((a) => [a.author, { ...(JSON.parse(a.body) as { action: string; termsHash?: string }), ts: a.ts }]));
    const signatures = body.terms.parties.map((p) => {
      const a = byParty.get(p);
      const signed = !!a && (a.action === 'propose' ? p === r.author : a.action === 'sign' && a.termsHash === hash);
      return { party: p, name: this.instRef(p).name, signed, at: signed ? a!.ts : null, withdrawn: a?.action === 'withdraw' };
    });
    const today = this.d.clock.now().toISOString().slice(0, 10);
    const status: Agreement['status'] = signatures.some((s) => s.withdrawn)
      ? 'withdrawn'
      : body.terms.validUntil && body.terms.validUntil < today
        ? 'expired'
        : signatures.every((s) => s.signed) && body.terms.validFrom <= today
          ? 'in-force'
          : 'pending';
    return { id, proposer: r.author, terms: body.terms, termsHash: hash, status, signatures, proposedAt: r.ts };
  }

  /** Agreements, newest first (all, or those `party` is in): one page (LIST_LIMIT unless said) and how many in all. */
  agreements(filter: { party?: string } = {}, page: ListPage = {}): Bounded<Agreement> {
    const i = filter.party ? 1 : 0;
    const params = { party: filter.party };
    const rows = this.q.agreementKeys[i]!.all({ ...params, ...pageParams(page) });
    return { items: rows.map((r) => this.agreement(r.key)).filter((a): a is Agreement => a !== null), total: this.q.agreementCounts[i]!.get(params)?.n ?? 0 };
  }

  /** Agreements (in force or pending) between the microcredential's institution and this one whose scope covers it (newest first, bounded). */
  agreementsFor(mc: StoredMicrocredential, page: ListPage = {}): Bounded<Agreement> {
    const params = { me: this.me, mcAuthor: mc.author, mc: mc.id, field: mc.record.fieldOfStudy?.iscedF ?? '', today: this.d.clock.now().toISOString().slice(0, 10) };
    const rows = this.q.agreementKeys[2]!.all({ ...params, ...pageParams(page) });
    return { items: rows.map((r) => this.agreement(r.key)).filter((a): a is Agreement => a !== null), total: this.q.agreementCounts[2]!.get(params)?.n ?? 0 };
  }

  // ------------------------------------------------------------------ accreditations

  /** The member qa-agencies (a JSON array for the accreditation queries): only their accreditations count. */
  private agencies(): string {
    return JSON.stringify(this.d.institutions.list().filter((i) => i.profile?.kind === 'qa-agency' && this.d.membership.isMember(i.did)).map((i) => i.did));
  }

  private accreditationPage(side: AccreditationSide, args: { mc: string; institution: string; withProgrammes: 0 | 1 }, limit: number): Bounded<ServedAccreditation> {
    const params = { ...args, agencies: this.agencies(), today: this.d.clock.now().toISOString().slice(0, 10) };
    const items = this.accreditationRows(this.q.accreditationPages[side].all({ ...params, limit: Math.max(0, Math.floor(limit)) }), args.mc);
    return { items, total: this.q.accreditationCounts[side].get(params)?.n ?? 0 };
  }

  /**
   * The accreditations the replica holds of the microcredential (as a single microcredential or as a programme), of
   * its institution, and of the programmes that stack from it (`viaProgramme` names the programme), by member
   * qa-agencies: those in force on the node's clock, and the others as history (withdrawn, expired or not yet
   * started: kept, never dropped; a withdrawal says when in `withdrawnOn`). Each side newest first, at most `limit`,
   * with how many it holds in all.
   */
  accreditationsFor(mc: StoredMicrocredential, limit = LIST_LIMIT): { inForce: Bounded<ServedAccreditation>; history: Bounded<ServedAccreditation> } {
    const args = { mc: mc.id, institution: mc.author, withProgrammes: 1 as const };
    return { inForce: this.accreditationPage('in-force', args, limit), history: this.accreditationPage('history', args, limit) };
  }

  /** The accreditations of the institution itself (not of one of its microcredentials), in force or not, bounded as above. */
  institutionAccreditations(did: string, limit = LIST_LIMIT): { inForce: Bounded<ServedAccreditation>; history: Bounded<ServedAccreditation> } {
    // a microcredential id is at least 3 characters (entries/accreditation.schema.json): '' names none
    const args = { mc: '', institution: did, withProgrammes: 0 as const };
    return { inForce: this.accreditationPage('in-force', args, limit), history: this.accreditationPage('history', args, limit) };
  }

  /** The accreditations of the institution itself in force today (the newest `limit`). */
  institutionAccreditationsInForce(did: string, limit = LIST_LIMIT): ServedAccreditation[] {
    return this.accreditationPage('in-force', { mc: '', institution: did, withProgrammes: 0 }, limit).items;
  }

  private accreditationRows(rows: { author: string; body: string; ts: string }[], mcId: string): ServedAccreditation[] {
    const today = this.d.clock.now().toISOString().slice(0, 10);
    return rows.map((r) => {
      const body = JSON.parse(r.body) as AccreditationBody;
      // a programme's accreditation reached through a module: name the programme
      const p = body.subject.type === 'programme' && mcId && body.subject.id !== mcId ? this.d.catalogue.get(body.subject.id) : null;
      return {
        agency: this.instRef(r.author),
        ...body,
        publishedAt: r.ts,
        inForce: accreditationInForce(body, today),
        ...(body.status === 'withdrawn' ? { withdrawnOn: r.ts.slice(0, 10) } : {}),
        ...(p ? { viaProgramme: { id: p.id, title: p.record.title } } : {}),
      };
    });
  }

  /** The accreditations of the microcredential, its institution or a programme it is a module of, in force today (the newest `limit`). */
  accreditationsInForce(mc: StoredMicrocredential, limit = LIST_LIMIT): ServedAccreditation[] {
    return this.accreditationPage('in-force', { mc: mc.id, institution: mc.author, withProgrammes: 1 }, limit).items;
  }

  /** The accreditations in force of a microcredential named by its network-wide id ([] when the replica lacks it). */
  accreditationsInForceOf(id: string, limit = LIST_LIMIT): ServedAccreditation[] {
    const mc = this.d.catalogue.get(id);
    return mc ? this.accreditationsInForce(mc, limit) : [];
  }

  // ------------------------------------------------------------------ comparison and lookup

  /**
   * Ranks the local catalogue against a foreign microcredential, then applies the precedents: a current decision of
   * this institution about the same foreign microcredential (any version) that names a local microcredential puts
   * that candidate first (confirmed), even below the bands (then `rankedLow` says the comparison disagreed); a
   * `not-recognised` decision is shown with the candidates, it removes none of them.
   */
  rank(mcId: string, limit = 10): Ranking & { precedents: Decision[] } {
    const mc = this.d.catalogue.get(mcId);
    if (!mc) throw userError('not_found', 'lookup.notInReplica', { id: mcId });
    // accreditations in force of each side (of it, its institution or its programme): counted and named
    const active = (id: string): AccreditedBy[] => {
      const m = this.d.catalogue.get(id);
      return m ? this.accreditationsInForce(m).map(accreditedBy) : [];
    };
    this.index.refresh();
    const weighted = this.index.weighted(mc.id, mc.record);
    const locals = this.index.ofInstitution(this.me);
    const side = (m: { id: string; record: StoredMicrocredential['record'] }) => ({ id: m.id, record: m.record, weighted: this.index.weighted(m.id, m.record) });
    const shortlist = this.index.shortlist(this.me, this.index.analysis(mc.id, mc.record), SHORTLIST).map(side);
    const ranking = rankCandidates({ id: mc.id, record: mc.record, weighted }, shortlist, this.d.credits, { limit, accreditations: active });
    ranking.considered = locals.length;
    // this institution's own decisions about it first (they confirm candidates), then the newest of the others'
    const own = this.decisions({ microcredential: mc.id, institution: this.me }, { limit: 1000 });
    const precedents = [...own, ...this.decisions({ microcredential: mc.id }).filter((d) => d.institution.did !== this.me)].slice(0, Math.max(LIST_LIMIT, own.length));
    const mine = own.filter((d) => d.status === 'current' && d.outcome !== 'not-recognised');
    const named = (d: Decision) => locals.find((l) => (d.equivalentTo?.microcredentialId && l.id === d.equivalentTo.microcredentialId) || (d.equivalentTo?.code && l.record.code === d.equivalentTo.code));
    const confirmed: Comparison[] = [];
    for (const d of mine) {
      const l = named(d);
      if (!l || confirmed.some((c) => c.candidate.id === l.id)) continue;
      const inList = ranking.candidates.find((c) => c.candidate.id === l.id);
      const c = inList ?? rankCandidates({ id: mc.id, record: mc.record, weighted }, [side(l)], this.d.credits, { limit: 1, accreditations: active, keepBelowBands: true }).candidates[0];
      if (c) confirmed.push({ ...c, precedent: { decisionId: d.decisionId, outcome: d.outcome, publishedAt: d.publishedAt, rankedLow: c.band === null || c.band === 'weak' } });
    }
    const candidates = [...confirmed, ...ranking.candidates.filter((c) => !confirmed.some((x) => x.candidate.id === c.candidate.id))].slice(0, Math.max(limit, confirmed.length));
    return { ...ranking, candidates, noCounterpart: candidates.length === 0, precedents };
  }

  compare(mcId: string, limit = 10): Comparison[] {
    return this.rank(mcId, limit).candidates;
  }

  lookup(mcId: string) {
    const mc = this.d.catalogue.get(mcId);
    if (!mc) return null;
    const accreditations = this.accreditationsFor(mc);
    const decisions = this.decisionList({ microcredential: mc.id });
    const agreements = this.agreementsFor(mc);
    return {
      microcredential: { ...mc.record, id: mc.id, status: mc.status, updatedAt: mc.updatedAt },
      institution: { ...this.instRef(mc.author), member: this.d.membership.isMember(mc.author), frozen: this.d.feed.isFrozen(mc.author) },
      // in force first, then history, each the newest LIST_LIMIT
      accreditations: [...accreditations.inForce.items, ...accreditations.history.items],
      decisions: decisions.items,
      agreements: agreements.items,
      lists: {
        accreditations: listBound(accreditations.inForce.total + accreditations.history.total, accreditations.inForce.items.length + accreditations.history.items.length),
        decisions: listBound(decisions.total, decisions.items.length, `/api/v1/recognitions?microcredential=${encodeURIComponent(mc.id)}`),
        agreements: listBound(agreements.total, agreements.items.length),
      },
      ...this.comparisonOf(mc),
      localInstitution: this.instRef(this.me),
    };
  }

  private comparisonOf(mc: StoredMicrocredential) {
    const v = this.comparisonView(mc);
    return { comparison: v.items, comparisonSummary: v.summary };
  }

  /** The comparison as the API serves it (schemas/api/recognition-comparison.schema.json). */
  comparisonView(mcOrId: StoredMicrocredential | string) {
    const mc = typeof mcOrId === 'string' ? this.d.catalogue.get(mcOrId) : mcOrId;
    if (!mc) throw userError('not_found', 'lookup.notInReplica', { id: String(mcOrId).slice(0, 200) });
    if (mc.author === this.me) return { items: [] as Comparison[], summary: { own: true, noCounterpart: false, considered: 0, closestBelowBands: null, bands: { ...BANDS } } };
    const r = this.rank(mc.id);
    return { items: r.candidates, summary: { own: false, noCounterpart: r.noCounterpart, considered: r.considered, closestBelowBands: r.closestBelowBands, bands: { ...BANDS } } };
  }
}
