/**
 * The `status` check: each BitstringStatusListEntry of the credential read against the replicated status list
 * (revocation / suspension; purpose must match; index inside the list), and for a credential naming only its
 * revocation entry, the same index of the paired suspension list. It must never fetch a status list (only the
 * replica's, through the injected lookup) and never call a credential not revoked when its list could not be read.
 */
import type { StatusListView, VerifierContext } from './deps.js';
import { asArray } from './parse.js';
import type { Check, Checks, StatusChange } from './report.js';
import { pairedSuspensionListUrl } from '../status-list.js';

/** Since when the replica shows the bit set; null when the node cannot tell (never a reason to pass or fail). */
async function setSince(ctx: VerifierContext, url: string, idx: number): Promise<string | null> {
  try {
    return (await ctx.deps.status.setSince?.(url, idx)) ?? null;
  } catch {
    return null;
  }
}

/** The status change of a set bit: purpose, since when, and the issuer's reason category when the replica has one. */
async function statusChange(ctx: VerifierContext, purpose: 'revocation' | 'suspension', url: string, idx: number): Promise<StatusChange> {
  const since = await setSince(ctx, url, idx);
  let reason: string | null = null;
  try {
    reason = (await ctx.deps.status.reasonAt?.(url, idx)) ?? null;
  } catch {
    reason = null; // the category is information, never a reason to pass or fail
  }
  return reason ? { purpose, since, reason } : { purpose, since };
}

export async function checkStatus(ctx: VerifierContext, c: Record<string, unknown>, checks: Checks): Promise<void> {
  const entries = asArray(c['credentialStatus']);
  if (entries.length === 0) {
    checks.set('status', 'ok', 'the credential has no status entry: its issuer cannot revoke or suspend it');
    return;
  }
  const results: Check[] = [];
  for (const raw of entries) {
    const e = (raw ?? {}) as Record<string, unknown>;
    const purpose = e['statusPurpose'];
    if (e['type'] !== 'BitstringStatusListEntry') {
      results.push({ id: 'status', status: 'unchecked', reason: `unsupported status type ${String(e['type'])}` });
      continue;
    }
    const url = e['statusListCredential'];
    const idx = typeof e['statusListIndex'] === 'string' && /^\d{1,10}$/.test(e['statusListIndex']) ? Number(e['statusListIndex']) : NaN;
    if (typeof url !== 'string' || !Number.isSafeInteger(idx)) {
      results.push({ id: 'status', status: 'failed', reason: 'malformed status entry (statusListCredential / statusListIndex)' });
      continue;
    }
    let view: StatusListView | null;
    try {
      view = await ctx.deps.status.lookup(url);
    } catch (err) {
      results.push({ id: 'status', status: 'unchecked', reason: `status list ${url} could not be read: ${(err as Error).message}` });
      continue;
    }
    if (!view) {
      results.push({ id: 'status', status: 'unchecked', reason: `status list ${url} is not in this node's replica` });
      continue;
    }
    if (view.purpose && view.purpose !== purpose) {
      results.push({ id: 'status', status: 'failed', reason: `status list ${url} is a ${view.purpose} list, the entry says ${String(purpose)}` });
      continue;
    }
    if (idx >= view.bits.length) {
      results.push({ id: 'status', status: 'failed', reason: `statusListIndex ${idx} is outside the list (${view.bits.length} entries)` });
      continue;
    }
    const set = view.bits.get(idx);
    if (set) {
      results.push({
        id: 'status',
        status: 'failed',
        reason: purpose === 'suspension' ? 'the credential is suspended' : purpose === 'revocation' ? 'the credential is revoked' : `status bit set (${String(purpose)})`,
        ...(purpose === 'revocation' || purpose === 'suspension' ? { statusChange: await statusChange(ctx, purpose, url, idx) } : {}),
      });
    } else {
      results.push({ id: 'status', status: 'ok', reason: `not ${purpose === 'suspension' ? 'suspended' : 'revoked'} (${url}#${idx})` });
    }
  }
  // OB 3.0 allows one status entry: a credential naming only its revocation entry has its suspension bit at the same
  // index of the paired suspension list, when its issuer published one (pairedSuspensionListUrl)
  if (!entries.some((raw) => (raw as { statusPurpose?: unknown } | null)?.statusPurpose === 'suspension')) {
    for (const raw of entries) {
      const e = (raw ?? {}) as Record<string, unknown>;
      if (e['type'] !== 'BitstringStatusListEntry' || e['statusPurpose'] !== 'revocation' || typeof e['statusListCredential'] !== 'string') continue;
      const pairedUrl = pairedSuspensionListUrl(e['statusListCredential']);
      const idx = typeof e['statusListIndex'] === 'string' && /^\d{1,10}$/.test(e['statusListIndex']) ? Number(e['statusListIndex']) : NaN;
      if (!pairedUrl || !Number.isSafeInteger(idx)) continue;
      let view: StatusListView | null;
      try {
        view = await ctx.deps.status.lookup(pairedUrl);
      } catch (err) {
        results.push({ id: 'status', status: 'unchecked', reason: `status list ${pairedUrl} could not be read: ${(err as Error).message}` });
        continue;
      }
      if (!view || view.purpose !== 'suspension' || idx >= view.bits.length) continue; // issued without a suspension status
      if (view.bits.get(idx)) {
        results.push({ id: 'status', status: 'failed', reason: 'the credential is suspended', statusChange: await statusChange(ctx, 'suspension', pairedUrl, idx) });
      } else results.push({ id: 'status', status: 'ok', reason: `not suspended (${pairedUrl}#${idx})` });
    }
  }
  // a revocation outweighs a suspension: it is final
  const worst =
    results.find((r) => r.status === 'failed' && r.statusChange?.purpose === 'revocation') ??
    results.find((r) => r.status === 'failed') ??
    results.find((r) => r.status === 'unchecked');
  if (worst) checks.put(worst);
  else checks.set('status', 'ok', results.map((r) => r.reason).join('; '));
}
