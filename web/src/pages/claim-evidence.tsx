/**
 * The evidence and results a credential carries (OB 3.0 `evidence`, the subject's `result`s with the achievement's
 * `resultDescription`s), shown on the learner's claim page: each evidence entry's name, narrative and link (a file
 * this node stores, or a page elsewhere), each result as "criterion: level or value". Everything comes from the
 * credential (untrusted text): shown as text, links only through the safe-url rule. Must never render markup from
 * the credential or link anything but http(s). The server's share page has its twin (node/http/routes/claims.routes.ts).
 */
import { Fragment } from 'preact';
import { useI18n } from '../i18n/index.js';
import { ExternalLink, safeHttpUrl } from '../safe-url.js';

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export interface EvidenceItem {
  name: string;
  narrative: string;
  description: string;
  /** The entry's id when it is an http(s) URL (a stored file or a page elsewhere), else null. */
  url: string | null;
}
export interface ResultItem {
  criterion: string;
  value: string;
}

/** The evidence and results of a credential, as display text (at most 50 of each). */
export function evidenceAndResults(credential: unknown): { evidence: EvidenceItem[]; results: ResultItem[] } {
  const c = obj(credential);
  const subject = obj(list(c['credentialSubject'])[0]);
  const evidence = list(c['evidence'])
    .slice(0, 50)
    .map((e) => {
      const o = obj(e);
      const url = safeHttpUrl(o['id']);
      return { name: str(o['name']), narrative: str(o['narrative']), description: str(o['description']), url };
    })
    .filter((e) => e.name || e.narrative || e.description || e.url);
  const descriptions = new Map<string, { name: string; levels: Map<string, string> }>();
  for (const d of list(obj(subject['achievement'])['resultDescription']).slice(0, 50)) {
    const o = obj(d);
    const levels = new Map<string, string>();
    for (const l of list(o['rubricCriterionLevel']).slice(0, 50)) levels.set(str(obj(l)['id']), str(obj(l)['name']));
    if (str(o['id'])) descriptions.set(str(o['id']), { name: str(o['name']), levels });
  }
  const results = list(subject['result'])
    .slice(0, 50)
    .map((r) => {
      const o = obj(r);
      const d = descriptions.get(str(o['resultDescription']));
      const level = d?.levels.get(str(o['achievedLevel'])) ?? '';
      return { criterion: d?.name ?? '', value: level || str(o['value']) || str(o['status']) };
    })
    .filter((r) => r.criterion && r.value);
  return { evidence, results };
}

export function EvidenceAndResults({ credential }: { credential: unknown }) {
  const { t } = useI18n();
  const { evidence, results } = evidenceAndResults(credential);
  if (!evidence.length && !results.length) return null;
  return (
    <section class="claim-evidence" aria-labelledby="claim-evidence-h">
      <h2 id="claim-evidence-h">{t('claim.evidenceTitle')}</h2>
      {evidence.length > 0 && (
        <>
          <h3>{t('claim.evidence')}</h3>
          <ul data-evidence>
            {evidence.map((e, i) => (
              <li key={i}>
                {e.url ? <ExternalLink url={e.url}>{e.name || e.url}</ExternalLink> : e.name && <strong>{e.name}</strong>}
                {e.description && <p>{e.description}</p>}
                {e.narrative && <p class="claim-narrative">{e.narrative}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      {results.length > 0 && (
        <>
          <h3>{t('claim.results')}</h3>
          <dl class="facts" data-results>
            {results.map((r, i) => (
              <Fragment key={i}>
                <dt>{r.criterion}</dt>
                <dd>{r.value}</dd>
              </Fragment>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}
