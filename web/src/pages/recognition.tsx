/**
 * The registrar's lookup: a microcredential id or a learner's credential → verification, the catalogue entry with
 * every EU element, decisions recorded across the network, agreements, and the comparison with the local
 * catalogue; plus the printable report. It suggests; the registrar decides.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api.js';
import { ErrorBox, Loading, PageTitle, useFieldLabel, useLevelLabel } from '../common.js';
import { useI18n } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { Link, navigate, useLocation } from '../router.js';
import type { Comparison, LookupAnswer } from '../types.js';
import { Accreditations, Decisions, EuElements } from './detail.js';
import { VerificationView } from './verify.js';

export function RecognitionPage() {
  const i = useI18n();
  const { t, pick } = i;
  const loc = useLocation();
  const urlId = loc.search.get('microcredential') ?? '';
  const [id, setId] = useState(urlId);
  const [cred, setCred] = useState('');
  // the case, printed on the report (never sent to the lookup, never stored)
  const [student, setStudent] = useState('');
  const [request, setRequest] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<LookupAnswer | null>(null);

  const run = async (body: unknown) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<LookupAnswer>('/api/v1/recognition/lookup', { method: 'POST', body }));
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    setId(urlId);
    if (urlId) void run({ microcredential: urlId });
  }, [urlId]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (cred.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(cred);
      } catch (err) {
        setError(t('verify.invalidJson', { message: (err as Error).message }));
        return;
      }
      void run({ credential: parsed });
    } else if (id.trim()) {
      if (id.trim() === urlId) void run({ microcredential: id.trim() });
      else navigate(`/recognition${qs({ microcredential: id.trim() })}`);
    } else setError(t('rec.needInput'));
  };

  const mcId = result?.microcredential?.id ?? result?.microcredentialId;
  return (
    <section>
      <PageTitle title={t('rec.title')}>{t('rec.title')}</PageTitle>
      <p class="lead">{t('rec.intro')}</p>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="rec-id">{t('rec.byId')}</label>
          <input id="rec-id" type="text" value={id} aria-describedby="rec-id-hint" onInput={(e) => setId((e.target as HTMLInputElement).value)} />
          <p id="rec-id-hint" class="hint">
            {t('rec.byIdHint')}
          </p>
        </div>
        <div class="field">
          <label for="rec-cred">{t('rec.byCredential')}</label>
          <textarea id="rec-cred" rows={5} class="mono" value={cred} onInput={(e) => setCred((e.target as HTMLTextAreaElement).value)} />
        </div>
        <div class="actions">
          <button class="btn" type="submit" disabled={busy}>
            {t('rec.lookup')}
          </button>
        </div>
      </form>
      {busy && <Loading />}
      {error && <ErrorBox error={{ message: error }} />}
      {result && (
        <div class="lookup">
          {mcId && result.microcredential && (
            <section aria-labelledby="lk-report" class="stack">
              <h2 id="lk-report">{t('rec.report')}</h2>
              <p class="hint">{t('report.caseHint')}</p>
              <div class="case-fields">
                <div class="field">
                  <label for="rec-student">{t('report.student')}</label>
                  <input id="rec-student" maxLength={120} value={student} onInput={(e) => setStudent((e.target as HTMLInputElement).value)} />
                </div>
                <div class="field">
                  <label for="rec-request">{t('report.request')}</label>
                  <input id="rec-request" maxLength={120} value={request} onInput={(e) => setRequest((e.target as HTMLInputElement).value)} />
                </div>
              </div>
              <p class="actions">
                <a
                  class="btn btn-secondary"
                  href={`/api/v1/recognition/report${qs({ microcredential: mcId, lang: i.lang, ...(student.trim() ? { student: student.trim() } : {}), ...(request.trim() ? { request: request.trim() } : {}) })}`}
                  target="_blank"
                  rel="noopener"
                >
                  {t('rec.report')}
                </a>{' '}
                <span class="muted">{t('rec.reportHint')}</span>
              </p>
            </section>
          )}
          {result.verification && <VerificationView report={result.verification} />}
          {result.microcredential && (
            <section aria-labelledby="lk-mc">
              <h2 id="lk-mc">
                <Link href={`/microcredentials/${encodeURIComponent(result.microcredential.id)}`}>{pick(result.microcredential.title)}</Link>
              </h2>
              {result.institution && (
                <p class="meta">
                  {pick(result.institution.name)} · {i.region(result.institution.country)}
                </p>
              )}
              <EuElements mc={result.microcredential} headingLevel={3} />
              <h3>{t('mc.accreditations')}</h3>
              <Accreditations items={result.accreditations.filter((a) => a.inForce)} history={result.accreditations.filter((a) => !a.inForce)} />
            </section>
          )}
          {result.note && <p class="alert alert-info">{result.note}</p>}
          <section aria-labelledby="lk-dec">
            <h2 id="lk-dec">{t('rec.decisions')}</h2>
            <Decisions items={result.decisions} empty={t('rec.noDecisions')} />
          </section>
          <section aria-labelledby="lk-agr">
            <h2 id="lk-agr">{t('rec.agreements')}</h2>
            {result.agreements.length === 0 ? (
              <p class="muted">{t('rec.noAgreements')}</p>
            ) : (
              <ul>
                {result.agreements.map((a) => (
                  <li key={a.id}>
                    {pick(a.terms.title)} · {i.tx('enum.agreement.', a.status)}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="lk-cmp">
            <h2 id="lk-cmp">{t('rec.comparison')}</h2>
            {result.localInstitution && <p>{t('rec.local', { name: pick(result.localInstitution.name) })}</p>}
            <p class="muted">{t('rec.suggestOnly')}</p>
            {result.comparisonSummary && !result.comparisonSummary.own && <ComparisonSummary s={result.comparisonSummary} />}
            {result.comparison.length === 0 ? (
              !result.comparisonSummary?.noCounterpart && <p class="muted">{t('rec.noComparison')}</p>
            ) : (
              <ComparisonList items={result.comparison.slice(0, 5)} foreign={result.microcredential ? { id: result.microcredential.id, version: result.microcredential.version } : null} />
            )}
          </section>
        </div>
      )}
    </section>
  );
}

const pct = (x: number) => Math.round(x * 100);

function ComparisonSummary({ s }: { s: NonNullable<LookupAnswer['comparisonSummary']> }) {
  const { t, pick } = useI18n();
  return (
    <>
      <p class="hint">
        {t('rec.bandsHint', { strong: pct(s.bands.strong), partial: pct(s.bands.partial), weak: pct(s.bands.weak) })} {t('rec.considered', { n: s.considered })}
      </p>
      {s.noCounterpart && (
        <p class="alert alert-info" role="status">
          {t('rec.noCounterpart', { weak: `${pct(s.bands.weak)}\u00a0%` })}
          {s.closestBelowBands && <> {t('rec.closest', { title: pick(s.closestBelowBands.title), score: pct(s.closestBelowBands.score) })}</>}
        </p>
      )}
    </>
  );
}

/** A comparison's flags: real differences (substantial, then minor) apart from informational notes, as in the report. */
function FlagGroups({ flags }: { flags: Comparison['flags'] }) {
  const { t, tx, pick } = useI18n();
  const substantial = flags.filter((f) => f.severity === 'substantial');
  const minor = flags.filter((f) => f.severity === 'minor');
  const notes = flags.filter((f) => f.severity !== 'substantial' && f.severity !== 'minor');
  const list = (items: Comparison['flags'], cls: string) => (
    <ul class={cls}>
      {items.map((f, n) => (
        <li key={n} class={`flag flag-${f.severity}`}>
          <strong>{tx('enum.aspect.', f.aspect)}</strong>: {pick(f.message)}
        </li>
      ))}
    </ul>
  );
  return (
    <>
      <h4>{t('rec.differences')}</h4>
      {substantial.length ? list(substantial, 'flags flags-substantial') : <p class="muted">{t('rec.noDifferences')}</p>}
      {minor.length > 0 && (
        <>
          <h4>{t('rec.minorDifferences')}</h4>
          {list(minor, 'flags flags-minor')}
        </>
      )}
      {notes.length > 0 && (
        <>
          <h4>{t('rec.notes')}</h4>
          {list(notes, 'flags flags-notes')}
        </>
      )}
    </>
  );
}

function ComparisonList({ items, foreign }: { items: Comparison[]; foreign: { id: string; version: number } | null }) {
  const i = useI18n();
  const { t, pick, tx } = i;
  const levelLabel = useLevelLabel();
  const fieldLabel = useFieldLabel();
  // each side's accreditations in force, named: "acreditada por … hasta …"
  const accreditedText = (by: Comparison['qualityAssurance']['foreignAccreditedBy']) =>
    by.length
      ? by.map((a) => (a.validUntil ? t('rec.accreditedByUntil', { agency: pick(a.agency) || a.agencyDid, date: i.date(a.validUntil) }) : t('rec.accreditedBy', { agency: pick(a.agency) || a.agencyDid }))).join('; ')
      : t('mc.notAccredited');
  return (
    <ol class="cards">
      {items.map((c) => (
        <li class="card" key={c.candidate.id}>
          <h3>
            <Link href={`/microcredentials/${encodeURIComponent(c.candidate.id)}`}>{pick(c.candidate.title)}</Link>
          </h3>
          {c.precedent && (
            <p class="alert alert-info">
              {t('rec.precedent', { outcome: tx('enum.outcome.', c.precedent.outcome), date: i.date(c.precedent.publishedAt) })}
              {c.precedent.rankedLow && <> {t('rec.precedentLow')}</>}
            </p>
          )}
          <p>
            {t('rec.score')}: <strong>{pct(c.score)}&nbsp;%</strong>
            {c.band && (
              <>
                {' · '}
                {t('rec.band')}: <strong class={`band band-${c.band}`}>{tx('enum.band.', c.band)}</strong>
              </>
            )}
          </p>
          <details>
            <summary>{t('rec.parts')}</summary>
            <ul>
              {c.scoreParts.map((p) => (
                <li key={p.part}>
                  {t('rec.part', { part: tx('enum.part.', p.part), value: pct(p.value), weight: i.num(p.weight), contribution: pct(p.contribution), n: pct(p.contribution) })}
                  {p.part === 'title' && c.title.sharedTerms.length > 0 && ` — ${t('rec.shared', { terms: c.title.sharedTerms.join(', ') })}`}
                  {p.part === 'skills' && c.skills.by === 'uri' && ` — ${t('rec.skillsByUri', { n: c.skills.sharedUris.length })}`}
                  {p.part === 'skills' && c.skills.by === 'name' && c.skills.sharedTerms.length > 0 && ` — ${t('rec.shared', { terms: c.skills.sharedTerms.join(', ') })}`}
                </li>
              ))}
              {c.learningOutcomes.titlePair && (
                <li>
                  {t(`rec.titlePair.${c.learningOutcomes.titlePair.title}` as MessageKey)}: {c.learningOutcomes.titlePair.titleText} → {c.learningOutcomes.titlePair.outcomeText} (
                  {pct(c.learningOutcomes.titlePair.score)}&nbsp;%)
                  {c.learningOutcomes.titlePair.sharedTerms.length > 0 && ` — ${t('rec.shared', { terms: c.learningOutcomes.titlePair.sharedTerms.join(', ') })}`}
                </li>
              )}
            </ul>
          </details>
          <ul>
            <li>
              {t('rec.workload', { foreign: c.workload.foreignHours, local: c.workload.localHours })}
              {c.workload.foreignInLocalSystem &&
                ` (${t('rec.inLocal', { min: i.num(c.workload.foreignInLocalSystem.min), max: i.num(c.workload.foreignInLocalSystem.max), system: c.workload.foreignInLocalSystem.system })})`}
            </li>
            {c.workload.ects && (
              <li>
                {t('rec.ects', {
                  foreignMin: i.num(c.workload.ects.foreign.min),
                  foreignMax: i.num(c.workload.ects.foreign.max),
                  localMin: i.num(c.workload.ects.local.min),
                  localMax: i.num(c.workload.ects.local.max),
                })}
              </li>
            )}
            <li>{t('rec.levelCmp', { foreign: levelLabel(c.level.foreign), local: levelLabel(c.level.local) })}</li>
            {c.level.eqf && (c.level.eqf.foreign || c.level.eqf.local) && (
              <li>{t('rec.eqf', { foreign: c.level.eqf.foreign ? String(c.level.eqf.foreign.level) : t('rec.eqfNone'), local: c.level.eqf.local ? String(c.level.eqf.local.level) : t('rec.eqfNone') })}</li>
            )}
            <li>{t('rec.fieldCmp', { foreign: fieldLabel(c.field.foreign), local: fieldLabel(c.field.local), match: tx('enum.match.', c.field.match) })}</li>
            <li class="accreditation-cmp">{t('rec.accreditationCmp', { foreign: accreditedText(c.qualityAssurance.foreignAccreditedBy), local: accreditedText(c.qualityAssurance.localAccreditedBy) })}</li>
          </ul>
          <FlagGroups flags={c.flags} />
          {foreign && (
            <p class="actions">
              <Link
                class="btn btn-secondary"
                href={`/admin${qs({ tab: 'recognition', mc: foreign.id, version: String(foreign.version), candidate: c.candidate.id })}`}
                aria-label={t('rec.recordFor', { title: pick(c.candidate.title) })}
              >
                {t('rec.record')}
              </Link>
            </p>
          )}
          <details>
            <summary>
              {t('rec.outcomes')} ({pct(c.learningOutcomes.score)}&nbsp;%)
            </summary>
            <ul>
              {c.learningOutcomes.matches.map((m, n) => (
                <li key={n}>
                  {m.foreignText} → {m.localText ?? '—'} ({pct(m.score)}&nbsp;%){m.sharedTerms.length > 0 && ` — ${t('rec.shared', { terms: m.sharedTerms.join(', ') })}`}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ))}
    </ol>
  );
}
