/**
 * Registry routes: this node, institutions, DIDs, feeds (raw signed entries, for audit and for
 * verifiers). Read-only and public. Must never expose local-only state (issued credentials, tokens).
 */
import { LIST_LIMIT, listBound } from '../../core/bounded-lists.js';
import { RegistryError } from '../../core/errors.js';
import { userError } from '../../core/messages/index.js';
import type { PublicUrlProvider } from '../../core/public-url.js';
import type { SchemaRegistry } from '../../core/schema-registry.js';
import type { FeedService } from '../../feed/feed.service.js';
import { isEd25519DidKey } from '../../identity/keys.js';
import type { CatalogueService } from '../../catalogue/catalogue.service.js';
import type { RecognitionService } from '../../recognition/recognition.service.js';
import type { StatusListRegistry } from '../../credentials/status-registry.js';
import type { EndorsementService } from '../../trust/endorsements.js';
import type { InstitutionDirectory } from '../../trust/institutions.js';
import type { InstitutionService } from '../../trust/institution.service.js';
import type { IssuerKeyRegistry } from '../../trust/issuer-keys.js';
import type { IssuerKeyLifecycle } from '../../trust/key-lifecycle.js';
import type { Manifest } from '../../trust/manifest.js';
import type { MembershipService } from '../../trust/membership.js';
import { institutionRef, microcredentialSummary } from '../present.js';
import { param, type RouteDef } from '../route-table.js';

/** What the public registry routes read. */
export interface RegistryRouteDeps {
  network: string;
  manifest: Pick<Manifest, 'name'>;
  startedAt: Date;
  feed: Pick<FeedService, 'author' | 'head' | 'heads' | 'headsDigest' | 'isFrozen' | 'read' | 'get' | 'equivocations'>;
  institutions: Pick<InstitutionDirectory, 'get' | 'list'>;
  membership: Pick<MembershipService, 'isMember' | 'statusOf' | 'endorsersOf' | 'directoryMembers' | 'endorsementsAmong' | 'endorsementsOf' | 'threshold'>;
  issuerKeys: Pick<IssuerKeyRegistry, 'forInstitution' | 'get'>;
  catalogue: Pick<CatalogueService, 'countByInstitution' | 'byInstitution'>;
  institution: Pick<InstitutionService, 'currentIssuer'>;
  recognition: Pick<RecognitionService, 'institutionAccreditations' | 'decisionList'>;
  statusLists: Pick<StatusListRegistry, 'nodeOrigin'>;
}

export interface RegistryRouteOptions {
  publicUrl: PublicUrlProvider;
  resolveDid: (did: string) => Promise<unknown>;
  version: string;
  p2p?: () => { peerId: string; addresses: string[] } | null;
  /** This node is a read mirror (not a member, publishes nothing). */
  mirror?: boolean;
}

export function registryRoutes(s: RegistryRouteDeps, opts: RegistryRouteOptions): RouteDef[] {
  const r: RouteDef[] = [];
  const get = (path: string, tag: string, summary: string, handler: RouteDef['handler'], more: Partial<RouteDef> = {}) => r.push({ method: 'get', path, tag, summary, handler, ...more });

  get('/node', 'node', 'This node: institution DID, network, versions', (_req, res) => {
    const own = s.institutions.get(s.feed.author);
    res.json({
      did: s.feed.author,
      name: own?.profile.name ?? {},
      shortName: own?.profile.shortName ?? null,
      country: own?.profile.country ?? null,
      network: s.network,
      networkName: s.manifest.name,
      member: s.membership.isMember(s.feed.author),
      memberStatus: s.membership.statusOf(s.feed.author),
      mirror: opts.mirror === true,
      issuerKey: s.institution.currentIssuer.did,
      peerId: opts.p2p?.()?.peerId ?? null,
      p2pAddresses: opts.p2p?.()?.addresses ?? [],
      httpUrl: opts.publicUrl.get(),
      version: opts.version,
      startedAt: s.startedAt.toISOString(),
      feed: s.feed.head(s.feed.author),
    });
  });

  const institutionJson = (did: string, counts = s.catalogue.countByInstitution()) => {
    const inst = s.institutions.get(did);
    return {
      ...institutionRef(did, inst?.profile),
      kind: inst?.profile.kind ?? 'hei',
      member: s.membership.isMember(did),
      memberStatus: s.membership.statusOf(did),
      endorsedBy: s.membership.endorsersOf(did),
      profile: inst?.profile ?? null,
      updatedAt: inst?.updatedAt ?? null,
      microcredentialCount: counts.get(did) ?? 0,
      issuerKeys: s.issuerKeys.forInstitution(did).map((k) => ({
        keyId: k.keyId,
        validFrom: k.validFrom,
        publishedAt: k.publishedAt,
        revokedAt: k.revokedAt,
        revocationReason: k.revocationReason,
      })),
      feed: s.feed.head(did),
      frozen: s.feed.isFrozen(did),
      nodeUrl: s.statusLists.nodeOrigin(did),
    };
  };

  get('/institutions', 'registry', 'Institutions of the network (directory)', (req, res) => {
    const country = typeof req.query.country === 'string' ? req.query.country.toUpperCase() : undefined;
    if (country !== undefined && !/^[A-Z]{2}$/.test(country)) throw new RegistryError('validation_failed', 'country must be an ISO 3166-1 alpha-2 code');
    // every member, but only the newest LIST_LIMIT candidates (a member's endorsement makes any DID one); the
    // endorsements between the institutions listed (what the directory draws), read in SQL
    const directory = s.membership.directoryMembers();
    // a profile alone does not list an institution: a candidate may publish one (and its endorsement may be withdrawn
    // again), so only members, the candidates above and this node's own institution are listed from the profiles
    const shownCandidates = new Set(directory.members.filter((m) => m.status === 'candidate').map((m) => m.did));
    const listable = (did: string) => s.membership.isMember(did) || shownCandidates.has(did) || did === s.feed.author;
    const dids = new Set(s.institutions.list(country ? { country } : {}).map((i) => i.did).filter(listable));
    if (!country) for (const m of directory.members) dids.add(m.did);
    const counts = s.catalogue.countByInstitution();
    const listed = [...dids];
    res.json({
      items: listed.map((did) => institutionJson(did, counts)),
      endorsements: s.membership.endorsementsAmong(listed),
      threshold: s.membership.threshold,
      lists: { candidates: listBound(directory.candidates, directory.members.filter((m) => m.status === 'candidate').length) },
    });
  }, { query: [{ name: 'country', description: 'ISO 3166-1 alpha-2' }], response: 'api/institution-list' });

  get('/institutions/:did', 'registry', 'One institution: profile, keys, catalogue, endorsements, accreditations, decisions (each list the first 50, with `lists` saying how many there are in all and where to page through them)', (req, res) => {
    const did = param(req, 'did');
    if (!s.institutions.get(did) && s.membership.statusOf(did) === 'none')
      throw userError('not_found', 'registry.institutionNotFound', { did: String(did).slice(0, 200) });
    const prof = s.institutions.get(did)?.profile;
    // lists that grow with what members publish: the first LIST_LIMIT of each (SQL LIMIT), and how many in all
    const json = institutionJson(did);
    const catalogue = s.catalogue.byInstitution(did, false, { limit: LIST_LIMIT });
    const endorsements = s.membership.endorsementsOf(did);
    const accreditations = s.recognition.institutionAccreditations(did);
    const decisions = s.recognition.decisionList({ institution: did });
    const q = encodeURIComponent(did);
    res.json({
      ...json,
      catalogue: catalogue.map((m) => microcredentialSummary({ id: m.id, record: m.record, status: m.status, updatedAt: m.updatedAt }, institutionRef(did, prof))),
      endorsements: endorsements.items,
      // accreditations of the institution in force (and those no longer in force, as history), and the recognition
      // decisions it published (newest first)
      accreditations: accreditations.inForce.items,
      accreditationHistory: accreditations.history.items,
      decisions: decisions.items,
      lists: {
        catalogue: listBound(json.microcredentialCount, catalogue.length, `/api/v1/microcredentials?institution=${q}`),
        endorsements: listBound(endorsements.total, endorsements.items.length),
        accreditations: listBound(accreditations.inForce.total, accreditations.inForce.items.length),
        accreditationHistory: listBound(accreditations.history.total, accreditations.history.items.length),
        decisions: listBound(decisions.total, decisions.items.length, `/api/v1/recognitions?institution=${q}`),
      },
    });
  }, { response: 'api/institution-detail' });

  get('/dids/:did', 'registry', 'DID document plus what the registry knows of the DID', async (req, res) => {
    const did = param(req, 'did');
    if (!isEd25519DidKey(did.split('#')[0]!)) throw new RegistryError('validation_failed', 'only Ed25519 did:key DIDs are supported');
    const base = did.split('#')[0]!;
    const resolution = await opts.resolveDid(base);
    const asInstitution = s.institutions.get(base) || s.membership.statusOf(base) !== 'none' ? institutionJson(base) : null;
    const asIssuerKey = s.issuerKeys.get(base);
    res.json({
      did: base,
      didResolution: resolution,
      registry: {
        institution: asInstitution,
        issuerKey: asIssuerKey
          ? { ...asIssuerKey, institutionName: s.institutions.get(asIssuerKey.institution)?.profile.name ?? null, member: s.membership.isMember(asIssuerKey.institution) }
          : null,
      },
    });
  });

  get('/feeds', 'feeds', 'Heads of every feed held, and their digest', (_req, res) => {
    res.json({ network: s.network, digest: s.feed.headsDigest(), heads: s.feed.heads().map((h) => ({ ...h, frozen: s.feed.isFrozen(h.author) })) });
  });

  get('/feeds/:did', 'feeds', 'Signed entries of one feed from a sequence number', (req, res) => {
    const did = param(req, 'did');
    const fromRaw = req.query.from ?? '1';
    const limitRaw = req.query.limit ?? '500';
    const from = Number(fromRaw);
    const limit = Number(limitRaw);
    if (typeof fromRaw !== 'string' || !Number.isInteger(from) || from < 1) throw new RegistryError('validation_failed', 'from must be an integer >= 1');
    if (typeof limitRaw !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RegistryError('validation_failed', 'limit must be an integer between 1 and 1000');
    const head = s.feed.head(did);
    if (!head) throw new RegistryError('not_found', `this node holds no feed of ${did}`);
    const entries = s.feed.read(did, from, limit);
    res.json({ author: did, head, frozen: s.feed.isFrozen(did), from, entries, next: entries.length === limit ? from + limit : null });
  }, { query: [{ name: 'from', description: 'First seq (default 1)' }, { name: 'limit', description: '1-1000 (default 500)' }] });

  get('/entries/:id', 'feeds', 'One signed entry by id', (req, res) => {
    const e = s.feed.get(param(req, 'id'));
    if (!e) throw new RegistryError('not_found', `no entry ${param(req, 'id')}`);
    res.json(e);
  });

  get('/equivocations', 'feeds', 'Proofs of equivocation (two signed entries with the same author and seq)', (_req, res) => {
    res.json({ items: s.feed.equivocations() });
  });

  // reference data (the live set) is served by reference.routes.ts
  return r;
}

/** What the institution's admin routes use: its profile, its issuer keys' lifecycle, its endorsements. */
export interface InstitutionAdminRouteDeps {
  schemas: Pick<SchemaRegistry, 'assertValid'>;
  institution: Pick<InstitutionService, 'publishProfile'>;
  issuerKeyLifecycle: Pick<IssuerKeyLifecycle, 'rotate' | 'declareCompromised'>;
  endorsements: Pick<EndorsementService, 'endorse'>;
}

export function institutionAdminRoutes(s: InstitutionAdminRouteDeps): RouteDef[] {
  return [
    {
      method: 'put',
      path: '/profile',
      scope: 'admin',
      tag: 'admin',
      summary: "Publish the institution's profile",
      body: 'profile',
      handler: (req, res) => {
        res.json(s.institution.publishProfile(req.body));
      },
    },
    {
      method: 'post',
      path: '/keys/rotate',
      scope: 'admin',
      tag: 'admin',
      summary: 'Rotate the issuer key (optionally revoking the old one as compromised from a date; its status lists are then re-signed with the new key)',
      body: { schema: 'api/key-rotation', optional: true },
      handler: async (req, res) => {
        const body = (req.body ?? {}) as { compromisedSince?: unknown; note?: unknown };
        let compromisedSince: Date | undefined;
        if (body.compromisedSince !== undefined) {
          if (typeof body.compromisedSince !== 'string' || Number.isNaN(Date.parse(body.compromisedSince)))
            throw new RegistryError('validation_failed', 'compromisedSince must be an ISO 8601 date-time');
          compromisedSince = new Date(body.compromisedSince);
        }
        if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 2000))
          throw new RegistryError('validation_failed', 'note must be a string of at most 2000 characters');
        res.json(await s.issuerKeyLifecycle.rotate({ ...(compromisedSince ? { compromisedSince } : {}), ...(typeof body.note === 'string' ? { note: body.note } : {}) }));
      },
    },
    {
      method: 'post',
      path: '/keys/compromise',
      scope: 'admin',
      tag: 'admin',
      summary: 'Declare an earlier issuer key compromised from a date (it never signs again; its status lists are re-signed with the current key)',
      body: 'api/key-compromise',
      handler: async (req, res) => {
        s.schemas.assertValid('api/key-compromise', req.body);
        const b = req.body as { keyId: string; since: string; note?: string };
        res.json(await s.issuerKeyLifecycle.declareCompromised(b.keyId, new Date(b.since), b.note));
      },
    },
    {
      method: 'post',
      path: '/endorsements',
      scope: 'admin',
      tag: 'admin',
      summary: 'Endorse an institution for admission to the network',
      body: 'entries/endorsement',
      handler: (req, res) => {
        res.status(201).json(s.endorsements.endorse(req.body ?? {}));
      },
    },
  ];
}
