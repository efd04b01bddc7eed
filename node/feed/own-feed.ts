/**
 * Whether this node may append to its own feed. A unit whose database was lost or restored from an old copy, but
 * whose keys remain, would otherwise sign entries at sequence numbers its network already holds: a fork of its own
 * feed, which every peer records as equivocation and answers by freezing the institution. So the own feed is
 * "unconfirmed" until a sync round with a member peer shows that the peer holds nothing of it beyond this database's
 * head (entries it did hold are pulled first), or the operator says this node is alone or first (`--standalone`),
 * or the node is provably alone (no peers configured, no other member, its own feed present locally).
 *
 * The state lives in the database (`meta.own_feed`) so every process that writes to it obeys it: the running node
 * sets it at start and when a round confirms the head; the CLI only reads it. Must never confirm from local data
 * alone while peers could hold newer entries of this feed, and must never know about libp2p or HTTP.
 *
 * A read mirror (`mirror`) has no feed of its own: it is never confirmed, nothing waits for it, and every append is
 * refused with `mirror_read_only`, whatever the stored state or the operator's `standalone` says.
 */
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { MessageRef } from '../core/messages/index.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/database.js';
import type { Head } from './replica.js';

/** What confirmed the own feed: its creation (`mochila init`), a peer, the operator, or being provably alone. */
export type OwnFeedBasis = 'init' | 'peers' | 'standalone' | 'alone';

export interface OwnFeedState {
  confirmed: boolean;
  basis: OwnFeedBasis | null;
  /** When this state was set (ISO), null if never. */
  since: string | null;
  /** Why the feed is unconfirmed and what to do, or what confirmed it. */
  detail: string;
  /** DID of the peer whose heads confirmed it (basis `peers`). */
  peer?: string;
  /** The own feed's head seq when it was confirmed (0: empty). */
  seq?: number;
}

/** The heads a peer sent in a completed pull round, as the replicator saw them. */
export interface RoundHeads {
  /** The peer's heads digest equalled ours: it holds exactly what we hold. */
  digestsEqual: boolean;
  /** The peer's heads vector [author, seq, id] (empty when it sent none). */
  remoteHeads: readonly (readonly [string, number, string])[];
}

const KEY = 'own_feed';
const MIRROR: OwnFeedState = {
  confirmed: false,
  basis: null,
  since: null,
  detail: 'this node is a read mirror: it replicates the members\' feeds and never publishes one of its own',
};
const NEVER: OwnFeedState = {
  confirmed: false,
  basis: null,
  since: null,
  detail: 'this database has no record that it holds the latest entries of this node\'s own feed (new, replaced or restored database)',
};

export class OwnFeedGate {
  private readonly listeners = new Set<(s: OwnFeedState) => void>();

  constructor(
    private readonly d: {
      store: Store;
      clock: Clock;
      logger: Logger;
      /** This node's DID (author of its own feed). */
      author: string;
      /** The operator's word for this process (`--standalone`, MOCHILA_STANDALONE, node.json): always writable. */
      standalone: boolean;
      /** A read mirror (node.json "mirror", `--mirror`): never writable, never confirmed. */
      mirror?: boolean;
    },
  ) {}

  /** Whether this node is a read mirror (it never appends to a feed). */
  get mirror(): boolean {
    return this.d.mirror === true;
  }

  /** The stored state (the running node's view; a CLI process with `standalone` may write regardless). */
  state(): OwnFeedState {
    if (this.d.mirror) return MIRROR;
    // raw SQL: one meta row read at start and written on confirmation, next to the feed store's raw SQL it guards
    const row = this.d.store.statement('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
    if (!row) return NEVER;
    try {
      const v = JSON.parse(row.value) as OwnFeedState;
      return v && typeof v === 'object' && typeof v.confirmed === 'boolean' ? v : NEVER;
    } catch {
      return NEVER;
    }
  }

  /** Throws `own_feed_unconfirmed` with what to do, unless this process may append to the own feed. */
  assertWritable(): void {
    if (this.d.mirror)
      throw new RegistryError(
        'mirror_read_only',
        'This node is a read mirror: it replicates the members\' feeds and serves them, and never signs an entry of its own. ' +
          'Publish from the institution\'s own node (its admin API or `mochila` commands on its data folder).',
      );
    if (this.d.standalone) return;
    const st = this.state();
    if (st.confirmed) return;
    // the English keeps the state's specifics (logs, CLI, technicalDetail); people read what to do
    throw new RegistryError(
      'own_feed_unconfirmed',
      `This node will not sign new entries yet: ${st.detail}. Writing now could reuse a sequence number its network ` +
        'already holds (a fork that freezes this institution on every node). Start the node with its peers reachable ' +
        '(--bootstrap or the manifest\'s list): it recovers its own feed from them and then accepts writes; retry in a ' +
        'few seconds. Only if this node is alone, or the first of its network to start, and its database is current, ' +
        'start it with `mochila start --standalone`.',
      { ownFeed: st, message: { key: 'feed.ownUnconfirmed' } satisfies MessageRef },
    );
  }

  confirm(basis: OwnFeedBasis, detail: string, extra: { peer?: string } = {}): void {
    if (this.d.mirror) return;
    const was = this.state().confirmed;
    const head = this.ownHead();
    const st: OwnFeedState = { confirmed: true, basis, since: this.d.clock.now().toISOString(), detail, ...extra, seq: head?.seq ?? 0 };
    this.write(st);
    if (!was) {
      this.d.logger.info('own feed confirmed; this node may publish', { basis, detail, seq: st.seq, ...extra });
      for (const l of this.listeners) {
        try {
          l(st);
        } catch (e) {
          this.d.logger.error('own-feed listener failed', { error: String(e) });
        }
      }
    }
  }

  unconfirm(detail: string): void {
    if (this.d.mirror) return;
    this.write({ confirmed: false, basis: null, since: this.d.clock.now().toISOString(), detail });
  }

  /** Calls `listener` once the own feed becomes confirmed (not if it already is). Returns an unsubscribe function. */
  onConfirmed(listener: (s: OwnFeedState) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * After a completed pull round with a member peer (entries it had were pulled and stored first): confirms the own
   * feed when the peer held nothing of it beyond our head. A peer that sent no heads vector tells nothing; a peer
   * ahead of us (the pull stopped short, was deferred to another round, or was rejected) does not confirm. With no
   * entry of our own feed at all (every node's feed starts with `mochila init`'s entries, so this database was lost
   * or replaced), a peer that holds none either proves nothing (it may be new): only a peer that held the feed does.
   */
  observeRound(peerDid: string, r: RoundHeads): boolean {
    if (this.d.mirror) return false;
    if (this.state().confirmed) return true;
    const mine = this.ownHead();
    let why: string | null = null;
    if (r.digestsEqual) why = mine ? 'the peer holds exactly this replica' : null;
    else if (r.remoteHeads.length > 0) {
      const theirs = r.remoteHeads.find((h) => h[0] === this.d.author);
      if (!theirs) why = mine ? 'the peer holds no entry of this feed' : null;
      else if (mine && (mine.seq > theirs[1] || (mine.seq === theirs[1] && mine.id === theirs[2])))
        why = `the peer's head of this feed is seq ${theirs[1]}, ours ${mine.seq}`;
      else this.d.logger.info('own feed behind a peer; catching up before publishing', { peer: peerDid, ours: mine?.seq ?? 0, theirs: theirs[1] });
    }
    if (!why) return false;
    this.confirm('peers', `confirmed by a sync round with ${peerDid}: ${why}`, { peer: peerDid });
    return true;
  }

  private ownHead(): Head | null {
    const row = this.d.store.statement('SELECT head_seq AS seq, head_id AS id FROM feeds WHERE author = ?').get(this.d.author) as { seq: number; id: string } | undefined;
    return row ? { author: this.d.author, seq: row.seq, id: row.id } : null;
  }

  private write(st: OwnFeedState): void {
    this.d.store.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(st));
  }
}
