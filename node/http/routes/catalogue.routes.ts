/**
 * Catalogue routes: public search and detail, and the unit's admin create / update / withdraw.
 * Must never touch tables: it calls the catalogue service and shapes responses.
 */
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { listBound } from '../../core/bounded-lists.js';
import { RegistryError } from '../../core/errors.js';
import { message, userError, type MessageParams, type MessageRef, type ServerMessageKey } from '../../core/messages/index.js';
import type { CatalogueService, StoredMicrocredential } from '../../catalogue/catalogue.service.js';
import type { LangMap } from '../../catalogue/model.js';
import type { SearchParams } from '../../catalogue/search.js';
import type { FeedService } from '../../feed/feed.service.js';
import type { RecognitionService } from '../../recognition/recognition.service.js';
import { displayName, type InstitutionDirectory, type Profile } from '../../trust/institutions.js';
import type { MembershipService } from '../../trust/membership.js';
import { institutionRef, microcredentialSummary } from '../present.js';
import { precompressed, sendPrecompressed, type Precompressed } from '../precompressed.js';
import { param, type RouteDef } from '../route-table.js';
import { exportFormatOf, EXPORT_PROFILES } from '../export-format.js';
import { exportElm, ELM_PROFILE, type ExportSubject } from '../../catalogue/export-elm.js';
import { exportCtdl, CTDL_PROFILE } from '../../catalogue/export-ctdl.js';
import { findLevel } from '../../catalogue/reference-data.js';
import type { ReferenceRegistry } from '../../catalogue/reference-registry.js';

const LIST_PARAMS = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'] as const;
const KNOWN = new Set(['q', 'sort', 'page', 'pageSize', 'hoursMin', 'hoursMax', 'status', 'lang', ...LIST_PARAMS]);

export function parseSearchQuery(query: Request['query']): SearchParams {
  // each problem in English (message) and as a message key (ref: said in the asker's language by node/http)
  const errors: { path: string; message: string; ref: MessageRef }[] = [];
  const bad = (path: string, key: ServerMessageKey, params?: MessageParams) =>
    errors.push({ path, message: message('en', key, params), ref: params ? { key, params } : { key } });
  for (const k of Object.keys(query)) if (!KNOWN.has(k)) bad(k, 'query.unknownParameter');
  const str = (k: string): string | undefined => {
    const v = query[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      bad(k, 'query.once');
      return undefined;
    }
    if (v.length > 500) bad(k, 'query.tooLong');
    return v;
  };
  const list = (k: string): string[] | undefined => {
    const v = query[k];
    if (v === undefined) return undefined;
    const arr = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
    if (arr.length > 50) bad(k, 'query.tooManyValues');
    return arr;
  };
  const num = (k: string, min: number, max: number): number | undefined => {
    const v = str(k);
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) bad(k, 'query.numberBetween', { min, max });
    return n;
  };
  const p: SearchParams = {};
  const q = str('q');
  if (q) p.q = q;
  for (const k of LIST_PARAMS) {
    const v = list(k);
    if (v && v.length) (p as Record<string, unknown>)[k] = v;
  }
  const hoursMin = num('hoursMin', 0, 100_000);
  const hoursMax = num('hoursMax', 0, 100_000);
  if (hoursMin !== undefined) p.hoursMin = hoursMin;
  if (hoursMax !== undefined) p.hoursMax = hoursMax;
  const page = num('page', 1, 100_000);
  const pageSize = num('pageSize', 1, 100);
  if (page !== undefined) p.page = Math.floor(page);
  if (pageSize !== undefined) p.pageSize = Math.floor(pageSize);
  const sort = str('sort');
  if (sort !== undefined) {
    if (!['relevance', 'title', 'hours', 'recent'].includes(sort)) bad('sort', 'query.oneOf', { values: 'relevance, title, hours, recent' });
    else p.sort = sort as SearchParams['sort'];
  }
  const status = str('status');
  if (status !== undefined) {
    if (!['active', 'withdrawn', 'all'].includes(status)) bad('status', 'query.oneOf', { values: 'active, withdrawn, all' });
    else p.status = status as SearchParams['status'];
  }
  const lang = str('lang');
  if (lang !== undefined && !['es', 'en', 'pt'].includes(lang)) bad('lang', 'query.oneOf', { values: 'es, en, pt' });
  if (errors.length) throw new RegistryError('validation_failed', `invalid query: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  return p;
}

/** What the public catalogue routes read: the catalogue, institutions, membership, and what the network decided about a microcredential. */
export interface CatalogueRouteDeps {
  catalogue: Pick<CatalogueService, 'replicaVersion' | 'search' | 'get' | 'version' | 'versions' | 'versionCount'>;
  institutions: Pick<InstitutionDirectory, 'get' | 'list'>;
  membership: Pick<MembershipService, 'isMember'>;
  recognition: Pick<RecognitionService, 'accreditationsFor' | 'accreditationsInForce' | 'decisionList'>;
  /** The live reference data, for the official EQF level of a national level in the ELM export (optional). */
  reference?: Pick<ReferenceRegistry, 'data'>;
}

export function catalogueRoutes(s: CatalogueRouteDeps): RouteDef[] {
  const profiles = () => new Map(s.institutions.list().map((i) => [i.did, i.profile] as const));

  // serialised responses by URL, valid while the replica is unchanged; the least recently used go first past 500
  // (with their ETag and compressed encodings, made once: node/http/precompressed.ts)
  const bodies = new LRUCache<string, Precompressed>({ max: 500 });
  let bodiesVersion = '';
  const search: RouteDef['handler'] = (req, res) => {
    const version = s.catalogue.replicaVersion();
    if (version !== bodiesVersion) {
      bodies.clear();
      bodiesVersion = version;
    }
    const cached = bodies.get(req.originalUrl);
    if (cached) {
      sendPrecompressed(req, res, cached);
      return;
    }
    const params = parseSearchQuery(req.query);
    const result = s.catalogue.search(params);
    const prof = profiles();
    const body = JSON.stringify({
      items: result.rows.map((row) => microcredentialSummary(row, institutionRef(row.author, prof.get(row.author), row.record.country))),
      total: result.total,
      totalExact: result.totalExact,
      page: result.page,
      pageSize: result.pageSize,
      facetsApproximate: result.facetsApproximate,
      facets: {
        ...result.facets,
        institution: result.facets.institution.map((f) => ({ ...f, label: displayName(prof.get(f.value) as Profile | undefined) || f.value })),
      },
    });
    const answer = precompressed(body);
    bodies.set(req.originalUrl, answer);
    sendPrecompressed(req, res, answer);
  };

  const moduleView = (m: { id: string; name?: LangMap; minVersion?: number }, x: StoredMicrocredential | null) => ({
    id: m.id,
    known: x !== null,
    ...(m.name ? { name: m.name } : {}),
    ...(m.minVersion ? { minVersion: m.minVersion } : {}),
    ...(x ? { title: x.record.title, hours: x.record.workload.hours, status: x.status, institutionDid: x.author } : {}),
  });

  const detail: RouteDef['handler'] = (req, res) => {
    const id = param(req, 'id');
    const mc = s.catalogue.get(id);
    if (!mc) throw userError('not_found', 'lookup.notInReplica', { id });
    const inst = s.institutions.get(mc.author);
    const versionParam = req.query.version;
    let record = mc.record;
    if (typeof versionParam === 'string') {
      const v = s.catalogue.version(mc.id, Number(versionParam));
      if (!v) throw userError('not_found', 'lookup.versionNotKnown', { version: String(versionParam).slice(0, 20), id: mc.id });
      record = v;
    }
    // ELM 3 / CTDL JSON-LD by `format` or Accept profile (node/http/export-format.ts); the plain JSON otherwise
    const format = exportFormatOf(req);
    res.vary('Accept');
    if (format !== 'json') {
      const eqf = s.reference ? findLevel(s.reference.data(), record.level?.framework ?? '', String(record.level?.value ?? ''))?.eqf : undefined;
      const subject: ExportSubject = {
        id: mc.id,
        record,
        status: mc.status,
        institution: { did: mc.author, name: inst?.profile?.name ?? {}, country: inst?.profile?.country ?? record.country ?? '' },
        ...(eqf ? { officialEqf: eqf } : {}),
        accreditations: s.recognition.accreditationsInForce(mc),
      };
      const { document, notes } = format === 'elm' ? exportElm(subject) : exportCtdl(subject);
      // what had no term or concept in the vocabulary, as JSON in ASCII (a header must be)
      res.set('Export-Notes', JSON.stringify(notes).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
      res.set('Content-Type', `application/ld+json; profile="${EXPORT_PROFILES[format]}"`).send(JSON.stringify(document));
      return;
    }
    // lists that grow with what members publish: the newest LIST_LIMIT of each (SQL LIMIT), and how many in all
    const versions = s.catalogue.versions(mc.id);
    const accreditations = s.recognition.accreditationsFor(mc);
    const recognitions = s.recognition.decisionList({ microcredential: mc.id });
    res.json({
      ...record,
      id: mc.id,
      institution: { ...institutionRef(mc.author, inst?.profile, mc.record.country), member: s.membership.isMember(mc.author) },
      status: mc.status,
      withdrawal: mc.withdrawal,
      createdAt: mc.createdAt,
      updatedAt: mc.updatedAt,
      entryId: mc.entryId,
      versions,
      // a programme: its modules as this replica knows them (title, hours, status), for the page to list and link
      ...(record.stackability?.stacksFrom?.length ? { modules: record.stackability.stacksFrom.map((m) => moduleView(m, s.catalogue.get(m.id))) } : {}),
      // accreditations in force naming it, its institution or a programme it is a module of (and those no longer in
      // force, as history), and the newest recognition decisions about it in the network
      accreditations: accreditations.inForce.items,
      accreditationHistory: accreditations.history.items,
      recognitions: recognitions.items,
      lists: {
        versions: listBound(s.catalogue.versionCount(mc.id), versions.length, `/api/v1/microcredentials/${encodeURIComponent(mc.id)}/reference`),
        accreditations: listBound(accreditations.inForce.total, accreditations.inForce.items.length),
        accreditationHistory: listBound(accreditations.history.total, accreditations.history.items.length),
        recognitions: listBound(recognitions.total, recognitions.items.length, `/api/v1/recognitions?microcredential=${encodeURIComponent(mc.id)}`),
      },
    });
  };

  return [
    {
      method: 'get',
      path: '/microcredentials',
      tag: 'catalogue',
      summary: 'Search the network-wide catalogue (full text, filters, facets, pages)',
      query: [
        { name: 'q', description: 'Full-text query; accent- and case-insensitive, prefix matching' },
        { name: 'country', description: 'ISO country code(s), comma-separated' },
        { name: 'institution', description: 'Institution DID(s)' },
        { name: 'field', description: 'ISCED-F code prefix(es), e.g. 09 or 0913' },
        { name: 'level', description: 'Level as FRAMEWORK:VALUE (EQF:5) or VALUE' },
        { name: 'participation', description: 'online | onsite | blended' },
        { name: 'language', description: 'Language code(s) of instruction' },
        { name: 'pilotArea', description: 'engineering | health | other' },
        { name: 'hoursMin', description: 'Minimum notional workload in hours', schema: { type: 'number' } },
        { name: 'hoursMax', description: 'Maximum notional workload in hours', schema: { type: 'number' } },
        { name: 'status', description: 'active (default) | withdrawn | all' },
        { name: 'sort', description: 'relevance | title | hours | recent' },
        { name: 'page', description: 'Page number from 1', schema: { type: 'integer' } },
        { name: 'pageSize', description: 'Results per page, 1-100', schema: { type: 'integer' } },
        { name: 'lang', description: 'es | en | pt' },
      ],
      response: 'api/microcredential-search',
      handler: search,
    },
    {
      method: 'get',
      path: '/microcredentials/:id',
      tag: 'catalogue',
      summary: 'One microcredential with every EU element, versions, the accreditations in force (of it or its institution) and the recognition decisions about it in the network (each of those lists: the newest 50, with `lists` saying how many there are in all and where to page through them)',
      query: [
        { name: 'version', description: 'An earlier version' },
        {
          name: 'format',
          description: `json (default) | elm: European Learning Model 3 JSON-LD (LearningOpportunity + Qualification), the same as Accept: application/ld+json; profile="${ELM_PROFILE}" | ctdl: CTDL JSON-LD for the Credential Engine registry (ceterms:MicroCredential), the same as Accept: application/ld+json; profile="${CTDL_PROFILE}". What had no term or concept is left out and listed in the Export-Notes header (JSON array).`,
          schema: { type: 'string', enum: ['json', 'elm', 'ctdl'] },
        },
      ],
      responses: { '400': 'Unknown format', '406': 'Accept asks only for JSON-LD of a profile this node does not export' },
      response: 'api/microcredential-detail',
      handler: detail,
    },
  ];
}

/** What the unit's catalogue admin routes use. */
export interface CatalogueAdminRouteDeps {
  feed: Pick<FeedService, 'author'>;
  catalogue: Pick<CatalogueService, 'get' | 'byInstitution' | 'create' | 'update' | 'withdraw'>;
}

export function catalogueAdminRoutes(s: CatalogueAdminRouteDeps): RouteDef[] {
  const detail = (id: string) => {
    const mc = s.catalogue.get(id)!;
    return { ...mc.record, id: mc.id, status: mc.status, updatedAt: mc.updatedAt, entryId: mc.entryId };
  };
  return [
    {
      method: 'get',
      path: '/microcredentials',
      scope: 'admin',
      tag: 'admin',
      summary: "This unit's catalogue, including withdrawn entries",
      handler: (_req, res) => {
        res.json({ items: s.catalogue.byInstitution(s.feed.author, true).map((m) => ({ ...m.record, id: m.id, status: m.status, updatedAt: m.updatedAt })) });
      },
    },
    {
      method: 'post',
      path: '/microcredentials',
      scope: 'admin',
      tag: 'admin',
      summary: 'Publish a microcredential (400 names each missing EU element)',
      body: 'microcredential',
      handler: (req, res) => {
        const mc = s.catalogue.create(req.body);
        res.status(201).location(`/api/v1/microcredentials/${encodeURIComponent(mc.id)}`).json(detail(mc.id));
      },
    },
    {
      method: 'put',
      path: '/microcredentials/:code',
      scope: 'admin',
      tag: 'admin',
      summary: 'Publish a new version of a microcredential',
      body: 'microcredential',
      handler: (req, res) => {
        const mc = s.catalogue.update(param(req, 'code'), req.body);
        res.json(detail(mc.id));
      },
    },
    {
      method: 'post',
      path: '/microcredentials/:code/withdraw',
      scope: 'admin',
      tag: 'admin',
      summary: 'Withdraw a microcredential (an entry, not a delete)',
      body: { schema: 'api/microcredential-withdrawal', optional: true },
      handler: (req, res) => {
        const body = (req.body ?? {}) as { reason?: unknown };
        if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 2000))
          throw new RegistryError('validation_failed', 'reason must be a string of at most 2000 characters');
        const mc = s.catalogue.withdraw(param(req, 'code'), body.reason ?? 'withdrawn');
        res.json(detail(mc.id));
      },
    },
  ];
}
