/**
 * Credential routes: verification for anyone (`POST /api/v1/verify`: JSON, text, or a baked badge image), status
 * lists for verifiers outside the network, the public copy of a credential by its unguessable id (what the learner's verification link / QR code
 * opens), and the admin side: issue one, issue a cohort from CSV as a job, list, revoke / suspend / reinstate.
 * Must never decide anything itself: it calls the credential service.
 */
import QRCode from 'qrcode';
import { RegistryError } from '../../core/errors.js';
import type { SchemaRegistry } from '../../core/schema-registry.js';
import type { CredentialListQuery, CredentialService } from '../../credentials/credential.service.js';
import { extractBaked } from '../../credentials/baking.js';
import { cohortErrorCsv, cohortTemplateCsv, toCsv } from '../../credentials/csv.js';
import type { EvidenceFileInput } from '../../credentials/evidence-files.js';
import type { ResultRequest } from '../../credentials/ob3-evidence.js';
import { message, userError } from '../../core/messages/index.js';
import { answerLanguage } from '../problem.js';
import { LIMIT_RESPONSES } from '../limits.js';
import type { ReasonCategory } from '../../credentials/status-reasons.js';
import { param, type RouteDef } from '../route-table.js';
import type { RecognitionService } from '../../recognition/recognition.service.js';

/** What the credential routes use: the credential service and the schemas their bodies are checked against. */
export interface CredentialRouteDeps {
  schemas: Pick<SchemaRegistry, 'assertValid'>;
  credentials: Pick<
    CredentialService,
    'verify' | 'statusListCredential' | 'get' | 'issue' | 'evidenceFile' | 'list' | 'reissueBatch' | 'startBatch' | 'previewBatch' | 'job' | 'reissue' | 'revoke' | 'suspend' | 'reinstate'
  >;
  /** The accreditations in force of a listed microcredential, added to the verification report ("acreditada por … hasta …"). */
  recognition?: Pick<RecognitionService, 'accreditationsInForceOf'>;
}

type ReportWithMc = { microcredential?: { globalId?: string; accreditations?: unknown[] } | null; credentials?: ReportWithMc[] };

/** The report with each listed microcredential's accreditations in force (replica data, beside the checks). */
function withAccreditations<R>(report: R, recognition: CredentialRouteDeps['recognition']): R {
  if (!recognition) return report;
  const walk = (r: ReportWithMc) => {
    if (r.microcredential?.globalId) r.microcredential.accreditations = recognition.accreditationsInForceOf(r.microcredential.globalId);
    for (const c of r.credentials ?? []) walk(c);
  };
  walk(report as ReportWithMc);
  return report;
}

/** `inline` / `attachment` with the file name: an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 8187). */
function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^A-Za-z0-9._ -]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function credentialRoutes(s: CredentialRouteDeps): RouteDef[] {
  const { credentials } = s;
  const r: RouteDef[] = [];
  const route = (def: Omit<RouteDef, 'handler'>, handler: RouteDef['handler']) => r.push({ ...def, handler });
  const admin = { scope: 'admin', tag: 'admin' } as const;

  // Anyone: a credential or a presentation as the JSON body, or wrapped as {"credential"|"presentation", "challenge"?,
  // "domain"?} (schemas/api/verify-request), or as text/plain, which the verifier parses itself (so "not JSON" is a
  // failed `parse` check in the report).
  route({ method: 'post', path: '/verify', tag: 'credentials', summary: "Verify a credential or presentation (bare, or wrapped with the verifier's challenge and domain): a report with one check each (proof, issuer_known, key_valid_at_issuance, status, validity_period, schema, microcredential_listed; for a presentation also holder_authenticated, the holder's own proof), ok / failed / unchecked with a reason", body: { schema: 'api/verify-request', alternatives: [{ contentType: 'text/plain', description: 'the credential or presentation as text (parsed by the verifier)' }, { contentType: 'image/png', description: 'a baked badge image: the credential in its openbadgecredential iTXt chunk (Open Badges 3.0 baking)' }, { contentType: 'image/svg+xml', description: 'a baked badge image: the credential in its <openbadges:credential> element (Open Badges 3.0 baking)' }] }, response: 'api/verification-report', responses: LIMIT_RESPONSES }, async (req, res) => {
    let input: unknown = req.body;
    if (Buffer.isBuffer(input)) {
      // a baked badge (image/png, image/svg+xml): the credential's text out of it, then parsed by the verifier as text
      const baked = extractBaked(input);
      // the reason (English, technical: which chunk or element is missing or malformed) as the body's one field error
      if (!baked.ok) throw userError('validation_failed', 'credential.imageUnreadable', undefined, { reason: baked.reason, errors: [{ path: '', message: baked.reason }] });
      input = baked.text;
    }
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
      throw userError('validation_failed', 'credential.bodyRequired');
    res.json(withAccreditations(await credentials.verify(input, options), s.recognition));
  });

  route({ method: 'get', path: '/status-lists/:id', tag: 'credentials', summary: 'A status list credential (BitstringStatusListCredential, signed by its issuer) from the replica' }, (req, res) => {
    const c = credentials.statusListCredential(param(req, 'id'));
    if (!c) throw new RegistryError('not_found', `no status list ${param(req, 'id')} in this node's replica`);
    res.set('Cache-Control', 'public, max-age=60').type('application/vc+ld+json').send(JSON.stringify(c));
  });

  // the learner's link: the credential id is a random urn:uuid, known only to whom it was given
  route({ method: 'get', path: '/credentials/:id', tag: 'credentials', summary: "A credential issued by this node, by its id (the learner's verification link)" }, (req, res) => {
    const c = credentials.get(param(req, 'id'));
    if (!c) throw userError('not_found', 'credential.notKeptHere');
    res.set('Cache-Control', 'no-store').json(c.credential);
  });

  route({ method: 'get', path: '/credentials/:id/qr.svg', tag: 'credentials', summary: "QR code (SVG) of the credential's verification link" }, async (req, res) => {
    const c = credentials.get(param(req, 'id'));
    if (!c) throw userError('not_found', 'credential.notFound');
    const svg = await QRCode.toString(c.verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.set('Cache-Control', 'no-store').type('image/svg+xml').send(svg);
  });

  // an evidence file a credential of this node names, by the SHA-256 the credential signed: never served as active
  // content (nosniff; a download under a sandboxing CSP unless it is an image or a PDF)
  route({ method: 'get', path: '/evidence/:digest', tag: 'credentials', summary: 'An evidence file attached to a credential of this node, by its SHA-256 (hex): the bytes the credential names (images and PDF inline, other types as a download)' }, (req, res) => {
    const f = credentials.evidenceFile(param(req, 'digest'));
    if (!f) throw userError('not_found', 'evidence.notFound');
    res.set({
      'Content-Type': f.mediaType.startsWith('text/') ? `${f.mediaType}; charset=utf-8` : f.mediaType,
      'Content-Length': String(f.bytes.length),
      'Content-Disposition': contentDisposition(f.inline ? 'inline' : 'attachment', f.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${f.digest}"`,
      ...(f.inline ? {} : { 'Content-Security-Policy': "default-src 'none'; sandbox" }),
    });
    res.end(f.bytes);
  });

  route({ ...admin, method: 'post', path: '/credentials', summary: 'Issue one Open Badges 3.0 credential for a microcredential of this unit', body: 'api/issue-credential' }, async (req, res) => {
    s.schemas.assertValid('api/issue-credential', req.body);
    const c = await credentials.issue(req.body);
    res.status(201).location(`/api/v1/admin/credentials/${encodeURIComponent(c.id)}`).json(c);
  });

  // filters: learner / id, microcredential, issuer key, status, issuance date range (e.g. what a compromised key signed)
  route(
    {
      ...admin,
      method: 'get',
      path: '/credentials',
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
          ['job', 'only the credentials of this CSV batch job (a cohort)'],
          ['delivery', 'only those whose newest claim-link e-mail is queued | sending | sent | failed | bounced, or none'],
          ['limit', '1..500 (default 50)'],
          ['offset', 'offset'],
        ] as const
      ).map(([name, description]) => ({ name, description, schema: { $ref: `#/components/schemas/api.credential-list-query/properties/${name}` } })),
    },
    (req, res) => {
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
        ...(q.job ? { job: q.job } : {}),
        ...(q.delivery ? { delivery: q.delivery as CredentialListQuery['delivery'] } : {}),
        ...(q.limit !== undefined ? { limit: Number(q.limit) } : {}),
        ...(q.offset !== undefined ? { offset: Number(q.offset) } : {}),
      }),
    );
  },
  );

  // re-issue with the current key the credentials in force of an earlier key (rotated or compromised), oldest first
  route({ ...admin, method: 'post', path: '/credentials/reissue', summary: 'Re-issue with the current key the credentials in force of an earlier issuer key (rotated or compromised), per-row report; the old ones are revoked as re-issued', body: 'api/credential-reissue' }, async (req, res) => {
    s.schemas.assertValid('api/credential-reissue', req.body);
    const b = req.body as { issuerKey: string; issuedFrom?: string; issuedTo?: string; limit?: number };
    res.json(await credentials.reissueBatch(b));
  });

  // CSV as JSON {csv, microcredential?} or as a raw text/csv body with ?microcredential=
  // (text/csv bodies are read by the app's text parser, up to 5 MiB: about 60,000 rows)
  route({ ...admin, method: 'post', path: '/credentials/batch', summary: 'Issue a cohort from CSV as a background job (JSON {csv, microcredential?} or text/csv)', body: { schema: 'api/credential-batch', alternatives: [{ contentType: 'text/csv', description: 'the CSV itself, with ?microcredential= (up to 5 MiB)' }] }, query: [{ name: 'microcredential', description: 'with a text/csv body: the microcredential id' }, { name: 'notify', description: 'with a text/csv body: true to e-mail each learner their claim link' }, { name: 'language', description: 'with a text/csv body: es | en | pt, the e-mails\' language (a row\'s idioma column wins)' }] }, (req, res) => {
    let body: { csv?: unknown; microcredential?: unknown; notify?: unknown; language?: unknown; files?: unknown; results?: unknown };
    if (typeof req.body === 'string') {
      body = { csv: req.body };
      if (typeof req.query.microcredential === 'string') body.microcredential = req.query.microcredential;
      if (req.query.notify === 'true' || req.query.notify === '1') body.notify = true;
      if (typeof req.query.language === 'string') body.language = req.query.language;
    } else body = req.body as typeof body;
    s.schemas.assertValid('api/credential-batch', body);
    const job = credentials.startBatch(body.csv as string, {
      ...(typeof body.microcredential === 'string' ? { microcredential: body.microcredential } : {}),
      ...(body.notify === true ? { notify: true } : {}),
      ...(body.language === 'es' || body.language === 'en' || body.language === 'pt' ? { language: body.language } : {}),
      // evidence files rows name (evidencia_archivo) and the result template (levels of each criterion)
      ...(Array.isArray(body.files) ? { files: body.files as EvidenceFileInput[] } : {}),
      ...(Array.isArray(body.results) ? { results: body.results as ResultRequest[] } : {}),
    });
    res.status(202).location(`/api/v1/admin/jobs/${job.id}`).json(job);
  });

  // a cohort's dry run: the same body as the batch, each row's verdict by the batch's own rule, nothing issued;
  // /errors.csv answers the bad rows of the same run as a file (their own cells and the reason)
  const batchBody = (req: Parameters<RouteDef['handler']>[0]) => {
    let body: { csv?: unknown; microcredential?: unknown; notify?: unknown; language?: unknown; files?: unknown; results?: unknown };
    if (typeof req.body === 'string') {
      body = { csv: req.body };
      if (typeof req.query.microcredential === 'string') body.microcredential = req.query.microcredential;
    } else body = req.body as typeof body;
    s.schemas.assertValid('api/credential-batch', body);
    const language: 'es' | 'en' | 'pt' | null = body.language === 'es' || body.language === 'en' || body.language === 'pt' ? body.language : null;
    return {
      csv: body.csv as string,
      opts: {
        ...(typeof body.microcredential === 'string' ? { microcredential: body.microcredential } : {}),
        ...(body.notify === true ? { notify: true } : {}),
        ...(language ? { language } : {}),
        ...(Array.isArray(body.files) ? { files: body.files as EvidenceFileInput[] } : {}),
        ...(Array.isArray(body.results) ? { results: body.results as ResultRequest[] } : {}),
      },
    };
  };
  route({ ...admin, method: 'post', path: '/credentials/batch/preview', summary: "A cohort's dry run: each row's verdict (ok / skipped / failed, with the reason in the asker's language), learner and microcredential, by the very rule the batch applies; nothing is issued", body: { schema: 'api/credential-batch', alternatives: [{ contentType: 'text/csv', description: 'the CSV itself, with ?microcredential=' }] }, response: 'api/credential-batch-preview', query: [{ name: 'microcredential', description: 'with a text/csv body: the microcredential for rows without one' }] }, async (req, res) => {
    const { csv, opts } = batchBody(req);
    res.set('Cache-Control', 'no-store').json(await credentials.previewBatch(csv, opts, answerLanguage(req, res)));
  });
  route({ ...admin, method: 'post', path: '/credentials/batch/errors.csv', summary: "A cohort's error file: the rows its dry run refuses (failed), each with its own cells and the reason, as CSV (';', UTF-8 with BOM); formula-looking cells neutralised", body: { schema: 'api/credential-batch', alternatives: [{ contentType: 'text/csv', description: 'the CSV itself, with ?microcredential=' }] }, query: [{ name: 'microcredential', description: 'with a text/csv body: the microcredential for rows without one' }] }, async (req, res) => {
    const { csv, opts } = batchBody(req);
    const lang = answerLanguage(req, res);
    const preview = await credentials.previewBatch(csv, opts, lang);
    const bad = preview.rows.filter((r) => r.status === 'failed').map((r) => ({ line: r.line, error: r.error ?? '' }));
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', contentDisposition('attachment', message(lang, 'csv.errorFileName')))
      .type('text/csv; charset=utf-8')
      .send('\uFEFF' + cohortErrorCsv(csv, bad, message(lang, 'csv.col.error')));
  });
  route({ ...admin, method: 'get', path: '/credentials/batch/template.csv', summary: "A cohort's template: the columns the node reads (required, optional, evidence and results) with the header names of the asker's language (Spanish, English or Portuguese names of the same columns are all read) and one example row" }, (req, res) => {
    const lang = answerLanguage(req, res);
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', contentDisposition('attachment', message(lang, 'csv.templateFileName')))
      .type('text/csv; charset=utf-8')
      .send('\uFEFF' + cohortTemplateCsv(lang));
  });

  // ?from=N: only the row results from index N on (a poller passes how many it already has)
  route({ ...admin, method: 'get', path: '/jobs/:id', summary: 'Progress and per-row results of a batch job (rows from index `from` on)', query: [{ name: 'from', description: 'index of the first row result to return (default 0)' }] }, (req, res) => {
    const from = typeof req.query.from === 'string' && /^\d+$/.test(req.query.from) ? Number(req.query.from) : 0;
    const job = credentials.job(param(req, 'id'), from, answerLanguage(req, res));
    if (!job) throw userError('not_found', 'job.notFound', { id: param(req, 'id').slice(0, 100) });
    res.json(job);
  });

  // the job's row results as a spreadsheet (";" and a BOM, as spreadsheets in Spanish locales open them), written
  // by the one CSV writer so no cell (a learner's name, an echoed bad cell) can run as a formula
  route({ ...admin, method: 'get', path: '/jobs/:id/rows.csv', summary: "A batch job's row results as CSV (';', UTF-8 with BOM): line, name, status, credential id, verification link, error; formula-looking cells neutralised" }, (req, res) => {
    const lang = answerLanguage(req, res);
    const job = credentials.job(param(req, 'id'), 0, lang);
    if (!job) throw userError('not_found', 'job.notFound', { id: param(req, 'id').slice(0, 100) });
    // statuses as words of the asker's language; the header too (Spanish by default, as before)
    const rows = job.rows.map((r) => [r.line, r.name ?? '', message(lang, `csv.status.${r.status}`), r.id ?? '', r.id ? (credentials.get(r.id)?.verifyUrl ?? '') : '', r.error ?? '']);
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="lote-${job.id.replace(/[^A-Za-z0-9-]/g, '_')}.csv"`)
      .type('text/csv; charset=utf-8')
      .send('\uFEFF' + toCsv((['line', 'name', 'status', 'id', 'verifyLink', 'error'] as const).map((c) => message(lang, `csv.col.${c}`)), rows, ';'));
  });

  route({ ...admin, method: 'get', path: '/credentials/:id', summary: 'One issued credential with its status, verification link and QR code URL' }, (req, res) => {
    const c = credentials.get(param(req, 'id'));
    if (!c) throw userError('not_found', 'credential.issuedNotFound', { id: param(req, 'id').slice(0, 200) });
    res.json(c);
  });

  route({ ...admin, method: 'post', path: '/credentials/:id/reissue', summary: 'Re-issue one credential in force with the current key (the old one is revoked as re-issued)', body: { schema: 'api/no-body', optional: true } }, async (req, res) => {
    const out = await credentials.reissue(param(req, 'id'));
    res.status(201).location(`/api/v1/admin/credentials/${encodeURIComponent(out.credential.id)}`).json(out);
  });

  const actions = { revoke: 'Revoke (final); publishes the new status list', suspend: 'Suspend; publishes the new status list', reinstate: 'Lift a suspension; publishes the new status list' } as const;
  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    route({ ...admin, method: 'post', path: `/credentials/:id/${action}`, summary: actions[action], body: 'api/credential-status-change' }, async (req, res) => {
      const body = req.body && typeof req.body === 'object' ? req.body : {};
      s.schemas.assertValid('api/credential-status-change', body);
      const { reason, reasonCategory } = body as { reason?: string; reasonCategory?: ReasonCategory };
      res.json(await credentials[action](param(req, 'id'), reason, reasonCategory));
    });
  }

  return r;
}
