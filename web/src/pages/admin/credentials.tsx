/**
 * Admin task "credentials": the issued credentials (search, status and issuer-key filters, pages) with revoke,
 * suspend and reinstate, each confirmed inline with a reason; each row's claim-link e-mail (its delivery status, the
 * SMTP server's answer when it failed, and a resend), filtered by that status and by cohort (?job=, from the cohort
 * form).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc, qs } from '../../api.js';
import { ErrorBox } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { Link, navigate, useLocation } from '../../router.js';
import { DataTable } from '../../components/data-table.js';
import { Field } from '../../components/field.js';
import { InlineConfirm } from '../../components/inline-confirm.js';
import reasonSchema from '../../../../schemas/status-reason.schema.json' with { type: 'json' };
import type { IssuedCredentialList, OwnMc } from './types.js';

export function CredentialsAdmin({ token, own = [] }: { token: string; own?: OwnMc[] }) {
  const i = useI18n();
  const { t } = i;
  const [q, setQ] = useState('');
  const [statusFilter, setStatusFilter] = useState<'' | 'active' | 'suspended' | 'revoked'>('');
  const [issuerKey, setIssuerKey] = useState('');
  const [delivery, setDelivery] = useState<'' | 'queued' | 'sending' | 'sent' | 'failed' | 'bounced' | 'none'>('');
  // a cohort's credentials (the cohort form links here with ?job=<id>)
  const job = useLocation().search.get('job') ?? '';
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<IssuedCredentialList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const [action, setAction] = useState<{ id: string; kind: 'revoke' | 'suspend' | 'reinstate' } | null>(null);
  const [reason, setReason] = useState('');
  // the reason category (travels with the status list, shown by verification); the free-text reason stays here
  const [reasonCategory, setReasonCategory] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  // after revoke / suspend / reinstate / resend the row's buttons are gone or replaced: the focus goes to the notice
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const [noticeTick, setNoticeTick] = useState(0);
  useEffect(() => {
    if (noticeTick) noticeRef.current?.focus();
  }, [noticeTick]);
  const limit = 20;
  // the unit's own microcredentials by id: rows show a title, not an id
  const titles = new Map(own.map((m) => [m.id, i.pick(m.title ?? null)]));

  useEffect(() => {
    const ac = new AbortController();
    const h = setTimeout(() => {
      api<IssuedCredentialList>(
        `/api/v1/admin/credentials${qs({ q: q.trim(), status: statusFilter, issuerKey: issuerKey.trim(), job, delivery, limit, offset })}`,
        { token, signal: ac.signal },
      )
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
  }, [q, statusFilter, issuerKey, job, delivery, offset, tick, token]);

  const doAction = async () => {
    if (!action) return;
    setError(null);
    try {
      await api(`/api/v1/admin/credentials/${enc(action.id)}/${action.kind}`, {
        method: 'POST',
        token,
        body: { reason: reason.trim() || action.kind, ...(reasonCategory && action.kind !== 'reinstate' ? { reasonCategory } : {}) },
      });
      const row = data?.items.find((c) => c.id === action.id);
      setNotice(row ? t(`creds.changed.${action.kind}`, { name: row.learnerName }) : t('creds.changed'));
      setNoticeTick((n) => n + 1);
      setAction(null);
      setReason('');
      setReasonCategory('');
      setTick((n) => n + 1);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const resend = async (id: string) => {
    setError(null);
    try {
      await api(`/api/v1/admin/credentials/${enc(id)}/delivery/retry`, { method: 'POST', token });
      setNotice(t('creds.resent'));
      setNoticeTick((n) => n + 1);
      setTick((n) => n + 1);
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const label: Record<'revoke' | 'suspend' | 'reinstate', MessageKey> = {
    revoke: 'creds.revoke',
    suspend: 'creds.suspend',
    reinstate: 'creds.reinstate',
  };

  return (
    <section aria-labelledby="creds-h">
      <h2 id="creds-h">{t('creds.title')}</h2>
      <Field id="creds-q" label={t('creds.search')} class="narrow">
        <input
          id="creds-q"
          type="search"
          value={q}
          onInput={(e) => {
            setQ((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
        />
      </Field>
      <Field id="creds-status" label={t('creds.status')} class="narrow">
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
      </Field>
      <Field id="creds-delivery" label={t('creds.deliveryFilter')} class="narrow">
        <select
          id="creds-delivery"
          value={delivery}
          onChange={(e) => {
            setDelivery((e.target as HTMLSelectElement).value as typeof delivery);
            setOffset(0);
          }}
        >
          <option value="">{t('creds.all')}</option>
          {(['failed', 'bounced', 'queued', 'sending', 'sent'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`creds.delivery.${k}`)}
            </option>
          ))}
          <option value="none">{t('creds.deliveryNone')}</option>
        </select>
      </Field>
      <Field id="creds-key" label={t('creds.issuerKey')} class="narrow">
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
      </Field>
      {job && (
        <p data-job>
          {t('creds.jobOnly', { job })}{' '}
          <button type="button" class="btn btn-small btn-secondary" onClick={() => navigate('/admin?tab=credentials')}>
            {t('creds.jobAll')}
          </button>
        </p>
      )}
      <div role="status" aria-live="polite">
        {notice && (
          <p class="alert alert-ok" ref={noticeRef} tabIndex={-1}>
            {notice}
          </p>
        )}
        {data && <p>{t('creds.total', { n: data.total })}</p>}
      </div>
      <ErrorBox error={error} />
      {data && data.items.length === 0 && <p class="muted">{t('creds.empty')}</p>}
      {data && data.items.length > 0 && (
        <DataTable headers={[t('creds.learner'), t('issue.mc'), t('creds.issuedAt'), t('creds.status'), t('creds.email'), t('creds.actions')]}>
          {data.items.map((c) => (
            <tr key={c.id}>
              <td>
                <Link href={`/verify${qs({ credential: c.id })}`}>{c.learnerName}</Link>
              </td>
              <td>{titles.get(c.microcredential) || <code>{c.microcredential}</code>}</td>
              <td>{i.date(c.issuedAt, true)}</td>
              <td>
                {c.status.revoked ? t('creds.revoked') : c.status.suspended ? t('creds.suspended') : t('creds.active')}
                {(c.status.revoked || c.status.suspended) && c.status.reasonCategory && ` · ${capitalise(i.tx('verify.statusReason.', c.status.reasonCategory))}`}
              </td>
              <td data-delivery={c.delivery?.status ?? 'none'}>
                {c.delivery ? t(`creds.delivery.${c.delivery.status}`) : t('creds.delivery.none')}
                {c.delivery?.lastError && (c.delivery.status === 'failed' || c.delivery.status === 'bounced' || c.delivery.status === 'queued') && (
                  <>
                    <br />
                    <small class="muted">{c.delivery.lastError}</small>
                  </>
                )}
                {(c.delivery?.status === 'failed' || c.delivery?.status === 'bounced') && (
                  <>
                    <br />
                    <button type="button" class="btn btn-small btn-secondary" aria-label={`${t('creds.resend')}: ${c.learnerName}`} onClick={() => void resend(c.id)}>
                      {t('creds.resend')}
                    </button>
                  </>
                )}
              </td>
              <td class="row-actions">
                {!c.status.revoked &&
                  (['revoke', ...(c.status.suspended ? ['reinstate'] : ['suspend'])] as ('revoke' | 'suspend' | 'reinstate')[]).map((k) => (
                    <button
                      key={k}
                      type="button"
                      class={`btn btn-small ${k === 'revoke' ? 'btn-danger' : 'btn-secondary'}`}
                      aria-label={`${t(label[k])}: ${c.learnerName}`}
                      onClick={() => setAction({ id: c.id, kind: k })}
                    >
                      {t(label[k])}
                    </button>
                  ))}
                {action?.id === c.id && (
                  <InlineConfirm
                    id={`reason-${c.id}`}
                    label={action.kind === 'reinstate' ? t('creds.reason') : t('creds.reasonDetail')}
                    hint={action.kind === 'reinstate' ? undefined : t('creds.reasonDetailHint')}
                    extra={
                      action.kind !== 'reinstate' && (
                        <>
                          <label for={`category-${c.id}`}>{t('creds.reasonCategory')}</label>
                          <select id={`category-${c.id}`} value={reasonCategory} onChange={(e) => setReasonCategory((e.target as HTMLSelectElement).value)}>
                            <option value="">{t('creds.reasonCategory.none')}</option>
                            {reasonSchema.$defs.chosen.enum.map((k) => (
                              <option key={k} value={k}>
                                {capitalise(i.tx('verify.statusReason.', k))}
                              </option>
                            ))}
                          </select>
                        </>
                      )
                    }
                    value={reason}
                    onInput={setReason}
                    confirmLabel={t('creds.confirm', { action: t(label[action.kind]) })}
                    onConfirm={() => void doAction()}
                    onCancel={() => {
                      setAction(null);
                      setReasonCategory('');
                    }}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
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

/** A label as an option: its first letter in capitals ('emitida por error' → 'Emitida por error'). */
function capitalise(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}
