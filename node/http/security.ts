/**
 * Browser hardening for everything the node serves, from `helmet`: a Content-Security-Policy that allows only the
 * node's own scripts and styles (no inline script anywhere, inline styles only by hash, but on /docs), no framing by any site
 * (`frame-ancestors 'none'` and X-Frame-Options DENY), nosniff, no referrer, and the rest of helmet's set.
 * Swagger UI (/docs) gets the same policy with inline styles allowed (see docsPolicy).
 * Must never allow 'unsafe-inline' or 'unsafe-eval' for scripts, nor any host but the node's own.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

type Directives = Record<string, string[]>;

function directives(styleSrc: string[]): Directives {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", ...styleSrc],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'"],
  };
}

/**
 * Helmet for every response. `styleHashes`: CSP sources ('sha256-…') of inline stylesheets the node renders itself
 * (the printable recognition report). No upgrade-insecure-requests: a node may be reached over plain HTTP on a
 * LAN or at 127.0.0.1; TLS is the reverse proxy's job (README, Security).
 */
export function securityHeaders(opts: { styleHashes?: string[] } = {}): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: directives(opts.styleHashes ?? []) },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }) as unknown as RequestHandler;
}

/**
 * The CSP for Swagger UI's page (/docs): scripts stay 'self' (its init script is a file, swagger-ui-init.js, and the
 * page is refused here if it ever carries an inline script), but styles may be inline: Swagger UI writes style
 * attributes into HTML it builds at run time, which no fixed hash covers. Inline styles cannot run script, and the
 * page renders only this node's own OpenAPI document. Every other page keeps styles to 'self' and known hashes.
 */
export function docsPolicy(html: string): RequestHandler {
  if (/<script(?![^>]*\ssrc=)[^>]*>/i.test(html)) throw new Error('Swagger UI page has an inline script; it would not run under the CSP');
  return helmet.contentSecurityPolicy({ useDefaults: false, directives: directives(["'unsafe-inline'"]) }) as unknown as RequestHandler;
}
