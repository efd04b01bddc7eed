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
import type { Clock } from '../core/clock.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { FeedService } from '../feed/feed.service.js';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { documents } from '../store/schema.js';
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
    const decisionsWhere = (byMc: boolean, byInstitution: boolean) => {
      const w: SQL[] = [ofType('recognition')];
      if (byMc) w.push(sql`json_extract(${t.body}, '$.microcredential.id') = ${p('mc')}`);
      if (byInstitution) w.push(eq(t.author, p('institution')));
      return db.select(decisionRow).from(t).where(and(...w)).orderBy(desc(t.ts)).prepare();
    };
    const subject = (kind: 'microcredential' | 'programme' | 'institution', id: string) =>
      sql`(json_extract(${t.body}, '$.subject.type') = ${sql.raw(`'${kind}'`)} AND json_extract(${t.body}, '$.subject.id') = ${p(id)})`;
    this.q = {
      decision: db.select(decisionRow).from(t).where(and(ofType('recognition'), eq(t.author, p('author')), eq(t.key, p('key')))).prepare(),
      decisions: [decisionsWhere(false, false), decisionsWhere(false, true), decisionsWhere(true, false), decisionsWhere(true, true)],
      supersededBy: db
        .select({ key: t.key })
        .from(t)
        .where(and(ofType('recognition'), eq(t.author, p('author')), sql`json_extract(${t.body}, '$.supersedes') = ${p('decisionId')}`))
        .orderBy(asc(t.ts))
        .limit(1)
        .prepare(),
      agreement: db.select({ author: t.author, body: t.body, ts: t.ts }).from(t).where(and(ofType('agreement'), eq(t.key, p('key')))).prepare(),
      agreementActions: db.select({ author: t.author, body: t.body, ts: t.ts }).from(t).where(and(ofType('agreement-action'), eq(t.key, p('key')))).prepare(),
      agreementKeys: db.select({ key: t.key }).from(t).where(ofType('agreement')).orderBy(desc(t.ts)).prepare(),
      accreditations: db
        .select({ author: t.author, body: t.body, ts: t.ts })
        .from(t)
        .where(and(ofType('accreditation'), sql`(${subject('microcredential', 'mc')} OR ${subject('programme', 'mc')} OR ${subject('institution', 'institution')})`))
        .orderBy(desc(t.ts))
        .prepare(),
      // every programme accreditation (few): a module shows those of the programmes that stack from it
      programmeAccreditations: db
        .select({ author: t.author, body: t.body, ts: t.ts })
        .from(t)
        .where(and(ofType('accreditation'), sql`json_extract(${t.body}, '$.subject.type') = 'programme'`))
        .orderBy(desc(t.ts))
        .prepare(),
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
      throw new RegistryError('not_a_member', 'this institution is not a member of the network, so its decisions would not be accepted by other nodes');
    const mc = this.d.catalogue.get(body.microcredential.id);
    if (!mc)
      throw userError('unknown_microcredential', 'lookup.unknownMicrocredential', { id: body.microcredential.id });
    if (mc.author === this.me) throw userError('validation_failed', 'lookup.ownMicrocredential');
    if (!this.d.catalogue.version(mc.id, body.microcredential.version))
      throw userError('unknown_microcredential', 'lookup.unknownVersion', { id: mc.id, version: body.microcredential.version, latest: Number(mc.record.version ?? 1) });
    if (body.credits && !this.d.credits.known(body.credits.system))
      throw new RegistryError('unknown_credit_system', `unknown credit system ${body.credits.system}; see GET /api/v1/reference/credit-systems`);
    if (body.validUntil && body.validUntil < body.validFrom) throw new RegistryError('validation_failed', 'validUntil is before validFrom');
    if (this.getDecision(this.me, body.decisionId)) throw new RegistryError('conflict', `decision ${body.decisionId} already exists; decisions are superseded, never edited`);
    if (body.supersedes) {
      const prev = this.getDecision(this.me, body.supersedes);
      if (!prev) throw new RegistryError('not_found', `no decision ${body.supersedes} of this institution to supersede`);
      if (prev.supersededBy) throw new RegistryError('conflict', `decision ${body.supersedes} is already superseded by ${prev.supersededBy}`);
    }
    if (body.agreement) {
      const ag = this.agreement(body.agreement);
      if (!ag || !ag.terms.parties.includes(this.me)) throw new RegistryError('validation_failed', `agreement ${body.agreement} is not one this institution is party to`);
    }
    this.d.feed.append('recognition', body);
    return this.getDecision(this.me, body.decisionId)!;
  }

  getDecision(author: string, decisionId: string): Decision | null {
    const r = this.q.decision.get({ author, key: decisionId });
    if (!r) return null;
    return this.toDecisions([r])[0] ?? null;
  }

  decisions(filter: { microcredential?: string; institution?: string } = {}): Decision[] {
    const query = this.q.decisions[(filter.microcredential ? 2 : 0) + (filter.institution ? 1 : 0)]!;
    return this.toDecisions(query.all({ mc: filter.microcredential, institution: filter.institution }));
  }

  private toDecisions(rows: { author: string; body: string; entryId: string; ts: string }[]): Decision[] {
    const today = this.d.clock.now().toISOString().slice(0, 10);
    return rows.map((r) => {
      const b = JSON.parse(r.body) as DecisionBody;
      const sup = this.q.supersededBy.get({ author: r.author, decisionId: b.decisionId });
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
    if (this.agreement(id)) throw new RegistryError('conflict', `agreement ${id} already exists; its terms cannot change (propose a new one)`);
    this.d.feed.append('agreement', body);
    return this.agreement(id)!;
  }

  signAgreement(id: string): Agreement {
    const ag = this.agreement(id);
    if (!ag) throw new RegistryError('not_found', `no agreement ${id} in this node's replica`);
    if (!ag.terms.parties.includes(this.me)) throw new RegistryError('forbidden', 'this institution is not a party to the agreement');
    if (ag.signatures.find((s) => s.party === this.me)?.signed) throw new RegistryError('conflict', 'already signed');
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

  agreements(filter: { party?: string } = {}): Agreement[] {
    const rows = this.q.agreementKeys.all();
    return rows.map((r) => this.agreement(r.key)!).filter((a) => a && (!filter.party || a.terms.parties.includes(filter.party)));
  }

  /** Agreements (in force or pending) between the microcredential's institution and this one whose scope covers it. */
  agreementsFor(mc: StoredMicrocredential): Agreement[] {
    return this.agreements().filter((a) => {
      if (!a.terms.parties.includes(mc.author) || !a.terms.parties.includes(this.me)) return false;
      if (a.status === 'withdrawn' || a.status === 'expired') return false;
      const sc = a.terms.scope;
      if (sc.type === 'catalogue') return true;
      if (sc.type === 'field') return (sc.fields ?? []).some((f) => mc.record.fieldOfStudy.iscedF.startsWith(f));
      return (sc.microcredentials ?? []).includes(mc.id);
    });
  }

  // ------------------------------------------------------------------ accreditations

  /**
   * Every accreditation the replica holds of the microcredential (as a single microcredential or as a programme),
   * of its institution, and of the programmes that stack from it (`viaProgramme` names the programme), by member
   * qa-agencies, newest first, each marked `inForce` on the node's clock (withdrawn, expired or not yet started ones
   * are history: kept, never dropped; a withdrawal says when in `withdrawnOn`).
   */
  accreditationsFor(mc: StoredMicrocredential): ServedAccreditation[] {
    const own = this.accreditationRows(this.q.accreditations.all({ mc: mc.id, institution: mc.author }));
    const viaProgramme = this.accreditationRows(this.q.programmeAccreditations.all())
      .filter((a) => a.subject.id !== mc.id)
      .flatMap((a) => {
        const p = this.d.catalogue.get(a.subject.id);
        if (!p || !(p.record.stackability?.stacksFrom ?? []).some((m) => m.id === mc.id)) return [];
        return [{ ...a, viaProgramme: { id: p.id, title: p.record.title } }];
      });
    return [...own, ...viaProgramme];
  }

  /** The accreditations of the institution itself (not of one of its microcredentials), in force or not. */
  institutionAccreditations(did: string): ServedAccreditation[] {
    // a microcredential id is at least 3 characters (entries/accreditation.schema.json): '' names none
    return this.accreditationRows(this.q.accreditations.all({ mc: '', institution: did }));
  }

  /** The accreditations of the institution itself in force today. */
  institutionAccreditationsInForce(did: string): ServedAccreditation[] {
    return this.institutionAccreditations(did).filter((a) => a.inForce);
  }

  private accreditationRows(rows: { author: string; body: string; ts: string }[]): ServedAccreditation[] {
    const today = this.d.clock.now().toISOString().slice(0, 10);
    return rows
      .filter((r) => this.d.membership.isMember(r.author) && this.d.institutions.get(r.author)?.profile.kind === 'qa-agency')
      .map((r) => {
        const body = JSON.parse(r.body) as AccreditationBody;
        return {
          agency: this.instRef(r.author),
          ...body,
          publishedAt: r.ts,
          inForce: accreditationInForce(body, today),
          ...(body.status === 'withdrawn' ? { withdrawnOn: r.ts.slice(0, 10) } : {}),
        };
      });
  }

  /** The accreditations of the microcredential, its institution or a programme it is a module of, in force today. */
  accreditationsInForce(mc: StoredMicrocredential): ServedAccreditation[] {
    return this.accreditationsFor(mc).filter((a) => a.inForce);
  }

  /** The accreditations in force of a microcredential named by its network-wide id ([] when the replica lacks it). */
  accreditationsInForceOf(id: string): ServedAccreditation[] {
    const mc = this.d.catalogue.get(id);
    return mc ? this.accreditationsInForce(mc) : [];
  }

  /** Those no longer (or not yet) in force: withdrawn on a date, expired, or starting later. */
  accreditationHistory(mc: StoredMicrocredential): ServedAccreditation[] {
    return this.accreditationsFor(mc).filter((a) => !a.inForce);
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
    if (!mc) throw new RegistryError('not_found', `no microcredential ${mcId} in this node's replica`);
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
    const precedents = this.decisions({ microcredential: mc.id }).sort((a, b) => (a.institution.did === this.me ? 0 : 1) - (b.institution.did === this.me ? 0 : 1));
    const mine = precedents.filter((d) => d.institution.did === this.me && d.status === 'current' && d.outcome !== 'not-recognised');
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
    return {
      microcredential: { ...mc.record, id: mc.id, status: mc.status, updatedAt: mc.updatedAt },
      institution: { ...this.instRef(mc.author), member: this.d.membership.isMember(mc.author), frozen: this.d.feed.isFrozen(mc.author) },
      accreditations: this.accreditationsFor(mc),
      decisions: this.decisions({ microcredential: mc.id }),
      agreements: this.agreementsFor(mc),
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
    if (!mc) throw new RegistryError('not_found', `no microcredential ${String(mcOrId)} in this node's replica`);
    if (mc.author === this.me) return { items: [] as Comparison[], summary: { own: true, noCounterpart: false, considered: 0, closestBelowBands: null, bands: { ...BANDS } } };
    const r = this.rank(mc.id);
    return { items: r.candidates, summary: { own: false, noCounterpart: r.noCounterpart, considered: r.considered, closestBelowBands: r.closestBelowBands, bands: { ...BANDS } } };
  }
}
