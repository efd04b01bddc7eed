/**
 * Admin task "cohort": issue a CSV batch as a background job, follow its progress row by row and download the row
 * results; with e-mail, it says where each learner's delivery is followed and retried (the credentials tab). Must
 * never re-fetch rows it already has (results arrive incrementally).
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiBlob, ApiError, enc, qs } from '../../api.js';
import { ErrorBox } from '../../common.js';
import { useI18n, type Lang } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { DataTable } from '../../components/data-table.js';
import { Field } from '../../components/field.js';
import { NotifyFields } from '../../components/notify-fields.js';
import type { Job } from './types.js';
import type { CredentialBatchPreview as Preview } from '../../generated/api-credential-batch-preview.js';

/** Saves a blob as a download (the node's CSV writers neutralise formula-looking cells). */
function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function BatchIssue({ token, mcOptions }: { token: string; mcOptions: JSX.Element[] }) {
  const { t, tx, lang: uiLang } = useI18n();
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const previewHeading = useRef<HTMLHeadingElement>(null);
  const jobHeading = useRef<HTMLHeadingElement>(null);
  // after an action the focus goes to its result's heading, never back to <body>: once the new preview or the new
  // job is on the page (not on every poll of the same job)
  useEffect(() => {
    if (preview) previewHeading.current?.focus();
  }, [preview]);
  const [mc, setMc] = useState('');
  const [notify, setNotify] = useState(false);
  const [language, setLanguage] = useState<Lang>('es');
  // whether the job on show was sent with e-mail (the checkbox may change after submitting)
  const [notified, setNotified] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const polling = useRef<ReturnType<typeof setTimeout> | null>(null);
  const jobId = job?.id;
  useEffect(() => {
    if (jobId) jobHeading.current?.focus();
  }, [jobId]);

  useEffect(
    () => () => {
      if (polling.current) clearTimeout(polling.current);
    },
    [],
  );

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
      saveBlob(await apiBlob(`/api/v1/admin/jobs/${enc(id)}/rows.csv`, { token }), `lote-${id.replace(/[^A-Za-z0-9-]/g, '_')}.csv`);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const downloadTemplate = async () => {
    try {
      saveBlob(await apiBlob('/api/v1/admin/credentials/batch/template.csv', { token }), t('cohort.templateFile'));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const body = () => ({ csv, ...(mc ? { microcredential: mc } : {}), ...(notify ? { notify: true, language } : {}) });
  const downloadErrors = async () => {
    try {
      saveBlob(await apiBlob('/api/v1/admin/credentials/batch/errors.csv', { method: 'POST', token, body: body() }), t('cohort.errorFile'));
    } catch (err) {
      setError(err as ApiError);
    }
  };

  const runPreview = async () => {
    setError(null);
    setJob(null);
    setPreview(null);
    if (!csv.trim()) {
      setError(new ApiError(0, 'input', t('issue.noCsv')));
      return;
    }
    setBusy(true);
    try {
      setPreview(await api<Preview>('/api/v1/admin/credentials/batch/preview', { method: 'POST', token, body: body() }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
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
    setNotified(notify);
    try {
      const j = await api<Job>('/api/v1/admin/credentials/batch', {
        method: 'POST',
        token,
        body: { csv, ...(mc ? { microcredential: mc } : {}), ...(notify ? { notify: true, language } : {}) },
      });
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
      <p class="actions">
        <button class="btn btn-secondary" type="button" onClick={() => void downloadTemplate()}>
          {t('cohort.template')}
        </button>
      </p>
      <p class="hint">{t('cohort.templateHint')}</p>
      <form class="stack" onSubmit={submit}>
        <Field id="batch-file" label={t('issue.csvFile')}>
          <input
            id="batch-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file)
                void file.text().then((text) => {
                  setCsv(text);
                  setPreview(null);
                });
            }}
          />
        </Field>
        <Field id="batch-text" label={t('issue.csvText')}>
          <textarea
            id="batch-text"
            rows={5}
            class="mono"
            value={csv}
            onInput={(e) => {
              setCsv((e.target as HTMLTextAreaElement).value);
              setPreview(null);
            }}
          />
        </Field>
        <Field id="batch-mc" label={t('issue.batchMc')}>
          <p class="hint" id="batch-mc-hint">
            {t('cohort.mcHint')}
          </p>
          <select
            id="batch-mc"
            aria-describedby="batch-mc-hint"
            value={mc}
            onChange={(e) => {
              setMc((e.target as HTMLSelectElement).value);
              setPreview(null);
            }}
          >
            <option value="">{t('admin.choose')}</option>
            {mcOptions}
          </select>
        </Field>
        <NotifyFields id="batch" label="issue.batchNotify" notify={notify} setNotify={setNotify} language={language} setLanguage={setLanguage} />
        <div class="actions">
          <button class="btn btn-secondary" type="button" disabled={busy} onClick={() => void runPreview()}>
            {t('cohort.preview')}
          </button>
          <button class="btn" type="submit" disabled={busy}>
            {t('issue.batchSubmit')}
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      {preview && (
        <div class="job">
          <h3 id="batch-preview-h" ref={previewHeading} tabIndex={-1}>
            {t('cohort.previewHeading')}
          </h3>
          <p role="status">{t('cohort.previewText', { total: preview.total, ok: preview.ok, skipped: preview.skipped, failed: preview.failed })}</p>
          {preview.failed > 0 && (
            <p class="actions">
              <button class="btn btn-secondary" type="button" onClick={() => void downloadErrors()}>
                {t('cohort.downloadErrors')}
              </button>
            </p>
          )}
          <DataTable headers={[t('issue.line'), t('cohort.learner'), t('cohort.microcredential'), t('issue.rowStatus'), t('issue.rowDetail')]}>
            {preview.rows.map((r) => (
              <tr key={r.line} class={`row-${r.status === 'ok' ? 'issued' : r.status}`}>
                <td>{r.line}</td>
                <td>
                  {r.name ?? '—'}
                  {(r.email ?? r.did) && (
                    <>
                      <br />
                      <span class="muted wrap">{r.email ?? r.did}</span>
                    </>
                  )}
                </td>
                <td>
                  {r.microcredential ? (
                    <>
                      {r.microcredential.title?.[uiLang] ?? r.microcredential.title?.es ?? Object.values(r.microcredential.title ?? {})[0] ?? r.microcredential.ref}
                      <br />
                      <span class="muted">{t(r.microcredential.from === 'file' ? 'cohort.fromFile' : 'cohort.fromForm')}</span>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{tx('enum.rowStatus.', r.status)}</td>
                <td>{r.error && <span class="row-reason">{r.error}</span>}</td>
              </tr>
            ))}
          </DataTable>
        </div>
      )}
      {job && (
        <div class="job">
          <h3 id="batch-job-h" ref={jobHeading} tabIndex={-1}>
            {t('cohort.jobHeading')}
          </h3>
          <label for="batch-progress">{t('issue.progress')}</label>
          <progress id="batch-progress" max={Math.max(job.total, 1)} value={job.processed} />
          <p role="status" aria-live="polite">
            {t('issue.progressText', {
              processed: job.processed,
              total: job.total,
              issued: job.issued,
              skipped: job.skipped,
              failed: job.failed,
            })}{' '}
            · {t('issue.state', { state: tx('enum.jobState.', job.state) })}
          </p>
          {finished(job) && notified && job.issued > 0 && (
            <p data-delivery-hint>
              {t('issue.deliveryHint')} <Link href={`/admin?tab=credentials&job=${enc(job.id)}`}>{t('admin.tab.credentials')}</Link>
            </p>
          )}
          {finished(job) && job.rows.length > 0 && (
            <p class="actions">
              <button class="btn btn-secondary" type="button" onClick={() => void downloadRows(job.id)}>
                {t('issue.downloadRows')}
              </button>
            </p>
          )}
          {job.rows.length > 0 && (
            <DataTable headers={[t('issue.line'), t('cohort.learner'), t('issue.rowStatus'), t('issue.rowDetail')]}>
              {job.rows.map((r) => (
                <tr key={r.line} class={`row-${r.status}`}>
                  <td>{r.line}</td>
                  <td>{r.name ?? '—'}</td>
                  <td>{tx('enum.rowStatus.', r.status)}</td>
                  <td>
                    {r.error && <span class="row-reason">{r.error} </span>}
                    {r.id && <Link href={`/verify${qs({ credential: r.id })}`}>{r.id}</Link>}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
      )}
    </section>
  );
}
