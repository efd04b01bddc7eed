/**
 * OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, format `ldp_vc` (issue 15 item 5): the
 * credential issuer and authorization server metadata, the credential offer a claim link's holder shows their wallet
 * (a single-use pre-authorized code, 10 minutes), the token endpoint (code → bearer access token), the nonce
 * endpoint, and the credential endpoint: the wallet's proof of possession (oid4vci-proof.ts) names the holder's
 * did:key, and the answer is a fresh credential bound to it (`credentialSubject.id`), signed by this unit's current
 * issuer key, with the same achievement, award date and status entry as the claim's credential (revoking or
 * suspending that credential revokes or suspends the wallet's copy too).
 * Codes, access tokens and used nonces live in memory only (each expires within minutes; a restart ends open offers,
 * the learner reloads the claim page); nonces are stateless (HMAC under a key derived from the institution seed).
 * Answers are results with OAuth error codes, never throws for a wallet's mistake; node/http maps them to HTTP.
 * Must never issue for a revoked claim link or a revoked or suspended credential, never accept a code, access token
 * or nonce twice, never keep a claim token, code or access token anywhere but this process's memory, never log one.
 */
import { createHash, createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { CONTEXTS } from '../identity/document-loader.js';
import type { Claim } from './credential.service.js';
import { asProofSet, isoSeconds, toCurrentShape } from './ob3.js';
import { verifyProofJwt } from './oid4vci-proof.js';
import type { CredentialSigner } from './sign.js';

export const CREDENTIAL_CONFIGURATION_ID = 'OpenBadgeCredential_ldp_vc';
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const OFFER_SCHEME = 'openid-credential-offer://';
/** Where the endpoints live under the node's base URL. */
export const OID4VCI_PATHS = Object.freeze({ token: '/api/v1/oid4vci/token', credential: '/api/v1/oid4vci/credential', nonce: '/api/v1/oid4vci/nonce' });

export interface Oid4vciLimits {
  /** Lifetime of a pre-authorized code (an offer). */
  codeTtlMs: number;
  /** Lifetime of an access token. */
  tokenTtlMs: number;
  /** Lifetime of a c_nonce. */
  nonceTtlMs: number;
  /** Open (not yet redeemed) offers held at once (every claim link holds at most one); redeemed codes, kept until they expire to catch a replay, at most as many again. */
  maxOpenOffers: number;
}

export const DEFAULT_OID4VCI_LIMITS: Readonly<Oid4vciLimits> = Object.freeze({ codeTtlMs: 10 * 60_000, tokenTtlMs: 5 * 60_000, nonceTtlMs: 5 * 60_000, maxOpenOffers: 10_000 });

export interface Oid4vciDeps {
  clock: Clock;
  logger: Logger;
  /** 32 bytes or more of secret (the institution seed): the nonce key is derived from it. */
  secret: Uint8Array;
  /** Base URL of this node: the credential issuer identifier. */
  publicUrl: () => string;
  /** The issuing unit's name, for the wallet's display. */
  issuerName: () => string;
  /** What a claim token opens (null: unknown, malformed or revoked), following re-issues. */
  claim: (token: string) => Claim | null;
  /** The signer of the unit's current issuer key. */
  signer: () => Promise<CredentialSigner>;
  limits?: Partial<Oid4vciLimits>;
}

export type OAuthError =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'invalid_encryption_parameters'
  | 'credential_request_denied';

export type Refusal = { ok: false; error: OAuthError; description: string };
const refuse = (error: OAuthError, description: string): Refusal => ({ ok: false, error, description });

export interface CredentialOffer {
  credential_issuer: string;
  credential_configuration_ids: string[];
  grants: Record<string, { 'pre-authorized_code': string }>;
}

export interface OfferAnswer {
  offer: CredentialOffer;
  /** `openid-credential-offer://?credential_offer=…` (the offer by value, for a QR code or a link). */
  uri: string;
  expiresAt: string;
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** Not in 1.0 final (the nonce endpoint replaced it); kept for wallets of the earlier drafts. */
  c_nonce: string;
  c_nonce_expires_in: number;
}

interface Code {
  claimToken: string;
  credentialId: string;
  expiresAt: number;
  /** Set once redeemed: the access token it gave (revoked if the code is presented again). */
  usedFor: string | null;
}

interface AccessToken {
  claimToken: string;
  expiresAt: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const NONCE_BYTES = 8 + 16 + 16;

export class Oid4vciService {
  private readonly limits: Oid4vciLimits;
  private readonly nonceKey: Buffer;
  /** By SHA-256 of the code. */
  private readonly codes = new Map<string, Code>();
  /** By SHA-256 of the token. */
  private readonly tokens = new Map<string, AccessToken>();
  /** Nonces consumed by a credential request, until they expire. */
  private readonly usedNonces = new Map<string, number>();

  constructor(private readonly d: Oid4vciDeps) {
    this.limits = { ...DEFAULT_OID4VCI_LIMITS, ...d.limits };
    this.nonceKey = Buffer.from(hkdfSync('sha256', d.secret, Buffer.from('mochila'), Buffer.from('oid4vci c_nonce v1'), 32));
  }

  /** The credential issuer identifier: this node's base URL. */
  issuer(): string {
    return this.d.publicUrl().replace(/\/$/, '');
  }

  private now(): number {
    return this.d.clock.now().getTime();
  }

  /** Credential issuer metadata (`/.well-known/openid-credential-issuer`, OpenID4VCI 1.0 section 12.2). */
  issuerMetadata(): Record<string, unknown> {
    const base = this.issuer();
    const name = this.d.issuerName();
    return {
      credential_issuer: base,
      credential_endpoint: base + OID4VCI_PATHS.credential,
      nonce_endpoint: base + OID4VCI_PATHS.nonce,
      display: [
        { name, locale: 'es' },
        { name, locale: 'en' },
        { name, locale: 'pt' },
      ],
      credential_configurations_supported: {
        [CREDENTIAL_CONFIGURATION_ID]: {
          format: 'ldp_vc',
          cryptographic_binding_methods_supported: ['did:key'],
          credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['EdDSA', 'Ed25519'] } },
          credential_definition: { '@context': [CONTEXTS.VC_V2, CONTEXTS.OB_V3_0_3], type: ['VerifiableCredential', 'OpenBadgeCredential'] },
          credential_metadata: {
            display: [
              { name: 'Microcredencial (Open Badges 3.0)', locale: 'es', description: `Emitida por ${name}` },
              { name: 'Microcredential (Open Badges 3.0)', locale: 'en', description: `Issued by ${name}` },
              { name: 'Microcredencial (Open Badges 3.0)', locale: 'pt', description: `Emitida por ${name}` },
            ],
          },
        },
      },
    };
  }

  /** OAuth 2.0 authorization server metadata (RFC 8414): the token endpoint and the pre-authorized code grant only. */
  authorizationServerMetadata(): Record<string, unknown> {
    const base = this.issuer();
    return {
      issuer: base,
      token_endpoint: base + OID4VCI_PATHS.token,
      grant_types_supported: [PRE_AUTHORIZED_GRANT],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      'pre-authorized_grant_anonymous_access_supported': true,
    };
  }

  private prune(): void {
    const now = this.now();
    for (const [k, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(k);
    for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
    for (const [k, exp] of this.usedNonces) if (exp <= now) this.usedNonces.delete(k);
  }

  /**
   * A new credential offer for the holder of a claim link; the link's earlier open offer stops working. Throws
   * not_found for an unknown or revoked link (as the claim page does) and conflict for a revoked or suspended
   * credential (a wallet would get nothing).
   */
  offer(claimToken: string): OfferAnswer {
    const c = this.d.claim(claimToken);
    if (!c) throw new RegistryError('not_found', 'no such claim link (it may have been revoked by the issuing unit: ask them for a new one)');
    if (c.credential.status.revoked || c.credential.status.suspended)
      throw new RegistryError('conflict', `this credential is ${c.credential.status.revoked ? 'revoked' : 'suspended'}: it cannot be added to a wallet`);
    this.prune();
    let open = 0;
    for (const [k, code] of this.codes) {
      if (code.usedFor !== null) continue;
      if (code.credentialId === c.credential.id) this.codes.delete(k);
      else open++;
    }
    // only open offers count: a redeemed code is kept until it expires just to catch its replay
    if (open >= this.limits.maxOpenOffers) throw new RegistryError('busy', 'too many wallet offers are open on this node; retry in a few minutes', { retryAfterSeconds: 60 });
    // and redeemed codes are bounded too (as many again): past that the oldest stop being watched for replay (their
    // access tokens expire on their own within minutes)
    for (const [k, code] of this.codes) {
      if (this.codes.size < 2 * this.limits.maxOpenOffers) break;
      if (code.usedFor !== null) this.codes.delete(k);
    }
    const code = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.limits.codeTtlMs;
    this.codes.set(sha256(code), { claimToken, credentialId: c.credential.id, expiresAt, usedFor: null });
    const offer: CredentialOffer = {
      credential_issuer: this.issuer(),
      credential_configuration_ids: [CREDENTIAL_CONFIGURATION_ID],
      grants: { [PRE_AUTHORIZED_GRANT]: { 'pre-authorized_code': code } },
    };
    return { offer, uri: `${OFFER_SCHEME}?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** A fresh c_nonce (nonce endpoint): expiry, randomness and a MAC; no state until it is used. */
  nonce(): { c_nonce: string; c_nonce_expires_in: number } {
    const buf = Buffer.alloc(NONCE_BYTES);
    buf.writeBigUInt64BE(BigInt(this.now() + this.limits.nonceTtlMs), 0);
    randomBytes(16).copy(buf, 8);
    createHmac('sha256', this.nonceKey).update(buf.subarray(0, 24)).digest().copy(buf, 24, 0, 16);
    return { c_nonce: buf.toString('base64url'), c_nonce_expires_in: Math.floor(this.limits.nonceTtlMs / 1000) };
  }

  /** When a nonce of this issuer expires (ms), or null when it is not one (malformed, forged, expired). */
  private nonceExpiry(nonce: string): number | null {
    if (!/^[A-Za-z0-9_-]{54}$/.test(nonce)) return null;
    const buf = Buffer.from(nonce, 'base64url');
    if (buf.length !== NONCE_BYTES) return null;
    const mac = createHmac('sha256', this.nonceKey).update(buf.subarray(0, 24)).digest().subarray(0, 16);
    if (!timingSafeEqual(mac, buf.subarray(24))) return null;
    const exp = Number(buf.readBigUInt64BE(0));
    const now = this.now();
    return exp > now && exp <= now + this.limits.nonceTtlMs ? exp : null;
  }

  /** Token endpoint: the pre-authorized code grant (form parameters as received). */
  token(params: unknown): ({ ok: true } & TokenAnswer) | Refusal {
    const p = params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
    const grant = p['grant_type'];
    if (typeof grant !== 'string' || !grant) return refuse('invalid_request', 'grant_type is required');
    if (grant !== PRE_AUTHORIZED_GRANT) return refuse('unsupported_grant_type', `this authorization server supports only ${PRE_AUTHORIZED_GRANT}`);
    const code = p['pre-authorized_code'];
    if (typeof code !== 'string' || !code || code.length > 200) return refuse('invalid_request', 'pre-authorized_code is required');
    this.prune();
    const key = sha256(code);
    const entry = this.codes.get(key);
    if (!entry) return refuse('invalid_grant', 'the pre-authorized code is unknown, expired or already used: open the claim page again for a new offer');
    if (entry.usedFor !== null) {
      // a code presented twice: someone else may hold it, so the access token it gave stops working too (RFC 6749 4.1.2)
      this.tokens.delete(entry.usedFor);
      this.codes.delete(key);
      this.d.logger.warn('a wallet offer code was presented again: its access token was revoked', { credential: entry.credentialId });
      return refuse('invalid_grant', 'the pre-authorized code is unknown, expired or already used: open the claim page again for a new offer');
    }
    const c = this.d.claim(entry.claimToken);
    if (!c) {
      this.codes.delete(key);
      return refuse('invalid_grant', 'the claim link of this offer was revoked by the issuing unit');
    }
    if (c.credential.status.revoked || c.credential.status.suspended) {
      this.codes.delete(key);
      return refuse('invalid_grant', `the credential of this offer is ${c.credential.status.revoked ? 'revoked' : 'suspended'}`);
    }
    const accessToken = randomBytes(32).toString('base64url');
    const tokenKey = sha256(accessToken);
    entry.usedFor = tokenKey;
    this.tokens.set(tokenKey, { claimToken: entry.claimToken, expiresAt: this.now() + this.limits.tokenTtlMs });
    const n = this.nonce();
    return { ok: true, access_token: accessToken, token_type: 'Bearer', expires_in: Math.floor(this.limits.tokenTtlMs / 1000), ...n };
  }

  /** The access token of an `Authorization: Bearer …` header, when it is one this server gave and it is unexpired. */
  private accessToken(authorization: unknown): { key: string; token: AccessToken } | null {
    if (typeof authorization !== 'string') return null;
    const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(authorization.trim());
    if (!m) return null;
    const key = sha256(m[1]!);
    const token = this.tokens.get(key);
    if (!token || token.expiresAt <= this.now()) return null;
    return { key, token };
  }

  /**
   * Credential endpoint: one `ldp_vc` credential bound to the did:key of the request's one jwt proof. `request` is the
   * JSON body as received (its shape is checked here too: the route answers a shape error as invalid_credential_request).
   */
  async credential(authorization: unknown, request: unknown): Promise<{ ok: true; credential: Record<string, unknown> } | Refusal> {
    this.prune();
    const at = this.accessToken(authorization);
    if (!at) return refuse('invalid_token', 'a valid access token from the token endpoint is required (Authorization: Bearer …)');
    const r = request && typeof request === 'object' && !Array.isArray(request) ? (request as Record<string, unknown>) : null;
    if (!r) return refuse('invalid_credential_request', 'the credential request must be a JSON object');
    if ('credential_response_encryption' in r) return refuse('invalid_encryption_parameters', 'this issuer does not encrypt credential responses');
    if ('credential_identifier' in r) return refuse('unknown_credential_identifier', 'this issuer names no credential identifiers: ask by credential_configuration_id');
    if (r['credential_configuration_id'] !== CREDENTIAL_CONFIGURATION_ID)
      return refuse('unknown_credential_configuration', `unknown credential_configuration_id (this issuer offers ${CREDENTIAL_CONFIGURATION_ID})`);
    if ('proof' in r) return refuse('invalid_credential_request', 'send the proof in "proofs" (OpenID4VCI 1.0), not "proof"');
    const proofs = r['proofs'] as { jwt?: unknown } | undefined;
    if (!proofs || typeof proofs !== 'object' || Array.isArray(proofs)) return refuse('invalid_proof', 'the request carries no proofs: a jwt proof of possession of the holder key is required');
    if (Object.keys(proofs).some((k) => k !== 'jwt')) return refuse('invalid_proof', 'only the jwt proof type is supported');
    const jwts = proofs.jwt;
    if (!Array.isArray(jwts) || jwts.length !== 1) return refuse('invalid_proof', 'exactly one jwt proof is expected (this issuer issues one credential per request)');
    let nonceExp = 0;
    const proof = verifyProofJwt(jwts[0], {
      audience: this.issuer(),
      clock: this.d.clock,
      nonceValid: (n) => {
        const exp = this.nonceExpiry(n);
        if (exp === null || this.usedNonces.has(n)) return false;
        nonceExp = exp;
        return true;
      },
    });
    if (!proof.ok) return refuse(proof.error, proof.description);
    this.usedNonces.set(proof.nonce, nonceExp);

    const c = this.d.claim(at.token.claimToken);
    if (!c) {
      this.tokens.delete(at.key);
      return refuse('credential_request_denied', 'the claim link of this offer was revoked by the issuing unit');
    }
    const original = c.credential;
    if (original.status.revoked || original.status.suspended) {
      this.tokens.delete(at.key);
      return refuse('credential_request_denied', `the credential is ${original.status.revoked ? 'revoked' : 'suspended'}`);
    }
    const subject = (original.credential['credentialSubject'] ?? {}) as Record<string, unknown>;
    if (typeof subject['id'] === 'string' && subject['id'] !== proof.holderDid)
      return refuse('credential_request_denied', 'this credential was issued to another DID: only the holder of that DID can add it to a wallet');
    // one credential per offer: the access token is spent before the first await, so a second request racing on the
    // same token (with another nonce, or another holder key) finds it gone instead of getting a second credential
    this.tokens.delete(at.key);
    const signer = await this.d.signer();
    const now = this.d.clock.now();
    const { proof: _proof, ...body } = structuredClone(original.credential);
    const shaped = toCurrentShape(body);
    const issuer = shaped['issuer'] && typeof shaped['issuer'] === 'object' ? { ...(shaped['issuer'] as Record<string, unknown>), id: signer.did } : signer.did;
    // the same key keeps the award's validFrom; another (rotated) key can only vouch from now on (as a re-issue)
    const validFrom = signer.did === original.issuerKey && typeof shaped['validFrom'] === 'string' ? shaped['validFrom'] : isoSeconds(now);
    const unsigned = {
      ...shaped,
      id: `urn:uuid:${randomUUID()}`,
      issuer,
      validFrom,
      credentialSubject: { ...(shaped['credentialSubject'] as Record<string, unknown>), id: proof.holderDid },
    };
    const signed = asProofSet(await signer.sign(unsigned, { created: now }));
    this.d.logger.info('credential issued to a wallet', { credential: original.id, walletCopy: signed['id'] });
    return { ok: true, credential: signed };
  }

  /** What is held in memory (tests, status). */
  get stats(): { openOffers: number; accessTokens: number; usedNonces: number } {
    return { openOffers: [...this.codes.values()].filter((c) => c.usedFor === null).length, accessTokens: this.tokens.size, usedNonces: this.usedNonces.size };
  }
}
