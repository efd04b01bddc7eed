/**
 * Claim-link routes (issue 15 items 3-4): what a learner's capability URL opens (`GET /api/v1/claims/{token}`: the
 * credential, its verification, its links), its downloads (JSON, the PDF certificate with the verification QR, the
 * badge image with the credential baked in, PNG and SVG), the holder's switch for the public share page, the
 * share page itself (`/share/{id}`, server-rendered with link-preview tags and the credential's evidence and results, 404 while off), and the unit's side:
 * the links and e-mail deliveries of a credential, a new link, revoking links, retrying a delivery, a reported
 * bounce. Rate-limited with the other public endpoints (node/http/app.ts, node/http/limits.ts).
 * Must never tell an unknown token from a revoked one, never put a token in a log or an error, and never write a
 * credential field into HTML unescaped.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { message, negotiateLanguage, userError, type MessageLang, type ServerMessageKey } from '../../core/messages/index.js';
import { answerLanguage } from '../problem.js';
import { bakedBadgePng, bakedBadgeSvg } from '../../credentials/badge-image.js';
import { certificateLanguage, certificatePdf, CERTIFICATE_LANGUAGES } from '../../credentials/certificate-pdf.js';
import type { SchemaRegistry } from '../../core/schema-registry.js';
import type { Claim, CredentialService, IssuedCredential } from '../../credentials/credential.service.js';
import type { VerificationReport } from '../../credentials/verify.js';
import { LIMIT_RESPONSES } from '../limits.js';
import { safeHttpUrl } from '../../core/safe-url.js';
import { param, type RouteDef } from '../route-table.js';

export interface ClaimRouteDeps {
  schemas: Pick<SchemaRegistry, 'assertValid'>;
  credentials: Pick<
    CredentialService,
    'claim' | 'setShare' | 'shared' | 'verify' | 'delivery' | 'newClaim' | 'revokeClaims' | 'retryDelivery' | 'reportBounce'
  >;
  /** Base URL of this node (for the download link). */
  publicUrl: () => string;
}


/** Text for HTML: every character that could open markup or an attribute is escaped. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The name, issuer and description of a credential for display (from its own fields, which are untrusted text). */
function facts(c: IssuedCredential): { achievement: string; issuer: string; description: string } {
  const cred = c.credential as {
    issuer?: { name?: unknown };
    credentialSubject?: { achievement?: { name?: unknown; description?: unknown } };
  };
  return {
    achievement: text(cred.credentialSubject?.achievement?.name) || c.microcredential,
    issuer: text(cred.issuer?.name),
    description: text(cred.credentialSubject?.achievement?.description),
  };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The evidence (name, narrative, http(s) link) and results ("criterion: level or value") a credential carries, as
 * display text (at most 50 of each): the twin of the claim page's web/src/pages/claim-evidence.tsx.
 */
export function evidenceAndResults(credential: unknown): {
  evidence: { name: string; narrative: string; description: string; url: string | null }[];
  results: { criterion: string; value: string }[];
} {
  const c = obj(credential);
  const subject = obj(list(c['credentialSubject'])[0]);
  const evidence = list(c['evidence'])
    .slice(0, 50)
    .map((e) => {
      const o = obj(e);
      return { name: text(o['name']).trim(), narrative: text(o['narrative']).trim(), description: text(o['description']).trim(), url: safeHttpUrl(o['id']) };
    })
    .filter((e) => e.name || e.narrative || e.description || e.url);
  const descriptions = new Map<string, { name: string; levels: Map<string, string> }>();
  for (const d of list(obj(subject['achievement'])['resultDescription']).slice(0, 50)) {
    const o = obj(d);
    const levels = new Map<string, string>();
    for (const l of list(o['rubricCriterionLevel']).slice(0, 50)) levels.set(text(obj(l)['id']), text(obj(l)['name']).trim());
    if (text(o['id'])) descriptions.set(text(o['id']), { name: text(o['name']).trim(), levels });
  }
  const results = list(subject['result'])
    .slice(0, 50)
    .map((r) => {
      const o = obj(r);
      const d = descriptions.get(text(o['resultDescription']));
      const level = d?.levels.get(text(o['achievedLevel'])) ?? '';
      return { criterion: d?.name ?? '', value: level || text(o['value']).trim() || text(o['status']).trim() };
    })
    .filter((r) => r.criterion && r.value);
  return { evidence, results };
}

/** The share page's evidence and results section (escaped; links only http(s)); empty when there are none. */
function evidenceHtml(credential: unknown, w: (k: ServerMessageKey) => string): string {
  const { evidence, results } = evidenceAndResults(credential);
  let out = '';
  if (evidence.length)
    out += `<h2>${w('share.evidence')}</h2>\n<ul>\n${evidence
      .map((e) => {
        const label = escapeHtml(e.name || e.url || '');
        const head = e.url ? `<a href="${escapeHtml(e.url)}" rel="noopener noreferrer nofollow">${label}</a>` : e.name ? `<strong>${label}</strong>` : '';
        return `<li>${head}${e.description ? `<p>${escapeHtml(e.description)}</p>` : ''}${e.narrative ? `<p>${escapeHtml(e.narrative)}</p>` : ''}</li>`;
      })
      .join('\n')}\n</ul>\n`;
  if (results.length)
    out += `<h2>${w('share.results')}</h2>\n<dl>\n${results.map((r) => `<dt>${escapeHtml(r.criterion)}</dt><dd>${escapeHtml(r.value)}</dd>`).join('\n')}\n</dl>\n`;
  return out;
}

const FILE_WORDS: Record<MessageLang, Record<'certificate' | 'badge' | 'credential', string>> = {
  es: { certificate: 'certificado', badge: 'insignia', credential: 'credencial' },
  en: { certificate: 'certificate', badge: 'badge', credential: 'credential' },
  pt: { certificate: 'certificado', badge: 'insignia', credential: 'credencial' },
};

/** A download's language: ?lang= (the web app sends its own), else Accept-Language, else Spanish. */
function fileLang(req: Request): MessageLang {
  return certificateLanguage(req.query['lang']) ?? negotiateLanguage(req.headers['accept-language']);
}

/**
 * A learner's download named for people: the achievement's title (ASCII, dashes, at most 60 characters) and what the
 * file is in the asker's language, e.g. `soporte-vital-basico-certificado.pdf` (it was `certificado-urn_uuid_….pdf`).
 */
export function downloadName(achievement: string, what: 'certificate' | 'badge' | 'credential', lang: MessageLang, ext: string): string {
  const slug =
    achievement
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'mochila';
  return `${slug}-${FILE_WORDS[lang][what]}.${ext}`;
}

/** The share page's own stylesheet (inline, allowed by its hash in the CSP: node/http/app.ts; no 'unsafe-inline'). */
export const SHARE_CSS = `body{font:16px/1.5 system-ui,sans-serif;color:#14213d;margin:0;background:#f5f7fa}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem;background:#fff;min-height:100vh;box-sizing:border-box;overflow-wrap:anywhere}
.brand{margin:0 0 1rem;font-weight:700;letter-spacing:.08em;color:#0b5394}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1rem}dt{font-weight:600}dd{margin:0}
.state{display:inline-block;padding:0 .5rem;border-radius:4px;font-weight:600;border:1px solid}
.state-verified{color:#0f5132;background:#e6f4ea}.state-revoked,.state-suspended,.state-unverified{color:#5c0b0e;background:#fdecea}
a.verify{display:inline-block;margin-top:1rem;padding:.6rem 1rem;border-radius:6px;background:#0b5394;color:#fff;font-weight:600;text-decoration:none}
a.verify:focus-visible,a.verify:hover{background:#073763;outline:3px solid #f6b73c;outline-offset:2px}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
`;
/** CSP source for SHARE_CSS. */
export const SHARE_STYLE_HASH = `'sha256-${createHash('sha256').update(SHARE_CSS, 'utf8').digest('base64')}'`;

/** An ISO date as people read it in the page's language ("2 de diciembre de 2026", "December 2, 2026"). */
export function shareDate(iso: string, lang: MessageLang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 10);
  return new Intl.DateTimeFormat(lang === 'pt' ? 'pt-BR' : lang, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/**
 * The public share page: a small server-rendered page whose title and og: tags give the link preview, its words in
 * the visitor's language (?lang=, else Accept-Language, else Spanish: link-preview robots send none).
 */
export function sharePage(c: IssuedCredential, opts: { url: string; verified: boolean; lang?: MessageLang }): string {
  const lang = opts.lang ?? 'es';
  const w = (k: ServerMessageKey) => escapeHtml(message(lang, k));
  const f = facts(c);
  const title = `${f.achievement} — ${c.learnerName}`;
  const desc = `${f.issuer ? `${f.issuer}: ` : ''}${f.description}`.slice(0, 300);
  const date = c.issuedAt.slice(0, 10);
  const shown = shareDate(c.issuedAt, lang);
  const state = c.status.revoked ? 'revoked' : c.status.suspended ? 'suspended' : opts.verified ? 'verified' : 'unverified';
  return `<!doctype html>
<html lang="${lang === 'pt' ? 'pt-BR' : lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(desc)}">
<meta property="og:type" content="website">
<meta property="og:title" content="${escapeHtml(title)}">
<meta property="og:description" content="${escapeHtml(desc)}">
<meta property="og:url" content="${escapeHtml(opts.url)}">
<meta property="og:site_name" content="MOCHILA">
<meta name="twitter:card" content="summary">
<meta name="robots" content="noindex">
<style>${SHARE_CSS}</style>
</head>
<body>
<main>
<p class="brand">MOCHILA</p>
<h1>${escapeHtml(f.achievement)}</h1>
<dl>
<dt>${w('share.awardedTo')}</dt><dd><strong>${escapeHtml(c.learnerName)}</strong></dd>
<dt>${w('share.issuer')}</dt><dd>${escapeHtml(f.issuer)}</dd>
<dt>${w('share.date')}</dt><dd><time datetime="${escapeHtml(date)}">${escapeHtml(shown)}</time></dd>
<dt>${w('share.status')}</dt><dd><span class="state state-${state}">${w(`share.state.${state}`)}</span></dd>
</dl>
${f.description ? `<p>${escapeHtml(f.description)}</p>` : ''}
${evidenceHtml(c.credential, w)}<p><a href="/verify?credential=${encodeURIComponent(c.id)}&amp;lang=${lang}" class="verify">${w('share.verify')}</a></p>
</main>
</body>
</html>
`;
}

export function claimRoutes(s: ClaimRouteDeps): RouteDef[] {
  const { credentials } = s;
  const r: RouteDef[] = [];
  const route = (def: Omit<RouteDef, 'handler'>, handler: RouteDef['handler']) => r.push({ ...def, handler });
  const admin = { scope: 'admin', tag: 'admin' } as const;
  const base = () => s.publicUrl().replace(/\/$/, '');
  const claimOr404 = (token: string): Claim => {
    const c = credentials.claim(token);
    if (!c) throw userError('not_found', 'claim.notFound');
    return c;
  };
  const notFound = { '404': 'not_found: unknown or revoked link (the same answer for both)', ...LIMIT_RESPONSES };

  route(
    {
      method: 'get',
      path: '/claims/:token',
      tag: 'claims',
      summary:
        "What a learner's claim link opens: the credential, its verification report, its links and the share page state (learner data: to the holder of the link only)",
      response: 'api/claim',
      responses: notFound,
    },
    async (req, res) => {
      const token = param(req, 'token');
      const { credential: c, share } = claimOr404(token);
      const verification: VerificationReport = await credentials.verify(c.credential);
      res
        .set('Cache-Control', 'no-store')
        .set('Referrer-Policy', 'no-referrer')
        .json({
          id: c.id,
          learnerName: c.learnerName,
          microcredential: c.microcredential,
          issuedAt: c.issuedAt,
          status: { revoked: c.status.revoked, suspended: c.status.suspended },
          credential: c.credential,
          verification,
          links: {
            json: `${base()}/api/v1/claims/${token}/credential.json`,
            verify: c.verifyUrl,
            qr: c.qrUrl,
            pdf: `${base()}/api/v1/claims/${token}/certificate.pdf`,
            png: `${base()}/api/v1/claims/${token}/badge.png`,
            svg: `${base()}/api/v1/claims/${token}/badge.svg`,
          },
          share,
        });
    },
  );

  route(
    {
      method: 'get',
      path: '/claims/:token/credential.json',
      tag: 'claims',
      summary: 'Download the signed credential of a claim link (application/vc+ld+json, as an attachment)',
      responses: notFound,
    },
    (req, res) => {
      const { credential: c } = claimOr404(param(req, 'token'));
      res
        .set('Cache-Control', 'no-store')
        .set('Referrer-Policy', 'no-referrer')
        .set('Content-Disposition', `attachment; filename="${downloadName(facts(c).achievement, 'credential', fileLang(req), 'json')}"`)
        .type('application/vc+ld+json')
        .send(JSON.stringify(c.credential, null, 2));
    },
  );

  // the learner's downloads: as private as the JSON (no-store, no referrer, attachments named by the achievement)
  const download = (res: Response, c: IssuedCredential, what: 'certificate' | 'badge', lang: MessageLang, type: string, body: Buffer | string) =>
    res
      .set('Cache-Control', 'no-store')
      .set('Referrer-Policy', 'no-referrer')
      .set('Content-Disposition', `attachment; filename="${downloadName(facts(c).achievement, what, lang, type === 'application/pdf' ? 'pdf' : type === 'image/png' ? 'png' : 'svg')}"`)
      .type(type)
      .send(body);

  route(
    {
      method: 'get',
      path: '/claims/:token/certificate.pdf',
      tag: 'claims',
      summary:
        "Download the credential's PDF certificate (learner, achievement, issuer, dates, workload and credits, the verification link printed and as a QR code) in Spanish, English or Portuguese: ?lang=es|en|pt, else the Accept-Language header, else Spanish",
      responses: notFound,
    },
    async (req, res) => {
      const { credential: c } = claimOr404(param(req, 'token'));
      const language =
        certificateLanguage(req.query['lang']) ?? certificateLanguage(req.acceptsLanguages(...CERTIFICATE_LANGUAGES) || '') ?? 'es';
      const pdf = await certificatePdf({
        credential: c.credential,
        learnerName: c.learnerName,
        microcredential: c.microcredential,
        issuedAt: c.issuedAt,
        verifyUrl: c.verifyUrl,
        language,
      });
      res.set('Content-Language', language);
      download(res, c, 'certificate', language, 'application/pdf', Buffer.from(pdf));
    },
  );

  route(
    {
      method: 'get',
      path: '/claims/:token/badge.png',
      tag: 'claims',
      summary:
        'Download the badge image (PNG, with the QR code of the verification link) with the signed credential baked in (Open Badges 3.0: an iTXt chunk with keyword openbadgecredential)',
      responses: notFound,
    },
    (req, res) => {
      const { credential: c } = claimOr404(param(req, 'token'));
      download(res, c, 'badge', fileLang(req), 'image/png', bakedBadgePng(c.verifyUrl, c.credential));
    },
  );

  route(
    {
      method: 'get',
      path: '/claims/:token/badge.svg',
      tag: 'claims',
      summary:
        'Download the badge image (SVG, with the achievement, issuer and date) with the signed credential baked in (Open Badges 3.0: an <openbadges:credential> element)',
      responses: notFound,
    },
    (req, res) => {
      const { credential: c } = claimOr404(param(req, 'token'));
      const f = facts(c);
      const svg = bakedBadgeSvg({ achievement: f.achievement, issuer: f.issuer, issuedOn: c.issuedAt.slice(0, 10), verifyUrl: c.verifyUrl }, c.credential);
      download(res, c, 'badge', fileLang(req), 'image/svg+xml', svg);
    },
  );

  route(
    {
      method: 'put',
      path: '/claims/:token/share',
      tag: 'claims',
      summary: "Publish or withdraw the credential's public share page (off by default); the page keeps its address",
      body: 'api/claim-share',
      response: 'api/claim-share-state',
      responses: notFound,
    },
    (req, res) => {
      s.schemas.assertValid('api/claim-share', req.body);
      const c = credentials.setShare(param(req, 'token'), (req.body as { published: boolean }).published);
      if (!c) throw userError('not_found', 'claim.notFound');
      res.set('Cache-Control', 'no-store').json(c.share);
    },
  );

  route(
    {
      method: 'get',
      path: '/share/:id',
      scope: 'root',
      tag: 'claims',
      summary: "A learner's public share page (HTML with link-preview tags) while they publish it; 404 otherwise",
      responses: { '404': 'not_found: no such page, or not published', ...LIMIT_RESPONSES },
    },
    async (req, res) => {
      const c = credentials.shared(param(req, 'id'));
      // ?lang= (a link shared in one language) wins over the visitor's Accept-Language
      const asked = typeof req.query['lang'] === 'string' && /^(es|en|pt)$/.test(req.query['lang']) ? (req.query['lang'] as MessageLang) : null;
      const lang = asked ?? answerLanguage(req, res);
      if (asked) res.set('Content-Language', asked).vary('Accept-Language');
      if (!c) {
        res
          .status(404)
          .set('Cache-Control', 'no-store')
          .type('html')
          .send(`<!doctype html><html lang="${lang === 'pt' ? 'pt-BR' : lang}"><meta charset="utf-8"><title>${escapeHtml(message(lang, 'share.notPublishedTitle'))}</title><p>${escapeHtml(message(lang, 'share.notPublished'))}</p></html>`);
        return;
      }
      const report = await credentials.verify(c.credential);
      res
        .set('Cache-Control', 'no-cache')
        .type('html')
        .send(sharePage(c, { url: `${base()}/share/${param(req, 'id')}`, verified: report.verified, lang }));
    },
  );

  // the unit's side: links and deliveries (no token is ever shown again; a new link replaces the old ones)
  route(
    {
      ...admin,
      method: 'get',
      path: '/credentials/:id/delivery',
      summary:
        "A credential's claim links (without tokens), its e-mail deliveries (status, attempts, the SMTP server's last answer) and its share page state",
    },
    (req, res) => {
      res.json(credentials.delivery(param(req, 'id')));
    },
  );

  route(
    {
      ...admin,
      method: 'post',
      path: '/credentials/:id/claim',
      summary: "Replace a credential's claim links with a new one (earlier links stop working), optionally e-mailed",
      body: { schema: 'api/claim-new', optional: true },
    },
    (req, res) => {
      const body = req.body && typeof req.body === 'object' ? (req.body as { email?: string; language?: 'es' | 'en' | 'pt' }) : {};
      s.schemas.assertValid('api/claim-new', body);
      res
        .status(201)
        .json(
          credentials.newClaim(param(req, 'id'), {
            ...(body.email ? { email: body.email } : {}),
            ...(body.language ? { language: body.language } : {}),
          }),
        );
    },
  );

  route(
    {
      ...admin,
      method: 'post',
      path: '/credentials/:id/claim/revoke',
      summary: 'Revoke every claim link of a credential (the credential stays valid; its share page stays as the learner left it)',
      body: { schema: 'api/no-body', optional: true },
    },
    (req, res) => {
      res.json(credentials.revokeClaims(param(req, 'id')));
    },
  );

  route(
    {
      ...admin,
      method: 'post',
      path: '/credentials/:id/delivery/retry',
      summary: "Send again a credential's failed or bounced e-mail (now)",
      body: { schema: 'api/no-body', optional: true },
    },
    (req, res) => {
      res.json(credentials.retryDelivery(param(req, 'id')));
    },
  );

  route(
    {
      ...admin,
      method: 'post',
      path: '/credentials/:id/delivery/bounce',
      summary: "Record a bounce reported for a credential's last sent e-mail",
      body: 'api/delivery-bounce',
    },
    (req, res) => {
      s.schemas.assertValid('api/delivery-bounce', req.body);
      res.json(credentials.reportBounce(param(req, 'id'), (req.body as { reason: string }).reason));
    },
  );

  return r;
}
