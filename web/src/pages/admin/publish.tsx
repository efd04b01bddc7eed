/**
 * Admin task "publish": the record editor for a new microcredential or a new version — every field the detail page
 * shows: texts in es/en/pt (one language tab at a time per group), outcomes aligned by line with their ESCO URIs,
 * skills and languages picked from lists, participation context, stackability and modules, links and dates — with
 * the EU elements and the schema's bounds checked as you type, an error summary whose links focus the bad field (its
 * language tab opened first), and the server's field errors shown next to their fields. Must never send server-only
 * fields back nor drop a field the record had.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../../api.js';
import { useRefData } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { errorId, Field } from '../../components/field.js';
import {
  CONTEXTS,
  controlId,
  ELEMENT_FIELD,
  ERR_ORDER,
  fieldOfDetail,
  fieldOfPath,
  formProblems,
  formToRecord,
  LANGS,
  langKey,
  missingElements,
  QA_REVIEWERS,
  recordToForm,
  WORKLOAD_BOUNDS,
  workloadProblem,
  EMPTY,
  type ErrKey,
  type Lang,
  type LangGroup,
  type McForm,
  type SkillItem,
} from './mc-form.js';
import { endonym, LangTabs, LanguagePicker, ModulesPicker, SkillPicker, TowardsPicker } from './mc-pickers.js';
import type { OwnMc, SkillList } from './types.js';

type Scalar = { [K in keyof McForm]: McForm[K] extends string ? K : never }[keyof McForm];

/** The distinct skills of some records (same name, framework and URI once), in first-seen order. */
export function skillsIn(records: { skills?: SkillItem[] }[]): SkillItem[] {
  const seen = new Set<string>();
  const out: SkillItem[] = [];
  for (const r of records)
    for (const s of r.skills ?? []) {
      const k = JSON.stringify([s.name, s.framework ?? '', s.uri ?? '']);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(s);
      }
    }
  return out;
}

export function McEditor({
  token,
  base,
  own = [],
  onSaved,
  onCancel,
}: {
  token: string;
  base: OwnMc | null;
  /** the unit's own microcredentials: modules to stack from and skills already used */
  own?: OwnMc[];
  onSaved: (m: OwnMc) => void;
  onCancel: () => void;
}) {
  const i = useI18n();
  const { t, pick, tx } = i;
  const ref = useRefData();
  const [f, setF] = useState<McForm>(() => (base ? recordToForm(base) : EMPTY));
  const [touched, setTouched] = useState<Partial<Record<ErrKey, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<{ message: string; fields: Partial<Record<ErrKey, string>> } | null>(null);
  const [busy, setBusy] = useState(false);
  const [tabs, setTabs] = useState<Record<LangGroup, Lang>>(() => ({ title: 'es', description: 'es', outcomes: 'es', criteria: 'es', prerequisites: 'es', assessmentDescription: 'es', qaDescription: 'es', furtherText: 'es' }));
  // focus asked for by an action that changes what is rendered (a tab opened, an item removed): applied after render
  const [focusReq, setFocusReq] = useState<{ id: string } | null>(null);
  useEffect(() => {
    if (focusReq) document.getElementById(focusReq.id)?.focus();
  }, [focusReq]);
  const focus = (id: string) => setFocusReq({ id });
  const summaryRef = useRef<HTMLDivElement>(null);

  const missing = useMemo(() => missingElements(f), [f]);
  const clientErr: Partial<Record<ErrKey, string>> = {};
  for (const m of missing) clientErr[ELEMENT_FIELD[m]!] = t(`admin.err.${m}` as MessageKey);
  if (!/^[a-z0-9][a-z0-9-]{2,63}$/.test(f.code)) clientErr.code = t('admin.err.code');
  // negative, zero or too large workloads: the schema's own bounds, a sentence that says which
  for (const k of ['hours', 'credits'] as const) {
    const b = WORKLOAD_BOUNDS[k];
    const p = workloadProblem(f[k], b);
    if (p) clientErr[k] = t(`admin.err.${k}.${p}` as MessageKey, { max: b.maximum ?? '' });
  }
  if (!f.field) clientErr.field = t('admin.err.field');
  for (const [k, [key, vars]] of Object.entries(formProblems(f)) as [ErrKey, [string, Record<string, string | number>?]][]) clientErr[k] ??= t(key as MessageKey, vars);
  const errorOf = (k: ErrKey) => server?.fields[k] ?? (touched[k] || submitted ? clientErr[k] : undefined);
  const shownErr = (k: ErrKey) => server?.fields[k] ?? (submitted ? clientErr[k] : undefined);
  // the error summary: every bad field in the form's order, each a link that opens its language tab and focuses it
  const badFields = ERR_ORDER.map((k): [ErrKey, string | undefined] => [k, shownErr(k)]).filter((x): x is [ErrKey, string] => !!x[1]);
  const goTo = (k: ErrKey) => {
    const lk = langKey(k);
    if (lk) setTabs((o) => ({ ...o, [lk.group]: lk.lang }));
    focus(controlId(k));
  };

  const clearServer = (k: ErrKey) => {
    if (server?.fields[k]) setServer((s) => (s ? { ...s, fields: { ...s.fields, [k]: undefined } } : s));
  };
  const set = <K extends keyof McForm>(k: K, v: McForm[K], errKey: ErrKey = k) => {
    setF((old) => ({ ...old, [k]: v }));
    setTouched((o) => ({ ...o, [errKey]: true }));
    clearServer(errKey);
  };
  const upd = (k: Scalar) => (e: Event) => set(k, (e.target as HTMLInputElement).value);

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
      const fields: Partial<Record<ErrKey, string>> = {};
      for (const fe of ae.errors ?? []) {
        const segs = (fe.path ?? '').split('/').filter((x) => x && x !== 'microcredential');
        const prop = /must have property '(\w+)'/.exec(fe.message)?.[1];
        const k = fe.element ? ELEMENT_FIELD[fe.element] : fieldOfPath(segs.length ? segs : prop ? [prop] : []);
        if (k) fields[k] = fields[k] ? `${fields[k]}; ${fe.message}` : fe.message;
      }
      if (!Object.keys(fields).length) {
        // the detail is in the asker's language; the node's English sentence (technicalDetail) names the field
        const english = ae.technical ?? ae.detail;
        const k = fieldOfDetail(english) ?? fieldOfDetail(ae.detail);
        if (k) fields[k] = ae.detail;
        else if ((ae.code === 'conflict' || ae.code === 'validation_failed') && /code/i.test(english)) fields.code = ae.detail;
      }
      if (ae.code === 'unknown_credit_system') fields.creditSystem = ae.detail;
      if (ae.code === 'unknown_level_framework') fields.levelFramework = ae.detail;
      setServer({ message: ae.message, fields });
      summaryRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const described = (k: ErrKey, err: string | undefined, hint?: string) => [err ? errorId(controlId(k)) : '', hint ?? ''].filter(Boolean).join(' ') || undefined;
  const text = (k: Scalar, label: MessageKey, opts: { required?: boolean; type?: string; disabled?: boolean; hint?: MessageKey; max?: number } = {}) => {
    const err = errorOf(k);
    const id = controlId(k);
    return (
      <Field id={id} label={t(label)} required={opts.required} error={err}>
        <input
          id={id}
          type={opts.type ?? 'text'}
          value={f[k]}
          disabled={opts.disabled}
          maxLength={opts.max}
          aria-invalid={!!err}
          aria-describedby={described(k, err, opts.hint ? `${id}-hint` : undefined)}
          onInput={upd(k)}
          step={opts.type === 'number' ? 'any' : undefined}
        />
        {opts.hint && (
          <p id={`${id}-hint`} class="hint">
            {t(opts.hint)}
          </p>
        )}
      </Field>
    );
  };
  const select = (k: Scalar, label: MessageKey, options: { value: string; label: string }[], required = false, hint?: MessageKey) => {
    const err = errorOf(k);
    const id = controlId(k);
    return (
      <Field id={id} label={t(label)} required={required} error={err}>
        <select id={id} value={f[k]} aria-invalid={!!err} aria-describedby={described(k, err, hint ? `${id}-hint` : undefined)} onChange={upd(k)}>
          <option value="">{t('admin.choose')}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {hint && (
          <p id={`${id}-hint`} class="hint">
            {t(hint)}
          </p>
        )}
      </Field>
    );
  };
  /** A multilingual group: a tab per language, the active language's control in the panel. */
  const langGroup = (g: LangGroup, label: MessageKey, opts: { required?: boolean; multiline?: boolean; hint?: MessageKey } = {}) => {
    const cur = tabs[g];
    const k = `${g}.${cur}`;
    const err = errorOf(k);
    const id = controlId(k);
    const hintId = opts.hint ? `mc-${g}-hint` : undefined;
    const onInput = (e: Event) => set(g, { ...f[g], [cur]: (e.target as HTMLTextAreaElement).value }, k);
    return (
      <div class="field-group">
        <LangTabs
          id={`mc-${g}`}
          label={t(label)}
          active={cur}
          onSelect={(l) => setTabs((o) => ({ ...o, [g]: l }))}
          filled={Object.fromEntries(LANGS.map((l) => [l, !!f[g][l].trim()])) as Record<Lang, boolean>}
          errors={Object.fromEntries(LANGS.map((l) => [l, !!(server?.fields[`${g}.${l}`] ?? ((touched[`${g}.${l}`] || submitted) && clientErr[`${g}.${l}`]))])) as Record<Lang, boolean>}
        >
          <Field id={id} label={`${t(label)} (${endonym(cur)})`} required={opts.required && cur === 'es'} error={err}>
            {opts.multiline ? (
              <textarea id={id} key={id} lang={cur} rows={g === 'outcomes' ? 5 : 3} value={f[g][cur]} aria-invalid={!!err} aria-describedby={described(k, err, hintId)} onInput={onInput} />
            ) : (
              <input id={id} key={id} lang={cur} value={f[g][cur]} aria-invalid={!!err} aria-describedby={described(k, err, hintId)} onInput={onInput} />
            )}
          </Field>
        </LangTabs>
        {opts.hint && (
          <p id={hintId} class="hint">
            {t(opts.hint)}
          </p>
        )}
      </div>
    );
  };
  const checks = (k: 'context' | 'qaReviewers', legend: MessageKey, values: string[], prefix: string) => {
    const err = errorOf(k);
    return (
      <fieldset class="qa-reviewers" id={controlId(k)} tabIndex={-1} aria-describedby={err ? errorId(controlId(k)) : undefined}>
        <legend>{t(legend)}</legend>
        {values.map((v) => (
          <div class="field checkbox" key={v}>
            <input
              id={`${controlId(k)}-${v}`}
              type="checkbox"
              checked={f[k].includes(v)}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                set(k, on ? [...f[k].filter((x) => x !== v), v] : f[k].filter((x) => x !== v));
              }}
            />
            <label for={`${controlId(k)}-${v}`}>{tx(prefix, v)}</label>
          </div>
        ))}
        {err && (
          <p id={errorId(controlId(k))} class="field-error">
            {err}
          </p>
        )}
      </fieldset>
    );
  };
  const enumOpts = (prefix: string, values: string[]) => values.map((v) => ({ value: v, label: tx(prefix, v) }));
  const fw = ref.frameworks.find((x) => x.id === f.levelFramework);
  // the skills to pick from: the unit's own first, then those the replica's catalogue uses (no skills list is bundled)
  const [network, setNetwork] = useState<SkillItem[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    api<SkillList>('/api/v1/admin/skills', { token, signal: ctl.signal })
      .then((r) => setNetwork(r.items.map(({ count: _n, ...s }) => s)))
      .catch(() => setNetwork([])); // the list is a help: without it the unit types the skill
    return () => ctl.abort();
  }, [token]);
  const suggestions = useMemo(() => skillsIn([...(own as { skills?: SkillItem[] }[]), { skills: network }]), [own, network]);
  const ownModules = own.filter((m) => m.status !== 'withdrawn' && m.code !== base?.code).map((m) => ({ id: m.id, title: m.title }));

  return (
    <form class="editor stack" onSubmit={submit} noValidate aria-labelledby="editor-h">
      <h3 id="editor-h">{base ? t('admin.editing', { code: base.code }) : t('admin.new')}</h3>
      <div ref={summaryRef} tabIndex={-1} class={`alert ${missing.length ? 'alert-info' : 'alert-ok'}`} aria-live="polite">
        {missing.length ? t('admin.missing', { list: missing.map((m) => t(`admin.el.${m}` as MessageKey)).join(', ') }) : t('admin.complete')}
        {server && <p class="field-error">{t('admin.serverError', { message: server.message })}</p>}
        {(submitted || server) && badFields.length > 0 && (
          <>
            <p>{t('admin.errorSummary', { n: badFields.length })}</p>
            <ul class="error-summary">
              {badFields.map(([k, msg]) => {
                const lk = langKey(k);
                return (
                  <li key={k}>
                    <a
                      href={`#${controlId(k)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        goTo(k);
                      }}
                    >
                      {lk ? `${endonym(lk.lang)}: ${msg}` : msg}
                    </a>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </div>
      <p class="hint">{t('admin.mc.langIntro')}</p>
      <div class="grid2">
        {text('code', 'admin.f.code', { required: true, disabled: !!base })}
        {select('pilotArea', 'admin.f.pilotArea', enumOpts('enum.pilotArea.', ['engineering', 'health', 'other']))}
      </div>
      {langGroup('title', 'admin.f.title', { required: true })}
      {langGroup('description', 'admin.f.description', { multiline: true })}
      {langGroup('outcomes', 'admin.f.outcomes', { required: true, multiline: true, hint: 'admin.mc.outcomesHint' })}
      <Field id={controlId('outcomeUris')} label={t('admin.f.outcomeUris')} error={errorOf('outcomeUris')}>
        <textarea
          id={controlId('outcomeUris')}
          rows={3}
          value={f.outcomeUris}
          aria-invalid={!!errorOf('outcomeUris')}
          aria-describedby={described('outcomeUris', errorOf('outcomeUris'), 'mc-outcomeUris-hint')}
          onInput={(e) => set('outcomeUris', (e.target as HTMLTextAreaElement).value)}
        />
        <p id="mc-outcomeUris-hint" class="hint">
          {t('admin.mc.outcomeUrisHint')}
        </p>
      </Field>
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
      {select(
        'assessment',
        'admin.f.assessment',
        enumOpts('enum.assessment.', ['exam', 'project', 'portfolio', 'practical', 'oral', 'assignment', 'simulation', 'mixed']),
        true,
      )}
      {langGroup('assessmentDescription', 'admin.f.assessmentDescription', { multiline: true })}
      {langGroup('criteria', 'admin.f.criteria', { multiline: true })}
      <div class="grid2">
        {select('participation', 'admin.f.participation', enumOpts('enum.participation.', ['online', 'onsite', 'blended']), true)}
        {checks('context', 'admin.f.context', CONTEXTS, 'enum.context.')}
      </div>
      <div class="grid2">
        {select('qa', 'admin.f.qa', enumOpts('enum.qa.', ['internal', 'external', 'internal-and-external']), true)}
        {text('qaBody', 'admin.f.qaBody', { hint: 'admin.mc.qaBodyHint' })}
      </div>
      {langGroup('qaDescription', 'admin.f.qaDescription', { multiline: true })}
      <fieldset class="qa-procedure">
        <legend>{t('admin.mc.qaProcedure')}</legend>
        <div class="grid3">
          {text('qaCycle', 'admin.mc.qaCycle', { type: 'number' })}
          {text('qaLastReview', 'admin.mc.qaLastReview', { type: 'date' })}
          {text('qaUrl', 'admin.mc.qaUrl', { type: 'url' })}
        </div>
        {checks('qaReviewers', 'admin.mc.qaReviewers', QA_REVIEWERS, 'enum.qaReviewer.')}
      </fieldset>
      {select(
        'field',
        'admin.f.field',
        ref.fields.map((x) => ({ value: x.code, label: `${x.code} — ${pick(x.label)}` })),
        true,
      )}
      <LanguagePicker id={controlId('languages')} value={f.languages} onChange={(v) => set('languages', v)} error={errorOf('languages')} focus={focus} />
      <SkillPicker id={controlId('skills')} value={f.skills} onChange={(v) => set('skills', v)} suggestions={suggestions} error={errorOf('skills')} focus={focus} />
      {langGroup('prerequisites', 'admin.f.prerequisites', { multiline: true })}
      {select(
        'supervision',
        'admin.f.supervision',
        enumOpts('enum.supervision.', ['unsupervised-no-id-check', 'supervised-no-id-check', 'supervised-online-id-check', 'supervised-onsite-id-check']),
      )}
      <fieldset class="qa-procedure">
        <legend>{t('mc.stackability')}</legend>
        {select('standalone', 'admin.f.standalone', [
          { value: 'yes', label: t('app.yes') },
          { value: 'no', label: t('app.no') },
        ])}
        <TowardsPicker id={controlId('towards')} value={f.towards} onChange={(v) => set('towards', v)} error={errorOf('towards')} focus={focus} />
        <ModulesPicker id={controlId('modules')} value={f.modules} onChange={(v) => set('modules', v)} own={ownModules} error={errorOf('modules')} focus={focus} />
      </fieldset>
      <div class="grid2">
        {text('furtherUrl', 'admin.f.furtherUrl', { type: 'url' })}
        {text('url', 'admin.f.url', { type: 'url' })}
      </div>
      {langGroup('furtherText', 'admin.f.furtherText', { multiline: true })}
      <div class="grid2">
        {text('image', 'admin.f.image', { type: 'url', hint: 'admin.mc.imageHint' })}
        {text('validFrom', 'admin.f.validFrom', { type: 'date' })}
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
