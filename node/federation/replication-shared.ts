/**
 * What the parts of replication share (the host, peers, head gossip, sync rounds): options and their defaults, the
 * dependencies the node passes in, the running totals, and the one view of the replicator's state each part reads
 * (its libp2p node, whether it is stopping, the stop signal, and the time). Types and pure helpers only: must never
 * hold state or start anything.
 */
import { setMaxListeners } from 'node:events';
import type { Libp2p } from 'libp2p';
import type { GossipSub } from '@libp2p/gossipsub';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { EntryType } from '../feed/entry.js';
import type { FeedReplica } from '../feed/replica.js';
import type { BatchDecoder } from './batch-decoder.js';
import type { RoundFigures } from './sync-protocol.js';

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
  /**
   * Sync rounds served at once to peers that are neither members, bootstrap peers nor listed mirrors (unlisted read
   * mirrors, nodes waiting for admission, anyone): one more is refused at once and the peer retries on its next round.
   */
  maxUnlistedServes: number;
  /**
   * Connections of peers that are neither members, bootstrap peers nor listed mirrors held at once (checked on an
   * inbound one once the peer's id is authenticated): one more is refused, so such peers, however many ids they make
   * up, never take the rest of maxConnections from the members.
   */
  maxUnlistedConnections: number;
  /**
   * Listen on TCP at listenHost:listenPort (default). false: no TCP listener; the node dials out, and is reached
   * through the WebSocket path when `wsPath` is set, or else through a relay slot it reserves on a member.
   */
  tcpListen: boolean;
  /** libp2p over WebSocket on the node's HTTP server at this path (e.g. `/p2p`, see ws-gateway.ts); absent: off. */
  wsPath?: string;
  /** A reachable node relays for members that have no listener (circuit relay v2, reservations for members only). */
  relay: boolean;
  /** Reservations this node holds for members at once. */
  relayMaxReservations: number;
  /** How long one relayed connection may last; the members redial when it ends. */
  relayDurationLimitMs: number;
  /** Bytes one relayed connection may carry (both ways); the members redial when it is spent. */
  relayDataLimitBytes: number;
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
  maxUnlistedServes: 4,
  maxUnlistedConnections: 100,
  tcpListen: true,
  relay: true,
  relayMaxReservations: 64,
  relayDurationLimitMs: 10 * 60_000,
  relayDataLimitBytes: 256 * 1024 * 1024,
};

/** What the node gives the replicator. */
export interface ReplicatorDeps {
  replica: FeedReplica;
  seed: Uint8Array;
  logger: Logger;
  /** Every time replication reads (peers' last contact, dial backoff, stalled claims, round start and duration). */
  clock: Clock;
  members: () => string[]; // DIDs to keep connected
  /** Peer ids of read mirrors (node.json "mirrors") served like members, outside the bound on unlisted peers' rounds. */
  mirrors?: readonly string[];
  /**
   * Who may write which entry type (the feed's AuthorPolicy: members anything, candidates profile, membership and
   * issuer-key): gossip from anyone else is refused before it is parsed as an entry. Absent: replica.isMember.
   */
  authorPolicy?: { check(entry: { author: string; type: EntryType }): { ok: boolean } };
  /** Told the heads of every completed round with a member peer: confirms this node's own feed (own-feed.ts). */
  ownFeed?: { observeRound(peerDid: string, r: { digestsEqual: boolean; remoteHeads: readonly (readonly [string, number, string])[] }): boolean };
  decoder?: BatchDecoder; // decodes incoming batches off the main thread; started and stopped with the replicator
  /** Told every failed round's reason class (GET /metrics); absent: not counted. */
  metrics?: Pick<Metrics, 'syncRoundFailed'>;
  options: Partial<ReplicatorOptions> & Pick<ReplicatorOptions, 'listenHost' | 'listenPort' | 'bootstrap'>;
}

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

export type ReplicationTotals = ReturnType<typeof emptyTotals>;

export function emptyTotals() {
  return { roundsOk: 0, roundsFailed: 0, entriesPulled: 0, entriesServed: 0, bytesIn: 0, bytesOut: 0, gossipIn: 0, gossipOut: 0, gossipAccepted: 0, gossipHeadsRejected: 0, gossipRejectedCheap: 0, dialAttempts: 0, dialFailures: 0, claimsReleased: 0, servesRefused: 0 };
}

export type HostNode = Libp2p<{ pubsub: GossipSub }>;

/** The replicator's state as its parts read it. */
export interface Replication {
  readonly d: ReplicatorDeps;
  readonly opts: ReplicatorOptions;
  readonly totals: ReplicationTotals;
  /** The libp2p node, null before start() has created it. */
  node(): HostNode | null;
  /** True from the moment stop() is called: nothing new starts (no round, no serve, no ingest of gossip). */
  stopped(): boolean;
  /** Aborted by stop(): every round, served stream and dial derives its signal from it. */
  readonly stopSignal: AbortSignal;
  /** Milliseconds since the epoch, from the injected clock (never Date.now() nor performance.now()). */
  now(): number;
}

/**
 * A signal aborted by stop or after `timeoutMs`. libp2p and the framing add a listener per pending read or write on
 * a round's stream; a long round has many in flight over its life, so the default warning at 10 does not apply.
 */
export function boundedSignal(stop: AbortSignal, timeoutMs: number): AbortSignal {
  const s = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  setMaxListeners(0, s);
  return s;
}
