/**
 * The claim page's wallet section (issue 15 item 5): on the learner's click, a fresh OpenID4VCI credential offer from
 * this node (POST /api/v1/claims/{token}/wallet-offer) shown as a QR code for a phone's wallet and as an
 * openid-credential-offer:// link for a wallet on this device; single use, with its expiry time, and a button for a
 * new one. Must never render a link whose scheme is not openid-credential-offer, nor an image that is not the
 * node's SVG data URL, and never ask for an offer before the learner does (each offer is a live code).
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import type { WalletOffer } from '../generated/api-oid4vci-offer.js';

const OFFER_URI = /^openid-credential-offer:\/\/\?credential_offer=[^\s"'<>]+$/;
const QR_DATA_URL = /^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/;

export function WalletSection({ claimPath, available }: { claimPath: string; available: boolean }) {
  const { t, date } = useI18n();
  const [offer, setOffer] = useState<WalletOffer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const ask = async () => {
    setBusy(true);
    setError(null);
    try {
      const o = await api<WalletOffer>(`${claimPath}/wallet-offer`, { method: 'POST', body: {} });
      if (!OFFER_URI.test(o.uri) || !QR_DATA_URL.test(o.qr)) throw new Error('unexpected offer');
      setOffer(o);
    } catch (e) {
      setOffer(null);
      setError(e instanceof ApiError && e.status === 409 ? t('claim.walletUnavailable') : t('app.error', { message: (e as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2>{t('claim.wallet')}</h2>
      <p>{t('claim.walletIntro')}</p>
      {!available ? (
        <p class="alert alert-info">{t('claim.walletUnavailable')}</p>
      ) : (
        <div class="claim-wallet" data-offer={offer ? 'shown' : 'none'}>
          <p>
            <button type="button" class="btn" onClick={() => void ask()} disabled={busy} aria-busy={busy}>
              {offer ? t('claim.walletNew') : t('claim.walletButton')}
            </button>
          </p>
          {error && (
            <p class="alert alert-error" role="alert">
              {error}
            </p>
          )}
          {offer && (
            <figure>
              <img src={offer.qr} alt={t('claim.walletQrAlt')} width={240} height={240} />
              <figcaption>
                <p>{t('claim.walletScan')}</p>
                <p>
                  <a href={offer.uri} class="btn btn-secondary">
                    {t('claim.walletOpen')}
                  </a>
                </p>
                <p role="status">{t('claim.walletExpires', { time: date(offer.expiresAt, true) })}</p>
              </figcaption>
            </figure>
          )}
        </div>
      )}
    </>
  );
}
