/**
 * The network-wide id scheme: a thing a member names in its own feed (a microcredential by its code, a status list,
 * an agreement) is known to the whole network as `<local name>.<16 hex of sha256(author DID)>` — readable, URL-safe,
 * and unique per (feed author, local name), with no registry to ask. It lives in the feed tier because the feed's
 * author is what makes the name unique and every tier above (catalogue, credentials, recognition) names things this
 * way; it must never depend on anything but its inputs (no store, no entry type, no URL form: the OB 3.0 achievement
 * URI is credentials/ob3.ts's).
 */
import { sha256Hex } from '../core/canonical.js';

/** The 16-hex tag of a feed author (institution) that scopes its local names network-wide. */
export function institutionTag(authorDid: string): string {
  return sha256Hex(authorDid).slice(0, 16);
}

/** The network-wide id of something `authorDid` names `local` in its own feed. */
export function authorScopedId(local: string, authorDid: string): string {
  return `${local}.${institutionTag(authorDid)}`;
}

/** The network-wide id of a microcredential: its code scoped by its institution. */
export function microcredentialId(authorDid: string, code: string): string {
  return authorScopedId(code, authorDid);
}
