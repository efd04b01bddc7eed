/**
 * Membership: founders from the manifest, admission by endorsements from members. Acts as the feed's AuthorPolicy
 * (entries of non-members are neither stored nor relayed) and projects `endorsement` / `membership` entries.
 * Must never decide on anything but membership.
 */
import type { ErrorCode } from '../core/errors.js';
import type { Entry, EntryType } from '../feed/entry.js';
import type { AuthorPolicy, Projector } from '../feed/feed.service.js';
import type { Store } from '../store/database.js';
import type { Manifest } from './manifest.js';

/** Entry types a candidate (endorsed by at least one member, not yet admitted) may publish. */
const CANDIDATE_TYPES: readonly EntryType[] = ['profile', 'membership', 'issuer-key'];

export type MemberStatus = 'founder' | 'admitted' | 'candidate' | 'none';

export class MembershipService implements AuthorPolicy, Projector {
  readonly name = 'membership';
  // `membership` entries (a member acknowledging the manifest) change no projection: only endorsements are applied
  readonly types: readonly EntryType[] = ['endorsement'];
  private status = new Map<string, MemberStatus>();
  private dataVersion = -1;

  constructor(
    private readonly store: Store,
    private readonly manifest: Manifest,
  ) {
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
    const rows = this.store.statement('SELECT did, status, since FROM members ORDER BY since, did').all() as {
      did: string;
      status: MemberStatus;
      since: string;
    }[];
    return rows.map((r) => ({ ...r, endorsedBy: this.endorsersOf(r.did) }));
  }

  endorsersOf(subject: string): string[] {
    return (
      this.store
        .statement("SELECT author FROM endorsements WHERE subject = ? AND json_extract(body, '$.withdrawn') IS NOT 1 ORDER BY ts")
        .all(subject) as { author: string }[]
    ).map((r) => r.author);
  }

  endorsements(): { author: string; subject: string; ts: string; statement?: string }[] {
    return (
      this.store.statement('SELECT author, subject, ts, body FROM endorsements ORDER BY ts').all() as {
        author: string;
        subject: string;
        ts: string;
        body: string;
      }[]
    ).map((r) => {
      const b = JSON.parse(r.body) as { statement?: string; withdrawn?: boolean };
      return { author: r.author, subject: r.subject, ts: r.ts, ...(b.statement ? { statement: b.statement } : {}), ...(b.withdrawn ? { withdrawn: true } : {}) };
    });
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
    this.store
      .statement(
        `INSERT INTO endorsements (author, subject, entry_id, ts, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(author, subject) DO UPDATE SET entry_id = excluded.entry_id, ts = excluded.ts, body = excluded.body`,
      )
      .run(entry.author, body.subject, entry.id, entry.ts, JSON.stringify(entry.body));
    this.recompute(body.subject, entry.ts);
  }

  reset(): void {
    this.store.statement('DELETE FROM endorsements').run();
    this.store.statement('DELETE FROM members').run();
    this.status.clear();
    this.seedFounders();
  }

  private recompute(subject: string, ts: string): void {
    const current = this.statusOf(subject);
    if (current === 'founder' || current === 'admitted') return; // admission is not undone by a withdrawn endorsement
    const n = this.endorsersOf(subject).filter((d) => this.isMember(d)).length;
    const next: MemberStatus = n >= this.threshold ? 'admitted' : n > 0 ? 'candidate' : 'none';
    if (next === 'none') {
      this.store.statement('DELETE FROM members WHERE did = ?').run(subject);
      this.status.delete(subject);
    } else {
      this.store
        .statement('INSERT INTO members (did, status, since) VALUES (?, ?, ?) ON CONFLICT(did) DO UPDATE SET status = excluded.status, since = excluded.since')
        .run(subject, next, ts);
      this.status.set(subject, next);
    }
  }

  private seedFounders(write = true): void {
    const ins = write ? this.store.statement('INSERT OR IGNORE INTO members (did, status, since) VALUES (?, ?, ?)') : null;
    for (const f of this.manifest.founders) {
      ins?.run(f, 'founder', this.manifest.createdAt);
      this.status.set(f, 'founder');
    }
  }

  private load(write = false): void {
    this.status.clear();
    this.seedFounders(write);
    const rows = this.store.statement('SELECT did, status FROM members').all() as { did: string; status: MemberStatus }[];
    for (const r of rows) this.status.set(r.did, r.status);
  }
}
