/**
 * Verify a credential: paste JSON, choose or drop a file (JSON, or a baked badge PNG / SVG), scan its QR code
 * (camera or image), or open /verify?credential=<id>. The node verifies it (POST /api/v1/verify) and the report says what failed and why, check
 * by check, with plain-language sentences for each outcome. It must never open what a QR code says without
 * qr-target.ts's decision, nor show a failed check's success sentence.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api.js';
import { Badge, PageTitle, useApi } from '../common.js';
import { useI18n } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { statusChangeSentence } from '../i18n/status-headline.js';
import { Link, navigate, useLocation } from '../router.js';
import { ExternalLink } from '../safe-url.js';
import { QrScan } from '../components/qr-scan.js';
import { qrTarget, type QrTarget } from '../qr-target.js';
import type { InstitutionList, McDetail, VerificationReport } from '../types.js';
import { Accreditations, Decisions } from './detail.js';

export function VerifyPage() {
  const { t } = useI18n();
  const loc = useLocation();
  const credentialId = loc.search.get('credential');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<VerificationReport | null>(null);
  const [dragging, setDragging] = useState(false);
  const [scanned, setScanned] = useState<Extract<QrTarget, { kind: 'remote' | 'refused' }> | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  // a scanned QR code: a credential id or a page of this node opens here; a link to another node of the network is
  // offered as a link; anything else is refused (qr-target.ts)
  const onQr = async (text: string) => {
    setScanned(null);
    let known: string[] = [];
    try {
      const list = await api<InstitutionList>('/api/v1/institutions');
      known = list.items.map((x) => x.nodeUrl).filter((u): u is string => typeof u === 'string');
    } catch {
      // without the directory only this node's own links are accepted
    }
    const target = qrTarget(text, location.origin, known);
    if (target.kind === 'credential') navigate(`/verify?credential=${enc(target.id)}`);
    else if (target.kind === 'local') navigate(target.href);
    else setScanned(target);
  };

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
          // a link to a credential another node keeps: say where it lives, in the user's language
          setError((e as ApiError).status === 404 ? t('verify.notHere', { id: credentialId }) : t('verify.fetchFailed', { message: (e as ApiError).message }));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [credentialId]);

  // a baked badge (PNG or SVG, Open Badges 3.0): the node reads the credential out of the image and verifies it
  const verifyImage = async (f: File) => {
    setError(null);
    setReport(null);
    setBusy(t('verify.running'));
    try {
      const type = f.type === 'image/png' || /\.png$/i.test(f.name) ? 'image/png' : 'image/svg+xml';
      const r = await api<VerificationReport>('/api/v1/verify', { method: 'POST', file: new Blob([f], { type }) });
      setText('');
      setReport(r);
      setTimeout(() => resultRef.current?.focus(), 0);
    } catch (e) {
      setError(t('app.error', { message: (e as ApiError).message }));
    } finally {
      setBusy(null);
    }
  };

  const readFile = (f: File | undefined | null) => {
    if (!f) return;
    if (/^image\/(png|svg\+xml)$/.test(f.type) || /\.(png|svg)$/i.test(f.name)) {
      void verifyImage(f);
      return;
    }
    f.text().then(
      (s) => {
        setText(s);
        void verify(s);
      },
      (e: Error) => setError(e.message),
    );
  };

  // opened from a verification link, the result comes first and the form is for another credential
  const result = (
    <>
      <div aria-live="polite" role="status">
        {busy && <p class="muted">{busy}</p>}
      </div>
      {error && (
        <div class="alert alert-error" role="alert" data-verify-error>
          <p>{error}</p>
        </div>
      )}
      <div ref={resultRef} tabIndex={-1}>
        {report && <VerificationView report={report} />}
      </div>
    </>
  );
  return (
    <section>
      <PageTitle title={t('verify.title')}>{t('verify.title')}</PageTitle>
      {credentialId ? result : <p class="lead">{t('verify.intro')}</p>}
      {credentialId && <h2>{t('verify.another')}</h2>}
      <section aria-labelledby="qr-h" class="qr-section">
        {credentialId ? <h3 id="qr-h">{t('verify.qr.title')}</h3> : <h2 id="qr-h">{t('verify.qr.title')}</h2>}
        <p>{t('verify.qr.intro')}</p>
        <QrScan onText={(s) => void onQr(s)} />
        {scanned?.kind === 'remote' && (
          <p class="alert alert-info" role="status" data-qr="remote">
            {t('verify.qr.remote', { host: scanned.host })} <ExternalLink url={scanned.url}>{t('verify.qr.openRemote', { host: scanned.host })}</ExternalLink>
          </p>
        )}
        {scanned?.kind === 'refused' && (
          <p class="alert alert-warn" role="alert" data-qr="refused">
            {t(`verify.qr.refused.${scanned.reason}` as MessageKey, { host: scanned.host ?? '' })}
          </p>
        )}
      </section>
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
          <input id="credential-file" type="file" accept=".json,.jsonld,.png,.svg,application/json,application/ld+json,image/png,image/svg+xml" onChange={(e) => readFile((e.target as HTMLInputElement).files?.[0])} />
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
      {!credentialId && result}
    </section>
  );
}

const ICON: Record<string, string> = { ok: '✓', failed: '✗', unchecked: '?' };

type Check = VerificationReport['checks'][number];
type I18nT = ReturnType<typeof useI18n>;

/** The order in which failed checks name the headline: the most telling reason first. */
const HEADLINE_ORDER: readonly Check['id'][] = [
  'parse',
  'proof',
  'issuer_known',
  'key_valid_at_issuance',
  'status',
  'validity_period',
  'contexts',
  'schema',
  'microcredential_listed',
  'holder_authenticated',
  // only on a node that stores the credential's evidence files (node/credentials/verify/evidence.ts)
  'evidence',
];

/** The failed check that names the headline. */
function primaryFailure(report: VerificationReport): Check | undefined {
  return HEADLINE_ORDER.map((id) => report.checks.find((c) => c.id === id && c.status === 'failed')).find(Boolean);
}

/** The headline: what failed and why, in a sentence; for an incomplete report, what could not be checked. */
export function headline(report: VerificationReport, i: I18nT): string {
  const { t } = i;
  if (report.outcome === 'verified') return t('verify.headline.verified');
  const failed = primaryFailure(report);
  if (!failed) {
    // incomplete: a stolen key's claimed dates are the telling case; otherwise name what could not be checked
    const key = report.checks.find((c) => c.id === 'key_valid_at_issuance' && c.status === 'unchecked');
    if (key && report.issuer?.keyRevocationReason === 'compromised') return t('verify.headline.keyCompromised');
    const names = report.checks.filter((c) => c.status === 'unchecked').map((c) => i.tx('verify.check.', c.id));
    return t('verify.headline.incomplete', { checks: names.join(', ') });
  }
  switch (failed.id) {
    case 'parse':
      return t('verify.headline.parse');
    case 'proof':
      return t('verify.headline.proof');
    case 'issuer_known':
      if (!report.issuer) return t('verify.headline.issuerUnknown');
      if (!report.issuer.member) return t('verify.headline.issuerNotMember');
      return t('verify.headline.issuerMismatch');
    case 'key_valid_at_issuance':
      return report.issuer?.keyRevokedAt ? t('verify.headline.keyRetired') : t('verify.headline.keyNotYet');
    case 'status': {
      // with the issuer's reason category (schemas/status-reason.schema.json), never its free text (kept at its node)
      return statusChangeSentence(failed.statusChange ?? { purpose: 'revocation', since: null }, t, (p, v) => i.tx(p, v), (d) => i.date(d));
    }
    case 'validity_period': {
      const { validFrom, validUntil } = report.credential ?? {};
      const at = new Date(report.checkedAt).getTime();
      if (validUntil && new Date(validUntil).getTime() < at) return t('verify.headline.expiredOn', { date: i.date(validUntil) });
      if (validFrom && new Date(validFrom).getTime() > at) return t('verify.headline.notYetValid', { date: i.date(validFrom) });
      return t('verify.headline.validity');
    }
    case 'contexts':
      return t('verify.headline.contexts');
    case 'schema':
      return t('verify.headline.schema');
    case 'microcredential_listed':
      return t('verify.headline.microcredential_listed');
    case 'holder_authenticated':
      return t('verify.headline.holder');
    case 'evidence':
      return t('verify.headline.evidence');
  }
  return t('verify.outcome.failed');
}

/** The sentence of one check: its success sentence only when it passed, a failure or not-checked sentence otherwise. */
export function checkSentence(c: Check, i: I18nT): string {
  if (c.status === 'ok') return i.tx('verify.explain.', c.id);
  if (c.status === 'unchecked') return i.tx('verify.skip.', c.id);
  if (c.id === 'status' && c.statusChange?.since)
    return i.t(c.statusChange.purpose === 'suspension' ? 'verify.fail.statusSuspended' : 'verify.fail.statusRevoked', { date: i.date(c.statusChange.since) });
  return i.tx('verify.fail.', c.id);
}

function Untrusted({ show }: { show: boolean }) {
  const { t } = useI18n();
  if (!show) return null;
  return (
    <>
      {' '}
      <Badge kind="warn">{t('verify.untrusted')}</Badge>
    </>
  );
}

export function VerificationView({ report, headingLevel = 2 }: { report: VerificationReport; headingLevel?: 2 | 3 }) {
  const i = useI18n();
  const { t, pick } = i;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const H2 = headingLevel === 2 ? 'h3' : 'h4';
  const check = (id: Check['id']) => report.checks.find((c) => c.id === id);
  // what the document says is only as good as its signature: without a valid proof, its fields are the sender's word
  const proofOk = check('proof')?.status === 'ok';
  const issuerOk = proofOk && check('issuer_known')?.status === 'ok';
  const name = report.credential?.achievement?.name ?? pick(report.microcredential?.record?.title) ?? '';
  const issuerName = report.issuer?.name ?? report.credential?.issuerName ?? '';
  const mcId = report.microcredential?.globalId;
  const hasUnchecked = report.checks.some((c) => c.status === 'unchecked');
  const failedChecks = report.checks.filter((c) => c.status === 'failed');
  const statusCheck = check('status');
  const keyCheck = check('key_valid_at_issuance');
  // a presentation: whether the one presenting the credentials proved to be their holder
  const holderCheck = report.kind === 'presentation' ? report.checks.find((c) => c.id === 'holder_authenticated') : undefined;
  const hid = useId();
  const title = headline(report, i);
  const primary = primaryFailure(report);
  return (
    <section class={`report report-${report.outcome}`} aria-labelledby={hid} data-outcome={report.outcome}>
      <H id={hid}>{t('verify.report')}</H>
      <div class={`outcome outcome-${report.outcome}`}>
        <p class="outcome-title" data-headline>
          <span aria-hidden="true">{report.outcome === 'verified' ? '✓ ' : report.outcome === 'failed' ? '✗ ' : '? '}</span>
          {title}
        </p>
        <p>{report.outcome === 'failed' ? t('verify.doNotTrust') : t(`verify.outcomeText.${report.outcome}` as MessageKey)}</p>
        {failedChecks.length > 1 && <p>{t('verify.alsoFailed', { checks: failedChecks.filter((c) => c !== primary).map((c) => i.tx('verify.check.', c.id)).join(', ') })}</p>}
        {statusCheck?.status === 'failed' && statusCheck.statusChange && <p class="sub">{t('verify.revocationReasonPrivate')}</p>}
        {keyCheck && keyCheck.status !== 'ok' && report.issuer?.keyRevokedAt && (
          <p class="sub">{t('verify.keyRetiredOn', { date: i.date(report.issuer.keyRevokedAt), reason: i.tx('verify.keyReason.', report.issuer.keyRevocationReason ?? 'retired') })}</p>
        )}
        {holderCheck && (
          <p class="holder-line" data-holder={holderCheck.status}>
            {t(`verify.holder.${holderCheck.status}` as MessageKey)}
          </p>
        )}
      </div>
      {!proofOk && (name || issuerName || report.credential?.learner?.name) && <p class="alert alert-warn untrusted-note">{t('verify.untrustedNote')}</p>}
      <dl class="facts">
        {name && (
          <>
            <dt>{t('verify.achievement')}</dt>
            <dd data-trusted={proofOk ? 'yes' : 'no'}>
              {name}
              <Untrusted show={!proofOk} />
              {mcId && proofOk && (
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
            <dd data-trusted={proofOk ? 'yes' : 'no'}>
              {report.credential.learner.name}
              <Untrusted show={!proofOk} />
            </dd>
          </>
        )}
        {(issuerName || report.credential?.issuer) && (
          <>
            <dt>{t('verify.issuer')}</dt>
            <dd data-trusted={issuerOk ? 'yes' : 'no'}>
              {issuerName || report.credential?.issuer}
              {report.issuer && (
                <>
                  {' '}
                  ({i.region(report.issuer.country)}, {report.issuer.member ? t('verify.issuerMember') : t('verify.issuerNotMember')})
                </>
              )}
              <Untrusted show={!issuerOk} />
            </dd>
          </>
        )}
        {report.credential?.validFrom && (
          <>
            <dt>{t('verify.issued')}</dt>
            <dd data-trusted={proofOk ? 'yes' : 'no'}>
              {i.date(report.credential.validFrom, true)}
              <Untrusted show={!proofOk} />
            </dd>
          </>
        )}
        {report.credential?.validUntil && (
          <>
            <dt>{t('verify.validUntil')}</dt>
            <dd data-trusted={proofOk ? 'yes' : 'no'}>
              {i.date(report.credential.validUntil, true)}
              <Untrusted show={!proofOk} />
            </dd>
          </>
        )}
      </dl>
      {mcId && proofOk && <McStanding id={mcId} level={H2} />}
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
            <p class="check-sentence">{checkSentence(c, i)}</p>
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
      <details class="technical">
        <summary>{t('verify.technical')}</summary>
        <dl class="facts">
          {report.credential?.id && (
            <>
              <dt>{t('verify.tech.credentialId')}</dt>
              <dd>
                <code class="wrap">{report.credential.id}</code>
              </dd>
            </>
          )}
          {report.credential?.type && (
            <>
              <dt>{t('verify.tech.type')}</dt>
              <dd>{report.credential.type.join(', ')}</dd>
            </>
          )}
          {(report.issuer?.keyId ?? report.credential?.issuer) && (
            <>
              <dt>{t('verify.tech.issuerDid')}</dt>
              <dd>
                <code class="wrap">{report.issuer?.keyId ?? report.credential?.issuer}</code>
              </dd>
            </>
          )}
          {report.credential?.proofType && (
            <>
              <dt>{t('verify.tech.proofType')}</dt>
              <dd>
                <code class="wrap">{report.credential.proofType}</code>
              </dd>
            </>
          )}
          {statusCheck?.statusChange?.since && (
            <>
              <dt>{t('verify.tech.statusSince')}</dt>
              <dd>{i.date(statusCheck.statusChange.since, true)}</dd>
            </>
          )}
          {statusCheck?.statusChange?.reason && (
            <>
              <dt>{t('verify.tech.statusReason')}</dt>
              <dd data-status-reason={statusCheck.statusChange.reason}>{i.tx('verify.statusReason.', statusCheck.statusChange.reason)}</dd>
            </>
          )}
          <dt>{t('verify.tech.checkedAt')}</dt>
          <dd>{i.date(report.checkedAt, true)}</dd>
        </dl>
        <ul class="tech-checks">
          {report.checks.map((c) => (
            <li key={c.id}>
              <strong>{i.tx('verify.check.', c.id)}</strong> ({t(`verify.status.${c.status}` as MessageKey)}) — {t('verify.tech.verifierSays')}: <span class="wrap">{c.reason}</span>
            </li>
          ))}
        </ul>
      </details>
      {report.credentials?.map((r, n) => (
        <VerificationView key={n} report={r} headingLevel={3} />
      ))}
    </section>
  );
}

/** Accreditations in force and recognition decisions of the verified credential's microcredential (replica data). */
function McStanding({ id, level }: { id: string; level: 'h3' | 'h4' }) {
  const { t } = useI18n();
  const res = useApi<McDetail>(`/api/v1/microcredentials/${enc(id)}`);
  const H = level;
  if (!res.data) return null;
  return (
    <section class="mc-standing" aria-label={t('verify.standing')}>
      <H>{t('mc.accreditations')}</H>
      <Accreditations items={res.data.accreditations} history={res.data.accreditationHistory} />
      <H>{t('mc.recognitions')}</H>
      <Decisions items={res.data.recognitions} empty={t('mc.noRecognitions')} />
    </section>
  );
}
