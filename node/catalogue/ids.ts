/**
 * Network-wide microcredential ids: `<code>.<16 hex of sha256(author DID)>` — readable, URL-safe, and unique per
 * (institution, code). Must never depend on anything but the two inputs.
 */
import { sha256Hex } from '../core/canonical.js';

export function institutionTag(authorDid: string): string {
  return sha256Hex(authorDid).slice(0, 16);
}

export function microcredentialId(authorDid: string, code: string): string {
  return `${code}.${institutionTag(authorDid)}`;
}

/** URI form used as the Open Badges achievement id. */
export function achievementUri(baseUrl: string | undefined, id: string): string {
  return baseUrl ? `${baseUrl.replace(/\/$/, '')}/api/v1/microcredentials/${encodeURIComponent(id)}` : `urn:mochila:microcredential:${id}`;
}

export function parseAchievementId(value: string): string | null {
  const m = /\/api\/v1\/microcredentials\/([^/?#]+)$/.exec(value) ?? /^urn:mochila:microcredential:(.+)$/.exec(value);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}
