/**
 * The one place the web app turns a URL that came from data (a catalogue record, a profile, a credential — anything
 * another member published and this node replicated) into a link. Only absolute http: and https: URLs become
 * `<a href>`; anything else (javascript:, data:, vbscript:, relative paths, garbage) is shown as plain text. The
 * schemas refuse such URLs on publication, but older or hostile nodes can replicate anything, so the check is made
 * again here, on display. Must never build an href from data any other way (node/core/safe-url.ts is the server's
 * twin, used by the printable report; test/unit/safe-url.test.ts holds both to the same table).
 */
import type { ComponentChildren } from 'preact';

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

/**
 * A link to a URL from data: a live external link when `safeHttpUrl` accepts it, plain text otherwise. Opens with no
 * referrer and no opener, so the target learns nothing of this node and cannot reach back into the page.
 */
export function ExternalLink({ url, children, class: cls }: { url: unknown; children?: ComponentChildren; class?: string }) {
  const href = safeHttpUrl(url);
  const label = children ?? (typeof url === 'string' ? url : '');
  if (!href) return <span class={cls ? `${cls} unsafe-url` : 'unsafe-url'}>{label}</span>;
  return (
    <a href={href} class={cls} rel="noopener noreferrer nofollow">
      {label}
    </a>
  );
}
