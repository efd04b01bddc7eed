/**
 * Replication over libp2p, assembled: the host (host.ts), the peers kept connected (peers.ts), gossip of signed heads
 * for latency (head-gossip.ts), pull-sync rounds for correctness (sync-rounds.ts), and the status the network API
 * shows. Owns their lifecycle: start() brings them up in order; stop() stops everything new, aborts what runs, and
 * resolves only once no round, served stream or gossip can write to the registry any more, so the node may close its
 * database right after. Every time read comes from the injected clock. It reads and writes the registry only through
 * `FeedReplica`; it never relays an entry it could not verify.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connection, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { createHost } from './host.js';
import { HeadGossip } from './head-gossip.js';
import { PeerBook } from './peers.js';
import { SyncRounds } from './sync-rounds.js';
import { syncProtocolId } from './sync-protocol.js';
import { peerIdToDid } from './peer-ids.js';
import { forwardUpgrade, isUpgradeFor, refuseUpgrade, UpgradeGate, upgradeClient } from './ws-gateway.js';
import {
  DEFAULT_REPLICATOR_OPTIONS,
  emptyTotals,
  type HostNode,
  type PeerInfo,
  type Replication,
  type ReplicatorDeps,
  type ReplicatorOptions,
  type SyncRound,
} from './replication-shared.js';

export { DEFAULT_REPLICATOR_OPTIONS, type PeerInfo, type ReplicatorOptions, type SyncRound };
export { MAX_FRAME_BYTES } from './sync-protocol.js';

/** How often kept peers are checked (redialled when their time comes) and stalled claims released. */
const MAINTAIN_EVERY_MS = 1_000;

/** How long stop() waits for in-flight rounds before it says so at warn (it keeps waiting: see stop()). */
const SETTLE_WARN_MS = 5_000;

export class Replicator {
  private node: HostNode | null = null;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private decoderStarting: Promise<void> | null = null;
  private readonly abort = new AbortController();
  readonly totals = emptyTotals();
  private readonly opts: ReplicatorOptions;
  private readonly shared: Replication;
  private readonly peers: PeerBook;
  private readonly gossip: HeadGossip;
  private readonly rounds: SyncRounds;
  private wsPublic: string | null = null; // the WebSocket address others dial, once the HTTP server listens
  private wsPort: number | null = null; // libp2p's WebSocket listener on 127.0.0.1, which the HTTP server forwards to
  private wsGate: UpgradeGate | null = null; // what the WebSocket path forwards, per client (see UpgradeGate)

  constructor(private readonly d: ReplicatorDeps) {
    this.opts = { ...DEFAULT_REPLICATOR_OPTIONS, ...d.options };
    this.shared = {
      d,
      opts: this.opts,
      totals: this.totals,
      stopSignal: this.abort.signal,
      node: () => this.node,
      stopped: () => this.stopped,
      now: () => d.clock.now().getTime(),
    };
    this.peers = new PeerBook(this.shared, (key) => this.rounds.busy(key));
    this.rounds = new SyncRounds(this.shared, this.peers, syncProtocolId(d.replica.network));
    this.gossip = new HeadGossip(this.shared, `/mochila/${d.replica.network}/heads/1`, (peer, reason) => this.rounds.schedule(peer, reason));
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
    if (this.stopped) return;
    // addresses config.ts let through, plus the manifest's
    const bootstrapList = this.peers.addBootstrap(this.opts.bootstrap);
    const node = await createHost(this.d.seed, this.opts, this.gossip.topic, bootstrapList, {
      mayReserve: (peer) => {
        const did = peerIdToDid(peer);
        return did !== null && this.d.members().includes(did);
      },
      mayConnect: (peer, connected) => this.rounds.listed(peer) || connected.filter((p) => !this.rounds.listed(p)).length < this.opts.maxUnlistedConnections,
      wsAnnounce: () => this.wsPublic,
      wsListening: (port) => {
        this.wsPort = port;
      },
    });
    this.node = node;
    if (this.stopped) {
      await node.stop();
      return;
    }
    const protocol = this.rounds.protocol;
    await node.handle(protocol, (stream: Stream, connection: Connection) => this.rounds.serve(stream, connection), { maxInboundStreams: 16, maxOutboundStreams: 16, runOnLimitedConnection: true });

    const pubsub = node.services.pubsub;
    pubsub.topicValidators.set(this.gossip.topic, (peer, msg) => this.gossip.validate(peer, msg.data));
    pubsub.subscribe(this.gossip.topic);

    node.addEventListener('peer:identify', (e) => {
      const { peerId, protocols } = e.detail;
      if (!protocols.includes(protocol)) return;
      this.peers.identified(peerId);
      this.rounds.schedule(peerId, 'connected');
    });
    node.addEventListener('peer:disconnect', (e) => this.peers.disconnected(e.detail.toString()));
    node.addEventListener('peer:discovery', (e) => this.peers.discovered(e.detail.id, e.detail.multiaddrs));

    // only this node's own entries are announced (a remote one reached the others already)
    this.unsubscribe = this.d.replica.onEntry((entry) => void this.gossip.announce(entry), ['local']);

    const periodic = setInterval(() => this.syncAll('periodic'), this.opts.syncIntervalMs);
    const keepAlive = setInterval(() => this.maintain(), MAINTAIN_EVERY_MS);
    periodic.unref();
    keepAlive.unref();
    this.timers.push(periodic, keepAlive);
    this.maintain();
    this.d.logger.info('replication started', { peerId: this.peerId, addresses: this.addresses(), protocol });
  }

  /**
   * Stops replication. Nothing new starts from the first moment (no round, no served stream, no gossip ingested), and
   * what runs is aborted: each round ends at its next step (a read, a decode, or the next slice of a batch being
   * stored). Resolves only once no round and no served stream is left, however long that takes — that is what lets
   * the node close its database right after — and says so at warn if it takes longer than SETTLE_WARN_MS. libp2p and
   * the decoder's workers, which never touch the registry, are given `timeoutMs` to stop. Idempotent.
   */
  stop(timeoutMs = 5_000): Promise<void> {
    this.stopping ??= this.stopNow(timeoutMs);
    return this.stopping;
  }

  private async stopNow(timeoutMs: number): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('the node is stopping'));
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    const settled = Promise.all([this.rounds.idle(), this.peers.idle()]);
    const warn = setTimeout(() => this.d.logger.warn('replication is still finishing its in-flight rounds; the database stays open until they end', { waitedMs: SETTLE_WARN_MS }), SETTLE_WARN_MS);
    warn.unref();
    await settled;
    clearTimeout(warn);
    const node = this.node;
    const rest = (async () => {
      await node?.stop();
      await this.decoderStarting;
      await this.d.decoder?.stop();
    })().catch((e: unknown) => this.d.logger.warn('libp2p or the batch decoder did not stop cleanly', { error: String(e) }));
    await Promise.race([rest, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /**
   * The address others dial to reach this node's WebSocket path (ws-gateway.ts wsAddressFor), told by the node once its
   * HTTP server listens; announced from then on (identify), never the internal listener's.
   */
  announceWebSocket(address: string): void {
    this.wsPublic = address;
  }

  /**
   * An upgrade request reached the node's HTTP server: one for the WebSocket path goes to libp2p (true), any other is
   * left to the caller (false). Refused with 503 while libp2p is not listening (starting or stopping), and with 429
   * when its client is over the gateway's bounds (8 at once and 5 a second per client, maxConnections in all).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.opts.wsPath || !isUpgradeFor(req, this.opts.wsPath)) return false;
    if (this.stopped || this.wsPort === null) {
      refuseUpgrade(socket, 503);
      return true;
    }
    this.wsGate ??= new UpgradeGate({ perClient: 8, perClientPerSecond: 5, total: this.opts.maxConnections });
    const release = this.wsGate.admit(upgradeClient(req));
    if (!release) refuseUpgrade(socket, 429);
    else forwardUpgrade(req, socket, head, this.wsPort, release);
    return true;
  }

  /** Dials a peer (multiaddr string) now; for tests and the CLI. */
  async dial(address: string): Promise<void> {
    await this.node?.dial(multiaddr(address), { signal: AbortSignal.timeout(10_000) });
  }

  /** Runs a round with every connected peer that speaks our protocol and waits for them. */
  async syncAllNow(reason = 'manual'): Promise<void> {
    const node = this.node;
    if (!node) return;
    await Promise.allSettled(node.getPeers().map((p) => this.rounds.round(p, reason)));
  }

  status(): { peerId: string; addresses: string[]; peers: PeerInfo[]; rounds: SyncRound[]; totals: ReturnType<typeof emptyTotals>; knownHeads: Record<string, number> } {
    return {
      peerId: this.peerId,
      addresses: this.addresses(),
      peers: this.peers.status(this.node),
      rounds: this.rounds.recent(),
      totals: { ...this.totals },
      knownHeads: this.gossip.checkedHeadsAhead(),
    };
  }

  /** Every second: kept peers redialled when their time comes, stalled claims released. */
  private maintain(): void {
    if (!this.node || this.stopped) return;
    this.rounds.releaseStalledClaims();
    this.peers.maintain();
  }

  private syncAll(reason: string): void {
    const node = this.node;
    if (!node || this.stopped) return;
    for (const p of node.getPeers()) this.rounds.schedule(p, reason);
  }
}
