/**
 * The `microcredential_listed` check: the credential's achievement is a microcredential of the network catalogue,
 * listed by the issuer key's own institution and not withdrawn before issuance. It must never read the catalogue
 * from anywhere but the injected lookup, and never accept a listing by another institution.
 */
import { microcredentialIdFromUri } from '../ob3.js';
import type { CatalogueHit, IssuerKeyTrust, VerifierContext } from './deps.js';
import { asArray, issuanceTime, time } from './parse.js';
import type { Checks, VerificationReport } from './report.js';

export async function checkListed(
  ctx: VerifierContext,
  c: Record<string, unknown>,
  trust: IssuerKeyTrust | null,
  checks: Checks,
): Promise<VerificationReport['microcredential'] | null> {
  const subject = asArray(c['credentialSubject'])[0] as { achievement?: { id?: unknown } } | undefined;
  const achievementId = subject?.achievement?.id;
  if (typeof achievementId !== 'string') {
    checks.set('microcredential_listed', 'failed', 'the credential names no achievement id');
    return null;
  }
  const globalId = microcredentialIdFromUri(achievementId);
  let hit: CatalogueHit | null;
  try {
    hit = await ctx.deps.catalogue.lookup(achievementId, globalId);
  } catch (e) {
    checks.set('microcredential_listed', 'unchecked', `catalogue unavailable: ${(e as Error).message}`);
    return null;
  }
  if (!hit) {
    checks.set(
      'microcredential_listed',
      'failed',
      globalId
        ? `microcredential ${globalId} is not in the network catalogue`
        : `achievement ${achievementId} is not a microcredential of the network catalogue`,
    );
    return null;
  }
  const listed = { achievementId, ...(hit.globalId ?? globalId ? { globalId: hit.globalId ?? globalId! } : {}), record: hit.record };
  if (trust && hit.institutionDid && hit.institutionDid !== trust.institution.did) {
    checks.set('microcredential_listed', 'failed', `the microcredential is listed by ${hit.institutionDid}, not by the issuer's institution`);
    return listed;
  }
  const issued = issuanceTime(c).at;
  const withdrawn = time(hit.withdrawnAt ?? undefined);
  if (withdrawn !== null && (issued === null || issued >= withdrawn)) {
    checks.set('microcredential_listed', 'failed', `the microcredential was withdrawn from the catalogue (${hit.withdrawnAt}) before this credential was issued`);
    return listed;
  }
  const title = hit.record.title?.es ?? hit.record.title?.en ?? hit.record.title?.pt ?? hit.record.code;
  checks.set(
    'microcredential_listed',
    'ok',
    `listed in the network catalogue as "${title}"${withdrawn !== null ? ` (withdrawn ${hit.withdrawnAt}, after issuance)` : ''}`,
  );
  return listed;
}
