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
import type { CredentialListQuery, CredentialService } from '../../credentials/credential.service.js';
import type { HttpExtension } from '../app.js';
import { toCsv } from '../../credentials/csv.js';
import { LIMIT_RESPONSES } from '../limits.js';

export function credentialsExtension(s: Services, credentials: CredentialService): HttpExtension {
  const pub = Router();
  const admin = Router();

  // Anyone: a credential or a presentation as the JSON body, or wrapped as {"credential"|"presentation", "challenge"?,
  // "domain"?} (schemas/api/verify-request), or as text/plain, which the verifier parses itself (so "not JSON" is a
  // failed `parse` check in the report).
  pub.post('/verify', async (req, res) => {
    let input: unknown = req.body;
    let options: { challenge?: string; domain?: string } = {};
    if (input && typeof input === 'object' && !Array.isArray(input)) {
      const b = input as Record<string, unknown>;
      if (!('@context' in b) && ('credential' in b || 'presentation' in b)) {
        s.schemas.assertValid('api/verify-request', b);
        input = b['credential'] ?? b['presentation'];
        options = { ...(typeof b['challenge'] === 'string' ? { challenge: b['challenge'] } : {}), ...(typeof b['domain'] === 'string' ? { domain: b['domain'] } : {}) };
      }
    }
    if (input === undefined || (typeof input === 'object' && input !== null && Object.keys(input).length === 0 && !Array.isArray(input)))
      throw new RegistryError('validation_failed', 'send the credential (or presentation) as the JSON body');
    res.json(await credentials.verify(input, options));
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

  // filters: learner / id, microcredential, issuer key, status, issuance date range (e.g. what a compromised key signed)
  admin.get('/credentials', (req, res) => {
    s.schemas.assertValid('api/credential-list-query', req.query, 'query');
    const q = req.query as Record<string, string | undefined>;
    res.json(
      credentials.list({
        ...(q.q ? { q: q.q } : {}),
        ...(q.microcredential ? { microcredential: q.microcredential } : {}),
        ...(q.issuerKey ? { issuerKey: q.issuerKey } : {}),
        ...(q.status ? { status: q.status as CredentialListQuery['status'] } : {}),
        ...(q.issuedFrom ? { issuedFrom: q.issuedFrom } : {}),
        ...(q.issuedTo ? { issuedTo: q.issuedTo } : {}),
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.offset !== undefined ? { offset: Number(q.offset) } : {}),
      }),
    );
  });

  // re-issue with the current key the credentials in force of an earlier key (rotated or compromised), oldest first
  admin.post('/credentials/reissue', async (req, res) => {
    s.schemas.assertValid('api/credential-reissue', req.body);
    const b = req.body as { issuerKey: string; issuedFrom?: string; issuedTo?: string; limit?: number };
    res.json(await credentials.reissueBatch(b));
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

  // the job's row results as a spreadsheet (";" and a BOM, as spreadsheets in Spanish locales open them), written
  // by the one CSV writer so no cell (a learner's name, an echoed bad cell) can run as a formula
  admin.get('/jobs/:id/rows.csv', (req, res) => {
    const job = credentials.job(req.params.id, 0);
    if (!job) throw new RegistryError('not_found', `no job ${req.params.id}`);
    const rows = job.rows.map((r) => [r.line, r.name ?? '', r.status, r.id ?? '', r.id ? (credentials.get(r.id)?.verifyUrl ?? '') : '', r.error ?? '']);
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="lote-${job.id.replace(/[^A-Za-z0-9-]/g, '_')}.csv"`)
      .type('text/csv; charset=utf-8')
      .send('\uFEFF' + toCsv(['línea', 'nombre', 'estado', 'credencial', 'enlace de verificación', 'error'], rows, ';'));
  });

  admin.get('/credentials/:id', (req, res) => {
    const c = credentials.get(req.params.id);
    if (!c) throw new RegistryError('not_found', `no credential ${req.params.id} was issued by this node`);
    res.json(c);
  });

  admin.post('/credentials/:id/reissue', async (req, res) => {
    const out = await credentials.reissue(req.params.id as string);
    res.status(201).location(`/api/v1/admin/credentials/${encodeURIComponent(out.credential.id)}`).json(out);
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
      { method: 'post', path: '/api/v1/verify', tag: 'credentials', summary: "Verify a credential or presentation (bare, or wrapped with the verifier's challenge and domain): a report with one check each (proof, issuer_known, key_valid_at_issuance, status, validity_period, schema, microcredential_listed; for a presentation also holder_authenticated, the holder's own proof), ok / failed / unchecked with a reason", body: 'api/verify-request', responses: LIMIT_RESPONSES },
      { method: 'get', path: '/api/v1/status-lists/{id}', tag: 'credentials', summary: 'A status list credential (BitstringStatusListCredential, signed by its issuer) from the replica', pathParams: ['id'] },
      { method: 'get', path: '/api/v1/credentials/{id}', tag: 'credentials', summary: "A credential issued by this node, by its id (the learner's verification link)", pathParams: ['id'] },
      { method: 'get', path: '/api/v1/credentials/{id}/qr.svg', tag: 'credentials', summary: "QR code (SVG) of the credential's verification link", pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/credentials', tag: 'admin', admin: true, summary: 'Issue one Open Badges 3.0 credential for a microcredential of this unit', body: 'api/issue-credential' },
      {
        method: 'get',
        path: '/api/v1/admin/credentials',
        tag: 'admin',
        admin: true,
        summary: 'Credentials issued by this node, filtered (query validated by api/credential-list-query)',
        // each parameter's schema is the property of the query schema (the one source of its shape)
        query: (
          [
            ['q', 'learner name or credential id'],
            ['microcredential', 'microcredential id'],
            ['issuerKey', 'only credentials signed by this issuer key (did:key)'],
            ['status', 'active (neither revoked nor suspended) | suspended | revoked'],
            ['issuedFrom', 'issued at or after (ISO 8601 date-time)'],
            ['issuedTo', 'issued before (ISO 8601 date-time)'],
            ['limit', '1..500 (default 50)'],
            ['offset', 'offset'],
          ] as const
        ).map(([name, description]) => ({ name, description, schema: { $ref: `#/components/schemas/api.credential-list-query/properties/${name}` } })),
      },
      { method: 'post', path: '/api/v1/admin/credentials/reissue', tag: 'admin', admin: true, summary: "Re-issue with the current key the credentials in force of an earlier issuer key (rotated or compromised), per-row report; the old ones are revoked as re-issued", body: 'api/credential-reissue' },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/reissue', tag: 'admin', admin: true, summary: 'Re-issue one credential in force with the current key (the old one is revoked as re-issued)', pathParams: ['id'] },
      { method: 'get', path: '/api/v1/admin/credentials/{id}', tag: 'admin', admin: true, summary: 'One issued credential with its status, verification link and QR code URL', pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/credentials/batch', tag: 'admin', admin: true, summary: 'Issue a cohort from CSV as a background job (JSON {csv, microcredential?} or text/csv)', body: 'api/credential-batch' },
      { method: 'get', path: '/api/v1/admin/jobs/{id}', tag: 'admin', admin: true, summary: 'Progress and per-row results of a batch job (rows from index `from` on)', pathParams: ['id'], query: [{ name: 'from', description: 'index of the first row result to return (default 0)' }] },
      { method: 'get', path: '/api/v1/admin/jobs/{id}/rows.csv', tag: 'admin', admin: true, summary: "A batch job's row results as CSV (';', UTF-8 with BOM): line, name, status, credential id, verification link, error; formula-looking cells neutralised", pathParams: ['id'] },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/revoke', tag: 'admin', admin: true, summary: 'Revoke (final); publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/suspend', tag: 'admin', admin: true, summary: 'Suspend; publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
      { method: 'post', path: '/api/v1/admin/credentials/{id}/reinstate', tag: 'admin', admin: true, summary: 'Lift a suspension; publishes the new status list', pathParams: ['id'], body: 'api/credential-status-change' },
    ],
  };
}
