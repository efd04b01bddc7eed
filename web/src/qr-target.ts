/**
 * What a scanned QR code may open on the verify page. A QR holds text anyone can print, so it is hostile input: only
 * an http(s) URL of this node (a verification link or a claim link, opened inside the app) or of a node of the
 * network (`nodeUrl` of an institution, offered as a link the person chooses to follow), or a bare credential id,
 * is accepted. Anything else (javascript:, data:, intent:, an unknown host, garbage) is refused with the reason. It
 * must never navigate or fetch by itself: it only decides.
 */

export type QrTarget =
  /** Verify this credential id on this node. */
  | { kind: 'credential'; id: string }
  /** A page of this node (a claim link): path and query to open in the app. */
  | { kind: 'local'; href: string }
  /** A link to another node of the network, to offer (never to follow by itself). */
  | { kind: 'remote'; url: string; host: string }
  /** Not accepted: why, and the host when it was a web address. */
  | { kind: 'refused'; reason: 'scheme' | 'unknownHost' | 'unreadable'; host?: string };

const MAX_TEXT = 4000;
/** A credential id as nodes issue them (urn:uuid:…), or a plain id without scheme or spaces. */
const CREDENTIAL_ID = /^(urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Paths of this node a scanned link may open. */
const LOCAL_PATHS = [/^\/verify$/, /^\/claim\/[A-Za-z0-9_-]{8,200}$/, /^\/microcredentials\/[^/]{1,300}$/];

/**
 * @param text what the QR code holds
 * @param here this page's origin (`location.origin`)
 * @param known origins of the network's nodes (institutions' `nodeUrl`)
 */
export function qrTarget(text: string, here: string, known: readonly string[]): QrTarget {
  const s = text.trim();
  if (!s || s.length > MAX_TEXT) return { kind: 'refused', reason: 'unreadable' };
  if (CREDENTIAL_ID.test(s)) return { kind: 'credential', id: s };
  let u: URL;
  try {
    u = new URL(s); // no base: a relative path is not a link of any node
  } catch {
    return { kind: 'refused', reason: 'unreadable' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { kind: 'refused', reason: 'scheme' };
  if (!u.hostname || u.username || u.password) return { kind: 'refused', reason: 'unreadable' };
  if (u.origin === here) {
    const credential = u.pathname === '/verify' ? u.searchParams.get('credential') : null;
    if (credential) return { kind: 'credential', id: credential };
    if (LOCAL_PATHS.some((p) => p.test(u.pathname))) return { kind: 'local', href: u.pathname + u.search };
    return { kind: 'refused', reason: 'unknownHost', host: u.host };
  }
  if (known.includes(u.origin)) return { kind: 'remote', url: u.href, host: u.host };
  return { kind: 'refused', reason: 'unknownHost', host: u.host };
}
