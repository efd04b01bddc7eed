/**
 * An inline confirmation inside a table row: a reason, the confirming button and Cancel (withdraw a microcredential;
 * revoke, suspend or reinstate a credential). Must never act by itself: `onConfirm` does, after the user submits.
 * Keyboard: it takes the focus when it opens (its first field: the `extra` fields, else the reason), Escape cancels,
 * and when it closes the focus goes back to what opened it (if that is still on the page) instead of falling to <body>.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
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
  /** Fields before the reason (e.g. a credential's reason category). */
  extra?: ComponentChildren;
  /** A sentence under the reason field, tied to it (aria-describedby). */
  hint?: string;
}) {
  const { t } = useI18n();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    form.current?.querySelector<HTMLElement>('select, input')?.focus();
    return () => {
      // after the row re-renders: only when the focus was lost (an action that moved it elsewhere keeps its choice)
      setTimeout(() => {
        const lost = !document.activeElement || document.activeElement === document.body;
        if (lost && opener?.isConnected) opener.focus();
      }, 0);
    };
  }, []);
  return (
    <form
      ref={form}
      class="inline-form"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          p.onCancel();
        }
      }}
      onSubmit={(e) => {
        e.preventDefault();
        p.onConfirm();
      }}
    >
      {p.extra}
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        value={p.value}
        aria-describedby={p.hint ? `${p.id}-hint` : undefined}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
      />
      {p.hint && (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      )}
      <button class={p.confirmClass ?? 'btn btn-small'} type="submit">
        {p.confirmLabel}
      </button>
      <button class="btn btn-small btn-secondary" type="button" onClick={p.onCancel}>
        {t('app.cancel')}
      </button>
    </form>
  );
}
