/**
 * The server's rule for URLs that came from data (catalogue records, profiles, accreditations — anything other
 * members published): only absolute http: and https: URLs with a host may become links in HTML this node renders
 * (the printable recognition report). Twin of web/src/safe-url.tsx (the web app cannot import node/);
 * test/unit/safe-url.test.ts holds both to the same table. Must never accept another scheme or a relative URL.
 */
const MAX_URL = 2000;

/** The URL, normalised, if it is an absolute http(s) URL with a host; otherwise null. */
export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL) return null;
  let u: URL;
  try {
    u = new URL(value); // no base: relative URLs are refused
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (!u.hostname) return null;
  return u.href;
}
