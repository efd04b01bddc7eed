/**
 * "E-mail the learner their claim link" on an issuing form: the checkbox and, once ticked, the language of the e-mail.
 * Ids are `<id>-notify` and `<id>-lang`. Must never own the values: the form does, and sends them with its request.
 */
import { asLang, LANGS, useI18n, type Lang } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { Field } from './field.js';

export function NotifyFields(props: {
  id: string;
  label: MessageKey;
  notify: boolean;
  setNotify: (v: boolean) => void;
  language: Lang;
  setLanguage: (v: Lang) => void;
}) {
  const { t } = useI18n();
  const { id, notify, language } = props;
  return (
    <>
      <div class="field checkbox">
        <input id={`${id}-notify`} type="checkbox" checked={notify} onChange={(e) => props.setNotify((e.target as HTMLInputElement).checked)} />
        <label for={`${id}-notify`}>{t(props.label)}</label>
      </div>
      {notify && (
        <Field id={`${id}-lang`} label={t('issue.notifyLanguage')}>
          <select id={`${id}-lang`} value={language} onChange={(e) => props.setLanguage(asLang((e.target as HTMLSelectElement).value) ?? 'es')}>
            {LANGS.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
      )}
    </>
  );
}
