/**
 * The verifier wired to this node's replica: issuer keys and membership from the trust registry (a frozen feed's
 * institution is not a member), status lists and the catalogue as replicated, freshness and clock of the node.
 * Reads only the replica: it works offline and for credentials of any member. Must never read this unit's own
 * issued credentials (a credential is verified on what the network knows, whoever issued it).
 */
import type { Clock } from '../core/clock.js';
import type { FeedService } from '../feed/feed.service.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import type { IssuerKeyRegistry } from '../trust/issuer-keys.js';
import type { MembershipService } from '../trust/membership.js';
import { nameOf } from './issuing-unit.js';
import { microcredentialIdFromUri, type MicrocredentialRecordInput } from './ob3.js';
import type { StatusListRegistry } from './status-registry.js';
import { createVerifier, type Freshness, type Verifier, type VerifierDeps } from './verify.js';

export interface ReplicaVerifierDeps {
  feed: FeedService;
  catalogue: CatalogueService;
  institutions: InstitutionDirectory;
  issuerKeys: IssuerKeyRegistry;
  membership: MembershipService;
  statusLists: StatusListRegistry;
  clock: Clock;
  documentLoader: DocumentLoader;
  freshness?: () => Freshness;
  /** Evidence files this node stores, re-hashed when a credential naming them is verified (verify/evidence.ts). */
  evidence?: VerifierDeps['evidence'];
}

export function createReplicaVerifier(d: ReplicaVerifierDeps): Verifier {
  return createVerifier({
    trust: {
      lookupIssuerKey: (did) => {
        const k = d.issuerKeys.get(did);
        if (!k) return null;
        const inst = d.institutions.get(k.institution);
        return {
          institution: { did: k.institution, name: nameOf(inst, k.institution), country: inst?.profile.country ?? '' },
          member: d.membership.isMember(k.institution) && !d.feed.isFrozen(k.institution),
          publishedAt: k.publishedAt,
          validFrom: k.validFrom,
          revokedAt: k.revokedAt,
          revocationReason: k.revocationReason,
        };
      },
    },
    status: { lookup: (url) => d.statusLists.lookup(url), setSince: (url, index) => d.statusLists.setSince(url, index), reasonAt: (url, index) => d.statusLists.reasonAt(url, index) },
    catalogue: {
      lookup: (achievementId, globalId) => {
        const id = globalId ?? microcredentialIdFromUri(achievementId);
        if (!id) return null;
        const mc = d.catalogue.get(id);
        if (!mc) return null;
        return { record: mc.record as unknown as MicrocredentialRecordInput, globalId: mc.id, institutionDid: mc.author, withdrawnAt: mc.withdrawal?.at ?? null };
      },
    },
    freshness: () => d.freshness?.() ?? { asOf: d.clock.now().toISOString() },
    now: () => d.clock.now(),
    documentLoader: d.documentLoader,
    ...(d.evidence ? { evidence: d.evidence } : {}),
  });
}
