/**
 * Recognition routes: the registrar's lookup (JSON and printable report), decisions, agreements and
 * accreditations. Must never decide anything itself: it calls the recognition service and the verifier.
 */
import type { Request } from 'express';
import QRCode from 'qrcode';
import type { Clock } from '../../core/clock.js';
import { RegistryError } from '../../core/errors.js';
import { userError } from '../../core/messages/index.js';
import type { SchemaRegistry } from '../../core/schema-registry.js';
import type { FeedService } from '../../feed/feed.service.js';
import type { RecognitionService } from '../../recognition/recognition.service.js';
import { lookupAnswer, registrarLookup, type LookupVerifier } from '../../recognition/registrar-lookup.js';
import { caseValue, referenceLabels, renderRecognitionReport } from '../../recognition/report.js';
import { loadReferenceData } from '../../catalogue/reference-data.js';
import { messageLangOf } from '../../../web/src/i18n/messages.js';
import type { AccreditationService } from '../../trust/accreditations.js';
import { LIMIT_RESPONSES } from '../limits.js';
import { pageOf, PAGE_QUERY } from '../paging.js';
import { param, type RouteDef } from '../route-table.js';

export type { LookupVerifier } from '../../recognition/registrar-lookup.js';

/** What the recognition routes use: the recognition service, the accreditation rule, and what a report states (clock, node, network). */
export interface RecognitionRouteDeps {
  clock: Clock;
  network: string;
  /** this node's public address: the report's QR code and link lead back to its live lookup */
  publicUrl: () => string;
  feed: Pick<FeedService, 'author'>;
  recognition: Pick<
    RecognitionService,
    'lookup' | 'decisionList' | 'agreements' | 'agreement' | 'comparisonView' | 'recordDecision' | 'proposeAgreement' | 'signAgreement' | 'withdrawAgreement'
  >;
  accreditations: Pick<AccreditationService, 'publish'>;
  schemas: Pick<SchemaRegistry, 'assertValid'>;
}

export function recognitionRoutes(s: RecognitionRouteDeps, verifier: LookupVerifier | null): RouteDef[] {
  const { recognition } = s;
  const r: RouteDef[] = [];
  const route = (def: Omit<RouteDef, 'handler'>, handler: RouteDef['handler']) => r.push({ ...def, handler });
  const admin = { scope: 'admin', tag: 'admin' } as const;
  const tag = 'recognition';

  // the flow and its rule (a credential's own microcredential wins over a typed id) live in recognition/registrar-lookup.ts
  const lookup = async (body: unknown) => lookupAnswer(await registrarLookup({ recognition, verifier }, body));

  route({ method: 'post', path: '/recognition/lookup', tag, summary: "Registrar's lookup: verification, catalogue entry, accreditations, decisions network-wide, agreements and ranked comparison with the local catalogue (`comparison` and `comparisonSummary` as in api/recognition-comparison)", body: 'api/recognition-lookup', responses: LIMIT_RESPONSES }, async (req, res) => {
    res.json(await lookup(req.body));
  });

  // the printable report: the receiving institution's report with the case typed in (query), a QR code and link
  // back to the live lookup at this node's public address, and labels from the reference tables
  const labels = referenceLabels(loadReferenceData());
  const report = async (req: Request, data: Awaited<ReturnType<typeof lookup>>, form: boolean) => {
    const mcId = data.microcredential?.id ?? null;
    const lang = messageLangOf(req.query.lang);
    const liveUrl = mcId ? `${s.publicUrl().replace(/\/+$/, '')}/recognition?${new URLSearchParams({ microcredential: mcId, lang })}` : undefined;
    const qrSvg = liveUrl ? await QRCode.toString(liveUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) : undefined;
    return renderRecognitionReport(data, {
      lang,
      generatedAt: s.clock.now(),
      node: s.feed.author,
      network: s.network,
      case: { student: caseValue(req.query.student), request: caseValue(req.query.request) },
      ...(liveUrl ? { liveUrl, qrSvg } : {}),
      ...(form && mcId ? { caseForm: { action: '/api/v1/recognition/report', microcredential: mcId } } : {}),
      labels,
    });
  };
  const reportQuery = [
    { name: 'lang', description: 'es | en | pt' },
    { name: 'student', description: "the learner's name as the registrar types it (printed on the report; at most 120 characters)" },
    { name: 'request', description: 'the request or file number (printed on the report; at most 120 characters)' },
  ];
  route({ method: 'get', path: '/recognition/report', tag, summary: "Printable recognition report (HTML, es|en|pt) for a microcredential, headed by this node's institution, with the case, decision boxes, signature lines and a QR code to the live lookup", query: [{ name: 'microcredential', description: 'microcredential id' }, ...reportQuery], responses: LIMIT_RESPONSES }, async (req, res) => {
    const mc = req.query.microcredential;
    if (typeof mc !== 'string') throw userError('validation_failed', 'lookup.microcredentialRequired');
    res.type('html').send(await report(req, await lookup({ microcredential: mc }), true));
  });
  route({ method: 'post', path: '/recognition/report', tag, summary: 'Printable recognition report (HTML) for a credential or microcredential', body: 'api/recognition-lookup', query: reportQuery, responses: LIMIT_RESPONSES }, async (req, res) => {
    res.type('html').send(await report(req, await lookup(req.body), false));
  });

  // every decision, one page at a time (newest first): what the bounded lists of other answers point to
  route({ method: 'get', path: '/recognitions', tag, summary: 'Recognition decisions, by microcredential or by deciding institution, newest first, one page at a time (`total` says how many)', query: [{ name: 'microcredential', description: 'microcredential id' }, { name: 'institution', description: 'deciding institution DID' }, ...PAGE_QUERY], response: 'api/recognition-decision-list' }, (req, res) => {
    const microcredential = typeof req.query.microcredential === 'string' ? req.query.microcredential : undefined;
    const institution = typeof req.query.institution === 'string' ? req.query.institution : undefined;
    const page = pageOf(req.query);
    const list = recognition.decisionList({ ...(microcredential ? { microcredential } : {}), ...(institution ? { institution } : {}) }, page);
    res.json({ items: list.items, total: list.total, page: page.page, pageSize: page.pageSize });
  });
  route({ method: 'get', path: '/agreements', tag, summary: 'Recognition agreements with their status (pending / in-force), newest first, one page at a time (`total` says how many)', query: [{ name: 'party', description: 'institution DID' }, ...PAGE_QUERY] }, (req, res) => {
    const party = typeof req.query.party === 'string' ? req.query.party : undefined;
    const page = pageOf(req.query);
    const list = recognition.agreements(party ? { party } : {}, page);
    res.json({ items: list.items, total: list.total, page: page.page, pageSize: page.pageSize });
  });
  route({ method: 'get', path: '/agreements/:id', tag, summary: 'One agreement with its signatures' }, (req, res) => {
    const a = recognition.agreement(param(req, 'id'));
    if (!a) throw userError('not_found', 'recognition.agreementNotFound', { id: param(req, 'id').slice(0, 200) });
    res.json(a);
  });
  route({ method: 'get', path: '/microcredentials/:id/comparison', tag, summary: 'Ranked comparison of a microcredential with the local catalogue: candidates in calibrated bands with the parts of each score, or "no comparable local microcredential"', response: 'api/recognition-comparison', responses: LIMIT_RESPONSES }, (req, res) => {
    res.json(recognition.comparisonView(param(req, 'id')));
  });

  route({ ...admin, method: 'post', path: '/recognitions', summary: 'Record (sign and publish) a recognition decision', body: 'entries/recognition' }, (req, res) => {
    res.status(201).json(recognition.recordDecision(req.body));
  });
  route({ ...admin, method: 'post', path: '/agreements', summary: 'Propose a recognition agreement (also signs it)', body: 'api/agreement-proposal' }, (req, res) => {
    const b = (req.body ?? {}) as { agreementId?: string; terms?: unknown };
    if (!b.terms) throw new RegistryError('validation_failed', 'terms are required');
    s.schemas.assertValid('api/agreement-proposal', b, 'agreement proposal');
    res.status(201).json(recognition.proposeAgreement(b as Parameters<typeof recognition.proposeAgreement>[0]));
  });
  route({ ...admin, method: 'post', path: '/agreements/:id/sign', summary: 'Sign an agreement', body: { schema: 'api/no-body', optional: true } }, (req, res) => {
    res.json(recognition.signAgreement(param(req, 'id')));
  });
  route({ ...admin, method: 'post', path: '/agreements/:id/withdraw', summary: 'Withdraw from an agreement', body: { schema: 'api/no-body', optional: true } }, (req, res) => {
    res.json(recognition.withdrawAgreement(param(req, 'id')));
  });
  route({ ...admin, method: 'post', path: '/accreditations', summary: 'Publish an accreditation (quality-assurance agencies only)', body: 'entries/accreditation' }, (req, res) => {
    res.status(201).json({ entry: s.accreditations.publish(req.body) });
  });

  return r;
}
