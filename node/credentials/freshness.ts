/**
 * How current this replica is, as verification reports state it: the time, and once replication runs, how many
 * entries the checked heads heard from peers are ahead of ours and how many peers are connected. The running node
 * attaches its replication source once; before that (or without replication) only the time is known.
 * Must never count a head that replication has not checked (that is the source's job) nor reach the network itself.
 */
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Freshness } from './verify.js';
import type { Head } from '../feed/replica.js';

export interface FreshnessProvider {
  get(): Freshness;
}

/** What replication tells about the network: checked heads ahead of this replica, and its peers. */
export interface ReplicationStatusSource {
  status(): { knownHeads?: Record<string, number>; peers: { connected: boolean }[] };
}

export class ReplicaFreshness implements FreshnessProvider {
  private replication: ReplicationStatusSource | null = null;

  constructor(
    private readonly d: { clock: Clock; heads: () => Pick<Head, 'author' | 'seq'>[] },
  ) {}

  /** The running node attaches its replicator; once. */
  attach(replication: ReplicationStatusSource): void {
    if (this.replication) throw new RegistryError('internal', 'a replication source is already attached');
    this.replication = replication;
  }

  get(): Freshness {
    const asOf = this.d.clock.now().toISOString();
    if (!this.replication) return { asOf };
    const st = this.replication.status();
    const mine = new Map(this.d.heads().map((h) => [h.author, h.seq] as const));
    let lag = 0;
    for (const [a, seq] of Object.entries(st.knownHeads ?? {})) lag += Math.max(0, seq - (mine.get(a) ?? 0));
    return { asOf, lagEntries: lag, peersConnected: st.peers.filter((p) => p.connected).length };
  }
}
