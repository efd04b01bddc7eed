/**
 * Credential routes: verification for anyone (`POST /api/v1/verify`), status lists for verifiers outside the
 * network, the public copy of a credential by its unguessable id (what the learner's verification link / QR code
 * opens), and the admin side: issue one, issue a cohort from CSV as a job, list, revoke / suspend / reinstate.
 * Must never decide anything itself: it calls the credential service.
 */
import { Router } from 'express';
import QRCode from 'qrcode';
import { RegistryError } from '../../core/errors.js';
import type { Services } from '../../context.js';
import type { CredentialService } from '../../credentials/credential.service.js';
import type { HttpExtension } from '../app.js';

export function credentialsExtension(s: Services, credentials: CredentialService): HttpExtension {
  const pub = Router();
  const admin = Router();

  // Anyone: a credential or a presentation as the JSON body (or {"credential": ...} / {"presentation": ...}), or as
  // text/plain, which the verifier parses itself (so "not JSON" is a failed `parse` check in the report).
  pub.post('/verify', async (req, res) => {
    let input: unknown = req.body;
    if (input && typeof input === 'object' && !Array.isArray(input)) {
      const b = input as Record<string, unknown>;
      const keys = Object.keys(b);
      if (keys.length === 1 && (keys[0] === 'credential' || keys[0] === 'presentation')) input = b[keys[0]!];
    }
    if (input === undefined || (typeof input === 'object' && input !== null && Object.keys(input).length === 0 && !Array.isArray(input)))
      throw new RegistryError('validation_failed', 'send the credential (or presentation) as the JSON body');
    res.json(await credentials.verify(input));
  });

  pub.get('/status-lists/:id', (req, res) => {
    const c = credentials.statusListCredential(req.params.id);
    if (!c) throw new RegistryError('not_found', `no status list ${req.params.id} in this node's replica`);
    res.set('Cache-Control', 'public, max-age=60').type('application/vc+ld+json').send(JSON.stringify(c));
  });

  // the learner's link: the credential id is a random urn:uuid, known only to whom it was given
  pub.get('/credentials/:id', (req, res) => {
    const c = credentials.get(req.params.id);
    if (!c) throw new RegistryError('not_found', 'no such credential on this node (credentials are kept only by the node that issued them)');
    res.set('Cache-Control', 'no-store').json(c.credential);
  });

  pub.get('/credentials/:id/qr.svg', async (req, res) => {
    const c = credentials.get(req.params.id);
    if (!c) throw new RegistryError('not_found', 'no such credential on this node');
    const svg = await QRCode.toString(c.verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.set('Cache-Control', 'no-store').type('image/svg+xml').send(svg);
  });

  admin.post('/credentials', async (req, res) => {
    s.schemas.assertValid('api/issue-credential', req.body);
    const c = await credentials.issue(req.body);
    res.status(201).location(`/api/v1/admin/credentials/${encodeURIComponent(c.id)}`).json(c);
  });

  admin.get('/credentials', (req, res) => {
    const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : undefined;
    const mc = typeof req.query.microcredential === 'string' ? req.query.microcredential : undefined;
    const limit = num(req.query.limit);
    const offset = num(req.query.offset);
    res.json(credentials.list({ ...(q ? { q } : {}), ...(mc ? { microcredential: mc } : {}), ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) }));
  });

  // CSV as JSON {csv, microcredential?} or as a raw text/csv body with ?microcredential=
  // (text/csv bodies are read by the app's text parser, up to 5 MiB: about 60,000 rows)
  admin.post('/credentials/batch', (req, res) => {
    let body: { csv?: unknown; microcredential?: unknown };
    if (typeof req.body === 'string') {
      body = { csv: req.body };
      if (typeof req.query.microcredential === 'string') body.microcredential = req.query.microcredential;
    } else body = req.body as typeof body;
    s.schemas.assertValid('api/credential-batch', body);
    const job = credentials.startBatch(body.csv as string, typeof body.microcredential === 'string' ? { microcredential: body.microcredential } : {});
    res.status(202).location(`/api/v1/admin/jobs/${job.id}`).json(job);
  });

  // ?from=N: only the row results from index N on (a poller passes how many it already has)
  admin.get('/jobs/:id', (req, res) => {
    const from = typeof req.query.from === 'string' && /^\d+$/.test(req.query.from) ? Number(req.query.from) : 0;
    const job = credentials.job(req.params.id, from);
    if (!job) throw new RegistryError('not_found', `no job ${req.params.id}`);
    res.json(job);
  });

  admin.get('/credentials/:id', (req, res) => {
    const c = credentials.get(req.params.id);
    if (!c) throw new RegistryError('not_found', `no credential ${req.params.id} was issued by this node`);
    res.json(c);
  });

  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    admin.post(`/credentials/:id/${action}`, async (req, res) => {
      const body = req.body && typeof req.body === 'object' ? req.body : {};
      s.schemas.assertValid('api/credential-status-change', body);
      res.json(await credentials[action](req.params.id as string, (body as { reason?: string }).reason));
    });
  }

  return {
    publicRouter: pub,
    adminRouter: admin,
    operations: [
      { method: 'post', path: '/api/v1/verify', tag: 'credentials', summary: 'Verify a credential or presentation: a report with one check each (proof, issuer_known, key_valid_at_issuance, status, validity_period, schema, microcredential_listed), ok / failed / unchecked with a reason' },
      { method: 'get', path: '/api/v1/status-lists/{id}', tag: 'credentials', summary: 'A status list credential (BitstringStatusListCredential, signed by its issuer) from the replica', pathParams: ['id'] },
      { method: 'get', path: '/api/v1/credentials/{id}', tag: 'credentials', summary: "A credential issued by this node, by its id (the learner's verification link)", pathParams: ['id'] },
      { method: 'get', path: '/api/v1/credentials/{id}/qr.svg', tag: 'credentials', summary: "QR code (SVG) of the credential's verification link", pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/credentials', tag: 'admin', admin: true, summary: 'Issue one Open Badges 3.0 credential for a microcredential of this unit', body: 'api/issue-credential' },
      { method: 'get', path: '/api/v1/admin/credentials', tag: 'admin', admin: true, summary: 'Credentials issued by this node', query: [{ name: 'q', description: 'learner name or credential id' }, { name: 'microcredential', description: 'microcredential id' }, { name: 'limit', description: '1..500' }, { name: 'offset', description: 'offset' }] },
      { method: 'get', path: '/api/v1/admin/credentials/{id}', tag: 'admin', admin: true, summary: 'One issued credential with its status, verification link and QR code URL', pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/credentials/batch', tag: 'admin', admin: true, summary: 'Issue a cohort from CSV as a background job (JSON {csv, microcredential?} or text/csv)', body: 'api/credential-batch' },
      { method: 'get', path: '/api/v1/admin/jobs/{id}', tag: 'admin', admin: true, summary: 'Progress and per-row results of a batch job (rows from index `from` on)', pathParams: ['id'], query: [{ name: 'from', description: 'index of the first row result to return (default 0)' }] },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/revoke', tag: 'admin', admin: true, summary: 'Revoke (final); publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/suspend', tag: 'admin', admin: true, summary: 'Suspend; publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/reinstate', tag: 'admin', admin: true, summary: 'Lift a suspension; publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
    ],
  };
}
