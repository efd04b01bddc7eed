/**
 * The optional Open Badges 3.0 parts of the admin issue form (issue 15 item 1): evidence files (read in the browser
 * and sent as base64 with the request), a link, a narrative and its genre; results, one per assessed criterion (free
 * value, or a level of the portfolio rubric the seeds assess: critical thinking, development capacity,
 * self-reflection, fit to context); credits earned; activity dates. It owns only its inputs; `toRequest` turns them
 * into the issue request's fields, and the node checks everything again (types, sizes, levels). Must never read a
 * file the user did not pick, nor send one above the node's bounds.
 */
import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { Field } from '../../components/field.js';
import type { IssueCredentialRequest as IssueCredential } from '../../generated/api-issue-credential.js';

/** The node's bounds (node/credentials/evidence-files.ts): checked here too, so the user hears it before sending. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_FILES = 5;
export const MAX_TOTAL_BYTES = 10 * 1024 * 1024;

type MediaType = NonNullable<NonNullable<NonNullable<IssueCredential['evidence']>[number]['file']>['mediaType']>;
const BY_EXTENSION: Record<string, MediaType> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  txt: 'text/plain',
  md: 'text/plain',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
};
export const ACCEPT = Object.keys(BY_EXTENSION)
  .map((e) => `.${e}`)
  .join(',');

/** The media type the node expects for a file name (by its extension), or null when it is not accepted. */
export function mediaTypeOf(name: string): MediaType | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || null;
}

/** The seed's portfolio rubric: four criteria, four levels each. */
const RUBRIC_CRITERIA = ['evidence.rubric.critical', 'evidence.rubric.development', 'evidence.rubric.reflection', 'evidence.rubric.context'] as const;
const RUBRIC_LEVELS = ['evidence.level.initial', 'evidence.level.developing', 'evidence.level.achieved', 'evidence.level.outstanding'] as const;

export interface ResultRow {
  criterion: string;
  /** Level names when the criterion is a rubric row; the value is then one of them. */
  levels?: string[];
  value: string;
}

export interface EvidenceState {
  files: { name: string; mediaType: MediaType; content: string; size: number }[];
  narrative: string;
  genre: string;
  url: string;
  results: ResultRow[];
  credits: string;
  start: string;
  end: string;
}

export const emptyEvidence = (): EvidenceState => ({ files: [], narrative: '', genre: '', url: '', results: [], credits: '', start: '', end: '' });

/** The issue request's fields from the form's state (nothing for what was left empty). */
export function toRequest(s: EvidenceState): Pick<IssueCredential, 'evidence' | 'results' | 'creditsEarned' | 'activityStartDate' | 'activityEndDate'> {
  const narrative = s.narrative.trim();
  const genre = s.genre.trim();
  const evidence: NonNullable<IssueCredential['evidence']> = s.files.map((f, i) => ({
    file: { name: f.name, mediaType: f.mediaType, content: f.content },
    // the narrative and genre describe the files (on the first), or stand alone when there is none
    ...(i === 0 && narrative ? { narrative } : {}),
    ...(genre ? { genre } : {}),
  }));
  if (s.url.trim()) evidence.push({ url: s.url.trim(), ...(genre ? { genre } : {}) });
  if (narrative && !s.files.length) evidence.push({ narrative, ...(genre ? { genre } : {}) });
  const results = s.results
    .filter((r) => r.criterion.trim() && r.value.trim())
    .map((r) => (r.levels?.length ? { criterion: r.criterion.trim(), levels: r.levels.map((name) => ({ name })), achievedLevel: r.value } : { criterion: r.criterion.trim(), value: r.value.trim() }));
  const credits = s.credits.trim() ? Number(s.credits.replace(',', '.')) : undefined;
  return {
    ...(evidence.length ? { evidence } : {}),
    ...(results.length ? { results } : {}),
    ...(credits !== undefined && Number.isFinite(credits) ? { creditsEarned: credits } : {}),
    ...(s.start ? { activityStartDate: s.start } : {}),
    ...(s.end ? { activityEndDate: s.end } : {}),
  };
}

function base64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function EvidenceFields({ id, value, onChange }: { id: string; value: EvidenceState; onChange: (v: EvidenceState) => void }) {
  const { t } = useI18n();
  const [fileError, setFileError] = useState<string | null>(null);
  const set = (patch: Partial<EvidenceState>) => onChange({ ...value, ...patch });
  const setResult = (i: number, patch: Partial<ResultRow>) => set({ results: value.results.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const pickFiles = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const picked = [...(input.files ?? [])];
    setFileError(null);
    const files = [...value.files];
    for (const f of picked) {
      const mediaType = mediaTypeOf(f.name);
      if (!mediaType) {
        setFileError(t('evidence.badType', { name: f.name }));
        continue;
      }
      if (f.size > MAX_FILE_BYTES) {
        setFileError(t('evidence.tooLarge', { name: f.name }));
        continue;
      }
      if (files.length >= MAX_FILES || files.reduce((n, x) => n + x.size, 0) + f.size > MAX_TOTAL_BYTES) {
        setFileError(t('evidence.tooMany'));
        break;
      }
      if (files.some((x) => x.name === f.name)) continue;
      files.push({ name: f.name, mediaType, size: f.size, content: base64(await f.arrayBuffer()) });
    }
    input.value = '';
    set({ files });
  };

  return (
    <details class="evidence-fields" open={value.files.length > 0 || value.results.length > 0}>
      <summary>{t('evidence.title')}</summary>
      <p class="muted">{t('evidence.intro')}</p>
      <Field id={`${id}-files`} label={t('evidence.files')} error={fileError ?? undefined}>
        <input id={`${id}-files`} type="file" multiple accept={ACCEPT} onChange={(e) => void pickFiles(e)} aria-describedby={`${id}-files-hint`} />
      </Field>
      <p id={`${id}-files-hint`} class="muted">
        {t('evidence.filesHint')}
      </p>
      {value.files.length > 0 && (
        <ul class="evidence-list">
          {value.files.map((f) => (
            <li key={f.name}>
              <span class="wrap">{f.name}</span> <small class="muted">({Math.ceil(f.size / 1024)} KiB)</small>{' '}
              <button type="button" class="btn-text" onClick={() => set({ files: value.files.filter((x) => x.name !== f.name) })}>
                {t('evidence.remove', { name: f.name })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <Field id={`${id}-genre`} label={t('evidence.genre')}>
        <input id={`${id}-genre`} maxLength={100} placeholder={t('evidence.genrePlaceholder')} value={value.genre} onInput={(e) => set({ genre: (e.target as HTMLInputElement).value })} />
      </Field>
      <Field id={`${id}-narrative`} label={t('evidence.narrative')}>
        <textarea id={`${id}-narrative`} rows={3} maxLength={20000} value={value.narrative} onInput={(e) => set({ narrative: (e.target as HTMLTextAreaElement).value })} />
      </Field>
      <Field id={`${id}-url`} label={t('evidence.url')}>
        <input id={`${id}-url`} type="url" pattern="https?://.+" maxLength={2000} placeholder="https://" value={value.url} onInput={(e) => set({ url: (e.target as HTMLInputElement).value })} />
      </Field>

      <fieldset class="results">
        <legend>{t('evidence.results')}</legend>
        {value.results.map((r, i) => (
          <div class="result-row" key={i}>
            <Field id={`${id}-crit-${i}`} label={t('evidence.criterion')}>
              <input id={`${id}-crit-${i}`} maxLength={300} value={r.criterion} onInput={(e) => setResult(i, { criterion: (e.target as HTMLInputElement).value })} />
            </Field>
            <Field id={`${id}-val-${i}`} label={r.levels ? t('evidence.level') : t('evidence.value')}>
              {r.levels ? (
                <select id={`${id}-val-${i}`} value={r.value} onChange={(e) => setResult(i, { value: (e.target as HTMLSelectElement).value })}>
                  <option value="">{t('admin.choose')}</option>
                  {r.levels.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={`${id}-val-${i}`} maxLength={100} value={r.value} onInput={(e) => setResult(i, { value: (e.target as HTMLInputElement).value })} />
              )}
            </Field>
            <button type="button" class="btn-text" onClick={() => set({ results: value.results.filter((_, j) => j !== i) })}>
              {t('evidence.removeResult', { criterion: r.criterion || String(i + 1) })}
            </button>
          </div>
        ))}
        <p class="actions">
          <button type="button" class="btn btn-secondary" onClick={() => set({ results: [...value.results, { criterion: '', value: '' }] })}>
            {t('evidence.addResult')}
          </button>
          <button
            type="button"
            class="btn btn-secondary"
            onClick={() =>
              set({
                results: [
                  ...value.results.filter((r) => r.criterion.trim()),
                  ...RUBRIC_CRITERIA.map((k) => ({ criterion: t(k), levels: RUBRIC_LEVELS.map((l) => t(l)), value: '' })),
                ],
              })
            }
          >
            {t('evidence.addRubric')}
          </button>
        </p>
      </fieldset>

      <div class="evidence-grid">
        <Field id={`${id}-credits`} label={t('evidence.credits')}>
          <input id={`${id}-credits`} inputMode="decimal" pattern="\d{1,4}([.,]\d{1,3})?" value={value.credits} onInput={(e) => set({ credits: (e.target as HTMLInputElement).value })} />
        </Field>
        <Field id={`${id}-start`} label={t('evidence.start')}>
          <input id={`${id}-start`} type="date" value={value.start} onInput={(e) => set({ start: (e.target as HTMLInputElement).value })} />
        </Field>
        <Field id={`${id}-end`} label={t('evidence.end')}>
          <input id={`${id}-end`} type="date" min={value.start || undefined} value={value.end} onInput={(e) => set({ end: (e.target as HTMLInputElement).value })} />
        </Field>
      </div>
    </details>
  );
}
