/**
 * Admin task "publish": the record editor for a new microcredential or a new version, with the EU elements checked
 * as you type and the server's field errors shown next to their fields. Must never send server-only fields back.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../../api.js';
import { useRefData } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { errorId, Field } from '../../components/field.js';
import { ELEMENT_FIELD, EMPTY, formToRecord, missingElements, PATH_FIELD, QA_REVIEWERS, recordToForm, WORKLOAD_BOUNDS, workloadProblem, type FieldName, type McForm } from './mc-form.js';
import type { OwnMc } from './types.js';

export function McEditor({
  token,
  base,
  onSaved,
  onCancel,
}: {
  token: string;
  base: OwnMc | null;
  onSaved: (m: OwnMc) => void;
  onCancel: () => void;
}) {
  const i = useI18n();
  const { t, pick, tx } = i;
  const ref = useRefData();
  const [f, setF] = useState<McForm>(() => (base ? recordToForm(base) : EMPTY));
  const [touched, setTouched] = useState<Partial<Record<FieldName, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<{ message: string; fields: Partial<Record<FieldName, string>> } | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const missing = useMemo(() => missingElements(f), [f]);
  const clientErr: Partial<Record<FieldName, string>> = {};
  for (const m of missing) clientErr[ELEMENT_FIELD[m]!] = t(`admin.err.${m}` as MessageKey);
  if (!/^[a-z0-9][a-z0-9-]{2,63}$/.test(f.code)) clientErr.code = t('admin.err.code');
  if (f.furtherUrl.trim() && !/^https?:\/\/\S+$/.test(f.furtherUrl.trim())) clientErr.furtherUrl = t('admin.err.url');
  // negative, zero or too large workloads: the schema's own bounds, a sentence that says which
  for (const k of ['hours', 'credits'] as const) {
    const b = WORKLOAD_BOUNDS[k];
    const p = workloadProblem(f[k], b);
    if (p) clientErr[k] = t(`admin.err.${k}.${p}` as MessageKey, { max: b.maximum ?? '' });
  }
  if (!f.field) clientErr.field = t('admin.err.field');
  if (!f.languages.split(',').some((l) => /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l.trim())))
    clientErr.languages = t('admin.err.languages');
  const errorOf = (k: FieldName) => server?.fields[k] ?? (touched[k] || submitted ? clientErr[k] : undefined);
  // the error summary: every bad field in the form's order, each a link that moves the focus to it
  const badFields = (Object.keys(EMPTY) as FieldName[])
    .map((k): [FieldName, string | undefined] => [k, server?.fields[k] ?? (submitted ? clientErr[k] : undefined)])
    .filter((x): x is [FieldName, string] => !!x[1] && !!document.getElementById(`mc-${x[0]}`));

  const upd = (k: FieldName) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setF((old) => ({ ...old, [k]: el.type === 'checkbox' ? el.checked : el.value }));
    setTouched((o) => ({ ...o, [k]: true }));
    if (server?.fields[k]) setServer((s) => (s ? { ...s, fields: { ...s.fields, [k]: undefined } } : s));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setSubmitted(true);
    setServer(null);
    if (Object.keys(clientErr).length) {
      summaryRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = formToRecord(f, base);
      const saved = base
        ? await api<OwnMc>(`/api/v1/admin/microcredentials/${enc(base.code)}`, { method: 'PUT', token, body })
        : await api<OwnMc>('/api/v1/admin/microcredentials', { method: 'POST', token, body });
      onSaved(saved);
    } catch (err) {
      const ae = err as ApiError;
      const fields: Partial<Record<FieldName, string>> = {};
      for (const fe of ae.errors ?? []) {
        const segs = (fe.path ?? '').split('/').filter((x) => x && x !== 'microcredential');
        const prop = /must have property '(\w+)'/.exec(fe.message)?.[1];
        const k = fe.element ? ELEMENT_FIELD[fe.element] : PATH_FIELD[segs[0] ?? prop ?? ''];
        if (k) fields[k] = fields[k] ? `${fields[k]}; ${fe.message}` : fe.message;
      }
      if (ae.code === 'conflict' || ae.code === 'validation_failed')
        if (!Object.keys(fields).length && /code/i.test(ae.detail)) fields.code = ae.detail;
      if (ae.code === 'unknown_credit_system') fields.creditSystem = ae.detail;
      setServer({ message: ae.message, fields });
      summaryRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const text = (
    k: FieldName,
    label: MessageKey,
    opts: { required?: boolean; type?: string; multiline?: boolean; disabled?: boolean } = {},
  ) => {
    const err = errorOf(k);
    const id = `mc-${k}`;
    return (
      <Field id={id} label={t(label)} required={opts.required} error={err}>
        {opts.multiline ? (
          <textarea
            id={id}
            rows={4}
            value={f[k] as string}
            aria-invalid={!!err}
            aria-describedby={err ? errorId(id) : undefined}
            onInput={upd(k)}
          />
        ) : (
          <input
            id={id}
            type={opts.type ?? 'text'}
            value={f[k] as string}
            disabled={opts.disabled}
            aria-invalid={!!err}
            aria-describedby={err ? errorId(id) : undefined}
            onInput={upd(k)}
            step={opts.type === 'number' ? 'any' : undefined}
          />
        )}
      </Field>
    );
  };
  const select = (k: FieldName, label: MessageKey, options: { value: string; label: string }[], required = false) => {
    const err = errorOf(k);
    const id = `mc-${k}`;
    return (
      <Field id={id} label={t(label)} required={required} error={err}>
        <select id={id} value={f[k] as string} aria-invalid={!!err} aria-describedby={err ? errorId(id) : undefined} onChange={upd(k)}>
          <option value="">{t('admin.choose')}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </Field>
    );
  };
  const enumOpts = (prefix: string, values: string[]) => values.map((v) => ({ value: v, label: tx(prefix, v) }));
  const fw = ref.frameworks.find((x) => x.id === f.levelFramework);

  return (
    <form class="editor stack" onSubmit={submit} noValidate aria-labelledby="editor-h">
      <h3 id="editor-h">{base ? t('admin.editing', { code: base.code }) : t('admin.new')}</h3>
      <div ref={summaryRef} tabIndex={-1} class={`alert ${missing.length ? 'alert-info' : 'alert-ok'}`} aria-live="polite">
        {missing.length
          ? t('admin.missing', { list: missing.map((m) => t(`admin.el.${m}` as MessageKey)).join(', ') })
          : t('admin.complete')}
        {server && <p class="field-error">{t('admin.serverError', { message: server.message })}</p>}
        {(submitted || server) && badFields.length > 0 && (
          <>
            <p>{t('admin.errorSummary', { n: badFields.length })}</p>
            <ul class="error-summary">
              {badFields.map(([k, msg]) => (
                <li key={k}>
                  <a
                    href={`#mc-${k}`}
                    onClick={(e) => {
                      e.preventDefault();
                      document.getElementById(`mc-${k}`)?.focus();
                    }}
                  >
                    {msg}
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div class="grid2">
        {text('code', 'admin.f.code', { required: true, disabled: !!base })}
        {select('pilotArea', 'admin.f.pilotArea', enumOpts('enum.pilotArea.', ['engineering', 'health', 'other']))}
        {text('titleEs', 'admin.f.titleEs', { required: true })}
        {text('titleEn', 'admin.f.titleEn')}
      </div>
      {text('descriptionEs', 'admin.f.descriptionEs', { multiline: true })}
      <div class="grid2">
        {text('outcomesEs', 'admin.f.outcomesEs', { required: true, multiline: true })}
        {text('outcomesEn', 'admin.f.outcomesEn', { multiline: true })}
      </div>
      <div class="grid3">
        {text('hours', 'admin.f.hours', { required: true, type: 'number' })}
        {select(
          'creditSystem',
          'admin.f.creditSystem',
          ref.creditSystems.map((c) => ({ value: c.id, label: `${c.id} — ${pick(c.name)}` })),
          true,
        )}
        {text('credits', 'admin.f.credits', { required: true, type: 'number' })}
      </div>
      <div class="grid2">
        {select(
          'levelFramework',
          'admin.f.levelFramework',
          ref.frameworks.map((x) => ({ value: x.id, label: `${x.id} — ${pick(x.name)}` })),
          true,
        )}
        {select(
          'levelValue',
          'admin.f.levelValue',
          (fw?.levels ?? []).map((l) => ({ value: l.value, label: pick(l.label) })),
          true,
        )}
      </div>
      <div class="grid3">
        {select(
          'assessment',
          'admin.f.assessment',
          enumOpts('enum.assessment.', ['exam', 'project', 'portfolio', 'practical', 'oral', 'assignment', 'simulation', 'mixed']),
          true,
        )}
        {select('participation', 'admin.f.participation', enumOpts('enum.participation.', ['online', 'onsite', 'blended']), true)}
        {select('qa', 'admin.f.qa', enumOpts('enum.qa.', ['internal', 'external', 'internal-and-external']), true)}
      </div>
      <fieldset class="qa-procedure">
        <legend>{t('admin.mc.qaProcedure')}</legend>
        <div class="grid3">
          {text('qaCycle', 'admin.mc.qaCycle', { type: 'number' })}
          {text('qaLastReview', 'admin.mc.qaLastReview', { type: 'date' })}
          {text('qaUrl', 'admin.mc.qaUrl', { type: 'url' })}
        </div>
        <fieldset class="qa-reviewers">
          <legend>{t('admin.mc.qaReviewers')}</legend>
          {QA_REVIEWERS.map((role) => (
            <div class="field checkbox" key={role}>
              <input
                id={`mc-qa-${role}`}
                type="checkbox"
                checked={f.qaReviewers.includes(role)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  setF((old) => ({ ...old, qaReviewers: on ? [...old.qaReviewers.filter((x) => x !== role), role] : old.qaReviewers.filter((x) => x !== role) }));
                }}
              />
              <label for={`mc-qa-${role}`}>{tx('enum.qaReviewer.', role)}</label>
            </div>
          ))}
        </fieldset>
      </fieldset>
      <div class="grid2">
        {select(
          'field',
          'admin.f.field',
          ref.fields.map((x) => ({ value: x.code, label: `${x.code} — ${pick(x.label)}` })),
          true,
        )}
        {text('languages', 'admin.f.languages', { required: true })}
      </div>
      {text('prerequisitesEs', 'admin.f.prerequisitesEs', { multiline: true })}
      <div class="grid2">
        {select(
          'supervision',
          'admin.f.supervision',
          enumOpts('enum.supervision.', [
            'unsupervised-no-id-check',
            'supervised-no-id-check',
            'supervised-online-id-check',
            'supervised-onsite-id-check',
          ]),
        )}
        {text('furtherUrl', 'admin.f.furtherUrl', { type: 'url' })}
      </div>
      <div class="field checkbox">
        <input id="mc-standalone" type="checkbox" checked={f.standalone} onChange={upd('standalone')} />
        <label for="mc-standalone">{t('admin.f.standalone')}</label>
      </div>
      <div class="actions">
        <button class="btn" type="submit" disabled={busy}>
          {base ? t('admin.publishVersion') : t('admin.publish')}
        </button>
        <button class="btn btn-secondary" type="button" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </div>
    </form>
  );
}
