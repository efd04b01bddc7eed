/**
 * The unit's admin pages, behind the admin token (kept in sessionStorage, sent as a Bearer token): catalogue
 * create / edit / withdraw with EU-element checks as you type, issuing one credential or a CSV batch, the issued
 * credentials with revoke / suspend / reinstate, and recording a recognition decision.
 */
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, apiBlob, ApiError, enc, qs } from '../api.js';
import { ErrorBox, PageTitle, useRefData } from '../common.js';
import { useI18n } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { Link, useLocation } from '../router.js';
import { ExternalLink } from '../safe-url.js';
import type { McRecord } from '../types.js';

const TOKEN_KEY = 'mochila.adminToken';
const TABS = ['catalogue', 'issue', 'credentials', 'recognition'] as const;
type Tab = (typeof TABS)[number];

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

type OwnMc = McRecord & { id: string; status: string; updatedAt: string };

export function AdminPage() {
  const { t } = useI18n();
  const [token, setToken] = useState<string | null>(readToken);
  const loc = useLocation();
  const tab: Tab = (TABS as readonly string[]).includes(loc.search.get('tab') ?? '') ? (loc.search.get('tab') as Tab) : 'catalogue';
  const [own, setOwn] = useState<OwnMc[] | null>(null);
  const [ownError, setOwnError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!token) return;
    api<{ items: OwnMc[] }>('/api/v1/admin/microcredentials', { token })
      .then((r) => {
        setOwn(r.items);
        setOwnError(null);
      })
      .catch((e: ApiError) => {
        if (e.status === 401 || e.status === 403) {
          sessionStorage.removeItem(TOKEN_KEY);
          setToken(null);
          setOwnError(new ApiError(e.status, e.code, t('admin.badToken')));
        } else setOwnError(e);
      });
  }, [token, tick]);

  if (!token) return <SignIn error={ownError} onToken={(tk) => {
    sessionStorage.setItem(TOKEN_KEY, tk);
    setOwnError(null);
    setToken(tk);
  }} />;

  const tabLabel: Record<Tab, MessageKey> = { catalogue: 'admin.tab.catalogue', issue: 'admin.tab.issue', credentials: 'admin.tab.credentials', recognition: 'admin.tab.recognition' };
  return (
    <section>
      <PageTitle title={t('admin.title')}>{t('admin.title')}</PageTitle>
      <p>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => {
            sessionStorage.removeItem(TOKEN_KEY);
            setToken(null);
            setOwn(null);
          }}
        >
          {t('admin.signOut')}
        </button>
      </p>
      <nav aria-label={t('admin.tabs')} class="subnav">
        <ul>
          {TABS.map((k) => (
            <li key={k}>
              <Link href={`/admin?tab=${k}`} aria-current={tab === k ? 'page' : undefined}>
                {t(tabLabel[k])}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorBox error={ownError} />
      {tab === 'catalogue' && <CatalogueAdmin token={token} own={own ?? []} onChanged={() => setTick((n) => n + 1)} />}
      {tab === 'issue' && <IssueAdmin token={token} own={(own ?? []).filter((m) => m.status === 'active')} />}
      {tab === 'credentials' && <CredentialsAdmin token={token} />}
      {tab === 'recognition' && <DecisionAdmin token={token} />}
    </section>
  );
}

function SignIn({ onToken, error }: { onToken: (t: string) => void; error: ApiError | null }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  return (
    <section>
      <PageTitle title={t('admin.signIn')}>{t('admin.signIn')}</PageTitle>
      <p>{t('admin.signInIntro')}</p>
      <ErrorBox error={error} />
      <form
        class="stack narrow"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <div class="field">
          <label for="admin-token">{t('admin.token')}</label>
          <input id="admin-token" type="password" autocomplete="off" required value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        </div>
        <div class="actions">
          <button class="btn" type="submit">
            {t('admin.signIn')}
          </button>
        </div>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Catalogue

interface McForm {
  code: string;
  titleEs: string;
  titleEn: string;
  descriptionEs: string;
  outcomesEs: string;
  outcomesEn: string;
  hours: string;
  creditSystem: string;
  credits: string;
  levelFramework: string;
  levelValue: string;
  field: string;
  assessment: string;
  participation: string;
  qa: string;
  languages: string;
  pilotArea: string;
  prerequisitesEs: string;
  supervision: string;
  standalone: boolean;
  furtherUrl: string;
}

const EMPTY: McForm = {
  code: '',
  titleEs: '',
  titleEn: '',
  descriptionEs: '',
  outcomesEs: '',
  outcomesEn: '',
  hours: '',
  creditSystem: '',
  credits: '',
  levelFramework: '',
  levelValue: '',
  field: '',
  assessment: '',
  participation: '',
  qa: '',
  languages: 'es',
  pilotArea: '',
  prerequisitesEs: '',
  supervision: '',
  standalone: true,
  furtherUrl: '',
};

type FieldName = keyof McForm;
/** The EU elements a catalogue entry must name (country and awarding body are filled from the profile). */
const ELEMENT_FIELD: Record<string, FieldName> = {
  title: 'titleEs',
  learning_outcomes: 'outcomesEs',
  workload: 'hours',
  level: 'levelValue',
  assessment_type: 'assessment',
  participation_form: 'participation',
  quality_assurance: 'qa',
};
/** First segment of a JSON pointer in a server validation error → form field. */
const PATH_FIELD: Record<string, FieldName> = {
  code: 'code',
  title: 'titleEs',
  description: 'descriptionEs',
  learningOutcomes: 'outcomesEs',
  workload: 'hours',
  level: 'levelValue',
  fieldOfStudy: 'field',
  assessment: 'assessment',
  participation: 'participation',
  qualityAssurance: 'qa',
  languages: 'languages',
  pilotArea: 'pilotArea',
  prerequisites: 'prerequisitesEs',
  supervision: 'supervision',
  furtherInformation: 'furtherUrl',
};

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

export function missingElements(f: McForm): string[] {
  const miss: string[] = [];
  if (!f.titleEs.trim() && !f.titleEn.trim()) miss.push('title');
  if (lines(f.outcomesEs).length === 0 && lines(f.outcomesEn).length === 0) miss.push('learning_outcomes');
  if (!(Number(f.hours) > 0) || !f.creditSystem || !(Number(f.credits) > 0)) miss.push('workload');
  if (!f.levelFramework || !f.levelValue) miss.push('level');
  if (!f.assessment) miss.push('assessment_type');
  if (!f.participation) miss.push('participation_form');
  if (!f.qa) miss.push('quality_assurance');
  return miss;
}

function recordToForm(r: OwnMc): McForm {
  return {
    code: r.code,
    titleEs: r.title?.es ?? '',
    titleEn: r.title?.en ?? '',
    descriptionEs: r.description?.es ?? '',
    outcomesEs: (r.learningOutcomes ?? []).map((o) => o.text?.es ?? '').filter(Boolean).join('\n'),
    outcomesEn: (r.learningOutcomes ?? []).map((o) => o.text?.en ?? '').filter(Boolean).join('\n'),
    hours: r.workload ? String(r.workload.hours) : '',
    creditSystem: r.workload?.credits.system ?? '',
    credits: r.workload ? String(r.workload.credits.value) : '',
    levelFramework: r.level?.framework ?? '',
    levelValue: r.level?.value ?? '',
    field: r.fieldOfStudy?.iscedF ?? '',
    assessment: r.assessment?.type ?? '',
    participation: r.participation?.mode ?? '',
    qa: r.qualityAssurance?.type ?? '',
    languages: (r.languages ?? []).join(', '),
    pilotArea: r.pilotArea ?? '',
    prerequisitesEs: r.prerequisites?.es ?? '',
    supervision: r.supervision ?? '',
    standalone: r.stackability?.standalone ?? true,
    furtherUrl: r.furtherInformation?.url ?? '',
  };
}

const SERVER_ONLY = ['id', 'status', 'updatedAt', 'entryId', 'createdAt', 'withdrawal', 'institution', 'versions', 'accreditations', 'recognitions'];

function formToRecord(f: McForm, base: OwnMc | null): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (base) for (const [k, v] of Object.entries(base)) if (!SERVER_ONLY.includes(k)) r[k] = v;
  const lm = (es: string, en?: string, prev?: Record<string, string | undefined> | null) => {
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(prev ?? {})) if (v) m[k] = v;
    if (es.trim()) m.es = es.trim();
    else delete m.es;
    if (en !== undefined) {
      if (en.trim()) m.en = en.trim();
      else delete m.en;
    }
    return Object.keys(m).length ? m : undefined;
  };
  const set = (k: string, v: unknown) => {
    if (v === undefined || v === '') delete r[k];
    else r[k] = v;
  };
  r.code = f.code.trim();
  delete r.version; // the node numbers versions
  set('title', lm(f.titleEs, f.titleEn, base?.title as never));
  set('description', lm(f.descriptionEs, undefined, base?.description as never));
  const es = lines(f.outcomesEs);
  const en = lines(f.outcomesEn);
  const outcomes = Array.from({ length: Math.max(es.length, en.length) }, (_, k) => ({ text: { ...(es[k] ? { es: es[k] } : {}), ...(en[k] ? { en: en[k] } : {}) } }));
  set('learningOutcomes', outcomes.length ? outcomes : undefined);
  set('workload', f.hours || f.credits || f.creditSystem ? { hours: Number(f.hours), credits: { system: f.creditSystem, value: Number(f.credits) } } : undefined);
  set('level', f.levelFramework || f.levelValue ? { framework: f.levelFramework, value: f.levelValue } : undefined);
  set('fieldOfStudy', f.field ? { iscedF: f.field } : undefined);
  set('assessment', f.assessment ? { ...((base?.assessment as object) ?? {}), type: f.assessment } : undefined);
  set('participation', f.participation ? { ...((base?.participation as object) ?? {}), mode: f.participation } : undefined);
  set('qualityAssurance', f.qa ? { ...((base?.qualityAssurance as object) ?? {}), type: f.qa } : undefined);
  const langs = f.languages.split(',').map((s) => s.trim()).filter(Boolean);
  set('languages', langs.length ? langs : undefined);
  set('pilotArea', f.pilotArea || undefined);
  set('prerequisites', lm(f.prerequisitesEs, undefined, base?.prerequisites as never));
  set('supervision', f.supervision || undefined);
  set('stackability', { ...((base?.stackability as object) ?? {}), standalone: f.standalone });
  set('furtherInformation', f.furtherUrl.trim() ? { ...((base?.furtherInformation as object) ?? {}), url: f.furtherUrl.trim() } : base?.furtherInformation?.text ? { text: base.furtherInformation.text } : undefined);
  return r;
}

function CatalogueAdmin({ token, own, onChanged }: { token: string; own: OwnMc[]; onChanged: () => void }) {
  const i = useI18n();
  const { t, pick } = i;
  const [editing, setEditing] = useState<OwnMc | null>(null);
  const [showForm, setShowForm] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [withdrawing, setWithdrawing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);

  const withdraw = async (code: string) => {
    setError(null);
    try {
      await api(`/api/v1/admin/microcredentials/${enc(code)}/withdraw`, { method: 'POST', token, body: reason.trim() ? { reason: reason.trim() } : {} });
      setNotice(t('admin.withdrawn', { code }));
      setWithdrawing(null);
      setReason('');
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <section aria-labelledby="own-h">
      <h2 id="own-h">{t('admin.own')}</h2>
      <div role="status" aria-live="polite">
        {notice && <p class="alert alert-ok">{notice}</p>}
      </div>
      <ErrorBox error={error} />
      <p>
        <button
          type="button"
          class="btn"
          onClick={() => {
            setEditing(null);
            setShowForm(true);
            setNotice(null);
          }}
        >
          {t('admin.new')}
        </button>
      </p>
      {showForm && (
        <McEditor
          key={editing?.id ?? 'new'}
          token={token}
          base={editing}
          onCancel={() => setShowForm(false)}
          onSaved={(m) => {
            setNotice(t('admin.saved', { code: m.code, version: m.version }));
            setShowForm(false);
            onChanged();
          }}
        />
      )}
      {own.length === 0 ? (
        <p class="muted">{t('admin.empty')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('mc.title')}</th>
                <th scope="col">{t('mc.id')}</th>
                <th scope="col">{t('mc.versions')}</th>
                <th scope="col">{t('mc.status')}</th>
                <th scope="col">{t('creds.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {own.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link href={`/microcredentials/${enc(m.id)}`}>{pick(m.title)}</Link>
                  </td>
                  <td>
                    <code>{m.code}</code>
                  </td>
                  <td>{m.version}</td>
                  <td>{m.status === 'withdrawn' ? t('cat.withdrawn') : t('creds.active')}</td>
                  <td class="row-actions">
                    {m.status !== 'withdrawn' && (
                      <>
                        <button
                          type="button"
                          class="btn btn-small btn-secondary"
                          aria-label={`${t('admin.edit')}: ${pick(m.title)}`}
                          onClick={() => {
                            setEditing(m);
                            setShowForm(true);
                            setNotice(null);
                          }}
                        >
                          {t('admin.edit')}
                        </button>
                        <button type="button" class="btn btn-small btn-danger" aria-label={`${t('admin.withdraw')}: ${pick(m.title)}`} onClick={() => setWithdrawing(m.code)}>
                          {t('admin.withdraw')}
                        </button>
                      </>
                    )}
                    {withdrawing === m.code && (
                      <form
                        class="inline-form"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void withdraw(m.code);
                        }}
                      >
                        <label for={`wr-${m.code}`}>{t('admin.withdrawReason')}</label>
                        <input id={`wr-${m.code}`} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
                        <button class="btn btn-small btn-danger" type="submit">
                          {t('admin.withdrawConfirm')}
                        </button>
                        <button class="btn btn-small btn-secondary" type="button" onClick={() => setWithdrawing(null)}>
                          {t('app.cancel')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function McEditor({ token, base, onSaved, onCancel }: { token: string; base: OwnMc | null; onSaved: (m: OwnMc) => void; onCancel: () => void }) {
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
  if (!f.field) clientErr.field = t('admin.err.field');
  if (!f.languages.split(',').some((l) => /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l.trim()))) clientErr.languages = t('admin.err.languages');
  const errorOf = (k: FieldName) => server?.fields[k] ?? (touched[k] || submitted ? clientErr[k] : undefined);

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
      if (ae.code === 'conflict' || ae.code === 'validation_failed') if (!Object.keys(fields).length && /code/i.test(ae.detail)) fields.code = ae.detail;
      if (ae.code === 'unknown_credit_system') fields.creditSystem = ae.detail;
      setServer({ message: ae.message, fields });
      summaryRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const text = (k: FieldName, label: MessageKey, opts: { required?: boolean; type?: string; multiline?: boolean; disabled?: boolean } = {}) => {
    const err = errorOf(k);
    const id = `mc-${k}`;
    return (
      <div class={`field${err ? ' has-error' : ''}`}>
        <label for={id}>
          {t(label)}
          {opts.required && <span class="req"> ({t('admin.required')})</span>}
        </label>
        {opts.multiline ? (
          <textarea id={id} rows={4} value={f[k] as string} aria-invalid={!!err} aria-describedby={err ? `${id}-err` : undefined} onInput={upd(k)} />
        ) : (
          <input id={id} type={opts.type ?? 'text'} value={f[k] as string} disabled={opts.disabled} aria-invalid={!!err} aria-describedby={err ? `${id}-err` : undefined} onInput={upd(k)} step={opts.type === 'number' ? 'any' : undefined} />
        )}
        {err && (
          <p id={`${id}-err`} class="field-error">
            {err}
          </p>
        )}
      </div>
    );
  };
  const select = (k: FieldName, label: MessageKey, options: { value: string; label: string }[], required = false) => {
    const err = errorOf(k);
    const id = `mc-${k}`;
    return (
      <div class={`field${err ? ' has-error' : ''}`}>
        <label for={id}>
          {t(label)}
          {required && <span class="req"> ({t('admin.required')})</span>}
        </label>
        <select id={id} value={f[k] as string} aria-invalid={!!err} aria-describedby={err ? `${id}-err` : undefined} onChange={upd(k)}>
          <option value="">{t('admin.choose')}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {err && (
          <p id={`${id}-err`} class="field-error">
            {err}
          </p>
        )}
      </div>
    );
  };
  const enumOpts = (prefix: string, values: string[]) => values.map((v) => ({ value: v, label: tx(prefix, v) }));
  const fw = ref.frameworks.find((x) => x.id === f.levelFramework);

  return (
    <form class="editor stack" onSubmit={submit} noValidate aria-labelledby="editor-h">
      <h3 id="editor-h">{base ? t('admin.editing', { code: base.code }) : t('admin.new')}</h3>
      <div ref={summaryRef} tabIndex={-1} class={`alert ${missing.length ? 'alert-info' : 'alert-ok'}`} aria-live="polite">
        {missing.length ? t('admin.missing', { list: missing.map((m) => t(`admin.el.${m}` as MessageKey)).join(', ') }) : t('admin.complete')}
        {server && <p class="field-error">{t('admin.serverError', { message: server.message })}</p>}
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
        {select('creditSystem', 'admin.f.creditSystem', ref.creditSystems.map((c) => ({ value: c.id, label: `${c.id} — ${pick(c.name)}` })), true)}
        {text('credits', 'admin.f.credits', { required: true, type: 'number' })}
      </div>
      <div class="grid2">
        {select('levelFramework', 'admin.f.levelFramework', ref.frameworks.map((x) => ({ value: x.id, label: `${x.id} — ${pick(x.name)}` })), true)}
        {select('levelValue', 'admin.f.levelValue', (fw?.levels ?? []).map((l) => ({ value: l.value, label: pick(l.label) })), true)}
      </div>
      <div class="grid3">
        {select('assessment', 'admin.f.assessment', enumOpts('enum.assessment.', ['exam', 'project', 'portfolio', 'practical', 'oral', 'assignment', 'simulation', 'mixed']), true)}
        {select('participation', 'admin.f.participation', enumOpts('enum.participation.', ['online', 'onsite', 'blended']), true)}
        {select('qa', 'admin.f.qa', enumOpts('enum.qa.', ['internal', 'external', 'internal-and-external']), true)}
      </div>
      <div class="grid2">
        {select('field', 'admin.f.field', ref.fields.map((x) => ({ value: x.code, label: `${x.code} — ${pick(x.label)}` })), true)}
        {text('languages', 'admin.f.languages', { required: true })}
      </div>
      {text('prerequisitesEs', 'admin.f.prerequisitesEs', { multiline: true })}
      <div class="grid2">
        {select('supervision', 'admin.f.supervision', enumOpts('enum.supervision.', ['unsupervised-no-id-check', 'supervised-no-id-check', 'supervised-online-id-check', 'supervised-onsite-id-check']))}
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

// ---------------------------------------------------------------------------------------------------------------
// Issuing

interface Issued {
  id: string;
  credential: unknown;
  verifyUrl: string;
  qrUrl: string;
  status?: unknown;
}

interface Job {
  id: string;
  state: string;
  total: number;
  processed: number;
  issued: number;
  skipped: number;
  failed: number;
  rows: { line: number; status: string; id?: string; error?: string }[];
}

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

function IssueAdmin({ token, own }: { token: string; own: OwnMc[] }) {
  const { t, pick } = useI18n();
  const [mc, setMc] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setIssued(null);
    try {
      const r = await api<Issued>('/api/v1/admin/credentials', { method: 'POST', token, body: { microcredential: mc, learner: { name: name.trim(), email: email.trim() } } });
      setIssued(r);
      setTimeout(() => resultRef.current?.focus(), 0);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const download = issued ? `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(issued.credential, null, 2))}` : '';
  const mcOptions = own.map((m) => (
    <option key={m.id} value={m.id}>
      {pick(m.title)} ({m.code})
    </option>
  ));

  return (
    <>
      <section aria-labelledby="issue-h">
        <h2 id="issue-h">{t('issue.one')}</h2>
        <form class="stack narrow" onSubmit={submit}>
          <div class="field">
            <label for="issue-mc">{t('issue.mc')}</label>
            <select id="issue-mc" required value={mc} onChange={(e) => setMc((e.target as HTMLSelectElement).value)}>
              <option value="">{t('admin.choose')}</option>
              {mcOptions}
            </select>
          </div>
          <div class="field">
            <label for="issue-name">{t('issue.learnerName')}</label>
            <input id="issue-name" required autocomplete="off" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="issue-email">{t('issue.learnerEmail')}</label>
            <input id="issue-email" type="email" required autocomplete="off" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </div>
          <div class="actions">
            <button class="btn" type="submit" disabled={busy}>
              {t('issue.submit')}
            </button>
          </div>
        </form>
        <ErrorBox error={error} />
        <div ref={resultRef} tabIndex={-1} aria-live="polite">
          {issued && (
            <div class="alert alert-ok issued" data-credential-id={issued.id}>
              <h3>{t('issue.done')}</h3>
              <dl class="facts">
                <dt>{t('issue.id')}</dt>
                <dd>
                  <code class="wrap">{issued.id}</code>
                </dd>
                <dt>{t('issue.verifyLink')}</dt>
                <dd>
                  <ExternalLink url={issued.verifyUrl} class="wrap" />
                </dd>
              </dl>
              <p class="actions">
                <Link class="btn" href={`/verify${qs({ credential: issued.id })}`}>
                  {t('issue.openVerify')}
                </Link>
                <a class="btn btn-secondary" href={download} download={`credential-${issued.id.replace(/[^a-zA-Z0-9-]/g, '_').slice(-40)}.json`}>
                  {t('issue.download')}
                </a>
              </p>
              {issued.qrUrl && sameOrigin(issued.qrUrl) && <img class="qr" src={issued.qrUrl} alt={t('issue.qr')} width={160} height={160} />}
            </div>
          )}
        </div>
      </section>
      <BatchIssue token={token} mcOptions={mcOptions} />
    </>
  );
}

function BatchIssue({ token, mcOptions }: { token: string; mcOptions: JSX.Element[] }) {
  const { t } = useI18n();
  const [csv, setCsv] = useState('');
  const [mc, setMc] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const polling = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => {
    if (polling.current) clearTimeout(polling.current);
  }, []);

  const finished = (j: Job) => !['queued', 'pending', 'running', 'processing'].includes(j.state) || (j.total > 0 && j.processed >= j.total);

  // row results arrive incrementally (?from=N): a large cohort is not re-sent on every poll
  const rowsSoFar = useRef<Job['rows']>([]);
  const poll = (id: string, startedAt: number) => {
    polling.current = setTimeout(async () => {
      try {
        const part = await api<Job>(`/api/v1/admin/jobs/${enc(id)}?from=${rowsSoFar.current.length}`, { token });
        rowsSoFar.current = [...rowsSoFar.current, ...(part.rows ?? [])];
        const j = { ...part, rows: rowsSoFar.current };
        setJob(j);
        if (!finished(j) && Date.now() - startedAt < 10 * 60_000) poll(id, startedAt);
        else setBusy(false);
      } catch (e) {
        setError(e as ApiError);
        setBusy(false);
      }
    }, 500);
  };

  // the node's CSV of the row results (its writer neutralises formula-looking cells), saved as a file
  const downloadRows = async (id: string) => {
    try {
      const url = URL.createObjectURL(await apiBlob(`/api/v1/admin/jobs/${enc(id)}/rows.csv`, { token }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `lote-${id.replace(/[^A-Za-z0-9-]/g, '_')}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setJob(null);
    if (!csv.trim()) {
      setError(new ApiError(0, 'input', t('issue.noCsv')));
      return;
    }
    setBusy(true);
    try {
      const j = await api<Job>('/api/v1/admin/credentials/batch', { method: 'POST', token, body: { csv, ...(mc ? { microcredential: mc } : {}) } });
      rowsSoFar.current = j.rows ?? [];
      setJob(j);
      if (finished(j)) setBusy(false);
      else poll(j.id, Date.now());
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="batch-h">
      <h2 id="batch-h">{t('issue.batch')}</h2>
      <p>{t('issue.batchIntro')}</p>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="batch-file">{t('issue.csvFile')}</label>
          <input
            id="batch-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) void file.text().then(setCsv);
            }}
          />
        </div>
        <div class="field">
          <label for="batch-text">{t('issue.csvText')}</label>
          <textarea id="batch-text" rows={5} class="mono" value={csv} onInput={(e) => setCsv((e.target as HTMLTextAreaElement).value)} />
        </div>
        <div class="field">
          <label for="batch-mc">{t('issue.batchMc')}</label>
          <select id="batch-mc" value={mc} onChange={(e) => setMc((e.target as HTMLSelectElement).value)}>
            <option value="">{t('admin.choose')}</option>
            {mcOptions}
          </select>
        </div>
        <div class="actions">
          <button class="btn" type="submit" disabled={busy}>
            {t('issue.batchSubmit')}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {job && (
        <div class="job">
          <label for="batch-progress">{t('issue.progress')}</label>
          <progress id="batch-progress" max={Math.max(job.total, 1)} value={job.processed} />
          <p role="status" aria-live="polite">
            {t('issue.progressText', { processed: job.processed, total: job.total, issued: job.issued, skipped: job.skipped, failed: job.failed })} · {t('issue.state', { state: job.state })}
          </p>
          {finished(job) && job.rows.length > 0 && (
            <p class="actions">
              <button class="btn btn-secondary" type="button" onClick={() => void downloadRows(job.id)}>
                {t('issue.downloadRows')}
              </button>
            </p>
          )}
          {job.rows.length > 0 && (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('issue.line')}</th>
                    <th scope="col">{t('issue.rowStatus')}</th>
                    <th scope="col">{t('issue.rowDetail')}</th>
                  </tr>
                </thead>
                <tbody>
                  {job.rows.map((r) => (
                    <tr key={r.line} class={`row-${r.status}`}>
                      <td>{r.line}</td>
                      <td>{r.status}</td>
                      <td>{r.id ? <Link href={`/verify${qs({ credential: r.id })}`}>{r.id}</Link> : (r.error ?? '')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Issued credentials

interface IssuedItem {
  id: string;
  microcredential: string;
  learnerName: string;
  issuedAt: string;
  status: { revoked: boolean; suspended: boolean };
}

function CredentialsAdmin({ token }: { token: string }) {
  const i = useI18n();
  const { t } = i;
  const [q, setQ] = useState('');
  const [statusFilter, setStatusFilter] = useState<'' | 'active' | 'suspended' | 'revoked'>('');
  const [issuerKey, setIssuerKey] = useState('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ items: IssuedItem[]; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const [action, setAction] = useState<{ id: string; kind: 'revoke' | 'suspend' | 'reinstate' } | null>(null);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const limit = 20;

  useEffect(() => {
    const ac = new AbortController();
    const h = setTimeout(() => {
      api<{ items: IssuedItem[]; total: number }>(`/api/v1/admin/credentials${qs({ q: q.trim(), status: statusFilter, issuerKey: issuerKey.trim(), limit, offset })}`, { token, signal: ac.signal })
        .then((r) => {
          setData(r);
          setError(null);
        })
        .catch((e: ApiError) => {
          if (!ac.signal.aborted) setError(e);
        });
    }, 250);
    return () => {
      clearTimeout(h);
      ac.abort();
    };
  }, [q, statusFilter, issuerKey, offset, tick, token]);

  const doAction = async () => {
    if (!action) return;
    setError(null);
    try {
      await api(`/api/v1/admin/credentials/${enc(action.id)}/${action.kind}`, { method: 'POST', token, body: { reason: reason.trim() || action.kind } });
      setNotice(t('creds.changed'));
      setAction(null);
      setReason('');
      setTick((n) => n + 1);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const label: Record<'revoke' | 'suspend' | 'reinstate', MessageKey> = { revoke: 'creds.revoke', suspend: 'creds.suspend', reinstate: 'creds.reinstate' };

  return (
    <section aria-labelledby="creds-h">
      <h2 id="creds-h">{t('creds.title')}</h2>
      <div class="field narrow">
        <label for="creds-q">{t('creds.search')}</label>
        <input
          id="creds-q"
          type="search"
          value={q}
          onInput={(e) => {
            setQ((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
        />
      </div>
      <div class="field narrow">
        <label for="creds-status">{t('creds.status')}</label>
        <select
          id="creds-status"
          value={statusFilter}
          onChange={(e) => {
            setStatusFilter((e.target as HTMLSelectElement).value as typeof statusFilter);
            setOffset(0);
          }}
        >
          <option value="">{t('creds.all')}</option>
          <option value="active">{t('creds.active')}</option>
          <option value="suspended">{t('creds.suspended')}</option>
          <option value="revoked">{t('creds.revoked')}</option>
        </select>
      </div>
      <div class="field narrow">
        <label for="creds-key">{t('creds.issuerKey')}</label>
        <input
          id="creds-key"
          type="search"
          spellcheck={false}
          placeholder="did:key:z6Mk…"
          aria-describedby="creds-key-hint"
          value={issuerKey}
          onInput={(e) => {
            setIssuerKey((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
        />
        <p id="creds-key-hint" class="muted">
          {t('creds.issuerKeyHint')}
        </p>
      </div>
      <div role="status" aria-live="polite">
        {notice && <p class="alert alert-ok">{notice}</p>}
        {data && <p>{t('creds.total', { n: data.total })}</p>}
      </div>
      <ErrorBox error={error} />
      {data && data.items.length === 0 && <p class="muted">{t('creds.empty')}</p>}
      {data && data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('creds.learner')}</th>
                <th scope="col">{t('issue.mc')}</th>
                <th scope="col">{t('creds.issuedAt')}</th>
                <th scope="col">{t('creds.status')}</th>
                <th scope="col">{t('creds.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/verify${qs({ credential: c.id })}`}>{c.learnerName}</Link>
                  </td>
                  <td>
                    <code>{c.microcredential}</code>
                  </td>
                  <td>{i.date(c.issuedAt, true)}</td>
                  <td>{c.status.revoked ? t('creds.revoked') : c.status.suspended ? t('creds.suspended') : t('creds.active')}</td>
                  <td class="row-actions">
                    {!c.status.revoked &&
                      (['revoke', ...(c.status.suspended ? ['reinstate'] : ['suspend'])] as ('revoke' | 'suspend' | 'reinstate')[]).map((k) => (
                        <button key={k} type="button" class={`btn btn-small ${k === 'revoke' ? 'btn-danger' : 'btn-secondary'}`} aria-label={`${t(label[k])}: ${c.learnerName}`} onClick={() => setAction({ id: c.id, kind: k })}>
                          {t(label[k])}
                        </button>
                      ))}
                    {action?.id === c.id && (
                      <form
                        class="inline-form"
                        onSubmit={(e) => {
                          e.preventDefault();
                          void doAction();
                        }}
                      >
                        <label for={`reason-${c.id}`}>{t('creds.reason')}</label>
                        <input id={`reason-${c.id}`} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
                        <button class="btn btn-small" type="submit">
                          {t('creds.confirm', { action: t(label[action.kind]) })}
                        </button>
                        <button class="btn btn-small btn-secondary" type="button" onClick={() => setAction(null)}>
                          {t('app.cancel')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && data.total > limit && (
        <nav class="pagination" aria-label={t('cat.pagination')}>
          <button type="button" class="btn btn-secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
            {t('cat.prev')}
          </button>
          <span>{t('cat.page', { page: Math.floor(offset / limit) + 1, pages: Math.ceil(data.total / limit) })}</span>
          <button type="button" class="btn btn-secondary" disabled={offset + limit >= data.total} onClick={() => setOffset(offset + limit)}>
            {t('cat.next')}
          </button>
        </nav>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Recognition decision

function DecisionAdmin({ token }: { token: string }) {
  const i = useI18n();
  const { t, tx } = i;
  const ref = useRefData();
  const today = new Date().toISOString().slice(0, 10);
  const [d, setD] = useState({ mc: '', version: '', outcome: 'equivalent', kind: 'course', eqName: '', eqCode: '', system: '', credits: '', conditions: '', aspect: 'workload', difference: '', validFrom: today, reasons: '', decidedBy: '' });
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
    const code = d.mc.split('.')[0]?.replace(/[^a-z0-9-]/g, '').slice(0, 30) || 'mc';
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
    if (d.outcome === 'not-recognised') body.substantialDifferences = [{ aspect: d.aspect, description: { [lang]: d.difference.trim() || '—' } }];
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
    <div class="field">
      <label for={id}>{t(label)}</label>
      {input}
    </div>
  );
  return (
    <section aria-labelledby="dec-h">
      <h2 id="dec-h">{t('dec.title')}</h2>
      <p>{t('dec.intro')}</p>
      <form class="stack" onSubmit={submit}>
        <div class="grid2">
          {field('dec-mc', 'dec.mc', <input id="dec-mc" required value={d.mc} onInput={set('mc')} />)}
          {field('dec-version', 'dec.version', <input id="dec-version" type="number" min={1} required value={d.version} onInput={set('version')} />)}
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
            {field('dec-eqname', 'dec.equivalentName', <input id="dec-eqname" required={d.outcome === 'equivalent'} value={d.eqName} onInput={set('eqName')} />)}
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
            {field('dec-credits', 'dec.credits', <input id="dec-credits" type="number" step="any" min={0} required={d.outcome === 'credits'} value={d.credits} onInput={set('credits')} />)}
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
        {field('dec-conditions', 'dec.conditions', <textarea id="dec-conditions" rows={2} value={d.conditions} onInput={set('conditions')} />)}
        <div class="grid2">
          {field('dec-validfrom', 'dec.validFrom', <input id="dec-validfrom" type="date" required value={d.validFrom} onInput={set('validFrom')} />)}
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
