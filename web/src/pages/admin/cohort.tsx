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

export function BatchIssue({ token, mcOptions }: { token: string; mcOptions: JSX.Element[] }) {
  const { t, tx } = useI18n();
  const [csv, setCsv] = useState('');
  const [mc, setMc] = useState('');
  const [notify, setNotify] = useState(false);
  const [language, setLanguage] = useState<Lang>('es');
  // whether the job on show was sent with e-mail (the checkbox may change after submitting)
  const [notified, setNotified] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const polling = useRef<ReturnType<typeof setTimeout> | null>(null);

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
      <form class="stack" onSubmit={submit}>
        <Field id="batch-file" label={t('issue.csvFile')}>
          <input
            id="batch-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) void file.text().then(setCsv);
            }}
          />
        </Field>
        <Field id="batch-text" label={t('issue.csvText')}>
          <textarea id="batch-text" rows={5} class="mono" value={csv} onInput={(e) => setCsv((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <Field id="batch-mc" label={t('issue.batchMc')}>
          <select id="batch-mc" value={mc} onChange={(e) => setMc((e.target as HTMLSelectElement).value)}>
            <option value="">{t('admin.choose')}</option>
            {mcOptions}
          </select>
        </Field>
        <NotifyFields id="batch" label="issue.batchNotify" notify={notify} setNotify={setNotify} language={language} setLanguage={setLanguage} />
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
            <DataTable headers={[t('issue.line'), t('issue.rowStatus'), t('issue.rowDetail')]}>
              {job.rows.map((r) => (
                <tr key={r.line} class={`row-${r.status}`}>
                  <td>{r.line}</td>
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
