/**
 * Which representation of a catalogue entry a request asks for: the `format` query parameter (elm, ctdl, json) wins;
 * otherwise `Accept: application/ld+json; profile="…"` with the ELM or CTDL profile URI, in the order of the
 * header's q values. Unknown `format` → validation_failed (400); an Accept that asks only for JSON-LD of profiles this
 * node does not export → not_acceptable (406); any other Accept keeps the plain JSON answer. Must never build the
 * export itself (node/catalogue/export-elm.ts, export-ctdl.ts do).
 */
import type { Request } from 'express';
import { RegistryError } from '../core/errors.js';
import { ELM_PROFILE } from '../catalogue/export-elm.js';
import { CTDL_PROFILE } from '../catalogue/export-ctdl.js';

export type ExportFormat = 'json' | 'elm' | 'ctdl';
export const EXPORT_PROFILES: Record<Exclude<ExportFormat, 'json'>, string> = { elm: ELM_PROFILE, ctdl: CTDL_PROFILE };

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  // split on commas outside quotes (a profile value may be quoted)
  for (const part of header.slice(0, 4000).match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [type = '', ...rest] = part.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim());
    if (!type) continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params[p.slice(0, eq).trim().toLowerCase()] = p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1');
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    ranges.push({ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 });
  }
  return ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
}

export function exportFormatOf(req: Pick<Request, 'query' | 'headers'>): ExportFormat {
  const format = req.query.format;
  if (format !== undefined) {
    if (format === 'json' || format === 'elm' || format === 'ctdl') return format;
    throw new RegistryError('validation_failed', 'invalid query: format must be json, elm or ctdl', {
      errors: [{ path: 'format', message: 'must be json, elm or ctdl' }],
    });
  }
  const accept = req.headers.accept;
  if (typeof accept !== 'string' || !accept.trim()) return 'json';
  const ranges = parseAccept(accept);
  let askedLd = false;
  for (const r of ranges) {
    if (r.type === 'application/ld+json') {
      askedLd = true;
      const profiles = (r.params.profile ?? '').split(/\s+/).filter(Boolean);
      if (profiles.includes(ELM_PROFILE)) return 'elm';
      if (profiles.includes(CTDL_PROFILE)) return 'ctdl';
      continue;
    }
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
  }
  if (askedLd)
    throw new RegistryError(
      'not_acceptable',
      `JSON-LD is served with profile="${ELM_PROFILE}" (ELM 3) or profile="${CTDL_PROFILE}" (CTDL), or as plain application/json`,
    );
  return 'json';
}
