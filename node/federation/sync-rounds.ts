/**
 * Pull-sync rounds with peers (correctness: gossip is only for latency) and serving theirs: never two rounds with one
 * peer at a time (one more is queued behind), authors claimed by one member's round while it pulls them (released
 * when its feeds stall), the recent rounds the network status shows. Tracks every round and served stream in flight,
 * so stop() can wait for the last store write before the node closes its database. Every time it reads comes from
 * the replication clock. Must never start a round or serve a stream once the replicator is stopping.
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import type { CheckedBatch } from '../feed/batch-check.js';
import type { FeedReplica } from '../feed/replica.js';
import type { PeerBook } from './peers.js';
import { boundedSignal, type Replication, type SyncRound } from './replication-shared.js';
import { ProtocolError, pullRound, serveRound } from './sync-protocol.js';
import { roundFailureReason } from '../core/metrics.js';
import { peerIdToDid } from './peer-ids.js';

/** Rounds the network status keeps. */
const ROUNDS_KEPT = 100;

export class SyncRounds {
  private readonly running = new Map<string, Promise<void>>();
  private readonly serving = new Set<Promise<void>>();
  private readonly pending = new Map<string, string>(); // peer -> reason of a round queued behind a running one
  private readonly claimed = new Map<string, string>(); // author -> peer whose round is pulling it
  // peer -> progress of its round's claims: sum of our head seqs of the claimed authors, and when it last grew
  private readonly claimProgress = new Map<string, { mark: number; at: number }>();
  private readonly deferred = new Set<string>(); // peers with authors deferred to a round in progress
  private readonly rounds: SyncRound[] = [];
  private unlistedServing = 0; // rounds being served to peers that are not members, bootstrap peers nor listed mirrors

  constructor(
    private readonly r: Replication,
    private readonly peers: PeerBook,
    readonly protocol: string,
  ) {}

  /** Whether a round with that peer is running. */
  busy(key: string): boolean {
    return this.running.has(key);
  }

  /** The recent rounds, newest first. */
  recent(): SyncRound[] {
    return [...this.rounds].reverse();
  }

  /**
   * Resolves once no round runs and no stream is being served: after stop() aborted them, each ends at its next step
   * (a read, a decode, or the next slice of a batch being stored).
   */
  async idle(): Promise<void> {
    while (this.running.size || this.serving.size) await Promise.allSettled([...this.running.values(), ...this.serving]);
  }

  /** Queues a round with a peer; never two concurrent rounds with the same peer (one more is queued behind). */
  schedule(peer: PeerId, reason: string): void {
    if (this.r.stopped()) return;
    const key = peer.toString();
    if (this.running.has(key)) {
      this.pending.set(key, reason);
      return;
    }
    void this.round(peer, reason);
  }

  /** A round with the peer (the running one if there is one). */
  round(peer: PeerId, reason: string): Promise<void> {
    const key = peer.toString();
    const existing = this.running.get(key);
    if (existing) return existing;
    if (this.r.stopped()) return Promise.resolve();
    const p = this.runRound(peer, reason).finally(() => {
      this.running.delete(key);
      // release this round's authors and give deferred peers their turn
      if (this.releaseClaims(key)) this.wakeDeferred();
      const next = this.pending.get(key);
      if (next && !this.r.stopped()) {
        this.pending.delete(key);
        this.schedule(peer, next);
      }
    });
    this.running.set(key, p);
    return p;
  }

  /**
   * Serves a peer's round on an incoming stream (refused once stopping). Members, bootstrap peers and the read mirrors
   * node.json lists are always served; any other peer (an unlisted mirror, a node waiting for admission, anyone: the
   * data is public) shares maxUnlistedServes rounds at a time, and one more is refused at once (counted in
   * totals.servesRefused); it retries on its next periodic round.
   */
  serve(stream: Stream, connection: Connection): void {
    if (this.r.stopped()) {
      stream.abort(new Error('the node is stopping'));
      return;
    }
    const unlisted = !this.listed(connection.remotePeer);
    if (unlisted && this.unlistedServing >= this.r.opts.maxUnlistedServes) {
      this.r.totals.servesRefused++;
      stream.abort(new Error('busy: this node is serving as many non-member peers as it allows; retry later'));
      return;
    }
    if (unlisted) this.unlistedServing++;
    const p = this.serveRound(stream, connection).finally(() => {
      this.serving.delete(p);
      if (unlisted) this.unlistedServing--;
    });
    this.serving.add(p);
  }

  /** A member, a configured bootstrap peer or a read mirror listed in node.json "mirrors". */
  listed(peer: PeerId): boolean {
    const key = peer.toString();
    if (this.r.d.mirrors?.includes(key) || this.peers.get(key)?.bootstrap) return true;
    return this.isFullMember(peerIdToDid(peer));
  }

  /**
   * Releases the claims of a round none of whose claimed feeds has grown for claimStallMs (checked every second by
   * the replicator): a peer that announced heads it then does not send (hostile, or stuck) holds nobody back for
   * longer. The round itself goes on; entries it still brings are stored or counted as duplicates.
   */
  releaseStalledClaims(): void {
    if (this.claimed.size === 0) {
      this.claimProgress.clear();
      return;
    }
    const seqs = new Map(this.r.d.replica.heads().map((h) => [h.author, h.seq] as const));
    const marks = new Map<string, number>();
    for (const [a, holder] of this.claimed) marks.set(holder, (marks.get(holder) ?? 0) + (seqs.get(a) ?? 0));
    for (const k of this.claimProgress.keys()) if (!marks.has(k)) this.claimProgress.delete(k);
    const now = this.r.now();
    let released = false;
    for (const [holder, mark] of marks) {
      const p = this.claimProgress.get(holder);
      if (!p || p.mark !== mark) {
        this.claimProgress.set(holder, { mark, at: now });
        continue;
      }
      if (now - p.at < this.r.opts.claimStallMs) continue;
      this.releaseClaims(holder);
      this.r.totals.claimsReleased++;
      released = true;
      this.r.d.logger.debug('released the claims of a stalled round', { peer: holder, stalledMs: now - p.at });
    }
    if (released) this.wakeDeferred();
  }

  /** Drops the claims a peer's round holds; true if it held any. */
  private releaseClaims(key: string): boolean {
    let released = false;
    for (const [a, holder] of this.claimed)
      if (holder === key) {
        this.claimed.delete(a);
        released = true;
      }
    this.claimProgress.delete(key);
    return released;
  }

  /** Schedules again the peers whose rounds deferred authors another round had claimed. */
  private wakeDeferred(): void {
    if (this.r.stopped()) return;
    const waiting = [...this.deferred];
    this.deferred.clear();
    for (const k of waiting) {
      const st = this.peers.get(k);
      if (st) this.schedule(st.id, 'deferred');
    }
  }

  /** Whether a DID is a full member (may write any entry type), not a candidate. */
  private isFullMember(did: string | null): boolean {
    if (did === null) return false;
    return this.r.d.authorPolicy ? this.r.d.authorPolicy.check({ author: did, type: 'endorsement' }).ok : this.r.d.replica.isMember(did);
  }

  private async runRound(peer: PeerId, reason: string): Promise<void> {
    const node = this.r.node();
    if (!node || this.r.stopped()) return;
    const st = this.peers.state(peer);
    const t0 = this.r.now();
    const startedAt = new Date(t0).toISOString();
    const signal = boundedSignal(this.r.stopSignal, this.r.opts.roundTimeoutMs);
    let stream: Stream | null = null;
    try {
      // over a relayed connection too: its limits (duration, bytes) bound the round, which fails and is retried when spent
      stream = await node.dialProtocol(peer, this.protocol, { signal, runOnLimitedConnection: true });
      const key = peer.toString();
      const deferredAuthors: string[] = [];
      // only a member peer's round claims authors: anyone can send a heads vector saying it is ahead on every feed,
      // and a claim it took would hold honest rounds back (a member's stalled claims are released: claimStallMs)
      const claims = this.isFullMember(st.did);
      const fig = await pullRound(
        stoppableReplica(this.r.d.replica, signal),
        stream,
        signal,
        {
          tryClaim: (author) => {
            const holder = this.claimed.get(author);
            if (holder !== undefined && holder !== key) {
              deferredAuthors.push(author);
              return false;
            }
            if (claims) this.claimed.set(author, key);
            return true;
          },
        },
        this.r.d.decoder,
      );
      // retry the deferred authors when their holder is done (or right away if it already is)
      if (deferredAuthors.some((a) => !this.claimed.has(a))) this.pending.set(key, 'deferred');
      else if (deferredAuthors.length) this.deferred.add(key);
      await stream.close({ signal }).catch(() => stream?.abort(new Error('close failed')));
      st.rounds++;
      st.lastSeen = this.r.now();
      st.rejectedEntries += fig.rejected.length;
      this.r.totals.roundsOk++;
      this.r.totals.entriesPulled += fig.entriesAccepted;
      this.r.totals.bytesIn += fig.bytesIn;
      this.r.totals.bytesOut += fig.bytesOut;
      // the peer's heads vector is a claim nobody signed: it never counts for lag (see HeadGossip)
      // ... but a member peer holding nothing of our own feed beyond our head (after this pull) confirms it is current
      if (this.r.d.ownFeed && st.did && this.r.d.replica.isMember(st.did)) this.r.d.ownFeed.observeRound(st.did, fig);
      const { remoteHeads: _r, ...figures } = fig;
      this.record({ peer: key, did: st.did, direction: 'pull', reason, startedAt, durationMs: this.r.now() - t0, ...figures });
      if (fig.rejected.length) this.r.d.logger.warn('peer sent entries that were rejected', { peer: key, rejected: fig.rejected.slice(0, 5) });
      if (fig.more) this.pending.set(key, 'continue');
    } catch (e) {
      stream?.abort(e instanceof Error ? e : new Error(String(e)));
      st.failures++;
      this.r.totals.roundsFailed++;
      this.r.d.metrics?.syncRoundFailed(roundFailureReason(e));
      const msg = e instanceof ProtocolError ? e.message : String((e as Error)?.message ?? e);
      this.record({ peer: peer.toString(), did: st.did, direction: 'pull', reason, startedAt, durationMs: this.r.now() - t0, error: msg });
      if (!this.r.stopped()) this.r.d.logger.debug('sync round failed', { peer: peer.toString(), error: msg });
    }
  }

  private async serveRound(stream: Stream, connection: Connection): Promise<void> {
    const signal = boundedSignal(this.r.stopSignal, this.r.opts.roundTimeoutMs);
    try {
      const o = this.r.opts;
      const r = await serveRound(this.r.d.replica, stream, signal, { batchSize: o.batchSize, maxBatchBytes: o.maxBatchBytes, maxEntriesPerRound: o.maxEntriesPerRound });
      await stream.close({ signal }).catch(() => stream.abort(new Error('close failed')));
      this.r.totals.entriesServed += r.sent;
      this.r.totals.bytesIn += r.bytesIn;
      this.r.totals.bytesOut += r.bytesOut;
      const st = this.peers.state(connection.remotePeer);
      st.lastSeen = this.r.now();
      // the client told us its heads: pull back if it holds something we lack
      const mine = new Map(this.r.d.replica.heads().map((h) => [h.author, h.seq] as const));
      if (r.clientHeads.some(([a, s]) => (mine.get(a) ?? 0) < s)) this.schedule(connection.remotePeer, 'peer ahead');
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      if (!this.r.stopped()) this.r.d.logger.debug('serving a sync round failed', { peer: connection.remotePeer.toString(), error: String((e as Error)?.message ?? e) });
    }
  }

  private record(r: SyncRound): void {
    this.rounds.push(r);
    if (this.rounds.length > ROUNDS_KEPT) this.rounds.shift();
  }
}

/**
 * The replica as one round sees it: a batch stored in slices stops at the next slice once the round is aborted (the
 * node stopping, or the round's time limit), instead of storing the rest of the batch. Each slice is its own
 * transaction, so what was stored is a whole prefix of the batch, chained to the stored head; the rest comes in a
 * later round.
 */
function stoppableReplica(replica: FeedReplica, signal: AbortSignal): FeedReplica {
  const ingestCheckedInSlices = (batch: CheckedBatch, slice: number, pause: () => Promise<void>) =>
    replica.ingestCheckedInSlices(batch, slice, async () => {
      await pause();
      if (signal.aborted) throw new ProtocolError('round aborted while storing a batch: the rest comes in a later round');
    });
  return new Proxy(replica, {
    get(target, prop) {
      if (prop === 'ingestCheckedInSlices') return ingestCheckedInSlices;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
