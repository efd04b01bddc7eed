/**
 * Reference data routes: the live set (bundled floor + the network's `reference` entries) with who published each
 * record, one record's versions, the reference versions a catalogue entry was published under, and the admin route
 * that publishes a reference entry. Must never decide who may publish (ReferencePublisher and the manifest do) nor
 * read the bundled files directly (the registry is the one source).
 */
import { RegistryError } from '../../core/errors.js';
import type { CatalogueService } from '../../catalogue/catalogue.service.js';
import { REFERENCE_KINDS, type ReferenceKind, type ReferencePublisher, type ReferenceRegistry } from '../../catalogue/reference-registry.js';
import type { InstitutionDirectory } from '../../trust/institutions.js';
import type { ReferencePolicy } from '../../trust/reference-policy.js';
import { pageOf, PAGE_QUERY } from '../paging.js';
import { param, type RouteDef } from '../route-table.js';

export interface ReferenceRouteDeps {
  reference: Pick<ReferenceRegistry, 'data' | 'list' | 'get' | 'history'>;
  referencePolicy: Pick<ReferencePolicy, 'publishers'>;
  referencePublisher: Pick<ReferencePublisher, 'publish'>;
  institutions: Pick<InstitutionDirectory, 'get'>;
  catalogue: Pick<CatalogueService, 'get' | 'versions' | 'versionCount' | 'referenceOf'>;
}

type LangMap = { es?: string; en?: string; pt?: string };

export function referenceRoutes(s: ReferenceRouteDeps): RouteDef[] {
  const r: RouteDef[] = [];
  const get = (path: string, summary: string, handler: RouteDef['handler'], more: Partial<RouteDef> = {}) => r.push({ method: 'get', path, tag: 'reference', summary, handler, ...more });
  const who = (did: string | null) => (did ? { did, name: (s.institutions.get(did)?.profile.name ?? null) as LangMap | null } : null);
  const kindOf = (v: string): ReferenceKind => {
    if (!(REFERENCE_KINDS as readonly string[]).includes(v)) throw new RegistryError('validation_failed', `kind must be one of ${REFERENCE_KINDS.join(', ')}`);
    return v as ReferenceKind;
  };

  get('/reference/credit-systems', 'Credit systems with hours per credit and sources: the live set (bundled, and newer versions published on the network)', (_req, res) => res.json(s.reference.data().creditSystems));
  get('/reference/levels', 'Level frameworks (EQF, QF-EHEA, ISCED 2011, national): the live set', (_req, res) => res.json(s.reference.data().levels));
  get('/reference/isced-f', 'ISCED-F 2013 fields of education', (_req, res) => res.json(s.reference.data().iscedF));
  get('/reference/correspondence-tables', 'Correspondence tables between frameworks or credit systems published on the network', (_req, res) =>
    res.json(s.reference.data().correspondenceTables ?? { description: '', tables: [] }),
  );

  get(
    '/reference',
    'Every live reference record (credit systems, qualifications frameworks, correspondence tables) with its version and who published it; the members the manifest authorises to publish',
    (req, res) => {
      const kind = typeof req.query.kind === 'string' ? kindOf(req.query.kind) : undefined;
      res.json({
        publishers: s.referencePolicy.publishers().map((d) => who(d)),
        items: s.reference.list(kind).map((i) => ({
          kind: i.kind,
          id: i.id,
          name: (i.record.name ?? null) as LangMap | null,
          confidence: (i.record.confidence ?? null) as string | null,
          version: i.provenance.version,
          origin: i.provenance.origin,
          publishedBy: who(i.provenance.publishedBy),
          entryId: i.provenance.entryId,
          publishedAt: i.provenance.publishedAt,
        })),
      });
    },
    { query: [{ name: 'kind', description: REFERENCE_KINDS.join(' | ') }] },
  );

  get('/reference/:kind/:id', 'One reference record as it is live, and every version this node holds (bundled and network)', (req, res) => {
    const kind = kindOf(param(req, 'kind'));
    const id = param(req, 'id');
    const live = s.reference.get(kind, id);
    if (!live) throw new RegistryError('not_found', `no ${kind} ${id} in the live reference data`);
    res.json({
      kind,
      id,
      record: live.record,
      version: live.provenance.version,
      origin: live.provenance.origin,
      publishedBy: who(live.provenance.publishedBy),
      entryId: live.provenance.entryId,
      publishedAt: live.provenance.publishedAt,
      history: s.reference.history(kind, id).map((h) => ({ version: h.version, origin: h.origin, publishedBy: who(h.publishedBy), entryId: h.entryId, publishedAt: h.publishedAt })),
    });
  });

  get('/microcredentials/:id/reference', 'The versions of a microcredential (pages from the newest, each page in version order; `total` says how many) and the reference versions (credit system, level framework) each was published under', (req, res) => {
    const id = param(req, 'id');
    if (!s.catalogue.get(id)) throw new RegistryError('not_found', `no microcredential ${id}`);
    const page = pageOf(req.query);
    const versions = s.catalogue.versions(id, page);
    res.json({ id, total: s.catalogue.versionCount(id), page: page.page, pageSize: page.pageSize, versions: versions.map((v) => ({ version: v.version, publishedAt: v.ts, reference: s.catalogue.referenceOf(id, v.version) })) });
  }, { query: PAGE_QUERY });

  r.push({
    method: 'post',
    path: '/reference',
    scope: 'admin',
    tag: 'admin',
    summary: "Publish a reference entry (a credit system, qualifications framework or correspondence table): only a member named in the manifest's referencePublishers",
    body: 'entries/reference',
    handler: (req, res) => {
      const e = s.referencePublisher.publish(req.body);
      res.status(201).json({ entryId: e.id, seq: e.seq, kind: e.body.kind, id: e.body.record.id, version: e.body.version });
    },
  });
  return r;
}
