/**
 * Admin task "catalogue": this unit's microcredentials with edit (opens the publish form) and withdraw (a reason, then
 * an entry in the feed, never a delete).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../../api.js';
import { ErrorBox } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { DataTable } from '../../components/data-table.js';
import { InlineConfirm } from '../../components/inline-confirm.js';
import { McEditor } from './publish.js';
import type { OwnMc } from './types.js';

export function CatalogueAdmin({ token, own, onChanged }: { token: string; own: OwnMc[]; onChanged: () => void }) {
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
      await api(`/api/v1/admin/microcredentials/${enc(code)}/withdraw`, {
        method: 'POST',
        token,
        body: reason.trim() ? { reason: reason.trim() } : {},
      });
      setNotice(t('admin.withdrawn', { code }));
      setWithdrawing(null);
      setReason('');
      onChanged();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  // after publishing (the editor is gone) the focus goes to the notice that says so, never to <body>
  const noticeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  return (
    <section aria-labelledby="own-h">
      <h2 id="own-h">{t('admin.own')}</h2>
      <div role="status" aria-live="polite">
        {notice && (
          <p class="alert alert-ok" ref={noticeRef} tabIndex={-1}>
            {notice}
          </p>
        )}
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
          own={own}
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
        <DataTable headers={[t('mc.title'), t('mc.id'), t('mc.versions'), t('mc.status'), t('creds.actions')]}>
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
                    <button
                      type="button"
                      class="btn btn-small btn-danger"
                      aria-label={`${t('admin.withdraw')}: ${pick(m.title)}`}
                      onClick={() => setWithdrawing(m.code)}
                    >
                      {t('admin.withdraw')}
                    </button>
                  </>
                )}
                {withdrawing === m.code && (
                  <InlineConfirm
                    id={`wr-${m.code}`}
                    label={t('admin.withdrawReason')}
                    value={reason}
                    onInput={setReason}
                    confirmLabel={t('admin.withdrawConfirm')}
                    confirmClass="btn btn-small btn-danger"
                    onConfirm={() => void withdraw(m.code)}
                    onCancel={() => setWithdrawing(null)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
