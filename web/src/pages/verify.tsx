/**
 * Verify a credential: paste JSON, choose or drop a file, or open /verify?credential=<id>. The node verifies it
 * (POST /api/v1/verify) and the report is shown check by check with plain-language explanations.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api.js';
import { Badge, ErrorBox, PageTitle } from '../common.js';
import { useI18n } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { Link, useLocation } from '../router.js';
import type { VerificationReport } from '../types.js';

export function VerifyPage() {
  const { t } = useI18n();
  const loc = useLocation();
  const credentialId = loc.search.get('credential');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<VerificationReport | null>(null);
  const [dragging, setDragging] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);

  const verify = async (raw: string) => {
    setError(null);
    setReport(null);
    if (!raw.trim()) {
      setError(t('verify.empty'));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      setError(t('verify.invalidJson', { message: (e as Error).message }));
      return;
    }
    setBusy(t('verify.running'));
    try {
      const r = await api<VerificationReport>('/api/v1/verify', { method: 'POST', body: parsed });
      setReport(r);
      setTimeout(() => resultRef.current?.focus(), 0);
    } catch (e) {
      setError(t('app.error', { message: (e as ApiError).message }));
    } finally {
      setBusy(null);
    }
  };

  useEffect(() => {
    if (!credentialId) return;
    let cancelled = false;
    (async () => {
      setBusy(t('verify.fetching', { id: credentialId }));
      setError(null);
      try {
        const c = await api<unknown>(`/api/v1/credentials/${enc(credentialId)}`);
        if (cancelled) return;
        const raw = JSON.stringify(c, null, 2);
        setText(raw);
        await verify(raw);
      } catch (e) {
        if (!cancelled) {
          setBusy(null);
          setError(t('verify.fetchFailed', { message: (e as ApiError).message }));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [credentialId]);

  const readFile = (f: File | undefined | null) => {
    if (!f) return;
    f.text().then(
      (s) => {
        setText(s);
        void verify(s);
      },
      (e: Error) => setError(e.message),
    );
  };

  return (
    <section>
      <PageTitle title={t('verify.title')}>{t('verify.title')}</PageTitle>
      <p class="lead">{t('verify.intro')}</p>
      <form
        class="verify-form"
        onSubmit={(e) => {
          e.preventDefault();
          void verify(text);
        }}
      >
        <label for="credential-json">{t('verify.paste')}</label>
        <textarea id="credential-json" rows={10} spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} class="mono" />
        <div
          class={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            readFile(e.dataTransfer?.files?.[0]);
          }}
        >
          <label for="credential-file">{t('verify.file')}</label>
          <input id="credential-file" type="file" accept=".json,.jsonld,application/json,application/ld+json" onChange={(e) => readFile((e.target as HTMLInputElement).files?.[0])} />
          <p class="muted">{t('verify.drop')}</p>
        </div>
        <div class="actions">
          <button type="submit" class="btn" disabled={!!busy}>
            {t('verify.submit')}
          </button>
          <button
            type="button"
            class="btn btn-secondary"
            onClick={() => {
              setText('');
              setReport(null);
              setError(null);
            }}
          >
            {t('verify.clear')}
          </button>
        </div>
      </form>
      <div aria-live="polite" role="status">
        {busy && <p class="muted">{busy}</p>}
      </div>
      {error && <ErrorBox error={{ message: error }} />}
      <div ref={resultRef} tabIndex={-1}>
        {report && <VerificationView report={report} />}
      </div>
    </section>
  );
}

const ICON: Record<string, string> = { ok: '✓', failed: '✗', unchecked: '?' };

export function VerificationView({ report, headingLevel = 2 }: { report: VerificationReport; headingLevel?: 2 | 3 }) {
  const i = useI18n();
  const { t, pick } = i;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const H2 = headingLevel === 2 ? 'h3' : 'h4';
  const name = report.credential?.achievement?.name ?? pick(report.microcredential?.record?.title) ?? '';
  const issuerName = report.issuer?.name ?? report.credential?.issuerName ?? '';
  const mcId = report.microcredential?.globalId;
  const hasUnchecked = report.checks.some((c) => c.status === 'unchecked');
  // a presentation: whether the one presenting the credentials proved to be their holder
  const holderCheck = report.kind === 'presentation' ? report.checks.find((c) => c.id === 'holder_authenticated') : undefined;
  const hid = useId();
  return (
    <section class={`report report-${report.outcome}`} aria-labelledby={hid} data-outcome={report.outcome}>
      <H id={hid}>{t('verify.report')}</H>
      <div class={`outcome outcome-${report.outcome}`}>
        <p class="outcome-title">
          <span aria-hidden="true">{report.outcome === 'verified' ? '✓ ' : report.outcome === 'failed' ? '✗ ' : '? '}</span>
          {t(`verify.outcome.${report.outcome}` as MessageKey)}
        </p>
        <p>{t(`verify.outcomeText.${report.outcome}` as MessageKey)}</p>
        {holderCheck && (
          <p class="holder-line" data-holder={holderCheck.status}>
            {t(`verify.holder.${holderCheck.status}` as MessageKey)}
          </p>
        )}
      </div>
      <dl class="facts">
        {name && (
          <>
            <dt>{t('verify.achievement')}</dt>
            <dd>
              {name}
              {mcId && (
                <>
                  {' '}
                  · <Link href={`/microcredentials/${enc(mcId)}`}>{t('verify.openMc')}</Link>
                </>
              )}
            </dd>
          </>
        )}
        {report.credential?.learner?.name && (
          <>
            <dt>{t('verify.learner')}</dt>
            <dd>{report.credential.learner.name}</dd>
          </>
        )}
        {(issuerName || report.credential?.issuer) && (
          <>
            <dt>{t('verify.issuer')}</dt>
            <dd>
              {issuerName || report.credential?.issuer}
              {report.issuer && (
                <>
                  {' '}
                  ({i.region(report.issuer.country)}, {report.issuer.member ? t('verify.issuerMember') : t('verify.issuerNotMember')})
                </>
              )}
            </dd>
          </>
        )}
        {report.credential?.validFrom && (
          <>
            <dt>{t('verify.issued')}</dt>
            <dd>{i.date(report.credential.validFrom, true)}</dd>
          </>
        )}
      </dl>
      <H2>{t('verify.checks')}</H2>
      <ol class="checks">
        {report.checks.map((c) => (
          <li key={c.id} class={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
            <div class="check-head">
              <Badge kind={c.status}>
                <span aria-hidden="true">{ICON[c.status]} </span>
                {t(`verify.status.${c.status}` as MessageKey)}
              </Badge>
              <strong>{i.tx('verify.check.', c.id)}</strong>
            </div>
            <p>{i.tx('verify.explain.', c.id)}</p>
            {c.reason && (
              <p class="sub">
                {t('verify.detail')}: {c.reason}
              </p>
            )}
          </li>
        ))}
      </ol>
      {hasUnchecked && <p class="alert alert-info">{t('verify.uncheckedMeans')}</p>}
      {report.freshness && (
        <p class="muted">
          {t('verify.freshness', { date: i.date(report.freshness.asOf, true) })}
          {report.freshness.lagEntries ? ` · ${t('verify.freshnessLag', { n: report.freshness.lagEntries })}` : ''}
        </p>
      )}
      {report.credentials?.map((r, n) => (
        <VerificationView key={n} report={r} headingLevel={3} />
      ))}
    </section>
  );
}
