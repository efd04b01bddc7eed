// OpenID4VCI 1.0 (pre-authorized code, ldp_vc) end to end through real started nodes, with an independent client
// library as the wallet (@openid4vc/openid4vci): the learner's claim link gives an offer, the wallet resolves it and
// the issuer's metadata, takes an access token and a nonce, proves possession of its did:key and receives a
// credential bound to that DID, which validates against 1EdTech's OB 3.0 schema and verifies on ANOTHER node (and is
// revoked there when the unit revokes the claim's credential). Hostile wallets: a replayed or expired code, a wrong
// or reused nonce, a proof signed by another key than its kid, alg none, an oversized JWT, a wrong audience, an old
// iat, a revoked claim link, no access token: each gets its OAuth error and nothing is issued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { Openid4vciClient, setGlobalConfig, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { startTestNode, TEST_PUBLIC_LIMITS, type TestNode } from '../helpers/nodes.js';
import { replicate } from '../helpers/replicate.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';

const { catalogue } = unitOfCountry('CL');

/** A wallet's Ed25519 key and its did:key, made here with node:crypto and multiformats (not the node's own code). */
function walletKey(): { did: string; kid: string; privateKey: KeyObject; x: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  const mb = base58btc.encode(Uint8Array.from([0xed, 0x01, ...Buffer.from(x, 'base64url')]));
  return { did: `did:key:${mb}`, kid: `did:key:${mb}#${mb}`, privateKey, x };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function compactJws(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/**
 * The independent client acting as the wallet (its callbacks: node:crypto only). Every request it makes is recorded
 * and must go to `origin`: the library works offline, with nothing but the issuing node.
 */
function walletClient(key: ReturnType<typeof walletKey>, origin: string, requests: string[]): Openid4vciClient {
  return new Openid4vciClient({
    callbacks: {
      fetch: (input: string | URL | Request, init?: RequestInit) => {
        const url = input instanceof Request ? input.url : String(input);
        requests.push(url);
        if (!url.startsWith(`${origin}/`)) return Promise.reject(new Error(`the wallet asked another host: ${url}`));
        return fetch(input, init);
      },
      hash: (data, alg) => new Uint8Array(createHash(String(alg).replace('-', '')).update(data).digest()),
      generateRandom: (n) => new Uint8Array(randomBytes(n)),
      clientAuthentication: () => {},
      signJwt: (_signer, { header, payload }) => ({
        jwt: compactJws(header as Record<string, unknown>, payload as Record<string, unknown>, key.privateKey),
        signerJwk: { kty: 'OKP', crv: 'Ed25519', x: key.x },
      }),
    },
  });
}

describe('OpenID4VCI: a wallet claims a credential bound to its DID', () => {
  const nodes: TestNode[] = [];
  let a: TestNode; // the issuing unit (Chile)
  let b: TestNode; // another member (Guatemala): verifies from its replica
  let offsetMs = 0; // the issuing node's injected clock runs this far ahead of real time
  const schemas = new SchemaRegistry();
  const admin = () => ({ authorization: `Bearer ${a.token}`, 'content-type': 'application/json' });
  const post = (url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  let learners = 0;
  const issue = async () => {
    learners++;
    const r = await post(`${a.url}/api/v1/admin/credentials`, { microcredential: catalogue[0]!.code, learner: { name: `Aprendiz ${learners}`, email: `aprendiz${learners}@correo.example.cl` } }, admin());
    expect(r.status, await r.clone().text()).toBe(201);
    const c = (await r.json()) as { id: string; claimUrl: string; credential: Record<string, unknown> };
    return { ...c, token: /\/claim\/([A-Za-z0-9_-]{43})$/.exec(c.claimUrl)![1]! };
  };
  const offerOf = async (token: string) => {
    const r = await post(`${a.url}/api/v1/claims/${token}/wallet-offer`, {});
    expect(r.status, await r.clone().text()).toBe(200);
    const body = (await r.json()) as { uri: string; offer: { grants: Record<string, { 'pre-authorized_code': string }> } };
    expect(schemas.validate('api/oid4vci-offer', body)).toEqual({ ok: true });
    return { ...body, code: body.offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code'] };
  };
  const tokenFor = (code: string) =>
    post(`${a.url}/api/v1/oid4vci/token`, new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  const accessTokenFor = async (code: string) => {
    const r = await tokenFor(code);
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as { access_token: string; c_nonce: string };
  };
  const nonce = async () => ((await (await post(`${a.url}/api/v1/oid4vci/nonce`, '')).json()) as { c_nonce: string }).c_nonce;
  const proofJwt = (key: ReturnType<typeof walletKey>, n: string, over: { header?: Record<string, unknown>; payload?: Record<string, unknown>; signWith?: KeyObject } = {}) =>
    compactJws(
      { typ: 'openid4vci-proof+jwt', alg: 'EdDSA', kid: key.kid, ...over.header },
      { aud: a.url, iat: Math.floor((Date.now() + offsetMs) / 1000), nonce: n, ...over.payload },
      over.signWith ?? key.privateKey,
    );
  const credentialRequest = (accessToken: string | null, body: unknown) =>
    post(`${a.url}/api/v1/oid4vci/credential`, body, { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) });
  const expectOAuthError = async (r: Response, status: number, error: string) => {
    const text = await r.text();
    expect(r.status, text).toBe(status);
    const body = JSON.parse(text) as { error: string; error_description: string; credentials?: unknown };
    expect(body.error, text).toBe(error);
    // RFC 6749 5.2: printable ASCII without " and \
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(body.credentials).toBeUndefined();
    expect(r.headers.get('cache-control')).toBe('no-store');
    return body;
  };
  const verifyOnB = async (credential: unknown) => {
    const r = await post(`${b.url}/api/v1/verify`, { credential });
    expect(r.status).toBe(200);
    return (await r.json()) as { verified: boolean; checks: { id: string; status: string; reason: string }[] };
  };

  beforeAll(async () => {
    // the wallet library refuses http:// URLs unless told otherwise; the test nodes listen on http://127.0.0.1
    setGlobalConfig({ allowInsecureUrls: true });
    const cl = generateKey();
    const gt = generateKey();
    const manifest = createManifest({ name: 'red de prueba', founders: [cl.did, gt.did], endorsements: 1, createdAt: new Date('2026-01-01T00:00:00Z') });
    a = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL', manifest, key: cl, clock: { now: () => new Date(Date.now() + offsetMs) } });
    nodes.push(a);
    b = await startTestNode({ name: 'Universidad de Guatemala de Prueba', country: 'GT', manifest, key: gt });
    nodes.push(b);
    for (const n of [a, b]) n.node.services.ownFeed.confirm('standalone', 'test: new nodes, replicated by hand');
    const pub = await post(`${a.url}/api/v1/admin/microcredentials`, catalogue[0], admin());
    expect(pub.status, await pub.clone().text()).toBe(201);
  });
  afterAll(async () => {
    setGlobalConfig({ allowInsecureUrls: false });
    for (const n of nodes) await n.close();
  });

  it('publishes credential issuer and authorization server metadata for the pre-authorized code flow', async () => {
    const meta = (await (await fetch(`${a.url}/.well-known/openid-credential-issuer`)).json()) as Record<string, any>;
    expect(meta.credential_issuer).toBe(a.url);
    expect(meta.nonce_endpoint).toBe(`${a.url}/api/v1/oid4vci/nonce`);
    const conf = meta.credential_configurations_supported.OpenBadgeCredential_ldp_vc;
    expect(conf.format).toBe('ldp_vc');
    expect(conf.cryptographic_binding_methods_supported).toEqual(['did:key']);
    expect(conf.proof_types_supported.jwt.proof_signing_alg_values_supported).toEqual(expect.arrayContaining(['EdDSA', 'Ed25519']));
    expect(conf.credential_definition.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    const as = (await (await fetch(`${a.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>;
    expect(as.issuer).toBe(a.url);
    expect(as.grant_types_supported).toEqual(['urn:ietf:params:oauth:grant-type:pre-authorized_code']);
    expect(as['pre-authorized_grant_anonymous_access_supported']).toBe(true);
  });

  it('the wallet library claims the credential bound to its did:key; it passes the 1EdTech schema and verifies on another node, and is revoked there with the original', async () => {
    const c = await issue();
    const { uri } = await offerOf(c.token);
    expect(uri).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    const key = walletKey();
    const requests: string[] = [];
    const wallet = walletClient(key, a.url, requests);
    const credentialOffer = await wallet.resolveCredentialOffer(uri);
    expect(credentialOffer.credential_issuer).toBe(a.url);
    const issuerMetadata: IssuerMetadataResult = await wallet.resolveIssuerMetadata(credentialOffer.credential_issuer);
    expect(issuerMetadata.originalDraftVersion).toBe('V1');
    const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata });
    const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
    const configurationId = credentialOffer.credential_configuration_ids[0]!;
    const { jwt } = await wallet.createCredentialRequestJwtProof({ issuerMetadata, credentialConfigurationId: configurationId, nonce: c_nonce, signer: { method: 'did', didUrl: key.kid, alg: 'EdDSA' } });
    const got = await wallet.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: configurationId, proofs: { jwt: [jwt] } });
    const credentials = (got.credentialResponse as { credentials?: { credential: Record<string, any> }[] }).credentials;
    expect(credentials).toHaveLength(1);
    const vc = credentials![0]!.credential;
    // bound to the holder; a fresh credential with the claim's achievement and status entry, signed by the unit
    expect(vc.credentialSubject.id).toBe(key.did);
    expect(vc.id).not.toBe(c.id);
    const original = c.credential as Record<string, any>;
    expect(vc.credentialSubject.achievement).toEqual(original.credentialSubject.achievement);
    expect(vc.credentialStatus).toEqual(original.credentialStatus);
    expect(vc.issuer.id).toBe(original.issuer.id);
    expect(vc.validFrom).toBe(original.validFrom);
    expect(ob3SchemaProblems(vc)).toEqual([]);
    // the other node verifies it from its replica
    replicate(a.node.services, b.node.services);
    const report = await verifyOnB(vc);
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    // the offer and its token are spent
    const again = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata }).then(
      () => 'accepted',
      (e: unknown) => String((e as { errorResponse?: { error?: string } }).errorResponse?.error ?? e),
    );
    expect(again).toBe('invalid_grant');
    // the library asked the issuing node only: both metadata documents, token, nonce, credential
    expect(requests.map((u) => new URL(u).pathname)).toEqual(
      expect.arrayContaining(['/.well-known/openid-credential-issuer', '/.well-known/oauth-authorization-server', '/api/v1/oid4vci/token', '/api/v1/oid4vci/nonce', '/api/v1/oid4vci/credential']),
    );
    // the unit revokes the claim's credential: the wallet's copy shares its status entry
    const rv = await post(`${a.url}/api/v1/admin/credentials/${encodeURIComponent(c.id)}/revoke`, { reason: 'prueba' }, admin());
    expect(rv.status, await rv.clone().text()).toBe(200);
    replicate(a.node.services, b.node.services);
    const after = await verifyOnB(vc);
    expect(after.verified).toBe(false);
    expect(after.checks.find((x) => x.id === 'status')?.status).toBe('failed');
  });

  it('refuses a replayed pre-authorized code, and revokes the access token it gave', async () => {
    const c = await issue();
    const { code } = await offerOf(c.token);
    const first = await accessTokenFor(code);
    await expectOAuthError(await tokenFor(code), 400, 'invalid_grant');
    const key = walletKey();
    const r = await credentialRequest(first.access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce())] } });
    await expectOAuthError(r, 401, 'invalid_token');
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
    // unknown codes and other grants
    await expectOAuthError(await tokenFor('A'.repeat(43)), 400, 'invalid_grant');
    await expectOAuthError(await post(`${a.url}/api/v1/oid4vci/token`, 'grant_type=authorization_code&code=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'unsupported_grant_type');
    await expectOAuthError(await post(`${a.url}/api/v1/oid4vci/token`, 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request');
  });

  it('refuses an expired pre-authorized code and an expired access token (injected clock)', async () => {
    const c = await issue();
    const { code } = await offerOf(c.token);
    const later = await offerOf((await issue()).token);
    const token = await accessTokenFor(later.code);
    offsetMs += 11 * 60_000;
    try {
      await expectOAuthError(await tokenFor(code), 400, 'invalid_grant');
      const key = walletKey();
      await expectOAuthError(await credentialRequest(token.access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce())] } }), 401, 'invalid_token');
    } finally {
      offsetMs -= 11 * 60_000;
    }
  });

  it('refuses bad proofs with invalid_proof / invalid_nonce, and issues nothing', async () => {
    const c = await issue();
    const { code } = await offerOf(c.token);
    const { access_token } = await accessTokenFor(code);
    const key = walletKey();
    const other = walletKey();
    const ask = (jwt: unknown, extra: Record<string, unknown> = {}) => credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [jwt] }, ...extra });
    // signed by another key than the one its kid names
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { signWith: other.privateKey })), 400, 'invalid_proof');
    // alg none, unsigned
    const none = `${b64({ typ: 'openid4vci-proof+jwt', alg: 'none', kid: key.kid })}.${b64({ aud: a.url, iat: Math.floor(Date.now() / 1000), nonce: await nonce() })}.`;
    await expectOAuthError(await ask(none), 400, 'invalid_proof');
    // alg none with a (real) signature still attached
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { header: { alg: 'none' } })), 400, 'invalid_proof');
    // oversized
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { payload: { pad: 'x'.repeat(10_000) } })), 400, 'invalid_proof');
    // a jwk beside the kid (a key the attacker controls next to an honest kid)
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { header: { jwk: { kty: 'OKP', crv: 'Ed25519', x: other.x } } })), 400, 'invalid_proof');
    // wrong typ, wrong audience, old iat, iat in the future
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { header: { typ: 'JWT' } })), 400, 'invalid_proof');
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { payload: { aud: 'https://elsewhere.example' } })), 400, 'invalid_proof');
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { payload: { iat: Math.floor(Date.now() / 1000) - 3600 } })), 400, 'invalid_proof');
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { payload: { iat: Math.floor(Date.now() / 1000) + 3600 } })), 400, 'invalid_proof');
    // a nonce this issuer never gave, one with a forged MAC, none at all
    await expectOAuthError(await ask(proofJwt(key, 'n'.repeat(54))), 400, 'invalid_nonce');
    const real = await nonce();
    const forged = real.slice(0, 10) + (real[10] === 'A' ? 'B' : 'A') + real.slice(11);
    await expectOAuthError(await ask(proofJwt(key, forged)), 400, 'invalid_nonce');
    await expectOAuthError(await ask(proofJwt(key, await nonce(), { payload: { nonce: undefined } })), 400, 'invalid_nonce');
    // not a JWT, two proofs, the pre-1.0 singular proof, an unknown configuration, encryption asked for
    await expectOAuthError(await ask('not-a-jwt'), 400, 'invalid_proof');
    await expectOAuthError(await credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce()), proofJwt(key, await nonce())] } }), 400, 'invalid_proof');
    await expectOAuthError(await credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proof: { proof_type: 'jwt', jwt: proofJwt(key, await nonce()) } }), 400, 'invalid_credential_request');
    await expectOAuthError(await ask(proofJwt(key, await nonce()), { credential_configuration_id: 'UniversityDegree' }), 400, 'unknown_credential_configuration');
    await expectOAuthError(await ask(proofJwt(key, await nonce()), { credential_response_encryption: { alg: 'ECDH-ES', enc: 'A128GCM' } }), 400, 'invalid_encryption_parameters');
    await expectOAuthError(await credentialRequest(access_token, [1, 2]), 400, 'invalid_credential_request');
    // no access token at all
    await expectOAuthError(await credentialRequest(null, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce())] } }), 401, 'invalid_token');
    // after all that the access token still works once, with a good proof; the nonce it used cannot be used again
    const n = await nonce();
    const ok = await ask(proofJwt(key, n));
    expect(ok.status, await ok.clone().text()).toBe(200);
    const { credentials } = (await ok.json()) as { credentials: { credential: Record<string, any> }[] };
    expect(credentials[0]!.credential.credentialSubject.id).toBe(key.did);
    const second = await offerOf((await issue()).token);
    const t2 = await accessTokenFor(second.code);
    await expectOAuthError(await credentialRequest(t2.access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, n)] } }), 400, 'invalid_nonce');
    // the spent access token gives nothing more
    await expectOAuthError(await ask(proofJwt(key, await nonce())), 401, 'invalid_token');
  });

  it('accepts the fully specified Ed25519 alg name too', async () => {
    const { code } = await offerOf((await issue()).token);
    const { access_token } = await accessTokenFor(code);
    const key = walletKey();
    const r = await credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce(), { header: { alg: 'Ed25519' } })] } });
    expect(r.status, await r.clone().text()).toBe(200);
  });

  it('a claim link revoked by the unit: no offer, no token, and an access token already given issues nothing', async () => {
    const c = await issue();
    const { code } = await offerOf(c.token);
    const { access_token } = await accessTokenFor(code);
    const rv = await post(`${a.url}/api/v1/admin/credentials/${encodeURIComponent(c.id)}/claim/revoke`, {}, admin());
    expect(rv.status).toBe(200);
    const key = walletKey();
    await expectOAuthError(await credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(key, await nonce())] } }), 400, 'credential_request_denied');
    const offer = await post(`${a.url}/api/v1/claims/${c.token}/wallet-offer`, {});
    expect(offer.status).toBe(404);
    // an open offer of a link revoked afterwards gives no token
    const other = await issue();
    const o = await offerOf(other.token);
    await post(`${a.url}/api/v1/admin/credentials/${encodeURIComponent(other.id)}/claim/revoke`, {}, admin());
    await expectOAuthError(await tokenFor(o.code), 400, 'invalid_grant');
  });

  it('a credential issued to a learner DID goes only to a wallet proving that DID', async () => {
    const holder = walletKey();
    const r = await post(`${a.url}/api/v1/admin/credentials`, { microcredential: catalogue[0]!.code, learner: { name: 'Aprendiz con DID', did: holder.did } }, admin());
    expect(r.status, await r.clone().text()).toBe(201);
    const token = /\/claim\/([A-Za-z0-9_-]{43})$/.exec(((await r.json()) as { claimUrl: string }).claimUrl)![1]!;
    const { access_token } = await accessTokenFor((await offerOf(token)).code);
    const ask = async (k: ReturnType<typeof walletKey>) => credentialRequest(access_token, { credential_configuration_id: 'OpenBadgeCredential_ldp_vc', proofs: { jwt: [proofJwt(k, await nonce())] } });
    await expectOAuthError(await ask(walletKey()), 400, 'credential_request_denied');
    const ok = await ask(holder);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await ok.json()) as { credentials: { credential: { credentialSubject: { id: string } } }[] }).credentials[0]!.credential.credentialSubject.id).toBe(holder.did);
  });

  it('a new offer replaces the open one of the same link; a suspended credential gets no offer', async () => {
    const c = await issue();
    const first = await offerOf(c.token);
    await offerOf(c.token);
    await expectOAuthError(await tokenFor(first.code), 400, 'invalid_grant');
    const s = await post(`${a.url}/api/v1/admin/credentials/${encodeURIComponent(c.id)}/suspend`, { reason: 'prueba' }, admin());
    expect(s.status, await s.clone().text()).toBe(200);
    const r = await post(`${a.url}/api/v1/claims/${c.token}/wallet-offer`, {});
    expect(r.status).toBe(409);
  });
});

describe('OpenID4VCI endpoints are rate-limited per client (publicLimits.claim)', () => {
  let n: TestNode | undefined;
  afterAll(async () => {
    await n?.close();
  });

  it('answers 429 with Retry-After past the limit', async () => {
    n = await startTestNode({ config: { publicLimits: { ...TEST_PUBLIC_LIMITS, claim: 3 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${n.url}/api/v1/oid4vci/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=${'A'.repeat(43)}`,
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toBeTruthy();
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });
});
