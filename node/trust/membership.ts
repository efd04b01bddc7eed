/**
 * Membership: founders from the manifest, admission by endorsements from members. Acts as the feed's AuthorPolicy
 * (entries of non-members are neither stored nor relayed) and projects `endorsement` / `membership` entries.
 * Must never decide on anything but membership.
 */
import type { ErrorCode } from '../core/errors.js';
import type { Entry, EntryType } from '../feed/entry.js';
import type { AuthorPolicy, Projector } from '../feed/feed.service.js';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { LIST_LIMIT, pageParams, type Bounded, type ListPage } from '../core/bounded-lists.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Store } from '../store/database.js';
import { endorsements, members } from '../store/schema.js';
import { boundWrite } from '../store/bound-write.js';
import type { Manifest } from './manifest.js';

function endorsementView(r: { author: string; subject: string; ts: string; body: string }) {
  const b = JSON.parse(r.body) as { statement?: string; withdrawn?: boolean };
  return { author: r.author, subject: r.subject, ts: r.ts, ...(b.statement ? { statement: b.statement } : {}), ...(b.withdrawn ? { withdrawn: true } : {}) };
}

/** Entry types a candidate (endorsed by at least one member, not yet admitted) may publish. */
const CANDIDATE_TYPES: readonly EntryType[] = ['profile', 'membership', 'issuer-key'];

export type MemberStatus = 'founder' | 'admitted' | 'candidate' | 'none';

export class MembershipService implements AuthorPolicy, Projector {
  readonly name = 'membership';
  // `membership` entries (a member acknowledging the manifest) change no projection: only endorsements are applied
  readonly types: readonly EntryType[] = ['endorsement'];
  private status = new Map<string, MemberStatus>();
  private dataVersion = -1;
  /** Typed queries prepared once (endorsements are applied during catch-up, inside the ingest transaction). */
  private readonly q;

  constructor(
    private readonly store: Store,
    private readonly manifest: Manifest,
    /** The node's clock: a candidate's `since` later than now is the author's word only (see directoryMembers). */
    private readonly clock: Clock = systemClock,
  ) {
    const e = endorsements;
    this.q = {
      members: store.db.select({ did: members.did, status: members.status, since: members.since }).from(members).orderBy(asc(members.since), asc(members.did)).prepare(),
      statuses: store.db.select({ did: members.did, status: members.status }).from(members).prepare(),
      endorsers: store.db
        .select({ author: e.author })
        .from(e)
        .where(and(eq(e.subject, sql.placeholder('subject')), sql`json_extract(${e.body}, '$.withdrawn') IS NOT 1`))
        .orderBy(asc(e.ts))
        .prepare(),
      endorsements: store.db.select({ author: e.author, subject: e.subject, ts: e.ts, body: e.body }).from(e).orderBy(asc(e.ts)).prepare(),
      // those one institution gave or received: newest first, one page (a SQL LIMIT), and how many
      endorsementsOf: store.db
        .select({ author: e.author, subject: e.subject, ts: e.ts, body: e.body })
        .from(e)
        .where(sql`(${e.author} = ${sql.placeholder('did')} OR ${e.subject} = ${sql.placeholder('did')})`)
        .orderBy(desc(e.ts), asc(e.author), asc(e.subject))
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('offset'))
        .prepare(),
      // founders and admitted members (all), and candidates (a member's endorsement is enough to be one, so there
      // may be any number): the newest page of them, and how many
      admittedMembers: store.db
        .select({ did: members.did, status: members.status, since: members.since })
        .from(members)
        .where(sql`${members.status} <> 'candidate'`)
        .orderBy(asc(members.since), asc(members.did))
        .prepare(),
      candidates: store.db
        .select({ did: members.did, status: members.status, since: members.since })
        .from(members)
        .where(sql`${members.status} = 'candidate'`)
        // newest first, but a `since` later than the node's clock (an endorsement's ts is its author's word: any date
        // Date.parse reads, e.g. year 9999 or 'Wed, …', which sorts above every ISO time) counts as the oldest, so a
        // member cannot pin its own candidates as the newest and hide everyone endorsed after them
        .orderBy(sql`CASE WHEN ${members.since} > ${sql.placeholder('now')} THEN '' ELSE ${members.since} END DESC`, asc(members.did))
        .limit(sql.placeholder('limit'))
        .prepare(),
      candidateCount: store.db.select({ n: sql<number>`count(*)` }).from(members).where(sql`${members.status} = 'candidate'`).prepare(),
      // the endorsements between the institutions given (a JSON array of DIDs): what a directory of them draws
      endorsementsAmong: store.db
        .select({ author: e.author, subject: e.subject, ts: e.ts, body: e.body })
        .from(e)
        .where(sql`${e.subject} IN (SELECT value FROM json_each(${sql.placeholder('dids')})) AND ${e.author} IN (SELECT value FROM json_each(${sql.placeholder('dids')}))`)
        .orderBy(asc(e.ts))
        .prepare(),
      endorsementCountOf: store.db
        .select({ n: sql<number>`count(*)` })
        .from(e)
        .where(sql`(${e.author} = ${sql.placeholder('did')} OR ${e.subject} = ${sql.placeholder('did')})`)
        .prepare(),
      endorse: boundWrite(
        store.sqlite,
        store.db
          .insert(e)
          .values({
            author: sql.placeholder('author'),
            subject: sql.placeholder('subject'),
            entryId: sql.placeholder('entryId'),
            ts: sql.placeholder('ts'),
            body: sql.placeholder('body'),
          })
          .onConflictDoUpdate({
            target: [e.author, e.subject],
            set: { entryId: sql`excluded.entry_id`, ts: sql`excluded.ts`, body: sql`excluded.body` },
          }),
      ),
      setMember: boundWrite(
        store.sqlite,
        store.db
          .insert(members)
          .values({ did: sql.placeholder('did'), status: sql.placeholder('status'), since: sql.placeholder('since') })
          .onConflictDoUpdate({ target: members.did, set: { status: sql`excluded.status`, since: sql`excluded.since` } }),
      ),
      seedMember: store.db
        .insert(members)
        .values({ did: sql.placeholder('did'), status: sql.placeholder('status'), since: sql.placeholder('since') })
        .onConflictDoNothing()
        .prepare(),
      dropMember: store.db.delete(members).where(eq(members.did, sql.placeholder('did'))).prepare(),
    };
    this.load(true);
  }

  private checkedAt = -Infinity;

  get threshold(): number {
    return this.manifest.admission.endorsements;
  }

  statusOf(did: string): MemberStatus {
    // another process (the CLI) may have committed an endorsement: data_version tells, checked at most every 50 ms
    // (this runs once per ingested entry; the pragma alone was a tenth of catch-up time)
    const t = performance.now();
    if (t - this.checkedAt > 50) {
      this.checkedAt = t;
      const dv = this.store.sqlite.pragma('data_version', { simple: true }) as number;
      if (dv !== this.dataVersion) {
        this.dataVersion = dv;
        this.load();
      }
    }
    return this.status.get(did) ?? 'none';
  }

  isMember(did: string): boolean {
    const s = this.statusOf(did);
    return s === 'founder' || s === 'admitted';
  }

  members(): { did: string; status: MemberStatus; since: string; endorsedBy: string[] }[] {
    return this.q.members.all().map((r) => ({ ...r, status: r.status as MemberStatus, endorsedBy: this.endorsersOf(r.did) }));
  }

  /**
   * The members a public answer lists: every founder and admitted member, and the newest `limit` candidates (LIST_LIMIT
   * unless said; any member can make any DID a candidate by endorsing it), with how many candidates there are.
   */
  directoryMembers(limit = LIST_LIMIT): { members: { did: string; status: MemberStatus; since: string; endorsedBy: string[] }[]; candidates: number } {
    const rows = [...this.q.admittedMembers.all(), ...this.q.candidates.all({ limit: pageParams({ limit }).limit, now: this.clock.now().toISOString() })];
    return {
      members: rows.map((r) => ({ ...r, status: r.status as MemberStatus, endorsedBy: this.endorsersOf(r.did) })),
      candidates: this.q.candidateCount.get()?.n ?? 0,
    };
  }

  /** The endorsements between the institutions given (both the author and the subject among them), oldest first. */
  endorsementsAmong(dids: readonly string[]): { author: string; subject: string; ts: string; statement?: string }[] {
    return this.q.endorsementsAmong.all({ dids: JSON.stringify(dids) }).map(endorsementView);
  }

  endorsersOf(subject: string): string[] {
    return this.q.endorsers.all({ subject }).map((r) => r.author);
  }

  endorsements(): { author: string; subject: string; ts: string; statement?: string }[] {
    return this.q.endorsements.all().map(endorsementView);
  }

  /** The endorsements one institution gave or received, newest first: one page (LIST_LIMIT unless said) and how many in all. */
  endorsementsOf(did: string, page: ListPage = {}): Bounded<{ author: string; subject: string; ts: string; statement?: string }> {
    return { items: this.q.endorsementsOf.all({ did, ...pageParams(page) }).map(endorsementView), total: this.q.endorsementCountOf.get({ did })?.n ?? 0 };
  }

  check(entry: Pick<Entry, 'author' | 'type'>): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
    const s = this.statusOf(entry.author);
    if (s === 'founder' || s === 'admitted') return { ok: true };
    if (s === 'candidate' && CANDIDATE_TYPES.includes(entry.type)) return { ok: true };
    if (s === 'candidate')
      return { ok: false, code: 'not_a_member', reason: `${entry.author} is a candidate; it may publish only ${CANDIDATE_TYPES.join(', ')} until admitted` };
    return { ok: false, code: 'not_a_member', reason: `${entry.author} is not a member of this network` };
  }

  apply(entry: Entry): void {
    if (entry.type !== 'endorsement') return;
    const body = entry.body as { subject: string; withdrawn?: boolean };
    if (!this.isMember(entry.author) || body.subject === entry.author) return; // only members' endorsements count
    this.q.endorse({ author: entry.author, subject: body.subject, entryId: entry.id, ts: entry.ts, body: JSON.stringify(entry.body) });
    this.recompute(body.subject, entry.ts);
  }

  reset(): void {
    this.store.db.delete(endorsements).run();
    this.store.db.delete(members).run();
    this.status.clear();
    this.seedFounders();
  }

  private recompute(subject: string, ts: string): void {
    const current = this.statusOf(subject);
    if (current === 'founder' || current === 'admitted') return; // admission is not undone by a withdrawn endorsement
    const n = this.endorsersOf(subject).filter((d) => this.isMember(d)).length;
    const next: MemberStatus = n >= this.threshold ? 'admitted' : n > 0 ? 'candidate' : 'none';
    if (next === 'none') {
      this.q.dropMember.run({ did: subject });
      this.status.delete(subject);
    } else {
      this.q.setMember({ did: subject, status: next, since: ts });
      this.status.set(subject, next);
    }
  }

  private seedFounders(write = true): void {
    for (const f of this.manifest.founders) {
      if (write) this.q.seedMember.run({ did: f, status: 'founder', since: this.manifest.createdAt });
      this.status.set(f, 'founder');
    }
  }

  private load(write = false): void {
    this.status.clear();
    this.seedFounders(write);
    for (const r of this.q.statuses.all()) this.status.set(r.did, r.status as MemberStatus);
  }
}
