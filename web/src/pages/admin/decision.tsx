/**
 * Admin task "decision": record a recognition decision about another institution's microcredential. Opened from a
 * comparison ("Registrar decisión"), the foreign id, its version and the local candidate come pre-filled from the
 * address; otherwise the current version is filled in from the id. A review step says in words what will be signed
 * and published to the network before anything is sent; after publishing, focus moves to the result, which links to
 * the lookup where the decision now shows. The node checks and signs it; this form never decides anything itself.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc, qs } from '../../api.js';
import { ErrorBox, useRefData } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { Field } from '../../components/field.js';
import { Link, useLocation } from '../../router.js';
import type { LangMap } from '../../i18n/index.js';

interface McSummary {
  id: string;
  code: string;
  version: number;
  title?: LangMap;
  institution?: { did: string; name?: LangMap };
}

export function DecisionAdmin({ token }: { token: string }) {
  const i = useI18n();
  const { t, tx } = i;
  const ref = useRefData();
  const loc = useLocation();
  const today = new Date().toISOString().slice(0, 10);
  // pre-filled from a comparison: /admin?tab=recognition&mc=<foreign id>&version=<n>&candidate=<local id>
  const fromUrl = { mc: (loc.search.get('mc') ?? '').slice(0, 200), version: /^\d{1,6}$/.test(loc.search.get('version') ?? '') ? loc.search.get('version')! : '', candidate: (loc.search.get('candidate') ?? '').slice(0, 200) };
  const [d, setD] = useState({
    mc: fromUrl.mc,
    version: fromUrl.version,
    outcome: 'equivalent',
    kind: fromUrl.candidate ? 'microcredential' : 'course',
    eqName: '',
    eqCode: '',
    system: '',
    credits: '',
    conditions: '',
    aspect: 'workload',
    difference: '',
    validFrom: today,
    reasons: '',
    decidedBy: '',
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [foreign, setForeign] = useState<McSummary | null>(null);
  // the id typed names nothing this node knows (a typo, or a record not replicated here yet)
  const [foreignMissing, setForeignMissing] = useState(false);
  const [candidate, setCandidate] = useState<McSummary | null>(null);
  const [self, setSelf] = useState<LangMap>(null);
  const reviewRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const set = (k: keyof typeof d) => (e: Event) => {
    setReviewing(false);
    setD((o) => ({ ...o, [k]: (e.target as HTMLInputElement).value }));
  };

  // the named microcredential (its title and institution for the review; its current version unless the address gave one)
  useEffect(() => {
    const id = d.mc.trim();
    setForeign(null);
    setForeignMissing(false);
    if (!id) return;
    const ac = new AbortController();
    const h = setTimeout(() => {
      api<McSummary>(`/api/v1/microcredentials/${enc(id)}`, { signal: ac.signal })
        .then((r) => {
          setForeign(r);
          setD((o) => (o.mc.trim() === id && !(fromUrl.mc === id && fromUrl.version) ? { ...o, version: String(r.version) } : o));
        })
        .catch((e: unknown) => {
          if (!ac.signal.aborted && e instanceof ApiError && e.status === 404) setForeignMissing(true);
        });
    }, 300);
    return () => {
      clearTimeout(h);
      ac.abort();
    };
  }, [d.mc]);

  // the local candidate chosen in the comparison: what the foreign microcredential is equivalent to
  useEffect(() => {
    if (!fromUrl.candidate) return;
    const ac = new AbortController();
    api<McSummary>(`/api/v1/microcredentials/${enc(fromUrl.candidate)}`, { signal: ac.signal })
      .then((r) => {
        setCandidate(r);
        setD((o) => ({ ...o, eqName: o.eqName || i.pick(r.title ?? null), eqCode: o.eqCode || r.code }));
      })
      .catch(() => {});
    return () => ac.abort();
  }, [fromUrl.candidate]);

  // this node's institution: the review says who signs
  useEffect(() => {
    api<{ self: { institution?: LangMap } }>('/api/v1/network')
      .then((r) => setSelf(r.self.institution ?? null))
      .catch(() => {});
  }, []);

  useEffect(() => {
    if (reviewing) reviewRef.current?.focus();
  }, [reviewing]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const review = (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    setReviewing(true);
  };

  const submit = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    const lang = i.lang;
    const code =
      d.mc
        .split('.')[0]
        ?.replace(/[^a-z0-9-]/g, '')
        .slice(0, 30) || 'mc';
    const body: Record<string, unknown> = {
      decisionId: `dec-${code}-${Date.now().toString(36)}`,
      microcredential: { id: d.mc.trim(), version: Number(d.version) || 1 },
      outcome: d.outcome,
      validFrom: d.validFrom,
      reasons: { [lang]: d.reasons.trim() || '—' },
    };
    if (d.eqName.trim() && (d.outcome === 'equivalent' || d.outcome === 'partial'))
      body.equivalentTo = { kind: d.kind, name: { [lang]: d.eqName.trim() }, ...(d.eqCode.trim() ? { code: d.eqCode.trim() } : {}) };
    if (d.credits && (d.outcome === 'credits' || d.outcome === 'partial')) body.credits = { system: d.system, value: Number(d.credits) };
    if (d.conditions.trim()) body.conditions = { [lang]: d.conditions.trim() };
    if (d.outcome === 'not-recognised')
      body.substantialDifferences = [{ aspect: d.aspect, description: { [lang]: d.difference.trim() || '—' } }];
    if (d.decidedBy.trim()) body.decidedBy = d.decidedBy.trim();
    try {
      await api('/api/v1/admin/recognitions', { method: 'POST', token, body });
      setReviewing(false);
      setDone(body.decisionId as string);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const field = (id: string, label: MessageKey, input: JSX.Element) => (
    <Field id={id} label={t(label)}>
      {input}
    </Field>
  );
  return (
    <section aria-labelledby="dec-h">
      <h2 id="dec-h">{t('dec.title')}</h2>
      <p>{t('dec.intro')}</p>
      {fromUrl.candidate && candidate && <p class="alert alert-info">{t('dec.prefilled', { title: i.pick(candidate.title ?? null) })}</p>}
      <form class="stack" onSubmit={review}>
        <div class="grid2">
          {field('dec-mc', 'dec.mc', <input id="dec-mc" required value={d.mc} onInput={set('mc')} aria-describedby="dec-mc-name" />)}
          {field(
            'dec-version',
            'dec.version',
            <input id="dec-version" type="number" min={1} required value={d.version} onInput={set('version')} />,
          )}
        </div>
        <p id="dec-mc-name" class="hint" aria-live="polite">
          {foreign
            ? t('dec.mcNamed', { title: i.pick(foreign.title ?? null) || foreign.code, issuer: i.pick(foreign.institution?.name ?? null) || foreign.institution?.did || '' })
            : foreignMissing
              ? t('dec.mcUnknown')
              : ''}
        </p>
        {field(
          'dec-outcome',
          'dec.outcome',
          <select id="dec-outcome" value={d.outcome} onChange={set('outcome')}>
            {['equivalent', 'credits', 'partial', 'not-recognised'].map((o) => (
              <option key={o} value={o}>
                {tx('enum.outcome.', o)}
              </option>
            ))}
          </select>,
        )}
        {(d.outcome === 'equivalent' || d.outcome === 'partial') && (
          <div class="grid3">
            {field(
              'dec-kind',
              'dec.equivalentKind',
              <select id="dec-kind" value={d.kind} onChange={set('kind')}>
                {['course', 'microcredential', 'module'].map((k) => (
                  <option key={k} value={k}>
                    {tx('enum.equivalentKind.', k)}
                  </option>
                ))}
              </select>,
            )}
            {field(
              'dec-eqname',
              'dec.equivalentName',
              <input id="dec-eqname" required={d.outcome === 'equivalent'} value={d.eqName} onInput={set('eqName')} />,
            )}
            {field('dec-eqcode', 'dec.equivalentCode', <input id="dec-eqcode" value={d.eqCode} onInput={set('eqCode')} />)}
          </div>
        )}
        {(d.outcome === 'credits' || d.outcome === 'partial') && (
          <div class="grid2">
            {field(
              'dec-system',
              'dec.creditSystem',
              <select id="dec-system" required={d.outcome === 'credits'} value={d.system} onChange={set('system')}>
                <option value="">{t('admin.choose')}</option>
                {ref.creditSystems.map((c) => (
                  <option key={c.id} value={c.id}>
                    {`${c.id} — ${i.pick(c.name)}`}
                  </option>
                ))}
              </select>,
            )}
            {field(
              'dec-credits',
              'dec.credits',
              <input
                id="dec-credits"
                type="number"
                step="any"
                min={0}
                required={d.outcome === 'credits'}
                value={d.credits}
                onInput={set('credits')}
              />,
            )}
          </div>
        )}
        {d.outcome === 'not-recognised' && (
          <div class="grid2">
            {field(
              'dec-aspect',
              'dec.differenceAspect',
              <select id="dec-aspect" value={d.aspect} onChange={set('aspect')}>
                {['learning-outcomes', 'workload', 'level', 'quality-assurance', 'assessment', 'other'].map((a) => (
                  <option key={a} value={a}>
                    {tx('enum.aspect.', a)}
                  </option>
                ))}
              </select>,
            )}
            {field('dec-diff', 'dec.differenceText', <input id="dec-diff" required value={d.difference} onInput={set('difference')} />)}
          </div>
        )}
        {field(
          'dec-conditions',
          'dec.conditions',
          <textarea id="dec-conditions" rows={2} value={d.conditions} onInput={set('conditions')} />,
        )}
        <div class="grid2">
          {field(
            'dec-validfrom',
            'dec.validFrom',
            <input id="dec-validfrom" type="date" required value={d.validFrom} onInput={set('validFrom')} />,
          )}
          {field('dec-decidedby', 'dec.decidedBy', <input id="dec-decidedby" value={d.decidedBy} onInput={set('decidedBy')} />)}
        </div>
        {field('dec-reasons', 'dec.reasons', <textarea id="dec-reasons" rows={3} required value={d.reasons} onInput={set('reasons')} />)}
        <div class="actions">
          <button class="btn" type="submit" disabled={busy}>
            {t('dec.next')}
          </button>
        </div>
      </form>
      {reviewing && (
        <div class="review" ref={reviewRef} tabIndex={-1} role="region" aria-labelledby="dec-review-h">
          <h3 id="dec-review-h">{t('dec.review')}</h3>
          <p>{t('dec.reviewIntro', { name: i.pick(self) || t('dec.thisInstitution') })}</p>
          <dl class="facts">
            <dt>{t('dec.reviewMc')}</dt>
            <dd>
              {foreign
                ? t('dec.reviewMcValue', { title: i.pick(foreign.title ?? null) || foreign.code, issuer: i.pick(foreign.institution?.name ?? null) || foreign.institution?.did || '', version: d.version })
                : `${d.mc.trim()} (${t('dec.version')} ${d.version})`}
            </dd>
            <dt>{t('dec.outcome')}</dt>
            <dd>{tx('enum.outcome.', d.outcome)}</dd>
            {d.eqName.trim() && (d.outcome === 'equivalent' || d.outcome === 'partial') && (
              <>
                <dt>{t('dec.equivalentName')}</dt>
                <dd>
                  {tx('enum.equivalentKind.', d.kind)}: {d.eqName.trim()}
                  {d.eqCode.trim() && ` (${d.eqCode.trim()})`}
                </dd>
              </>
            )}
            {d.credits && (d.outcome === 'credits' || d.outcome === 'partial') && (
              <>
                <dt>{t('dec.credits')}</dt>
                <dd>
                  {i.num(Number(d.credits))} {d.system}
                </dd>
              </>
            )}
            {d.outcome === 'not-recognised' && (
              <>
                <dt>{t('dec.differenceAspect')}</dt>
                <dd>
                  {tx('enum.aspect.', d.aspect)}: {d.difference.trim()}
                </dd>
              </>
            )}
            {d.conditions.trim() && (
              <>
                <dt>{t('dec.conditions')}</dt>
                <dd>{d.conditions.trim()}</dd>
              </>
            )}
            <dt>{t('dec.validFrom')}</dt>
            <dd>{i.date(d.validFrom)}</dd>
            {d.decidedBy.trim() && (
              <>
                <dt>{t('dec.decidedBy')}</dt>
                <dd>{d.decidedBy.trim()}</dd>
              </>
            )}
            <dt>{t('dec.reasons')}</dt>
            <dd>{d.reasons.trim()}</dd>
          </dl>
          <div class="actions">
            <button class="btn" type="button" disabled={busy} onClick={() => void submit()}>
              {t('dec.submit')}
            </button>{' '}
            <button
              class="btn btn-secondary"
              type="button"
              disabled={busy}
              onClick={() => {
                setReviewing(false);
                document.getElementById('dec-mc')?.focus();
              }}
            >
              {t('dec.edit')}
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={error} />
      <div role="status" aria-live="polite">
        {done && (
          <p class="alert alert-ok" ref={doneRef} tabIndex={-1} data-decision-id={done}>
            {t('dec.done', { title: (foreign && i.pick(foreign.title ?? null)) || d.mc.trim() })} · <Link href={`/recognition${qs({ microcredential: d.mc.trim() })}`}>{t('dec.viewLookup')}</Link> ·{' '}
            <Link href={`/microcredentials/${enc(d.mc.trim())}`}>{t('verify.openMc')}</Link>
          </p>
        )}
      </div>
    </section>
  );
}
