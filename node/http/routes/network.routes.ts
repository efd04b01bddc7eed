/**
 * Network status: peers, every known feed with its head and how far behind this node is, equivocations found,
 * and recent sync rounds. Read-only; must never trigger network activity.
 */
import { listBound } from '../../core/bounded-lists.js';
import type { Clock } from '../../core/clock.js';
import type { FeedService } from '../../feed/feed.service.js';
import type { OwnFeedGate } from '../../feed/own-feed.js';
import type { InstitutionDirectory } from '../../trust/institutions.js';
import type { Manifest } from '../../trust/manifest.js';
import type { MembershipService } from '../../trust/membership.js';
import type { RouteDef } from '../route-table.js';

export interface PeerStatus {
  peerId: string;
  did: string | null;
  addresses: string[];
  connected: boolean;
  lastSeen: string | null;
  dialFailures: number;
  lastDialError: string | null;
}

export interface FederationStatusSource {
  /** `knownHeads`: heads ahead of this replica heard on gossip and checked (member author, verified signature) only. */
  status(): { peerId: string; addresses: string[]; peers: PeerStatus[]; rounds: unknown[]; totals?: unknown; knownHeads?: Record<string, number> };
}

/** What the network status reads from the replica (the federation's own figures come from its status source). */
export interface NetworkRouteDeps {
  network: string;
  manifest: Pick<Manifest, 'name'>;
  clock: Pick<Clock, 'now'>;
  feed: Pick<FeedService, 'author' | 'heads' | 'headsDigest' | 'isFrozen' | 'equivocations' | 'headTimes'>;
  institutions: Pick<InstitutionDirectory, 'get'>;
  membership: Pick<MembershipService, 'statusOf' | 'directoryMembers'>;
  ownFeed: Pick<OwnFeedGate, 'state'>;
}

export function networkRoutes(s: NetworkRouteDeps, federation: FederationStatusSource | null): RouteDef[] {
  const handler: RouteDef['handler'] = (_req, res) => {
    const fed = federation?.status() ?? null;
    const known = fed?.knownHeads ?? {};
    const name = (did: string | null) => (did ? (s.institutions.get(did)?.profile.name ?? null) : null);
    const times = s.feed.headTimes();
    // the feeds of the members this answer lists (every founder and admitted member, the newest candidates) and of
    // this node: a candidate has a feed too, and any member can make any DID one, so not every feed of the replica
    // (lists.feeds says how many there are)
    const directory = s.membership.directoryMembers();
    const listedDids = new Set([s.feed.author, ...directory.members.map((m) => m.did)]);
    const heads = s.feed.heads();
    const feeds = heads.filter((h) => listedDids.has(h.author)).map((h) => {
      const best = Math.max(h.seq, known[h.author] ?? 0);
      return {
        author: h.author,
        institution: name(h.author),
        updatedAt: times.get(h.author) ?? null,
        member: s.membership.statusOf(h.author),
        head: { seq: h.seq, id: h.id },
        bestKnownSeq: best,
        behind: best - h.seq,
        frozen: s.feed.isFrozen(h.author),
      };
    });
    const fromHeads = feeds.length;
    for (const [author, seq] of Object.entries(known)) {
      if (!feeds.some((f) => f.author === author)) feeds.push({ author, institution: name(author), updatedAt: null, member: s.membership.statusOf(author), head: { seq: 0, id: '' }, bestKnownSeq: seq, behind: seq, frozen: false });
    }
    // every feed of the replica plus those known only from gossip (always listed: gossip counts members only)
    const feedTotal = heads.length + feeds.length - fromHeads;
    res.json({
      network: s.network,
      networkName: s.manifest.name,
      // the server's clock: the page says "updated 2 min ago" against it, not against the browser's
      now: s.clock.now().toISOString(),
      self: { did: s.feed.author, institution: name(s.feed.author), peerId: fed?.peerId ?? null, addresses: fed?.addresses ?? [] },
      federation: federation ? 'running' : 'disabled',
      // whether this node may publish: its own feed confirmed current with a peer (or by the operator's word)
      ownFeed: s.ownFeed.state(),
      digest: s.feed.headsDigest(),
      peers: (fed?.peers ?? []).map((p) => ({ ...p, institution: name(p.did) })),
      // every member and the newest 50 candidates (lists.candidates says how many there are)
      members: directory.members.map((m) => ({ ...m, institution: name(m.did) })),
      lists: {
        candidates: listBound(directory.candidates, directory.members.filter((m) => m.status === 'candidate').length),
        feeds: listBound(feedTotal, feeds.length),
      },
      feeds,
      equivocations: s.feed.equivocations().map((e) => ({ author: e.author, institution: name(e.author), seq: e.seq, storedId: e.storedId, conflictingId: e.conflictingId, detectedAt: e.detectedAt, proof: [e.storedEntry, e.conflictingEntry] })),
      rounds: fed?.rounds ?? [],
      totals: fed?.totals ?? null,
    });
  };
  return [
    {
      method: 'get',
      path: '/network',
      tag: 'network',
      summary: 'Peers (with failed dials and their reason), feeds with head and checked lag, equivocations, recent sync rounds and counters',
      response: 'api/network-status',
      handler,
    },
  ];
}
