/**
 * Network status: peers, every known feed with its head and how far behind this node is, equivocations found,
 * and recent sync rounds. Read-only; must never trigger network activity.
 */
import { Router } from 'express';
import type { Services } from '../../context.js';
import type { HttpExtension } from '../app.js';

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

export function networkExtension(s: Services, federation: FederationStatusSource | null): HttpExtension {
  const r = Router();
  r.get('/network', (_req, res) => {
    const fed = federation?.status() ?? null;
    const known = fed?.knownHeads ?? {};
    const name = (did: string | null) => (did ? (s.institutions.get(did)?.profile.name ?? null) : null);
    const feeds = s.feed.heads().map((h) => {
      const best = Math.max(h.seq, known[h.author] ?? 0);
      return {
        author: h.author,
        institution: name(h.author),
        member: s.membership.statusOf(h.author),
        head: { seq: h.seq, id: h.id },
        bestKnownSeq: best,
        behind: best - h.seq,
        frozen: s.feed.isFrozen(h.author),
      };
    });
    for (const [author, seq] of Object.entries(known)) {
      if (!feeds.some((f) => f.author === author)) feeds.push({ author, institution: name(author), member: s.membership.statusOf(author), head: { seq: 0, id: '' }, bestKnownSeq: seq, behind: seq, frozen: false });
    }
    res.json({
      network: s.network,
      networkName: s.manifest.name,
      self: { did: s.feed.author, peerId: fed?.peerId ?? null, addresses: fed?.addresses ?? [] },
      federation: federation ? 'running' : 'disabled',
      // whether this node may publish: its own feed confirmed current with a peer (or by the operator's word)
      ownFeed: s.ownFeed.state(),
      digest: s.feed.headsDigest(),
      peers: (fed?.peers ?? []).map((p) => ({ ...p, institution: name(p.did) })),
      members: s.membership.members().map((m) => ({ ...m, institution: name(m.did) })),
      feeds,
      equivocations: s.feed.equivocations().map((e) => ({ author: e.author, institution: name(e.author), seq: e.seq, storedId: e.storedId, conflictingId: e.conflictingId, detectedAt: e.detectedAt, proof: [e.storedEntry, e.conflictingEntry] })),
      rounds: fed?.rounds ?? [],
      totals: fed?.totals ?? null,
    });
  });
  return {
    publicRouter: r,
    operations: [{ method: 'get', path: '/api/v1/network', tag: 'network', summary: 'Peers (with failed dials and their reason), feeds with head and checked lag, equivocations, recent sync rounds and counters', response: 'api/network-status' }],
  };
}
