/**
 * Admin task "decision": record a recognition decision about another institution's microcredential (the current
 * version is filled in from the id). The node checks and signs it; this form never decides anything itself.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../../api.js';
import { ErrorBox, useRefData } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { Field } from '../../components/field.js';
import { Link } from '../../router.js';

export function DecisionAdmin({ token }: { token: string }) {
  const i = useI18n();
  const { t, tx } = i;
  const ref = useRefData();
  const today = new Date().toISOString().slice(0, 10);
  const [d, setD] = useState({
    mc: '',
    version: '',
    outcome: 'equivalent',
    kind: 'course',
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
  const set = (k: keyof typeof d) => (e: Event) => setD((o) => ({ ...o, [k]: (e.target as HTMLInputElement).value }));

  // fill the current version of the named microcredential
  useEffect(() => {
    const id = d.mc.trim();
    if (!id) return;
    const ac = new AbortController();
    const h = setTimeout(() => {
      api<{ version: number }>(`/api/v1/microcredentials/${enc(id)}`, { signal: ac.signal })
        .then((r) => setD((o) => (o.mc.trim() === id ? { ...o, version: String(r.version) } : o)))
        .catch(() => {});
    }, 300);
    return () => {
      clearTimeout(h);
      ac.abort();
    };
  }, [d.mc]);

  const submit = async (e: Event) => {
    e.preventDefault();
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
      <form class="stack" onSubmit={submit}>
        <div class="grid2">
          {field('dec-mc', 'dec.mc', <input id="dec-mc" required value={d.mc} onInput={set('mc')} />)}
          {field(
            'dec-version',
            'dec.version',
            <input id="dec-version" type="number" min={1} required value={d.version} onInput={set('version')} />,
          )}
        </div>
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
                    {c.id}
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
            {t('dec.submit')}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      <div role="status" aria-live="polite">
        {done && (
          <p class="alert alert-ok">
            {t('dec.done', { id: done })} · <Link href={`/microcredentials/${enc(d.mc.trim())}`}>{t('verify.openMc')}</Link>
          </p>
        )}
      </div>
    </section>
  );
}
