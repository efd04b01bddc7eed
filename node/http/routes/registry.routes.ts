/**
 * Registry routes: this node, institutions, DIDs, feeds (raw signed entries, for audit and for
 * verifiers), and reference data. Read-only and public. Must never expose local-only state (issued credentials, tokens).
 */
import { Router } from 'express';
import { RegistryError } from '../../core/errors.js';
import type { Services } from '../../context.js';
import { isEd25519DidKey } from '../../identity/keys.js';
import { institutionRef, microcredentialSummary } from '../present.js';
import { loadReferenceData } from '../../catalogue/reference-data.js';

export function registryRouter(s: Services, opts: { publicUrl: () => string; resolveDid: (did: string) => Promise<unknown>; version: string; p2p?: () => { peerId: string; addresses: string[] } | null }): Router {
  const r = Router();

  r.get('/node', (_req, res) => {
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
      issuerKey: s.institution.currentIssuer.did,
      peerId: opts.p2p?.()?.peerId ?? null,
      p2pAddresses: opts.p2p?.()?.addresses ?? [],
      httpUrl: opts.publicUrl(),
      version: opts.version,
      startedAt: s.startedAt.toISOString(),
      feed: s.feed.head(s.feed.author),
    });
  });

  const institutionJson = (did: string) => {
    const inst = s.institutions.get(did);
    const counts = s.catalogue.countByInstitution();
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
    };
  };

  r.get('/institutions', (req, res) => {
    const country = typeof req.query.country === 'string' ? req.query.country.toUpperCase() : undefined;
    if (country !== undefined && !/^[A-Z]{2}$/.test(country)) throw new RegistryError('validation_failed', 'country must be an ISO 3166-1 alpha-2 code');
    const dids = new Set(s.institutions.list(country ? { country } : {}).map((i) => i.did));
    if (!country) for (const m of s.membership.members()) dids.add(m.did);
    res.json({ items: [...dids].map(institutionJson), endorsements: s.membership.endorsements(), threshold: s.membership.threshold });
  });

  r.get('/institutions/:did', (req, res) => {
    const did = req.params.did;
    if (!s.institutions.get(did) && s.membership.statusOf(did) === 'none')
      throw new RegistryError('not_found', `no institution ${did} in this node's replica`);
    const prof = s.institutions.get(did)?.profile;
    res.json({
      ...institutionJson(did),
      catalogue: s.catalogue
        .byInstitution(did)
        .map((m) => microcredentialSummary({ id: m.id, record: m.record, status: m.status, updatedAt: m.updatedAt }, institutionRef(did, prof))),
      endorsements: s.membership.endorsements().filter((e) => e.author === did || e.subject === did),
    });
  });

  r.get('/dids/:did', async (req, res) => {
    const did = req.params.did;
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

  r.get('/feeds', (_req, res) => {
    res.json({ network: s.network, digest: s.feed.headsDigest(), heads: s.feed.heads().map((h) => ({ ...h, frozen: s.feed.isFrozen(h.author) })) });
  });

  r.get('/feeds/:did', (req, res) => {
    const did = req.params.did;
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
  });

  r.get('/entries/:id', (req, res) => {
    const e = s.feed.get(req.params.id);
    if (!e) throw new RegistryError('not_found', `no entry ${req.params.id}`);
    res.json(e);
  });

  r.get('/equivocations', (_req, res) => {
    res.json({ items: s.feed.equivocations() });
  });

  const ref = loadReferenceData();
  r.get('/reference/credit-systems', (_req, res) => res.json(ref.creditSystems));
  r.get('/reference/levels', (_req, res) => res.json(ref.levels));
  r.get('/reference/isced-f', (_req, res) => res.json(ref.iscedF));
  return r;
}

export function institutionAdminRouter(s: Services): Router {
  const r = Router();
  r.put('/profile', (req, res) => {
    const p = s.institution.publishProfile(req.body);
    res.json(p);
  });
  r.post('/keys/rotate', async (req, res) => {
    const body = (req.body ?? {}) as { compromisedSince?: unknown; note?: unknown };
    let compromisedSince: Date | undefined;
    if (body.compromisedSince !== undefined) {
      if (typeof body.compromisedSince !== 'string' || Number.isNaN(Date.parse(body.compromisedSince)))
        throw new RegistryError('validation_failed', 'compromisedSince must be an ISO 8601 date-time');
      compromisedSince = new Date(body.compromisedSince);
    }
    if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 2000))
      throw new RegistryError('validation_failed', 'note must be a string of at most 2000 characters');
    const out = s.institution.rotateIssuerKey({ ...(compromisedSince ? { compromisedSince } : {}), ...(typeof body.note === 'string' ? { note: body.note } : {}) });
    // no list stays signed only by a compromised key
    const resignedLists = compromisedSince ? await s.credentials.resignStatusLists() : [];
    res.json({ ...out, resignedLists });
  });
  r.post('/keys/compromise', async (req, res) => {
    s.schemas.assertValid('api/key-compromise', req.body);
    const b = req.body as { keyId: string; since: string; note?: string };
    const out = s.institution.declareCompromised(b.keyId, new Date(b.since), b.note);
    res.json({ ...out, resignedLists: await s.credentials.resignStatusLists() });
  });
  r.post('/endorsements', (req, res) => {
    const body = (req.body ?? {}) as { subject?: unknown; statement?: unknown; withdrawn?: unknown };
    s.schemas.assertValid('entries/endorsement', body, 'endorsement');
    if (!s.membership.isMember(s.feed.author))
      throw new RegistryError('not_a_member', 'this node is not (yet) a member of the network, so its endorsements would not count');
    if (body.subject === s.feed.author) throw new RegistryError('validation_failed', 'an institution cannot endorse itself');
    const e = s.feed.append('endorsement', body);
    res.status(201).json({ entry: e, subjectStatus: s.membership.statusOf(String(body.subject)) });
  });
  return r;
}
