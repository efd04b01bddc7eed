/**
 * A tiny history router: the current location as a hook, `navigate()`, and a `Link` that keeps normal link
 * behaviour (new tab, modifier keys) and only intercepts plain clicks. No other routing state anywhere.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';

const EVENT = 'mochila:navigate';

export interface Loc {
  path: string;
  search: URLSearchParams;
  href: string;
}

function current(): Loc {
  return { path: location.pathname, search: new URLSearchParams(location.search), href: location.pathname + location.search };
}

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (href === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

export function useLocation(): Loc {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const on = () => setLoc(current());
    window.addEventListener('popstate', on);
    window.addEventListener(EVENT, on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener(EVENT, on);
    };
  }, []);
  return loc;
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

export function Link({ href, onClick, ...rest }: AnchorProps) {
  return (
    <a
      href={href}
      {...rest}
      onClick={(e) => {
        if (onClick) (onClick as (ev: MouseEvent) => void)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
        window.scrollTo(0, 0);
      }}
    />
  );
}

/** Matches `/a/:x` patterns; returns the decoded params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = s[i]!;
    if (a.startsWith(':')) {
      try {
        out[a.slice(1)] = decodeURIComponent(b);
      } catch {
        return null;
      }
    } else if (a !== b) return null;
  }
  return out;
}
