/**
 * Link previews for the web app's shareable pages: a microcredential's page (`/microcredentials/<id>`) and an
 * institution's page (`/institutions/<did>`) get their own `<title>`, description and Open Graph / Twitter tags in the
 * served index.html, so a link pasted in a chat, an e-mail or a social network shows what it points at (crawlers run
 * no JavaScript). Texts come from the replica — data another member published — so every value is escaped and cut to
 * a bounded length; the language is Spanish first (the network's first language), then English, then Portuguese.
 * Must never render anything but these head tags, and never fail the page: an unknown id gets the plain index.html.
 */
import type { CatalogueService } from '../catalogue/catalogue.service.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import { escapeHtml } from './routes/claims.routes.js';
import { langText, type TextLang } from '../core/lang-text.js';

export interface LinkPreview {
  title: string;
  description: string;
  /** The page's absolute URL on this node. */
  url: string;
  type: 'website' | 'profile';
}

export interface LinkPreviewDeps {
  catalogue: Pick<CatalogueService, 'get'>;
  institutions: Pick<InstitutionDirectory, 'get'>;
  /** This node's public base URL (no trailing slash needed). */
  publicUrl: () => string;
}

type LangMap = Partial<Record<'es' | 'en' | 'pt', string>> | string | null | undefined;

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 300;

type PreviewLang = TextLang;

/** A language map's text in `first` (a shared link's ?lang=), else Spanish, English, Portuguese; a plain string as is. */
function pick(m: LangMap, first: PreviewLang = 'es'): string {
  return langText(m, first);
}

/** One line of at most `max` characters (whitespace runs folded; cut on a code point, with an ellipsis). */
function clip(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  const cps = [...one];
  return cps.length <= max ? one : `${cps.slice(0, max - 1).join('')}…`;
}

function decode(seg: string): string | null {
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

/** The preview of an app path, or null when the path is not a shareable page or names nothing this node holds. */
export function linkPreview(pathname: string, d: LinkPreviewDeps, lang?: string | null): LinkPreview | null {
  const first: PreviewLang = lang === 'en' || lang === 'pt' ? lang : 'es';
  const m = /^\/(microcredentials|institutions)\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  const key = decode(m[2]!);
  if (!key || key.length > 500) return null;
  const base = d.publicUrl().replace(/\/+$/, '');
  if (m[1] === 'microcredentials') {
    const mc = d.catalogue.get(key);
    if (!mc) return null;
    const inst = d.institutions.get(mc.author);
    const issuer = pick(inst?.profile.name) || pick(mc.record.awardingBody?.name as LangMap);
    const title = pick(mc.record.title as LangMap, first) || mc.id;
    const hours = typeof mc.record.workload?.hours === 'number' ? `${mc.record.workload.hours} h` : '';
    const lead = [issuer, hours].filter(Boolean).join(' · ');
    return {
      title: clip(`${title}${issuer ? ` — ${issuer}` : ''}`, TITLE_MAX),
      description: clip([lead, pick(mc.record.description as LangMap, first)].filter(Boolean).join(': '), DESCRIPTION_MAX),
      url: `${base}/microcredentials/${encodeURIComponent(mc.id)}`,
      type: 'website',
    };
  }
  const inst = d.institutions.get(key);
  if (!inst) return null;
  const name = pick(inst.profile.name) || langText(inst.profile.shortName) || key;
  return {
    title: clip(name, TITLE_MAX),
    description: clip([inst.profile.country, pick(inst.profile.description)].filter(Boolean).join(' · '), DESCRIPTION_MAX),
    url: `${base}/institutions/${encodeURIComponent(inst.did)}`,
    type: 'profile',
  };
}

/**
 * index.html with the preview's tags: its `<title>` and description replaced, the Open Graph and Twitter tags added
 * before `</head>`. Every value is escaped for an attribute or text.
 */
export function withPreview(indexHtml: string, p: LinkPreview): string {
  const tags = [
    `<meta property="og:type" content="${p.type}">`,
    `<meta property="og:title" content="${escapeHtml(p.title)}">`,
    `<meta property="og:description" content="${escapeHtml(p.description)}">`,
    `<meta property="og:url" content="${escapeHtml(p.url)}">`,
    '<meta property="og:site_name" content="MOCHILA">',
    '<meta name="twitter:card" content="summary">',
    `<link rel="canonical" href="${escapeHtml(p.url)}">`,
  ].join('\n    ');
  return indexHtml
    .replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(p.title)}</title>`)
    .replace(/<meta name="description" content="[^"]*"\s*\/?>/, () => `<meta name="description" content="${escapeHtml(p.description)}" />`)
    .replace('</head>', () => `    ${tags}\n  </head>`);
}
