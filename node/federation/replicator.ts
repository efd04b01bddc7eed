/**
 * Replication over libp2p: the host (TCP, noise, yamux, identify, ping, gossipsub, bootstrap, optional mDNS), gossip
 * of signed head announcements with small entries inline (latency), pull-sync rounds (correctness) on connect, on
 * hints and periodically, member peers kept connected with backoff, and the status the network API shows.
 * It reads and writes the registry only through `FeedReplica`; it never relays an entry it could not verify.
 */
import { setMaxListeners } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { mdns } from '@libp2p/mdns';
import { gossipsub, TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import { createTopicScoreParams, type PeerScoreParams } from '@libp2p/gossipsub/score';
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { LRUCache } from 'lru-cache';
import { checkEnvelope, verifyEntrySignature, type Entry, type EntryType } from '../feed/entry.js';
import type { FeedReplica } from '../feed/replica.js';
import { dialableFor, didToPeerId, libp2pPrivateKey, parsePeerAddress, peerIdToDid } from './peer-ids.js';
import type { BatchDecoder } from './batch-decoder.js';
import { MAX_FRAME_BYTES, ProtocolError, pullRound, serveRound, syncProtocolId, type RoundFigures } from './sync-protocol.js';

export interface ReplicatorOptions {
  listenHost: string;
  listenPort: number;
  bootstrap: string[];
  mdns: boolean;
  syncIntervalMs: number;
  roundTimeoutMs: number;
  batchSize: number;
  maxBatchBytes: number;
  maxEntriesPerRound: number;
  /**
   * Worker threads that decode and check incoming sync batches; 0: in-thread. Read by context.ts, which makes the
   * BatchDecoder (its defaults are the decoder's own: DEFAULT_DECODER_THREADS).
   */
  batchWorkers?: number;
  /** Entries a round must lack before its batches go to those workers (default: DEFAULT_DECODER_MIN_ENTRIES). */
  batchWorkerMinEntries?: number;
  gossipInlineMaxBytes: number;
  maxConnections: number;
  redialMinMs: number;
  redialMaxMs: number;
  /**
   * A round's claims on authors (no other round pulls them meanwhile) are released when none of its claimed feeds has
   * grown for this long: a peer that claims to be ahead and then sends nothing cannot hold those authors back.
   */
  claimStallMs: number;
  /** Gossip messages larger than this are refused before any parsing (honest nodes inline entries up to gossipInlineMaxBytes). */
  gossipMaxBytes: number;
}

export const DEFAULT_REPLICATOR_OPTIONS: Omit<ReplicatorOptions, 'listenHost' | 'listenPort' | 'bootstrap'> = {
  mdns: false,
  syncIntervalMs: 10_000,
  roundTimeoutMs: 60_000,
  batchSize: 1_000,
  maxBatchBytes: 1024 * 1024,
  maxEntriesPerRound: 200_000,
  gossipInlineMaxBytes: 16 * 1024,
  maxConnections: 200,
  redialMinMs: 500,
  redialMaxMs: 10_000,
  claimStallMs: 5_000,
  gossipMaxBytes: 64 * 1024,
};

export interface SyncRound extends Partial<RoundFigures> {
  peer: string;
  did: string | null;
  direction: 'pull';
  reason: string;
  startedAt: string;
  durationMs: number;
  error?: string;
}

export interface PeerInfo {
  peerId: string;
  did: string | null;
  addresses: string[];
  connected: boolean;
  lastSeen: string | null;
  rounds: number;
  failures: number;
  rejectedEntries: number;
  /** Dials of this peer that failed since it was last connected, and the last one's reason. */
  dialFailures: number;
  lastDialError: string | null;
  nextDialAt: string | null;
}

interface PeerState {
  id: PeerId;
  did: string | null;
  lastSeen: number | null;
  rounds: number;
  failures: number;
  rejectedEntries: number;
  dialBackoffMs: number;
  nextDialAt: number;
  dialing: boolean;
  dialFailures: number;
  lastDialError: string | null;
  bootstrap: boolean; // configured: kept connected whatever its membership
  addrs: Multiaddr[]; // dialable addresses, each ending in this peer's /p2p/<id> (never another peer's)
}

interface HeadAnnouncement {
  v: 1;
  author: string;
  seq: number;
  id: string;
  entry?: unknown;
}

export class Replicator {
  private node: Libp2p<{ pubsub: GossipSub }> | null = null;
  private readonly peers = new Map<string, PeerState>();
  private readonly rounds: SyncRound[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, string>(); // peer -> reason of a round queued behind a running one
  private readonly claimed = new Map<string, string>(); // author -> peer whose round is pulling it
  // peer -> progress of its round's claims: sum of our head seqs of the claimed authors, and when it last grew
  private readonly claimProgress = new Map<string, { mark: number; at: number }>();
  private readonly deferred = new Set<string>(); // peers with authors deferred to a round in progress
  // author -> highest head seq heard on gossip whose signature and author were checked (never unchecked claims);
  // bounded: only members enter, and the least recently updated go first past the cap
  private readonly knownHeads = new LRUCache<string, number>({ max: KNOWN_HEADS_MAX });
  private headWarnedAt = -Infinity; // when a rejected gossiped head was last logged at warn
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private decoderStarting: Promise<void> | null = null;
  // every round and served stream derives its signal from this one (AbortSignal.any): many listeners are expected
  private readonly abort = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  })();
  readonly totals = { roundsOk: 0, roundsFailed: 0, entriesPulled: 0, entriesServed: 0, bytesIn: 0, bytesOut: 0, gossipIn: 0, gossipOut: 0, gossipAccepted: 0, gossipHeadsRejected: 0, gossipRejectedCheap: 0, dialAttempts: 0, dialFailures: 0, claimsReleased: 0 };
  private readonly protocol: string;
  private readonly topic: string;
  private readonly opts: ReplicatorOptions;

  constructor(
    private readonly d: {
      replica: FeedReplica;
      seed: Uint8Array;
      logger: Logger;
      clock: Clock;
      members: () => string[]; // DIDs to keep connected
      /**
       * Who may write which entry type (the feed's AuthorPolicy: members anything, candidates profile, membership and
       * issuer-key): gossip from anyone else is refused before it is parsed as an entry. Absent: replica.isMember.
       */
      authorPolicy?: { check(entry: { author: string; type: EntryType }): { ok: boolean } };
      /** Told the heads of every completed round with a member peer: confirms this node's own feed (own-feed.ts). */
      ownFeed?: { observeRound(peerDid: string, r: { digestsEqual: boolean; remoteHeads: readonly (readonly [string, number, string])[] }): boolean };
      decoder?: BatchDecoder; // decodes incoming batches off the main thread; started and stopped with the replicator
      options: Partial<ReplicatorOptions> & Pick<ReplicatorOptions, 'listenHost' | 'listenPort' | 'bootstrap'>;
    },
  ) {
    this.opts = { ...DEFAULT_REPLICATOR_OPTIONS, ...d.options };
    this.protocol = syncProtocolId(d.replica.network);
    this.topic = `/mochila/${d.replica.network}/heads/1`;
  }

  get peerId(): string {
    return this.node?.peerId.toString() ?? '';
  }

  addresses(): string[] {
    return this.node?.getMultiaddrs().map((m) => m.toString()) ?? [];
  }

  async start(): Promise<void> {
    // no round runs before the decoder's workers are ready: a worker still loading competes for the CPU the first
    // rounds need (the node starts loading them before libp2p, see context.ts)
    this.decoderStarting = this.d.decoder?.start() ?? null;
    await this.decoderStarting;
    const privateKey = await libp2pPrivateKey(this.d.seed);
    // addresses config.ts let through, plus the manifest's: one that cannot be parsed is skipped with a warning
    // (passed on, it would fail much later inside libp2p with a message that names nothing)
    const bootstrapList: string[] = [];
    for (const a of this.opts.bootstrap) {
      try {
        const { address, peerId } = parsePeerAddress(a);
        const st = this.state(peerId);
        st.bootstrap = true;
        this.addAddress(st, address);
        bootstrapList.push(a);
      } catch (e) {
        this.d.logger.warn('ignoring bad bootstrap address', { address: a, error: (e as Error).message });
      }
    }
    const peerDiscovery = [];
    if (bootstrapList.length) peerDiscovery.push(bootstrap({ list: bootstrapList, timeout: 100 }));
    if (this.opts.mdns) peerDiscovery.push(mdns({ interval: 5_000 }));
    this.node = (await createLibp2p({
      privateKey,
      addresses: { listen: [`/ip4/${this.opts.listenHost}/tcp/${this.opts.listenPort}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery,
      connectionManager: { maxConnections: this.opts.maxConnections },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, floodPublish: true, maxInboundDataLength: 256 * 1024, scoreParams: gossipScoreParams(this.topic) }),
      },
    })) as unknown as Libp2p<{ pubsub: GossipSub }>;
    const node = this.node;

    await node.handle(
      this.protocol,
      (stream: Stream, connection: Connection) => {
        void this.serve(stream, connection);
      },
      { maxInboundStreams: 16, maxOutboundStreams: 16 },
    );

    const pubsub = node.services.pubsub;
    pubsub.topicValidators.set(this.topic, (peer, msg) => this.onGossip(peer, msg.data));
    pubsub.subscribe(this.topic);

    node.addEventListener('peer:identify', (e) => {
      const { peerId, protocols } = e.detail;
      if (!protocols.includes(this.protocol)) return;
      const st = this.state(peerId);
      st.lastSeen = this.d.clock.now().getTime();
      st.dialBackoffMs = this.opts.redialMinMs;
      st.dialFailures = 0;
      st.lastDialError = null;
      this.schedule(peerId, 'connected');
    });
    node.addEventListener('peer:disconnect', (e) => {
      // a member or bootstrap peer is redialled by maintain() after the shortest backoff (reset when it connected): a
      // restarted peer comes back; any other peer is forgotten (never redialled, gone from the network status)
      const key = e.detail.toString();
      const st = this.peers.get(key);
      if (!st) return;
      if (!this.kept(st, new Set(this.d.members()))) {
        if (!this.running.has(key)) this.peers.delete(key);
        return;
      }
      st.nextDialAt = this.d.clock.now().getTime() + jitter(st.dialBackoffMs);
    });
    node.addEventListener('peer:discovery', (e) => {
      // only members' addresses are remembered here (anyone on the LAN or in a routing table can be discovered)
      const did = peerIdToDid(e.detail.id);
      if (!did || !this.d.members().includes(did)) return;
      const st = this.state(e.detail.id);
      for (const a of e.detail.multiaddrs) this.addAddress(st, a);
    });

    // only this node's own entries are announced (a remote one reached the others already)
    this.unsubscribe = this.d.replica.onEntry((entry) => void this.announce(entry), ['local']);

    const periodic = setInterval(() => this.syncAll('periodic'), this.opts.syncIntervalMs);
    const keepAlive = setInterval(() => void this.maintain(), 1_000);
    periodic.unref();
    keepAlive.unref();
    this.timers.push(periodic, keepAlive);
    void this.maintain();
    this.d.logger.info('replication started', { peerId: this.peerId, addresses: this.addresses(), protocol: this.protocol });
  }

  /** Stops gossip, sync and libp2p, waiting for running rounds at most `timeoutMs`. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    const node = this.node;
    const work = (async () => {
      await Promise.allSettled([...this.running.values()]);
      await node?.stop();
      await this.decoderStarting;
      await this.d.decoder?.stop();
    })();
    await Promise.race([work, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Dials a peer (multiaddr string) now; for tests and the CLI. */
  async dial(address: string): Promise<void> {
    await this.node?.dial(multiaddr(address), { signal: AbortSignal.timeout(10_000) });
  }

  /** Runs a round with every connected peer that speaks our protocol and waits for them. */
  async syncAllNow(reason = 'manual'): Promise<void> {
    const node = this.node;
    if (!node) return;
    await Promise.allSettled(node.getPeers().map((p) => this.round(p, reason)));
  }

  status() {
    const connected = new Set(this.node?.getPeers().map((p) => p.toString()) ?? []);
    const peers: PeerInfo[] = [...this.peers.values()].map((p) => ({
      peerId: p.id.toString(),
      did: p.did,
      addresses: (this.node ? this.node.getConnections(p.id).map((c) => c.remoteAddr.toString()) : []).concat(p.addrs.map((a) => a.toString())).filter((v, i, a) => a.indexOf(v) === i),
      connected: connected.has(p.id.toString()),
      lastSeen: p.lastSeen ? new Date(p.lastSeen).toISOString() : null,
      rounds: p.rounds,
      failures: p.failures,
      rejectedEntries: p.rejectedEntries,
      dialFailures: p.dialFailures,
      lastDialError: p.lastDialError,
      nextDialAt: connected.has(p.id.toString()) ? null : new Date(p.nextDialAt).toISOString(),
    }));
    return {
      peerId: this.peerId,
      addresses: this.addresses(),
      peers,
      rounds: [...this.rounds].reverse(),
      totals: { ...this.totals },
      knownHeads: this.checkedHeadsAhead(),
    };
  }

  // ---------------------------------------------------------------- internals

  /**
   * The checked gossip heads still ahead of our replica, of authors who are still members (the rest are forgotten):
   * the only source of lag and freshness.
   */
  private checkedHeadsAhead(): Record<string, number> {
    if (this.knownHeads.size === 0) return {};
    const mine = new Map(this.d.replica.heads().map((h) => [h.author, h.seq] as const));
    const out: Record<string, number> = {};
    for (const [author, seq] of [...this.knownHeads.entries()]) {
      if (seq <= (mine.get(author) ?? 0) || !this.d.replica.isMember(author)) this.knownHeads.delete(author);
      else out[author] = seq;
    }
    return out;
  }

  private state(peer: PeerId): PeerState {
    const key = peer.toString();
    let st = this.peers.get(key);
    if (!st) {
      st = { id: peer, did: peerIdToDid(peer), lastSeen: null, rounds: 0, failures: 0, rejectedEntries: 0, dialBackoffMs: this.opts.redialMinMs, nextDialAt: 0, dialing: false, dialFailures: 0, lastDialError: null, bootstrap: false, addrs: [] };
      this.peers.set(key, st);
    }
    return st;
  }

  /** Remembers a dialable address of a peer, in one form: ending in its own /p2p/<id> (another peer's is dropped). */
  private addAddress(st: PeerState, address: Multiaddr): void {
    const a = dialableFor(st.id, address);
    if (a && !st.addrs.some((x) => x.equals(a))) st.addrs.push(a);
  }

  /** Member and bootstrap peers are kept connected (redialled); any other peer is known only while connected. */
  private kept(st: PeerState, members: ReadonlySet<string>): boolean {
    return st.bootstrap || (st.did !== null && members.has(st.did));
  }

  /**
   * Keeps member peers and bootstrap peers connected: a peer not connected is dialled when its time comes, at most
   * one dial at a time, and each failure doubles its wait (jittered, from redialMinMs up to redialMaxMs; a connection
   * resets it). Failures are logged at warn with the reason and counted (status, /api/v1/network). Any other peer is
   * never dialled and is forgotten once disconnected, so the peer list is bounded by members, bootstrap peers and
   * maxConnections. Also releases stalled claims (see releaseStalledClaims).
   */
  private async maintain(): Promise<void> {
    const node = this.node;
    if (!node || this.stopped) return;
    this.releaseStalledClaims();
    const members = new Set(this.d.members());
    for (const did of members) {
      if (peerIdToDid(node.peerId) === did) continue;
      try {
        this.state(didToPeerId(did));
      } catch {
        /* not an Ed25519 did:key */
      }
    }
    const connected = new Set(node.getPeers().map((p) => p.toString()));
    const now = this.d.clock.now().getTime();
    for (const [key, st] of this.peers) {
      if (st.id.equals(node.peerId) || connected.has(key)) {
        if (connected.has(key)) st.lastSeen = now;
        continue;
      }
      if (!this.kept(st, members)) {
        if (!this.running.has(key)) this.peers.delete(key); // e.g. served after it left, or no longer a member
        continue;
      }
      if (st.dialing || now < st.nextDialAt) continue;
      st.dialing = true;
      void this.redial(node, st).finally(() => {
        st.dialing = false;
      });
    }
  }

  /** One dial of a peer not connected, by peer id; a failure is counted, logged at warn and backs off. */
  private async redial(node: Libp2p<{ pubsub: GossipSub }>, st: PeerState): Promise<void> {
    try {
      // our addresses go to the peer store, so a dial also tries the ones identify learnt (a peer that moved port)
      if (st.addrs.length) await node.peerStore.merge(st.id, { multiaddrs: st.addrs.map((a) => a.decapsulateCode(CODE_P2P)) });
      const known = st.addrs.length > 0 || (await node.peerStore.has(st.id));
      if (!known || this.stopped) return;
      this.totals.dialAttempts++;
      await node.dial(st.id, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(10_000)]) });
      st.dialBackoffMs = this.opts.redialMinMs;
    } catch (e) {
      if (this.stopped) return;
      const reason = dialErrorReason(e);
      st.dialFailures++;
      st.lastDialError = reason;
      this.totals.dialFailures++;
      const wait = jitter(st.dialBackoffMs);
      st.nextDialAt = this.d.clock.now().getTime() + wait;
      st.dialBackoffMs = Math.min(this.opts.redialMaxMs, st.dialBackoffMs * 2);
      this.d.logger.warn('dial failed', { peer: st.id.toString(), did: st.did, error: reason, failures: st.dialFailures, retryInMs: wait });
    }
  }

  private syncAll(reason: string): void {
    const node = this.node;
    if (!node || this.stopped) return;
    for (const p of node.getPeers()) this.schedule(p, reason);
  }

  /** Queues a round with a peer; never two concurrent rounds with the same peer (one more is queued behind). */
  private schedule(peer: PeerId, reason: string): void {
    const key = peer.toString();
    if (this.running.has(key)) {
      this.pending.set(key, reason);
      return;
    }
    void this.round(peer, reason);
  }

  private round(peer: PeerId, reason: string): Promise<void> {
    const key = peer.toString();
    const existing = this.running.get(key);
    if (existing) return existing;
    const p = this.runRound(peer, reason).finally(() => {
      this.running.delete(key);
      // release this round's authors and give deferred peers their turn
      if (this.releaseClaims(key)) this.wakeDeferred();
      const next = this.pending.get(key);
      if (next && !this.stopped) {
        this.pending.delete(key);
        this.schedule(peer, next);
      }
    });
    this.running.set(key, p);
    return p;
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
    if (this.stopped) return;
    const waiting = [...this.deferred];
    this.deferred.clear();
    for (const k of waiting) {
      const st = this.peers.get(k);
      if (st) this.schedule(st.id, 'deferred');
    }
  }

  /**
   * Releases the claims of a round none of whose claimed feeds has grown for claimStallMs (checked every second by
   * maintain()): a peer that announced heads it then does not send (hostile, or stuck) holds nobody back for longer.
   * The round itself goes on; entries it still brings are stored or counted as duplicates.
   */
  private releaseStalledClaims(): void {
    if (this.claimed.size === 0) {
      this.claimProgress.clear();
      return;
    }
    const seqs = new Map(this.d.replica.heads().map((h) => [h.author, h.seq] as const));
    const marks = new Map<string, number>();
    for (const [a, holder] of this.claimed) marks.set(holder, (marks.get(holder) ?? 0) + (seqs.get(a) ?? 0));
    for (const k of this.claimProgress.keys()) if (!marks.has(k)) this.claimProgress.delete(k);
    const now = this.d.clock.now().getTime();
    let released = false;
    for (const [holder, mark] of marks) {
      const p = this.claimProgress.get(holder);
      if (!p || p.mark !== mark) {
        this.claimProgress.set(holder, { mark, at: now });
        continue;
      }
      if (now - p.at < this.opts.claimStallMs) continue;
      this.releaseClaims(holder);
      this.totals.claimsReleased++;
      released = true;
      this.d.logger.debug('released the claims of a stalled round', { peer: holder, stalledMs: now - p.at });
    }
    if (released) this.wakeDeferred();
  }

  /** Whether a DID is a full member (may write any entry type), not a candidate. */
  private isFullMember(did: string | null): boolean {
    if (did === null) return false;
    return this.d.authorPolicy ? this.d.authorPolicy.check({ author: did, type: 'endorsement' }).ok : this.d.replica.isMember(did);
  }

  private async runRound(peer: PeerId, reason: string): Promise<void> {
    const node = this.node;
    if (!node || this.stopped) return;
    const st = this.state(peer);
    const t0 = performance.now();
    const startedAt = this.d.clock.now().toISOString();
    const signal = roundSignal(this.abort.signal, this.opts.roundTimeoutMs);
    let stream: Stream | null = null;
    try {
      stream = await node.dialProtocol(peer, this.protocol, { signal });
      const key = peer.toString();
      const deferredAuthors: string[] = [];
      // only a member peer's round claims authors: anyone can send a heads vector saying it is ahead on every feed,
      // and a claim it took would hold honest rounds back (a member's stalled claims are released: claimStallMs)
      const claims = this.isFullMember(st.did);
      const fig = await pullRound(this.d.replica, stream, signal, {
        tryClaim: (author) => {
          const holder = this.claimed.get(author);
          if (holder !== undefined && holder !== key) {
            deferredAuthors.push(author);
            return false;
          }
          if (claims) this.claimed.set(author, key);
          return true;
        },
      }, this.d.decoder);
      // retry the deferred authors when their holder is done (or right away if it already is)
      if (deferredAuthors.some((a) => !this.claimed.has(a))) this.pending.set(key, 'deferred');
      else if (deferredAuthors.length) this.deferred.add(key);
      await stream.close({ signal }).catch(() => stream?.abort(new Error('close failed')));
      st.rounds++;
      st.lastSeen = this.d.clock.now().getTime();
      st.rejectedEntries += fig.rejected.length;
      this.totals.roundsOk++;
      this.totals.entriesPulled += fig.entriesAccepted;
      this.totals.bytesIn += fig.bytesIn;
      this.totals.bytesOut += fig.bytesOut;
      // the peer's heads vector is a claim nobody signed: it never counts for lag (see onGossip)
      // ... but a member peer holding nothing of our own feed beyond our head (after this pull) confirms it is current
      if (this.d.ownFeed && st.did && this.d.replica.isMember(st.did)) this.d.ownFeed.observeRound(st.did, fig);
      const { remoteHeads: _r, ...figures } = fig;
      this.record({ peer: peer.toString(), did: st.did, direction: 'pull', reason, startedAt, durationMs: round1(performance.now() - t0), ...figures });
      if (fig.rejected.length) this.d.logger.warn('peer sent entries that were rejected', { peer: peer.toString(), rejected: fig.rejected.slice(0, 5) });
      if (fig.more) this.pending.set(peer.toString(), 'continue');
    } catch (e) {
      stream?.abort(e instanceof Error ? e : new Error(String(e)));
      st.failures++;
      this.totals.roundsFailed++;
      const msg = e instanceof ProtocolError ? e.message : String((e as Error)?.message ?? e);
      this.record({ peer: peer.toString(), did: st.did, direction: 'pull', reason, startedAt, durationMs: round1(performance.now() - t0), error: msg });
      if (!this.stopped) this.d.logger.debug('sync round failed', { peer: peer.toString(), error: msg });
    }
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const signal = roundSignal(this.abort.signal, this.opts.roundTimeoutMs);
    try {
      const r = await serveRound(this.d.replica, stream, signal, { batchSize: this.opts.batchSize, maxBatchBytes: this.opts.maxBatchBytes, maxEntriesPerRound: this.opts.maxEntriesPerRound });
      await stream.close({ signal }).catch(() => stream.abort(new Error('close failed')));
      this.totals.entriesServed += r.sent;
      this.totals.bytesIn += r.bytesIn;
      this.totals.bytesOut += r.bytesOut;
      const st = this.state(connection.remotePeer);
      st.lastSeen = this.d.clock.now().getTime();
      // the client told us its heads: pull back if it holds something we lack
      const mine = new Map(this.d.replica.heads().map((h) => [h.author, h.seq] as const));
      if (r.clientHeads.some(([a, s]) => (mine.get(a) ?? 0) < s)) this.schedule(connection.remotePeer, 'peer ahead');
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      if (!this.stopped) this.d.logger.debug('serving a sync round failed', { peer: connection.remotePeer.toString(), error: String((e as Error)?.message ?? e) });
    }
  }

  private async announce(entry: Entry): Promise<void> {
    const node = this.node;
    if (!node || this.stopped) return;
    const msg: HeadAnnouncement = { v: 1, author: entry.author, seq: entry.seq, id: entry.id };
    const json = JSON.stringify({ ...msg, entry });
    const data = new TextEncoder().encode(json.length <= this.opts.gossipInlineMaxBytes ? json : JSON.stringify(msg));
    try {
      await node.services.pubsub.publish(this.topic, data);
      this.totals.gossipOut++;
    } catch (e) {
      this.d.logger.debug('gossip publish failed', { error: String(e) });
    }
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
   * triggers a pull. Rejected messages lower the sender's gossipsub score (GOSSIP_SCORE_PARAMS).
   */
  private onGossip(peer: PeerId, data: Uint8Array): TopicValidatorResult {
    this.totals.gossipIn++;
    let msg: HeadAnnouncement;
    if (data.byteLength > this.opts.gossipMaxBytes) return this.rejectCheap(peer, null, 'too large');
    try {
      msg = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data)) as HeadAnnouncement;
      if (!msg || msg.v !== 1 || typeof msg.author !== 'string' || !Number.isSafeInteger(msg.seq) || typeof msg.id !== 'string') return TopicValidatorResult.Reject;
    } catch {
      return TopicValidatorResult.Reject;
    }
    // cheap checks: no canonicalisation, no hashing
    let type: unknown;
    if (msg.entry !== undefined) {
      const raw = msg.entry as Record<string, unknown> | null;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return this.rejectCheap(peer, msg, 'inline entry is not an object');
      if (raw.author !== msg.author || raw.seq !== msg.seq || raw.net !== this.d.replica.network || typeof raw.type !== 'string')
        return this.rejectCheap(peer, msg, 'inline entry is not the announced head');
      type = raw.type;
    }
    if (!this.mayWrite(msg.author, type as EntryType | undefined)) return this.rejectCheap(peer, msg, 'author may not write this');
    const head = this.d.replica.heads().find((h) => h.author === msg.author);
    if (head && head.seq >= msg.seq) {
      // relayed only when it announces exactly the head we hold (verified when we stored it), inline copy included
      if (head.seq !== msg.seq || head.id !== msg.id) return TopicValidatorResult.Ignore;
      if (msg.entry === undefined) return TopicValidatorResult.Accept;
      const held = this.d.replica.read(msg.author, msg.seq, 1)[0];
      return held && isDeepStrictEqual(JSON.parse(JSON.stringify(held)), msg.entry) ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
    }
    // an inline entry must be the announced head itself (its id recomputed), else the message lies
    let inline: Entry | null = null;
    if (msg.entry !== undefined) {
      const env = checkEnvelope(msg.entry);
      if (!env.ok || env.entry.author !== msg.author || env.entry.seq !== msg.seq || env.entry.id !== msg.id || env.entry.net !== this.d.replica.network) {
        this.totals.gossipHeadsRejected++;
        return TopicValidatorResult.Reject;
      }
      inline = env.entry;
    }
    if (inline && (head?.seq ?? 0) + 1 < msg.seq) {
      // ahead of us by more than one entry: the head counts for lag only once its author is a member and its
      // signature holds; then we pull the entries in between
      if (!this.d.replica.isMember(inline.author) || !verifyEntrySignature(inline)) {
        this.totals.gossipHeadsRejected++;
        this.warnHead(peer, msg, this.d.replica.isMember(inline.author) ? 'bad signature' : 'author is not a member');
        return TopicValidatorResult.Reject;
      }
      if ((this.knownHeads.get(msg.author) ?? 0) < msg.seq) this.knownHeads.set(msg.author, msg.seq);
    }
    if (msg.entry !== undefined && (head?.seq ?? 0) + 1 === msg.seq) {
      const r = this.d.replica.ingestOne(msg.entry);
      if (r.accepted === 1) {
        this.totals.gossipAccepted++;
        return TopicValidatorResult.Accept;
      }
      if (r.duplicates) return TopicValidatorResult.Accept;
      if (r.rejected.some((x) => ['bad_signature', 'invalid_entry', 'broken_chain', 'equivocation'].includes(x.code))) {
        this.d.logger.warn('rejected gossiped entry', { peer: peer.toString(), rejected: r.rejected[0] });
        if (r.rejected[0]?.code === 'equivocation') this.schedule(peer, 'fork announced');
        return TopicValidatorResult.Reject;
      }
    }
    // we are behind (or cannot verify it alone): pull from the peer that relayed it; do not relay
    this.schedule(peer, 'gossip hint');
    return TopicValidatorResult.Ignore;
  }

  /**
   * Whether `author` may write an entry of `type` (a bare announcement: any type a candidate may publish), by the
   * feed's author policy; this node's own feed always.
   */
  private mayWrite(author: string, type: EntryType | undefined): boolean {
    if (this.node && author === peerIdToDid(this.node.peerId)) return true;
    if (!this.d.authorPolicy) return this.d.replica.isMember(author);
    return this.d.authorPolicy.check({ author, type: type ?? 'profile' }).ok;
  }

  /** Refuses a gossip message on a cheap check (before any canonicalisation); counted and logged like other heads. */
  private rejectCheap(peer: PeerId, msg: HeadAnnouncement | null, reason: string): TopicValidatorResult {
    this.totals.gossipRejectedCheap++;
    this.totals.gossipHeadsRejected++;
    this.warnHead(peer, msg, reason);
    return TopicValidatorResult.Reject;
  }

  /** At warn once a minute at most (anyone can send these); the count is in totals.gossipHeadsRejected. */
  private warnHead(peer: PeerId, msg: HeadAnnouncement | null, reason: string): void {
    const now = this.d.clock.now().getTime();
    const fields = { peer: peer.toString(), author: msg?.author, seq: msg?.seq, reason, rejectedSoFar: this.totals.gossipHeadsRejected };
    if (now - this.headWarnedAt >= 60_000) {
      this.headWarnedAt = now;
      this.d.logger.warn('rejected gossiped head', fields);
    } else this.d.logger.debug('rejected gossiped head', fields);
  }

  private record(r: SyncRound): void {
    this.rounds.push(r);
    if (this.rounds.length > 100) this.rounds.shift();
  }
}

/**
 * Gossipsub peer scoring on the heads topic: only invalid messages (those onGossip rejects) count against a peer, by
 * the square of their decaying count: three cost -9 (no more gossip to it below -10), eight -64 (no more flood
 * publishing, below -50), nine -81 (graylisted, below -80: its messages are dropped before validation). The count
 * decays by 10% a second, so a peer stays below the graylist only while it sends less than about one message we
 * reject a second, and an honest peer that relayed a few we refused (membership not yet agreed) is forgiven within
 * half a minute. Mesh delivery rates are not scored (announcements are rare: a quiet honest peer must not
 * look like a failing one), nor is IP colocation (institutions behind one NAT, and test networks on 127.0.0.1).
 */
function gossipScoreParams(topic: string): Partial<PeerScoreParams> {
  return {
    IPColocationFactorWeight: 0,
    topics: {
      [topic]: createTopicScoreParams({
        topicWeight: 1,
        timeInMeshWeight: 0,
        firstMessageDeliveriesWeight: 0,
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        invalidMessageDeliveriesWeight: -1,
        invalidMessageDeliveriesDecay: 0.9,
      }),
    },
  };
}

/** At most this many checked heads are remembered (one per member; far more than any network has members). */
const KNOWN_HEADS_MAX = 4_096;

/** Why a dial failed, in one line (libp2p wraps one error per address tried in an AggregateError). */
function dialErrorReason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return e.errors.map((x: unknown) => dialErrorReason(x)).join('; ');
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export { MAX_FRAME_BYTES };

/**
 * The signal of one sync round (stop or timeout). libp2p and the framing add a listener per pending read or write on
 * the round's stream; a long round has many in flight over its life, so the default warning at 10 does not apply.
 */
function roundSignal(stop: AbortSignal, timeoutMs: number): AbortSignal {
  const s = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  setMaxListeners(0, s);
  return s;
}
