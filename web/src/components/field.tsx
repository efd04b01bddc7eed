/**
 * One form field as every form of the app lays it out: the label (with "required" when it is), the control given as
 * children, and the field's error under it (id `<id>-err`, for the control's aria-describedby). Must never own the
 * field's value or decide whether it is valid: the form does.
 */
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/index.js';

/** The id of a field's error message, for the control's `aria-describedby`. */
export const errorId = (id: string) => `${id}-err`;

export function Field({
  id,
  label,
  required,
  error,
  class: extra,
  children,
}: {
  id: string;
  label: ComponentChildren;
  required?: boolean;
  error?: string;
  class?: string;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <div class={['field', extra, error ? 'has-error' : ''].filter(Boolean).join(' ')}>
      <label for={id}>
        {label}
        {required && <span class="req"> ({t('admin.required')})</span>}
      </label>
      {children}
      {error && (
        <p id={errorId(id)} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
