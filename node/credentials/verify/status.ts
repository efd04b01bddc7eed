/**
 * The `status` check: each BitstringStatusListEntry of the credential read against the replicated status list
 * (revocation / suspension; purpose must match; index inside the list). It must never fetch a status list (only the
 * replica's, through the injected lookup) and never call a credential not revoked when its list could not be read.
 */
import type { StatusListView, VerifierContext } from './deps.js';
import { asArray } from './parse.js';
import type { Check, Checks } from './report.js';

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
      });
    } else {
      results.push({ id: 'status', status: 'ok', reason: `not ${purpose === 'suspension' ? 'suspended' : 'revoked'} (${url}#${idx})` });
    }
  }
  const worst = results.find((r) => r.status === 'failed') ?? results.find((r) => r.status === 'unchecked');
  if (worst) checks.set('status', worst.status, worst.reason);
  else checks.set('status', 'ok', results.map((r) => r.reason).join('; '));
}
