/**
 * The issue form's part for a programme's badge (a microcredential whose record stacks from modules): the unit uploads
 * the learner's module credentials (JSON files the learner handed over), which are sent with the request and checked
 * by the node (issue 15 item 2). Reads the files in the browser only; must never judge a credential itself (the node
 * verifies every one against its replica) nor send anything but what was parsed as JSON.
 */
import { useState } from 'preact/hooks';
import { Field, errorId } from '../../components/field.js';
import { useI18n } from '../../i18n/index.js';
import type { OwnMc } from './types.js';

/** One uploaded module credential: the file's name, what it says it is, the parsed JSON. */
export interface ModuleFile {
  file: string;
  achievement: string;
  credential: Record<string, unknown>;
}

/** At most this many files and bytes per file (the API takes 20 module credentials). */
const MAX_FILES = 20;
const MAX_BYTES = 512 * 1024;

/** The modules a microcredential of this unit stacks from (empty: not a programme). */
export function programmeModules(mc: OwnMc | undefined): { id: string; name?: Record<string, string> }[] {
  return (mc?.stackability?.stacksFrom ?? []) as { id: string; name?: Record<string, string> }[];
}

export function ModuleFields({ id, programme, value, onChange }: { id: string; programme: OwnMc; value: ModuleFile[]; onChange: (v: ModuleFile[]) => void }) {
  const { t, pick } = useI18n();
  const [error, setError] = useState('');
  const modules = programmeModules(programme);

  const read = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])].slice(0, MAX_FILES);
    const out: ModuleFile[] = [];
    const bad: string[] = [];
    for (const f of files) {
      if (f.size > MAX_BYTES) {
        bad.push(f.name);
        continue;
      }
      try {
        const credential = JSON.parse(await f.text()) as unknown;
        if (!credential || typeof credential !== 'object' || Array.isArray(credential)) throw new Error('not an object');
        const c = credential as { credentialSubject?: { achievement?: { name?: unknown } } };
        const name = c.credentialSubject?.achievement?.name;
        out.push({ file: f.name, achievement: typeof name === 'string' ? name : '', credential: credential as Record<string, unknown> });
      } catch {
        bad.push(f.name);
      }
    }
    setError(bad.length ? t('issue.modulesBadFiles', { list: bad.join(', ') }) : '');
    onChange(out);
  };

  return (
    <fieldset class="stack programme-modules">
      <legend>{t('issue.modules')}</legend>
      <p class="sub">{t('issue.modulesHelp', { n: modules.length })}</p>
      <ol>
        {modules.map((m) => (
          <li key={m.id}>{pick(m.name) || m.id}</li>
        ))}
      </ol>
      <Field id={id} label={t('issue.modulesFiles')} error={error}>
        <input id={id} type="file" multiple accept="application/json,.json,application/ld+json" onChange={read} {...(error ? { 'aria-describedby': errorId(id), 'aria-invalid': true } : {})} />
      </Field>
      {value.length > 0 && (
        <ul class="sub" aria-live="polite">
          {value.map((v) => (
            <li key={v.file}>
              {v.file}
              {v.achievement && <> — {v.achievement}</>}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
