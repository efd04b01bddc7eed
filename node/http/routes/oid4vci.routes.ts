/**
 * OpenID4VCI 1.0 routes (issue 15 item 5): the two well-known metadata documents, the credential offer of a claim
 * link (for its QR code and openid-credential-offer:// link), and the wallet's token, nonce and credential endpoints.
 * The wallet endpoints answer errors the OAuth way ({error, error_description}, 400, or 401 with WWW-Authenticate
 * for a missing or bad access token), not as problem+json, since wallets read those; everything else goes through the
 * node's problem+json mapping. Rate-limited and gated with the claim link (node/http/app.ts).
 * Must never put a claim token, code, access token or nonce in a log or an error, and never cache an answer.
 */
import type { Response } from 'express';
import QRCode from 'qrcode';
import type { SchemaRegistry } from '../../core/schema-registry.js';
import type { OAuthError, Oid4vciService, Refusal } from '../../credentials/oid4vci.js';
import { LIMIT_RESPONSES } from '../limits.js';
import { param, type RouteDef } from '../route-table.js';

export interface Oid4vciRouteDeps {
  schemas: Pick<SchemaRegistry, 'validate' | 'assertValid'>;
  oid4vci: Pick<Oid4vciService, 'issuerMetadata' | 'authorizationServerMetadata' | 'offer' | 'token' | 'nonce' | 'credential'>;
}

/** The HTTP status of each OAuth / OpenID4VCI error. */
const OAUTH_STATUS: Record<OAuthError, number> = {
  invalid_request: 400,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  invalid_token: 401,
  invalid_credential_request: 400,
  unknown_credential_configuration: 400,
  unknown_credential_identifier: 400,
  invalid_proof: 400,
  invalid_nonce: 400,
  invalid_encryption_parameters: 400,
  credential_request_denied: 400,
};

function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}

/** RFC 6749 5.2: error_description is printable ASCII without `"` and `\` (and short: it is for developers). */
export function oauthDescription(s: string): string {
  return s
    .replace(/\u2026/g, '...')
    .replace(/"/g, "'")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?')
    .slice(0, 500);
}

function sendRefusal(res: Response, r: Refusal): void {
  const status = OAUTH_STATUS[r.error] ?? 400;
  if (status === 401) res.set('WWW-Authenticate', `Bearer error="${r.error}"`);
  noStore(res).status(status).json({ error: r.error, error_description: oauthDescription(r.description) });
}

export function oid4vciRoutes(s: Oid4vciRouteDeps): RouteDef[] {
  const r: RouteDef[] = [];
  const route = (def: Omit<RouteDef, 'handler'>, handler: RouteDef['handler']) => r.push({ ...def, handler });
  const oauthErrors = { '400': 'OAuth error JSON ({error, error_description}), not problem+json', ...LIMIT_RESPONSES };

  route(
    {
      method: 'get',
      path: '/.well-known/openid-credential-issuer',
      scope: 'root',
      tag: 'wallets',
      summary: 'OpenID4VCI 1.0 credential issuer metadata: one ldp_vc OpenBadgeCredential configuration, jwt proofs (EdDSA / Ed25519), did:key binding',
    },
    (_req, res) => {
      res.set('Cache-Control', 'no-cache').json(s.oid4vci.issuerMetadata());
    },
  );

  route(
    {
      method: 'get',
      path: '/.well-known/oauth-authorization-server',
      scope: 'root',
      tag: 'wallets',
      summary: 'OAuth 2.0 authorization server metadata (RFC 8414): the token endpoint and the pre-authorized code grant only',
    },
    (_req, res) => {
      res.set('Cache-Control', 'no-cache').json(s.oid4vci.authorizationServerMetadata());
    },
  );

  route(
    {
      method: 'post',
      path: '/claims/:token/wallet-offer',
      tag: 'wallets',
      summary:
        "A credential offer for the claim link's holder to scan with a wallet (pre-authorized code, single use, 10 minutes; replaces the link's earlier open offer)",
      body: { schema: 'api/no-body', optional: true },
      response: 'api/oid4vci-offer',
      responses: { '404': 'not_found: unknown or revoked link (the same answer for both)', '409': 'conflict: the credential is revoked or suspended', ...LIMIT_RESPONSES },
    },
    async (req, res) => {
      const offer = s.oid4vci.offer(param(req, 'token'));
      const svg = await QRCode.toString(offer.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      noStore(res)
        .set('Referrer-Policy', 'no-referrer')
        .json({ ...offer, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` });
    },
  );

  route(
    {
      method: 'post',
      path: '/oid4vci/token',
      tag: 'wallets',
      summary: 'OAuth 2.0 token endpoint, pre-authorized code grant: the offer\'s code (single use) for a bearer access token (5 minutes) and a c_nonce',
      body: {
        schema: 'api/oid4vci-token-request',
        alternatives: [{ contentType: 'application/x-www-form-urlencoded', description: 'The same fields as a form (what OAuth 2.0 clients send)' }],
      },
      responses: oauthErrors,
    },
    (req, res) => {
      const body: unknown = req.body ?? {};
      const shape = s.schemas.validate('api/oid4vci-token-request', body);
      if (!shape.ok) return sendRefusal(res, { ok: false, error: 'invalid_request', description: `the token request is malformed: ${shape.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}` });
      const out = s.oid4vci.token(body);
      if (!out.ok) return sendRefusal(res, out);
      const { ok: _ok, ...answer } = out;
      noStore(res).json(answer);
    },
  );

  route(
    {
      method: 'post',
      path: '/oid4vci/nonce',
      tag: 'wallets',
      summary: 'OpenID4VCI 1.0 nonce endpoint: a fresh c_nonce for the proof of possession (5 minutes, single use)',
      body: { schema: 'api/no-body', optional: true },
      responses: LIMIT_RESPONSES,
    },
    (_req, res) => {
      noStore(res).json(s.oid4vci.nonce());
    },
  );

  route(
    {
      method: 'post',
      path: '/oid4vci/credential',
      tag: 'wallets',
      summary:
        "OpenID4VCI 1.0 credential endpoint (Bearer access token): one ldp_vc OpenBadgeCredential bound to the did:key of the request's jwt proof, signed by this unit's issuer key",
      body: 'api/oid4vci-credential-request',
      responses: { ...oauthErrors, '401': 'invalid_token: no or a bad access token (WWW-Authenticate: Bearer)' },
    },
    async (req, res) => {
      const body: unknown = req.body;
      const shape = s.schemas.validate('api/oid4vci-credential-request', body ?? null);
      // the access token is looked at first: a request without one is told so, whatever its body
      if (!shape.ok) {
        const out = await s.oid4vci.credential(req.get('authorization'), null);
        if (!out.ok && out.error === 'invalid_token') return sendRefusal(res, out);
        return sendRefusal(res, { ok: false, error: 'invalid_credential_request', description: `the credential request is malformed: ${shape.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}` });
      }
      const out = await s.oid4vci.credential(req.get('authorization'), body);
      if (!out.ok) return sendRefusal(res, out);
      noStore(res).json({ credentials: [{ credential: out.credential }] });
    },
  );

  return r;
}
