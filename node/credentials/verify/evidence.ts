/**
 * The `evidence` check: a credential that names evidence files this node stores (their URL ends in the hex SHA-256
 * the issuer signed, with `digestSRI` alongside) has those files re-hashed and compared, so a file altered at rest
 * or swapped is reported. Present only when at least one named file is stored here (files on other nodes are named by
 * their signed digest: whoever downloads them checks it). It must never fetch anything and never throw.
 */
import { asArray } from './parse.js';
import type { VerifierContext } from './deps.js';
import type { Check } from './report.js';

/** Distinct stored files re-hashed per credential (issuance allows 10 evidence entries, 5 of them files). */
const MAX_HASHED = 20;

/** The hex digest an SRI string (`sha256-<base64>`) names, or null. */
function sriHex(sri: unknown): string | null {
  if (typeof sri !== 'string') return null;
  const m = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(sri.trim());
  return m ? Buffer.from(m[1]!, 'base64').toString('hex') : null;
}

export async function checkEvidence(ctx: VerifierContext, c: Record<string, unknown>): Promise<Check | null> {
  const store = ctx.deps.evidence;
  if (!store) return null;
  const problems: string[] = [];
  let held = 0;
  let elsewhere = 0;
  // each stored file is re-hashed once per credential, and at most MAX_HASHED of them: a hostile credential naming a
  // stored file thousands of times (or thousands of them) must not make this node hash gigabytes for one request
  const seen = new Set<string>();
  let tooMany = false;
  for (const e of asArray(c['evidence'])) {
    if (!e || typeof e !== 'object') continue;
    const ev = e as Record<string, unknown>;
    const url = ev['id'];
    if (typeof url !== 'string' || seen.has(url)) continue;
    seen.add(url);
    if (held >= MAX_HASHED) {
      tooMany = true;
      break;
    }
    let now: string | null | undefined;
    try {
      now = await store.hashOf(url);
    } catch {
      now = null;
    }
    if (now === undefined) {
      if (ev['digestSRI'] !== undefined) elsewhere++;
      continue;
    }
    held++;
    const named = url.slice(url.lastIndexOf('/') + 1).toLowerCase();
    const sri = ev['digestSRI'] === undefined ? null : sriHex(ev['digestSRI']);
    const label = typeof ev['name'] === 'string' ? `"${ev['name'].slice(0, 100)}"` : url;
    if (now === null) problems.push(`${label}: this node no longer holds the file`);
    else if (now !== named) problems.push(`${label}: the stored file's SHA-256 is ${now}, the credential names ${named}`);
    else if (ev['digestSRI'] !== undefined && sri !== now) problems.push(`${label}: its digestSRI does not name the file's SHA-256`);
  }
  if (tooMany) problems.push(`the credential names more than ${MAX_HASHED} files this node stores (a credential of a MOCHILA node names at most 5); the rest were not checked`);
  if (!held) return null;
  const others = elsewhere ? `; ${elsewhere} file(s) stored elsewhere, named by their signed digest, not checked here` : '';
  if (problems.length) return { id: 'evidence', status: 'failed', reason: `evidence file(s) do not match the digest the credential names: ${problems.join('; ')}${others}` };
  return { id: 'evidence', status: 'ok', reason: `${held} evidence file(s) held by this node match the SHA-256 digest the credential names${others}` };
}
