/**
 * Trust in the issuer: the `issuer_known` check (the did:key is an issuer key published by an institution of the
 * network, a member, the one the credential claims) and the `key_valid_at_issuance` check (issued after the key was
 * published, before it was revoked; a compromised key's backdated claims are not trusted). It must never take the
 * credential's own word for who issued it, and never read trust from anywhere but the injected trust registry.
 */
import type { IssuerKeyTrust, VerifierContext } from './deps.js';
import { asArray, issuanceTime, time } from './parse.js';
import type { Checks, CredentialSummary } from './report.js';

export async function checkIssuer(
  ctx: VerifierContext,
  issuerId: string | undefined,
  summary: CredentialSummary,
  checks: Checks,
): Promise<IssuerKeyTrust | null> {
  if (!issuerId) {
    checks.set('issuer_known', 'failed', 'the credential has no issuer');
    return null;
  }
  if (!issuerId.startsWith('did:key:')) {
    checks.set('issuer_known', 'failed', `issuer ${issuerId} is not a did:key: not an issuer key of the network`);
    return null;
  }
  let trust: IssuerKeyTrust | null;
  try {
    trust = await ctx.deps.trust.lookupIssuerKey(issuerId);
  } catch (e) {
    checks.set('issuer_known', 'unchecked', `trust registry unavailable: ${(e as Error).message}`);
    return null;
  }
  if (!trust) {
    checks.set(
      'issuer_known',
      'failed',
      `issuer key ${issuerId} is not published by any institution of the network (issued outside the network)`,
    );
    return null;
  }
  const inst = trust.institution;
  if (summary.claimedInstitutionDid && summary.claimedInstitutionDid !== inst.did) {
    checks.set(
      'issuer_known',
      'failed',
      `the credential claims institution ${summary.claimedInstitutionDid} but the key belongs to ${inst.name} (${inst.did})`,
    );
    return trust;
  }
  if (!trust.member) {
    checks.set('issuer_known', 'failed', `the key belongs to ${inst.name} (${inst.country}), which is not a member of the network`);
    return trust;
  }
  checks.set('issuer_known', 'ok', `issuer key of ${inst.name} (${inst.country}), a member of the network`);
  return trust;
}

export function checkKeyValidity(ctx: VerifierContext, c: Record<string, unknown>, trust: IssuerKeyTrust | null, checks: Checks): void {
  if (!trust) {
    checks.set('key_valid_at_issuance', 'unchecked', 'the issuer key is not known to the network');
    return;
  }
  const { at, label } = issuanceTime(c);
  if (at === null) {
    checks.set('key_valid_at_issuance', 'failed', `the credential has no valid ${label} to compare with the key's validity`);
    return;
  }
  const skew = ctx.skew * 1000;
  const published = time(trust.publishedAt);
  const keyFrom = time(trust.validFrom) ?? published;
  if (published === null) {
    checks.set('key_valid_at_issuance', 'unchecked', 'the key publication date is unknown');
    return;
  }
  if (at + skew < published || (keyFrom !== null && at + skew < keyFrom)) {
    checks.set(
      'key_valid_at_issuance',
      'failed',
      `issued (${label} ${String(c[label])}) before the key was published in the institution's feed (${trust.publishedAt})`,
    );
    return;
  }
  const revoked = time(trust.revokedAt ?? undefined);
  if (revoked !== null) {
    // The latest proof counts: in a proof set, any proof made after the revocation was made with a revoked key.
    const proofCreated = asArray(c['proof'])
      .map((p) => time((p as { created?: unknown })?.created))
      .reduce<number | null>((a, t) => (t !== null && (a === null || t > a) ? t : a), null);
    const reason = trust.revocationReason ?? 'revoked';
    if (at >= revoked) {
      checks.set('key_valid_at_issuance', 'failed', `issued at or after the key was ${reason} (${trust.revokedAt})`);
      return;
    }
    if (proofCreated !== null && proofCreated >= revoked + skew) {
      checks.set('key_valid_at_issuance', 'failed', `signed (proof created) after the key was ${reason} (${trust.revokedAt})`);
      return;
    }
    if (reason === 'compromised') {
      // The dates are the signer's own claim: whoever holds the stolen key can backdate a credential (and leave out
      // its status entry), so one that claims to precede the compromise cannot be told apart from a forgery. The
      // institution re-issues what it issued with that key under its current key.
      checks.set(
        'key_valid_at_issuance',
        'unchecked',
        `signed by a key its institution declared compromised (${trust.revokedAt}); the credential claims an earlier date, but dates are set by the signer and cannot be trusted after a key is stolen: ask the issuer, or the holder for the credential re-issued under the institution's current key`,
      );
      return;
    }
    checks.set('key_valid_at_issuance', 'ok', `issued while the key was valid (published ${trust.publishedAt}, ${reason} ${trust.revokedAt})`);
    return;
  }
  checks.set('key_valid_at_issuance', 'ok', `issued after the key was published (${trust.publishedAt}); the key is not revoked`);
}
