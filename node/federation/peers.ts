/**
 * The peers replication knows: member and bootstrap peers are kept connected (dialled by peer id, redialled with a
 * jittered, doubling backoff); any other peer is known only while connected and forgotten once it leaves, so the list
 * is bounded by members, bootstrap peers and maxConnections. A member of which no address is known (one with no
 * listener, behind a firewall) is dialled through the relays among the connected peers. Also what the network status
 * shows of each peer. Every time it reads comes from the replication clock. Must never read or write the registry.
 */
import type { PeerId } from '@libp2p/interface';
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { dialableFor, didToPeerId, parsePeerAddress, peerIdToDid } from './peer-ids.js';
import { boundedSignal, type HostNode, type PeerInfo, type Replication } from './replication-shared.js';

export interface PeerState {
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

/** How long one dial of a kept peer may take. */
const DIAL_TIMEOUT_MS = 10_000;

export class PeerBook {
  private readonly peers = new Map<string, PeerState>();
  private readonly dials = new Set<Promise<void>>();

  /** `busy(key)`: whether a sync round with that peer is running (its state is kept until the round ends). */
  constructor(
    private readonly r: Replication,
    private readonly busy: (key: string) => boolean,
  ) {}

  state(peer: PeerId): PeerState {
    const key = peer.toString();
    let st = this.peers.get(key);
    if (!st) {
      st = { id: peer, did: peerIdToDid(peer), lastSeen: null, rounds: 0, failures: 0, rejectedEntries: 0, dialBackoffMs: this.r.opts.redialMinMs, nextDialAt: 0, dialing: false, dialFailures: 0, lastDialError: null, bootstrap: false, addrs: [] };
      this.peers.set(key, st);
    }
    return st;
  }

  get(key: string): PeerState | undefined {
    return this.peers.get(key);
  }

  /**
   * Remembers the configured bootstrap peers (kept connected whatever their membership) and returns the addresses
   * that parse: one that cannot be parsed is skipped with a warning (passed on, it would fail much later inside
   * libp2p with a message that names nothing).
   */
  addBootstrap(addresses: readonly string[]): string[] {
    const ok: string[] = [];
    for (const a of addresses) {
      try {
        const { address, peerId } = parsePeerAddress(a);
        const st = this.state(peerId);
        st.bootstrap = true;
        this.addAddress(st, address);
        ok.push(a);
      } catch (e) {
        this.r.d.logger.warn('ignoring bad bootstrap address', { address: a, error: (e as Error).message });
      }
    }
    return ok;
  }

  /** A peer speaking our protocol identified itself: it is seen now and its dial backoff starts again. */
  identified(peer: PeerId): void {
    const st = this.state(peer);
    st.lastSeen = this.r.now();
    st.dialBackoffMs = this.r.opts.redialMinMs;
    st.dialFailures = 0;
    st.lastDialError = null;
  }

  /**
   * A peer disconnected: a member or bootstrap peer is redialled by maintain() after the shortest backoff (reset when
   * it connected), so a restarted peer comes back; any other peer is forgotten (never redialled, gone from the status).
   */
  disconnected(key: string): void {
    const st = this.peers.get(key);
    if (!st) return;
    if (!this.kept(st, new Set(this.r.d.members()))) {
      if (!this.busy(key)) this.peers.delete(key);
      return;
    }
    st.nextDialAt = this.r.now() + jitter(st.dialBackoffMs);
  }

  /** Only members' addresses are remembered (anyone on the LAN or in a routing table can be discovered). */
  discovered(peer: PeerId, multiaddrs: readonly Multiaddr[]): void {
    const did = peerIdToDid(peer);
    if (!did || !this.r.d.members().includes(did)) return;
    const st = this.state(peer);
    for (const a of multiaddrs) this.addAddress(st, a);
  }

  /**
   * Keeps member peers and bootstrap peers connected: a peer not connected is dialled when its time comes, at most
   * one dial at a time, and each failure doubles its wait (jittered, from redialMinMs up to redialMaxMs; a connection
   * resets it). Failures are logged at warn with the reason and counted (status, /api/v1/network). Any other peer is
   * never dialled and is forgotten once disconnected.
   */
  maintain(): void {
    const node = this.r.node();
    if (!node || this.r.stopped()) return;
    const members = new Set(this.r.d.members());
    const self = peerIdToDid(node.peerId);
    for (const did of members) {
      if (self === did) continue;
      try {
        this.state(didToPeerId(did));
      } catch {
        /* not an Ed25519 did:key */
      }
    }
    const connected = new Set(node.getPeers().map((p) => p.toString()));
    const now = this.r.now();
    for (const [key, st] of this.peers) {
      if (st.id.equals(node.peerId) || connected.has(key)) {
        if (connected.has(key)) st.lastSeen = now;
        continue;
      }
      if (!this.kept(st, members)) {
        if (!this.busy(key)) this.peers.delete(key); // e.g. served after it left, or no longer a member
        continue;
      }
      if (st.dialing || now < st.nextDialAt) continue;
      st.dialing = true;
      const dial = this.redial(node, st).finally(() => {
        st.dialing = false;
        this.dials.delete(dial);
      });
      this.dials.add(dial);
    }
  }

  /** Resolves once no dial is under way (stop() aborts them first). */
  async idle(): Promise<void> {
    while (this.dials.size) await Promise.allSettled([...this.dials]);
  }

  status(node: HostNode | null): PeerInfo[] {
    const connected = new Set(node?.getPeers().map((p) => p.toString()) ?? []);
    return [...this.peers.values()].map((p) => ({
      peerId: p.id.toString(),
      did: p.did,
      addresses: (node ? node.getConnections(p.id).map((c) => c.remoteAddr.toString()) : []).concat(p.addrs.map((a) => a.toString())).filter((v, i, a) => a.indexOf(v) === i),
      connected: connected.has(p.id.toString()),
      lastSeen: p.lastSeen ? new Date(p.lastSeen).toISOString() : null,
      rounds: p.rounds,
      failures: p.failures,
      rejectedEntries: p.rejectedEntries,
      dialFailures: p.dialFailures,
      lastDialError: p.lastDialError,
      nextDialAt: connected.has(p.id.toString()) ? null : new Date(p.nextDialAt).toISOString(),
    }));
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

  /** Whether the peer store holds an address of the peer that is not through a relay. */
  private async hasDirectAddress(node: HostNode, peer: PeerId): Promise<boolean> {
    if (!(await node.peerStore.has(peer))) return false;
    const p = await node.peerStore.get(peer);
    return p.addresses.some((a) => !a.multiaddr.getComponents().some((c) => c.name === 'p2p-circuit'));
  }

  /**
   * Adds `/p2p/<relay>/p2p-circuit` addresses for the peer through each connected peer that relays (dialled over the
   * open connection); whether there was any.
   */
  private async viaRelays(node: HostNode, peer: PeerId): Promise<boolean> {
    const relayed: Multiaddr[] = [];
    for (const relay of node.getPeers()) {
      if (relay.equals(peer)) continue;
      const known = await node.peerStore.get(relay).catch(() => null);
      if (known?.protocols.includes(RELAY_HOP_PROTOCOL)) relayed.push(multiaddr(`/p2p/${relay.toString()}/p2p-circuit`));
    }
    if (relayed.length) await node.peerStore.merge(peer, { multiaddrs: relayed });
    return relayed.length > 0;
  }

  /**
   * One dial of a peer not connected, by peer id; a failure is counted, logged at warn (at debug when the peer was
   * tried only through relays) and backs off.
   */
  private async redial(node: HostNode, st: PeerState): Promise<void> {
    let guessed = false; // tried only through relays (a member never heard of may simply not run yet: not a warning)
    try {
      // our addresses go to the peer store, so a dial also tries the ones identify learnt (a peer that moved port)
      if (st.addrs.length) await node.peerStore.merge(st.id, { multiaddrs: st.addrs.map((a) => a.decapsulateCode(CODE_P2P)) });
      // a member with no address of its own (behind a firewall, with no listener) is tried through the relays among
      // the peers connected now: it reserves a slot on a member that relays (host.ts)
      if (!st.addrs.length && !(await this.hasDirectAddress(node, st.id))) guessed = await this.viaRelays(node, st.id);
      const known = st.addrs.length > 0 || (await node.peerStore.has(st.id));
      if (!known || this.r.stopped()) return;
      this.r.totals.dialAttempts++;
      await node.dial(st.id, { signal: boundedSignal(this.r.stopSignal, DIAL_TIMEOUT_MS) });
      st.dialBackoffMs = this.r.opts.redialMinMs;
    } catch (e) {
      if (this.r.stopped()) return;
      const reason = dialErrorReason(e);
      st.dialFailures++;
      st.lastDialError = reason;
      this.r.totals.dialFailures++;
      const wait = jitter(st.dialBackoffMs);
      st.nextDialAt = this.r.now() + wait;
      st.dialBackoffMs = Math.min(this.r.opts.redialMaxMs, st.dialBackoffMs * 2);
      this.r.d.logger[guessed ? 'debug' : 'warn']('dial failed', { peer: st.id.toString(), did: st.did, error: reason, failures: st.dialFailures, retryInMs: wait, ...(guessed ? { throughRelaysOnly: true } : {}) });
    }
  }
}

/** The protocol a circuit relay v2 server speaks (a peer that supports it may hold relay slots). */
const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop';

/** Why a dial failed, in one line (libp2p wraps one error per address tried in an AggregateError). */
function dialErrorReason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return e.errors.map((x: unknown) => dialErrorReason(x)).join('; ');
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}
