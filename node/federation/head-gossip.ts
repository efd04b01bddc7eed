/**
 * Gossip of signed head announcements on the network's heads topic, for latency only (correctness comes from pull
 * sync): this node announces its own new entries (small ones inline), and checks every announcement it receives,
 * cheapest checks first, before it relays, ingests or counts anything. Keeps the checked heads that say how far
 * behind the replica is. Must never relay an entry it could not verify, nor count an unchecked claim.
 */
import { isDeepStrictEqual } from 'node:util';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { LRUCache } from 'lru-cache';
import { checkEnvelope, verifyEntrySignature, type Entry, type EntryType } from '../feed/entry.js';
import { peerIdToDid } from './peer-ids.js';
import type { Replication } from './replication-shared.js';

interface HeadAnnouncement {
  v: 1;
  author: string;
  seq: number;
  id: string;
  entry?: unknown;
}

/** At most this many checked heads are remembered (one per member; far more than any network has members). */
const KNOWN_HEADS_MAX = 4_096;

/** A rejected gossiped head is logged at warn at most this often (anyone can send them); the rest at debug. */
const HEAD_WARN_EVERY_MS = 60_000;

export class HeadGossip {
  // author -> highest head seq heard on gossip whose signature and author were checked (never unchecked claims);
  // bounded: only members enter, and the least recently updated go first past the cap
  private readonly knownHeads = new LRUCache<string, number>({ max: KNOWN_HEADS_MAX });
  private headWarnedAt = -Infinity; // when a rejected gossiped head was last logged at warn

  /** `pull(peer, reason)`: asks for a sync round with the peer that relayed something we lack. */
  constructor(
    private readonly r: Replication,
    readonly topic: string,
    private readonly pull: (peer: PeerId, reason: string) => void,
  ) {}

  /** Announces one of this node's own entries (inline when small enough). */
  async announce(entry: Entry): Promise<void> {
    const node = this.r.node();
    if (!node || this.r.stopped()) return;
    const msg: HeadAnnouncement = { v: 1, author: entry.author, seq: entry.seq, id: entry.id };
    const json = JSON.stringify({ ...msg, entry });
    const data = new TextEncoder().encode(json.length <= this.r.opts.gossipInlineMaxBytes ? json : JSON.stringify(msg));
    try {
      await node.services.pubsub.publish(this.topic, data);
      this.r.totals.gossipOut++;
    } catch (e) {
      this.r.d.logger.debug('gossip publish failed', { error: String(e) });
    }
  }

  /**
   * The checked gossip heads still ahead of our replica, of authors who are still members (the rest are forgotten):
   * the only source of lag and freshness.
   */
  checkedHeadsAhead(): Record<string, number> {
    if (this.knownHeads.size === 0) return {};
    const mine = new Map(this.r.d.replica.heads().map((h) => [h.author, h.seq] as const));
    const out: Record<string, number> = {};
    for (const [author, seq] of [...this.knownHeads.entries()]) {
      if (seq <= (mine.get(author) ?? 0) || !this.r.d.replica.isMember(author)) this.knownHeads.delete(author);
      else out[author] = seq;
    }
    return out;
  }

  /**
   * Topic validator. Every announcement is a claim until checked, and the cheap checks come first (nothing is
   * canonicalised or hashed before them): size, shape, an inline entry's author, seq and network equal to the
   * announcement's, an author who may write that entry type (a member, or a candidate for the types candidates may
   * publish), and a seq beyond our head (an announcement of exactly our head is relayed when its id, and its inline
   * entry field by field, equal what we hold; one below is ignored). Only then: an inline entry must hash to the
   * announced id; the next entry of a feed is ingested (verified like any entry: relaying and storing are the same
   * decision); a head further ahead counts in `knownHeads` (lag, freshness) only when its signature verifies; a bare
   * announcement (no entry: too large to inline) is only a hint to pull and never counts. Anything ahead of us
   * triggers a pull. Rejected messages lower the sender's gossipsub score (see host.ts). Once the replicator is
   * stopping, everything is ignored (nothing is stored while the node closes its database).
   */
  validate(peer: PeerId, data: Uint8Array): TopicValidatorResult {
    if (this.r.stopped()) return TopicValidatorResult.Ignore;
    this.r.totals.gossipIn++;
    let msg: HeadAnnouncement;
    if (data.byteLength > this.r.opts.gossipMaxBytes) return this.rejectCheap(peer, null, 'too large');
    try {
      msg = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data)) as HeadAnnouncement;
      if (!msg || msg.v !== 1 || typeof msg.author !== 'string' || !Number.isSafeInteger(msg.seq) || typeof msg.id !== 'string') return TopicValidatorResult.Reject;
    } catch {
      return TopicValidatorResult.Reject;
    }
    const replica = this.r.d.replica;
    // cheap checks: no canonicalisation, no hashing
    let type: unknown;
    if (msg.entry !== undefined) {
      const raw = msg.entry as Record<string, unknown> | null;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return this.rejectCheap(peer, msg, 'inline entry is not an object');
      if (raw.author !== msg.author || raw.seq !== msg.seq || raw.net !== replica.network || typeof raw.type !== 'string')
        return this.rejectCheap(peer, msg, 'inline entry is not the announced head');
      type = raw.type;
    }
    if (!this.mayWrite(msg.author, type as EntryType | undefined)) return this.rejectCheap(peer, msg, 'author may not write this');
    const head = replica.heads().find((h) => h.author === msg.author);
    if (head && head.seq >= msg.seq) {
      // relayed only when it announces exactly the head we hold (verified when we stored it), inline copy included
      if (head.seq !== msg.seq || head.id !== msg.id) return TopicValidatorResult.Ignore;
      if (msg.entry === undefined) return TopicValidatorResult.Accept;
      const held = replica.read(msg.author, msg.seq, 1)[0];
      return held && isDeepStrictEqual(JSON.parse(JSON.stringify(held)), msg.entry) ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
    }
    // an inline entry must be the announced head itself (its id recomputed), else the message lies
    let inline: Entry | null = null;
    if (msg.entry !== undefined) {
      const env = checkEnvelope(msg.entry);
      if (!env.ok || env.entry.author !== msg.author || env.entry.seq !== msg.seq || env.entry.id !== msg.id || env.entry.net !== replica.network) {
        this.r.totals.gossipHeadsRejected++;
        return TopicValidatorResult.Reject;
      }
      inline = env.entry;
    }
    if (inline && (head?.seq ?? 0) + 1 < msg.seq) {
      // ahead of us by more than one entry: the head counts for lag only once its author is a member and its
      // signature holds; then we pull the entries in between
      if (!replica.isMember(inline.author) || !verifyEntrySignature(inline)) {
        this.r.totals.gossipHeadsRejected++;
        this.warnHead(peer, msg, replica.isMember(inline.author) ? 'bad signature' : 'author is not a member');
        return TopicValidatorResult.Reject;
      }
      if ((this.knownHeads.get(msg.author) ?? 0) < msg.seq) this.knownHeads.set(msg.author, msg.seq);
    }
    if (msg.entry !== undefined && (head?.seq ?? 0) + 1 === msg.seq) {
      const r = replica.ingestOne(msg.entry);
      if (r.accepted === 1) {
        this.r.totals.gossipAccepted++;
        return TopicValidatorResult.Accept;
      }
      if (r.duplicates) return TopicValidatorResult.Accept;
      if (r.rejected.some((x) => ['bad_signature', 'invalid_entry', 'broken_chain', 'equivocation'].includes(x.code))) {
        this.r.d.logger.warn('rejected gossiped entry', { peer: peer.toString(), rejected: r.rejected[0] });
        if (r.rejected[0]?.code === 'equivocation') this.pull(peer, 'fork announced');
        return TopicValidatorResult.Reject;
      }
    }
    // we are behind (or cannot verify it alone): pull from the peer that relayed it; do not relay
    this.pull(peer, 'gossip hint');
    return TopicValidatorResult.Ignore;
  }

  /**
   * Whether `author` may write an entry of `type` (a bare announcement: any type a candidate may publish), by the
   * feed's author policy; this node's own feed always.
   */
  private mayWrite(author: string, type: EntryType | undefined): boolean {
    const node = this.r.node();
    if (node && author === peerIdToDid(node.peerId)) return true;
    if (!this.r.d.authorPolicy) return this.r.d.replica.isMember(author);
    return this.r.d.authorPolicy.check({ author, type: type ?? 'profile' }).ok;
  }

  /** Refuses a gossip message on a cheap check (before any canonicalisation); counted and logged like other heads. */
  private rejectCheap(peer: PeerId, msg: HeadAnnouncement | null, reason: string): TopicValidatorResult {
    this.r.totals.gossipRejectedCheap++;
    this.r.totals.gossipHeadsRejected++;
    this.warnHead(peer, msg, reason);
    return TopicValidatorResult.Reject;
  }

  /** At warn once a minute at most (anyone can send these); the count is in totals.gossipHeadsRejected. */
  private warnHead(peer: PeerId, msg: HeadAnnouncement | null, reason: string): void {
    const now = this.r.now();
    const fields = { peer: peer.toString(), author: msg?.author, seq: msg?.seq, reason, rejectedSoFar: this.r.totals.gossipHeadsRejected };
    if (now - this.headWarnedAt >= HEAD_WARN_EVERY_MS) {
      this.headWarnedAt = now;
      this.r.d.logger.warn('rejected gossiped head', fields);
    } else this.r.d.logger.debug('rejected gossiped head', fields);
  }
}
