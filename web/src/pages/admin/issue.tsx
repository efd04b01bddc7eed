/**
 * Admin task "issue": one credential for one learner, with its verification link, QR and JSON download; the cohort
 * form (cohort.tsx) below it.
 */
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../../api.js';
import { ErrorBox } from '../../common.js';
import { useI18n, type Lang } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { ExternalLink } from '../../safe-url.js';
import { Field } from '../../components/field.js';
import { NotifyFields } from '../../components/notify-fields.js';
import { BatchIssue } from './cohort.js';
import { emptyEvidence, EvidenceFields, toRequest } from './evidence-fields.js';
import { ModuleFields, programmeModules, type ModuleFile } from './module-fields.js';
import type { Issued, OwnMc } from './types.js';

function sameOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

export function IssueAdmin({ token, own }: { token: string; own: OwnMc[] }) {
  const { t, pick } = useI18n();
  const [mc, setMc] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [notify, setNotify] = useState(false);
  const [language, setLanguage] = useState<Lang>('es');
  const [evidence, setEvidence] = useState(emptyEvidence);
  // a programme's badge: the learner's module credentials (module-fields.tsx)
  const [modules, setModules] = useState<ModuleFile[]>([]);
  const programme = own.find((m) => m.id === mc && programmeModules(m).length > 0);
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
      const r = await api<Issued>('/api/v1/admin/credentials', {
        method: 'POST',
        token,
        body: { microcredential: mc, learner: { name: name.trim(), email: email.trim() }, ...(notify ? { notify: true, language } : {}), ...toRequest(evidence), ...(programme ? { modules: modules.map((m) => m.credential) } : {}) },
      });
      setIssued(r);
      setEvidence(emptyEvidence());
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
          <Field id="issue-mc" label={t('issue.mc')}>
            <select id="issue-mc" required value={mc} onChange={(e) => setMc((e.target as HTMLSelectElement).value)}>
              <option value="">{t('admin.choose')}</option>
              {mcOptions}
            </select>
          </Field>
          <Field id="issue-name" label={t('issue.learnerName')}>
            <input
              id="issue-name"
              required
              autocomplete="off"
              value={name}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </Field>
          <Field id="issue-email" label={t('issue.learnerEmail')}>
            <input
              id="issue-email"
              type="email"
              required
              autocomplete="off"
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </Field>
          <NotifyFields id="issue" label="issue.notify" notify={notify} setNotify={setNotify} language={language} setLanguage={setLanguage} />
          <EvidenceFields id="issue-ev" value={evidence} onChange={setEvidence} />
          {programme && <ModuleFields id="issue-modules" programme={programme} value={modules} onChange={setModules} />}
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
                {issued.claimUrl && (
                  <>
                    <dt>{t('issue.claimLink')}</dt>
                    <dd>
                      <code class="wrap" data-claim-url>
                        {issued.claimUrl}
                      </code>
                      <br />
                      <small class="muted">{issued.delivery === 'queued' ? t('issue.claimQueued') : t('issue.claimOnce')}</small>
                    </dd>
                  </>
                )}
              </dl>
              <p class="actions">
                <Link class="btn" href={`/verify${qs({ credential: issued.id })}`}>
                  {t('issue.openVerify')}
                </Link>
                <a
                  class="btn btn-secondary"
                  href={download}
                  download={`credential-${issued.id.replace(/[^a-zA-Z0-9-]/g, '_').slice(-40)}.json`}
                >
                  {t('issue.download')}
                </a>
              </p>
              {issued.qrUrl && sameOrigin(issued.qrUrl) && (
                <img class="qr" src={issued.qrUrl} alt={t('issue.qr')} width={160} height={160} />
              )}
            </div>
          )}
        </div>
      </section>
      <BatchIssue token={token} mcOptions={mcOptions} />
    </>
  );
}
