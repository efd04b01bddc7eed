/**
 * The narrow interface through which the node's modules report the few events that must be counted as they happen
 * (a sync round failing, entries refused by the replica, an HTTP request answered), and the no-op default. The
 * Prometheus side (node/ops/metrics.ts) implements it; everything else that /metrics shows is read at scrape time.
 * Must never import prom-client nor hold a metric itself: domain modules see only this interface. Must never import
 * any other part of the node (core is the bottom tier; the replica's counting wrapper is node/feed/counting-replica.ts).
 */
export interface Metrics {
  /** A pull-sync round with a peer failed; `reason` is one of ROUND_FAILURE_REASONS (see roundFailureReason). */
  syncRoundFailed(reason: RoundFailureReason): void;
  /** Entries the replica refused, `n` of them with this reason code (bad_signature, broken_chain, not_a_member, …). */
  entriesRejected(code: string, n: number): void;
  /** An HTTP request answered: its route pattern (never the raw URL), status and duration. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
}

export const noopMetrics: Metrics = {
  syncRoundFailed: () => {},
  entriesRejected: () => {},
  httpRequest: () => {},
};

export const ROUND_FAILURE_REASONS = ['timeout', 'aborted', 'protocol', 'unsupported_protocol', 'connection', 'other'] as const;
export type RoundFailureReason = (typeof ROUND_FAILURE_REASONS)[number];

/**
 * A failed round's error in a few classes (a bounded label): the round's time limit, the node stopping, the peer
 * breaking the sync protocol (ProtocolError: malformed frames, unasked-for batches, …), a peer that does not speak it,
 * and the connection or stream failing under it. The error's name decides, never its message (which a peer may set).
 */
export function roundFailureReason(e: unknown): RoundFailureReason {
  const name = e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : '';
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') return 'aborted';
  if (name === 'ProtocolError') return 'protocol';
  if (name === 'UnsupportedProtocolError' || name === 'ProtocolNegotiationError') return 'unsupported_protocol';
  if (/Connection|Stream|Muxer|Dial|Reset|Closed|Transport|Encryption/i.test(name)) return 'connection';
  if (e instanceof Error && /the node is stopping/.test(e.message)) return 'aborted';
  return 'other';
}
