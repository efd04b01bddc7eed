/**
 * An inline confirmation inside a table row: a reason, the confirming button and Cancel (withdraw a microcredential;
 * revoke, suspend or reinstate a credential). Must never act by itself: `onConfirm` does, after the user submits.
 */
import { useI18n } from '../i18n/index.js';

export function InlineConfirm(p: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  confirmLabel: string;
  confirmClass?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        p.onConfirm();
      }}
    >
      <label for={p.id}>{p.label}</label>
      <input id={p.id} value={p.value} onInput={(e) => p.onInput((e.target as HTMLInputElement).value)} />
      <button class={p.confirmClass ?? 'btn btn-small'} type="submit">
        {p.confirmLabel}
      </button>
      <button class="btn btn-small btn-secondary" type="button" onClick={p.onCancel}>
        {t('app.cancel')}
      </button>
    </form>
  );
}
