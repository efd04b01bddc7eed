// CORS for browser wallets: the OpenID4VCI endpoints a wallet calls from another origin (issuer and authorization
// server metadata, token, nonce, credential) answer any origin with `Access-Control-Allow-Origin: *` and never with
// credentials or the request's Origin echoed; their preflights name the methods and headers they take and are
// answered before the rate limit. Nothing else of the API gains CORS: the admin API, the public API and the web app
// answer a cross-origin request (and its preflight) without any Access-Control-* header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

const ORIGIN = 'https://wallet.example.org';

describe('CORS for browser wallets', () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad de Prueba', config: { standalone: true } });
  });
  afterAll(async () => {
    await n?.close();
  });

  const preflight = (path: string, method: string, headers = 'content-type') =>
    fetch(`${n.url}${path}`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers } });
  const noCorsHeaders = (r: Response, what: string) => {
    const cors = [...r.headers.keys()].filter((k) => k.startsWith('access-control-'));
    expect(cors, what).toEqual([]);
  };

  it('answers the preflight of each wallet endpoint with its methods and headers, * and no credentials', async () => {
    for (const [path, method] of [
      ['/.well-known/openid-credential-issuer', 'GET'],
      ['/.well-known/oauth-authorization-server', 'GET'],
      ['/api/v1/oid4vci/token', 'POST'],
      ['/api/v1/oid4vci/nonce', 'POST'],
      ['/api/v1/oid4vci/credential', 'POST'],
    ] as const) {
      const r = await preflight(path, method, 'authorization, content-type');
      expect(r.status, path).toBe(204);
      expect(r.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(r.headers.get('access-control-allow-methods')!.split(', '), path).toEqual([method, 'OPTIONS']);
      expect(r.headers.get('access-control-allow-headers')!.toLowerCase().split(', ').sort(), path).toEqual(['authorization', 'content-type']);
      expect(r.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
  });

  it('a cross-origin wallet reads the metadata, a token error and a 401 with its WWW-Authenticate', async () => {
    const meta = await fetch(`${n.url}/.well-known/openid-credential-issuer`, { headers: { origin: ORIGIN } });
    expect(meta.status).toBe(200);
    expect(meta.headers.get('access-control-allow-origin')).toBe('*');
    expect(meta.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(((await meta.json()) as { credential_issuer: string }).credential_issuer).toBe(n.url.replace(/\/$/, ''));
    const as = await fetch(`${n.url}/.well-known/oauth-authorization-server`, { headers: { origin: ORIGIN } });
    expect(as.headers.get('access-control-allow-origin')).toBe('*');

    const token = await fetch(`${n.url}/api/v1/oid4vci/token`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=nope',
    });
    expect(token.status).toBe(400);
    expect(token.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await token.json()) as { error: string }).error).toBe('invalid_grant');

    const nonce = await fetch(`${n.url}/api/v1/oid4vci/nonce`, { method: 'POST', headers: { origin: ORIGIN } });
    expect(nonce.status).toBe(200);
    expect(nonce.headers.get('access-control-allow-origin')).toBe('*');

    const cred = await fetch(`${n.url}/api/v1/oid4vci/credential`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{}' });
    expect(cred.status).toBe(401);
    expect(cred.headers.get('access-control-allow-origin')).toBe('*');
    expect(cred.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    expect(cred.headers.get('www-authenticate')).toMatch(/^Bearer /);
    for (const r of [meta, as, token, nonce, cred]) expect(r.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('never reflects the Origin, whatever it is', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const r = await fetch(`${n.url}/.well-known/openid-credential-issuer`, { headers: { origin } });
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('vary') ?? '').not.toMatch(/origin/i);
    }
  });

  it('the admin API, the rest of the public API and the web app get no CORS', async () => {
    noCorsHeaders(await fetch(`${n.url}/api/v1/admin/microcredentials`, { headers: { origin: ORIGIN, authorization: `Bearer ${n.token}` } }), 'admin GET');
    noCorsHeaders(await preflight('/api/v1/admin/microcredentials', 'POST', 'authorization, content-type'), 'admin preflight');
    noCorsHeaders(await preflight('/api/v1/admin/credentials', 'POST', 'authorization, content-type'), 'admin issue preflight');
    noCorsHeaders(await fetch(`${n.url}/api/v1/node`, { headers: { origin: ORIGIN } }), 'public API');
    noCorsHeaders(await preflight('/api/v1/verify', 'POST'), 'verify preflight');
    noCorsHeaders(await fetch(`${n.url}/api/v1/claims/${'x'.repeat(43)}`, { headers: { origin: ORIGIN } }), 'claim link');
    noCorsHeaders(await fetch(`${n.url}/`, { headers: { origin: ORIGIN } }), 'web app');
    // a path that only looks like a wallet endpoint
    noCorsHeaders(await fetch(`${n.url}/api/v1/oid4vci/token/x`, { method: 'POST', headers: { origin: ORIGIN } }), 'not an endpoint');
  });
});
