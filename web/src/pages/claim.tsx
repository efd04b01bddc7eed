/**
 * The learner's claim page, /claim/:token (issue 15 item 4): what the personal link opens — the credential with its evidence and results, its
 * verification result, its downloads (JSON, the PDF certificate in the page's language, the baked badge as PNG and
 * SVG), "Añadir a LinkedIn", and the switch for a public share page (off by default:
 * privacy). Every credential field is shown as text (never as HTML); URLs go through the safe-url rule. Must never
 * send the token anywhere but this node's claim API (the page is served with no referrer, so links leak nothing).
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api.js';
import { Badge, ErrorBox, Loading, PageTitle } from '../common.js';
import { useI18n } from '../i18n/index.js';
import { linkedInAddUrl } from '../linkedin.js';
import { ExternalLink, safeHttpUrl } from '../safe-url.js';
import type { Claim } from '../generated/api-claim.js';
import type { ClaimShareState } from '../generated/api-claim-share-state.js';
import { VerificationView } from './verify.js';
import { WalletSection } from './claim-wallet.js';
import { EvidenceAndResults } from './claim-evidence.js';
import { ShareButtons } from '../components/share-buttons.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Display facts from the credential itself (untrusted text). */
function facts(c: Claim): { achievement: string; issuer: string; description: string; validUntil: string | null } {
  const cred = c.credential as {
    issuer?: { name?: unknown };
    validUntil?: unknown;
    credentialSubject?: { achievement?: { name?: unknown; description?: unknown } };
  };
  return {
    achievement: str(cred.credentialSubject?.achievement?.name) || c.microcredential,
    issuer: str(cred.issuer?.name),
    description: str(cred.credentialSubject?.achievement?.description),
    validUntil: str(cred.validUntil) || null,
  };
}

export function ClaimPage({ token }: { token: string }) {
  const { t, date, lang } = useI18n();
  const [claim, setClaim] = useState<Claim | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [share, setShare] = useState<ClaimShareState | null>(null);
  // the state asked for while the request runs: the switch shows it at once (a controlled checkbox that
  // re-rendered the old state until the answer came would undo the learner's click), and falls back on failure
  const [sharePending, setSharePending] = useState<boolean | null>(null);
  const [shareError, setShareError] = useState<string | null>(null);
  const switchId = useId();
  const path = `/api/v1/claims/${enc(token)}`;

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    api<Claim>(path, { signal: ac.signal })
      .then((c) => {
        setClaim(c);
        setShare(c.share);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setError(e instanceof ApiError ? e : new ApiError(0, 'error', String((e as Error)?.message ?? e)));
      })
      .finally(() => !ac.signal.aborted && setLoading(false));
    return () => ac.abort();
  }, [path]);

  if (loading) return <Loading />;
  if (error || !claim)
    return (
      <section>
        <PageTitle title={t('claim.notFoundTitle')}>{t('claim.notFoundTitle')}</PageTitle>
        {error?.status === 404 ? (
          <p class="alert alert-error" role="alert">
            {t('claim.notFound')}
          </p>
        ) : (
          <ErrorBox error={error} />
        )}
      </section>
    );

  const f = facts(claim);
  const published = share?.published ?? false;
  const shareUrl = share?.url ? safeHttpUrl(share.url) : null;
  const linkedIn = linkedInAddUrl({
    name: f.achievement,
    organizationName: f.issuer,
    issuedAt: claim.issuedAt,
    validUntil: f.validUntil,
    certUrl: shareUrl ?? claim.links.verify,
    certId: claim.id,
  });
  const state = claim.status.revoked
    ? 'revoked'
    : claim.status.suspended
      ? 'suspended'
      : claim.verification.verified
        ? 'verified'
        : 'unverified';

  const toggle = async (on: boolean) => {
    setSharePending(on);
    setShareError(null);
    try {
      setShare(await api<ClaimShareState>(`${path}/share`, { method: 'PUT', body: { published: on } }));
    } catch (e) {
      setShareError(t('app.error', { message: (e as Error).message }));
    } finally {
      setSharePending(null);
    }
  };

  return (
    <section class="claim">
      <PageTitle title={f.achievement}>{f.achievement}</PageTitle>
      <p class="lead">{t('claim.intro')}</p>
      <dl class="facts">
        <dt>{t('claim.learner')}</dt>
        <dd>{claim.learnerName}</dd>
        {f.issuer && (
          <>
            <dt>{t('claim.issuer')}</dt>
            <dd>{f.issuer}</dd>
          </>
        )}
        <dt>{t('claim.issued')}</dt>
        <dd>{date(claim.issuedAt)}</dd>
        {f.validUntil && (
          <>
            <dt>{t('claim.validUntil')}</dt>
            <dd>{date(f.validUntil)}</dd>
          </>
        )}
        <dt>{t('claim.state')}</dt>
        <dd data-state={state}>
          <Badge kind={state === 'verified' ? 'ok' : state === 'unverified' ? 'unchecked' : 'failed'}>{t(`claim.state.${state}`)}</Badge>
        </dd>
      </dl>
      {f.description && <p class="claim-description">{f.description}</p>}
      <EvidenceAndResults credential={claim.credential} />

      <h2>{t('claim.actions')}</h2>
      <ul class="claim-actions">
        <li>
          <a class="btn" href={`${path}/credential.json?lang=${lang}`} download>
            {t('claim.downloadJson')}
          </a>
        </li>
        <li>
          <a class="btn" href={`${path}/certificate.pdf?lang=${lang}`} download data-download="pdf">
            {t('claim.downloadPdf')}
          </a>
        </li>
        <li>
          <a class="btn btn-secondary" href={`${path}/badge.png?lang=${lang}`} download data-download="png">
            {t('claim.downloadPng')}
          </a>
        </li>
        <li>
          <a class="btn btn-secondary" href={`${path}/badge.svg?lang=${lang}`} download data-download="svg">
            {t('claim.downloadSvg')}
          </a>
        </li>
        <li>
          <ExternalLink url={linkedIn} class="btn btn-secondary">
            {t('claim.linkedin')}
          </ExternalLink>
        </li>
        <li>
          <ExternalLink url={claim.links.verify}>{t('claim.verifyLink')}</ExternalLink>
        </li>
      </ul>

      <p class="muted">{t('claim.badgeHint')}</p>

      <WalletSection claimPath={path} available={!claim.status.revoked && !claim.status.suspended} />

      <h2>{t('claim.share')}</h2>
      <p>{t('claim.shareIntro')}</p>
      <p class="switch">
        <input
          id={switchId}
          type="checkbox"
          role="switch"
          checked={sharePending ?? published}
          aria-disabled={sharePending !== null}
          aria-busy={sharePending !== null}
          onChange={(e) => {
            // not `disabled` while the change is sent: disabling the focused switch would drop the focus to <body>
            const el = e.target as HTMLInputElement;
            if (sharePending !== null) {
              el.checked = sharePending;
              return;
            }
            void toggle(el.checked);
          }}
        />
        <label for={switchId}>{t('claim.sharePublish')}</label>
      </p>
      {shareError && (
        <p class="alert alert-error" role="alert">
          {shareError}
        </p>
      )}
      <p role="status" aria-live="polite" data-share={published ? 'on' : 'off'}>
        {published && shareUrl ? (
          <>
            {t('claim.sharePublished')} <ExternalLink url={shareUrl}>{shareUrl}</ExternalLink>
          </>
        ) : (
          t('claim.sharePrivate')
        )}
      </p>
      {published && shareUrl && <ShareButtons title={`${f.achievement} — ${claim.learnerName}`} url={shareUrl} />}

      <VerificationView report={claim.verification} />
    </section>
  );
}
