/**
 * Recognition routes: the registrar's lookup (JSON and printable report), decisions, agreements and
 * accreditations. Must never decide anything itself: it calls the recognition service and the verifier.
 */
import { Router } from 'express';
import { RegistryError } from '../../core/errors.js';
import type { Services } from '../../context.js';
import type { RecognitionService } from '../../recognition/recognition.service.js';
import { renderRecognitionReport } from '../../recognition/report.js';
import type { HttpExtension } from '../app.js';
import { LIMIT_RESPONSES } from '../limits.js';

export interface LookupVerifier {
  /** Verifies a credential/presentation and returns the report plus the microcredential id it names, if any. */
  verify(input: unknown): Promise<{ report: Record<string, unknown> & { verified: boolean }; microcredentialId: string | null }>;
}

export function recognitionExtension(s: Services, recognition: RecognitionService, verifier: LookupVerifier | null): HttpExtension {
  const pub = Router();
  const admin = Router();

  const lookup = async (body: unknown) => {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new RegistryError('validation_failed', 'send { "credential": {...} } or { "microcredential": "<id>" }');
    const b = body as { credential?: unknown; microcredential?: unknown };
    let verification: Record<string, unknown> | null = null;
    let mcId: string | null = null;
    if (b.credential !== undefined) {
      if (!verifier) throw new RegistryError('unsupported', 'credential verification is not available on this node');
      const v = await verifier.verify(b.credential);
      verification = v.report;
      mcId = v.microcredentialId;
    } else if (typeof b.microcredential === 'string' && b.microcredential.length > 0 && b.microcredential.length <= 200) {
      mcId = b.microcredential;
    } else throw new RegistryError('validation_failed', 'send { "credential": {...} } or { "microcredential": "<id>" }');
    const found = mcId ? recognition.lookup(mcId) : null;
    if (!found && !verification) throw new RegistryError('not_found', `no microcredential ${mcId} in this node's replica`);
    return {
      verification,
      microcredentialId: mcId,
      ...(found ?? {
        microcredential: null,
        institution: null,
        accreditations: [],
        decisions: [],
        agreements: [],
        comparison: [],
        note: 'The credential does not name a microcredential this node knows, so only the verification is shown.',
      }),
    };
  };

  pub.post('/recognition/lookup', async (req, res) => {
    res.json(await lookup(req.body));
  });

  const langOf = (v: unknown): 'es' | 'en' => (v === 'en' ? 'en' : 'es');
  pub.get('/recognition/report', async (req, res) => {
    const mc = req.query.microcredential;
    if (typeof mc !== 'string') throw new RegistryError('validation_failed', 'microcredential query parameter is required');
    const data = await lookup({ microcredential: mc });
    res.type('html').send(renderRecognitionReport(data, { lang: langOf(req.query.lang), generatedAt: s.clock.now(), node: s.feed.author, network: s.network }));
  });
  pub.post('/recognition/report', async (req, res) => {
    const data = await lookup(req.body);
    res.type('html').send(renderRecognitionReport(data, { lang: langOf(req.query.lang), generatedAt: s.clock.now(), node: s.feed.author, network: s.network }));
  });

  pub.get('/recognitions', (req, res) => {
    const microcredential = typeof req.query.microcredential === 'string' ? req.query.microcredential : undefined;
    const institution = typeof req.query.institution === 'string' ? req.query.institution : undefined;
    res.json({ items: recognition.decisions({ ...(microcredential ? { microcredential } : {}), ...(institution ? { institution } : {}) }) });
  });
  pub.get('/agreements', (req, res) => {
    const party = typeof req.query.party === 'string' ? req.query.party : undefined;
    res.json({ items: recognition.agreements(party ? { party } : {}) });
  });
  pub.get('/agreements/:id', (req, res) => {
    const a = recognition.agreement(req.params.id);
    if (!a) throw new RegistryError('not_found', `no agreement ${req.params.id}`);
    res.json(a);
  });
  pub.get('/microcredentials/:id/comparison', (req, res) => {
    res.json(recognition.comparisonView(req.params.id));
  });

  admin.post('/recognitions', (req, res) => {
    res.status(201).json(recognition.recordDecision(req.body));
  });
  admin.post('/agreements', (req, res) => {
    const b = (req.body ?? {}) as { agreementId?: string; terms?: unknown };
    if (!b.terms) throw new RegistryError('validation_failed', 'terms are required');
    res.status(201).json(recognition.proposeAgreement(b as never));
  });
  admin.post('/agreements/:id/sign', (req, res) => {
    res.json(recognition.signAgreement(req.params.id));
  });
  admin.post('/agreements/:id/withdraw', (req, res) => {
    res.json(recognition.withdrawAgreement(req.params.id));
  });
  admin.post('/accreditations', (req, res) => {
    const own = s.institutions.get(s.feed.author)?.profile;
    if (own?.kind !== 'qa-agency') throw new RegistryError('forbidden', 'only quality-assurance agencies (profile kind qa-agency) publish accreditations');
    s.schemas.assertValid('entries/accreditation', req.body, 'accreditation');
    if (!s.membership.isMember(s.feed.author)) throw new RegistryError('not_a_member', 'this agency is not a member of the network');
    const e = s.feed.append('accreditation', req.body);
    res.status(201).json({ entry: e });
  });

  return {
    publicRouter: pub,
    adminRouter: admin,
    operations: [
      { method: 'post', path: '/api/v1/recognition/lookup', tag: 'recognition', summary: "Registrar's lookup: verification, catalogue entry, accreditations, decisions network-wide, agreements and ranked comparison with the local catalogue (`comparison` and `comparisonSummary` as in api/recognition-comparison)", responses: LIMIT_RESPONSES },
      { method: 'get', path: '/api/v1/recognition/report', tag: 'recognition', summary: 'Printable recognition report (HTML, es|en) for a microcredential', query: [{ name: 'microcredential', description: 'microcredential id' }, { name: 'lang', description: 'es | en' }], responses: LIMIT_RESPONSES },
      { method: 'post', path: '/api/v1/recognition/report', tag: 'recognition', summary: 'Printable recognition report (HTML) for a credential or microcredential', query: [{ name: 'lang', description: 'es | en' }], responses: LIMIT_RESPONSES },
      { method: 'get', path: '/api/v1/recognitions', tag: 'recognition', summary: 'Recognition decisions, by microcredential or by deciding institution', query: [{ name: 'microcredential', description: 'microcredential id' }, { name: 'institution', description: 'deciding institution DID' }] },
      { method: 'get', path: '/api/v1/agreements', tag: 'recognition', summary: 'Recognition agreements with their status (pending / in-force)', query: [{ name: 'party', description: 'institution DID' }] },
      { method: 'get', path: '/api/v1/agreements/{id}', tag: 'recognition', summary: 'One agreement with its signatures', pathParams: ['id'] },
      { method: 'get', path: '/api/v1/microcredentials/{id}/comparison', tag: 'recognition', summary: 'Ranked comparison of a microcredential with the local catalogue: candidates in calibrated bands with the parts of each score, or "no comparable local microcredential"', pathParams: ['id'], response: 'api/recognition-comparison', responses: LIMIT_RESPONSES },
      { method: 'post', path: '/api/v1/admin/recognitions', tag: 'admin', admin: true, summary: 'Record (sign and publish) a recognition decision', body: 'entries/recognition' },
      { method: 'post', path: '/api/v1/admin/agreements', tag: 'admin', admin: true, summary: 'Propose a recognition agreement (also signs it)' },
      { method: 'post', path: '/api/v1/admin/agreements/{id}/sign', tag: 'admin', admin: true, summary: 'Sign an agreement', pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/agreements/{id}/withdraw', tag: 'admin', admin: true, summary: 'Withdraw from an agreement', pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/accreditations', tag: 'admin', admin: true, summary: 'Publish an accreditation (quality-assurance agencies only)', body: 'entries/accreditation' },
    ],
  };
}
