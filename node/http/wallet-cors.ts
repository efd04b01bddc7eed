/**
 * CORS for browser wallets, on the OpenID4VCI endpoints a wallet calls from another origin and on nothing else: the
 * issuer and authorization server metadata (/.well-known/openid-credential-issuer, /.well-known/oauth-authorization-server)
 * and the token, nonce and credential endpoints (/api/v1/oid4vci/*). They answer `Access-Control-Allow-Origin: *`
 * without credentials, as OpenID4VCI deployments do: no cookie is involved anywhere — the pre-authorized code and
 * the bearer access token are the secrets, sent by the wallet itself — so any origin may read the answers, and an
 * Origin is never reflected nor credentials allowed. A preflight (OPTIONS) is answered here, before the rate limit
 * and the body parsers, with the methods and headers each endpoint takes. The admin API and every other route get
 * no CORS header at all. Must never set Access-Control-Allow-Credentials nor echo a request's Origin.
 */
import type { RequestHandler } from 'express';

/** The wallet's cross-origin endpoints and the methods each takes. */
export const WALLET_CORS_PATHS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '/.well-known/openid-credential-issuer': ['GET'],
  '/.well-known/oauth-authorization-server': ['GET'],
  '/api/v1/oid4vci/token': ['POST'],
  '/api/v1/oid4vci/nonce': ['POST'],
  '/api/v1/oid4vci/credential': ['POST'],
});

/** Request headers a wallet may send: the bearer access token and the body's type (no DPoP: this server does not use it). */
const ALLOW_HEADERS = 'Authorization, Content-Type';
/** Answer headers a wallet's script may read: the token error of a 401, and when to retry after a 429/503. */
const EXPOSE_HEADERS = 'WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy';

export function walletCors(): RequestHandler {
  return (req, res, next) => {
    const methods = Object.hasOwn(WALLET_CORS_PATHS, req.path) ? WALLET_CORS_PATHS[req.path] : undefined;
    if (!methods) return next();
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    // helmet's same-origin resource policy is for the node's own pages; these answers are meant for other origins
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method !== 'OPTIONS') return next();
    res.set('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
    res.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
