/**
 * The publish form's pickers: a language tab strip for a multilingual group (WAI-ARIA tabs: arrow keys, Home/End,
 * a mark on tabs that have text or an error), the languages of instruction (ISO 639-1 names in the interface
 * language, checkboxes with a filter), skills (those already used in the catalogue, or typed with framework/URI),
 * the programmes it stacks towards and the modules it stacks from. Keyboard-operable; after a removal the focus goes
 * to the next item or the list's control, never to <body>. Must never call the API nor judge a module id itself
 * beyond its shape (the node does).
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Field, errorId } from '../../components/field.js';
import { useI18n } from '../../i18n/index.js';
import { isHttpUrl, isLangCode, isModuleId, LANGS, LIMITS, type Lang, type LangMapIn, type ModuleItem, type SkillItem, type TowardsItem } from './mc-form.js';

/** A language's own name ("Español · English · Português"), whatever the interface language. */
export function endonym(l: string): string {
  try {
    const n = new Intl.DisplayNames([l], { type: 'language' }).of(l) ?? l;
    return n.charAt(0).toLocaleUpperCase(l) + n.slice(1);
  } catch {
    return l;
  }
}

/** The tab strip of a multilingual group; the panel (children) shows the active language's control. */
export function LangTabs({
  id,
  label,
  active,
  onSelect,
  filled,
  errors,
  children,
}: {
  id: string;
  label: string;
  active: Lang;
  onSelect: (l: Lang) => void;
  filled: Record<Lang, boolean>;
  errors: Record<Lang, boolean>;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  const tabId = (l: Lang) => `${id}-tab-${l}`;
  const go = (l: Lang) => {
    onSelect(l);
    document.getElementById(tabId(l))?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const k = LANGS.indexOf(active);
    const next = e.key === 'ArrowRight' ? LANGS[(k + 1) % LANGS.length] : e.key === 'ArrowLeft' ? LANGS[(k + LANGS.length - 1) % LANGS.length] : e.key === 'Home' ? LANGS[0] : e.key === 'End' ? LANGS[LANGS.length - 1] : undefined;
    if (next) {
      e.preventDefault();
      go(next);
    }
  };
  return (
    <div class="lang-tabs">
      <div role="tablist" aria-label={t('admin.mc.langTabs', { field: label })} class="lang-tablist" onKeyDown={onKey}>
        {LANGS.map((l) => (
          <button
            key={l}
            type="button"
            role="tab"
            id={tabId(l)}
            lang={l}
            aria-selected={l === active}
            aria-controls={`${id}-panel`}
            tabIndex={l === active ? 0 : -1}
            class={['lang-tab', errors[l] ? 'tab-error' : '', filled[l] ? 'tab-filled' : ''].filter(Boolean).join(' ')}
            onClick={() => onSelect(l)}
          >
            {endonym(l)}
            {errors[l] ? (
              <span class="tab-mark" aria-label={t('admin.mc.tabError')} role="img">
                {' '}
                ⚠
              </span>
            ) : filled[l] ? (
              <span class="tab-mark" aria-label={t('admin.mc.tabFilled')} role="img">
                {' '}
                ✓
              </span>
            ) : null}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={tabId(active)} class="lang-panel">
        {children}
      </div>
    </div>
  );
}

/** ISO 639-1 codes: the languages a microcredential can be taught in (named by Intl.DisplayNames). */
const ISO_639_1 =
  'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'.split(
    ' ',
  );
/** Shown before any filter: the region's languages first. */
const COMMON = ['es', 'en', 'pt', 'fr', 'de', 'it', 'qu', 'gn', 'ay'];
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Languages of instruction: the chosen ones, then a filter and the matching languages as checkboxes. */
export function LanguagePicker({ id, value, onChange, error, focus }: { id: string; value: string[]; onChange: (v: string[]) => void; error?: string; focus: (id: string) => void }) {
  const { t, language } = useI18n();
  const [q, setQ] = useState('');
  const query = fold(q.trim());
  const matches = query
    ? ISO_639_1.filter((c) => c === query || fold(language(c)).includes(query)).slice(0, 12)
    : COMMON;
  // a code outside ISO 639-1 (ISO 639-3 such as quc, or a tag such as es-MX) can be added as typed
  const extra = q.trim() && isLangCode(q.trim()) && !ISO_639_1.includes(q.trim()) ? [q.trim()] : [];
  const shown = [...value.filter((c) => !matches.includes(c) && !extra.includes(c)), ...matches, ...extra];
  const toggle = (c: string, on: boolean) => {
    onChange(on ? [...value.filter((x) => x !== c), c] : value.filter((x) => x !== c));
    // unticked and no longer matching the filter, its checkbox goes: the focus goes to the filter, not to <body>
    if (!on && !matches.includes(c) && !extra.includes(c)) focus(id);
  };
  return (
    <fieldset class="picker" aria-describedby={error ? errorId(id) : undefined}>
      <legend>
        {t('admin.f.languages')} <span class="req">({t('admin.required')})</span>
      </legend>
      {value.length > 0 && (
        <ul class="chips" aria-label={t('admin.mc.chosen')}>
          {value.map((c, k) => (
            <li key={c}>
              {language(c)} <span class="muted">({c})</span>{' '}
              <RemoveButton id={id} k={k} n={value.length} what={language(c)} fallback={id} onRemove={() => onChange(value.filter((x) => x !== c))} focus={focus} />
            </li>
          ))}
        </ul>
      )}
      <Field id={id} label={t('admin.mc.languageFilter')} error={error}>
        <input id={id} type="search" value={q} aria-invalid={!!error} aria-describedby={error ? errorId(id) : `${id}-hint`} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      </Field>
      <p id={`${id}-hint`} class="hint">
        {t('admin.mc.languageHint')}
      </p>
      <div class="picker-options">
        {shown.map((c) => (
          <div class="field checkbox" key={c}>
            <input id={`${id}-opt-${c}`} type="checkbox" checked={value.includes(c)} onChange={(e) => toggle(c, (e.target as HTMLInputElement).checked)} />
            <label for={`${id}-opt-${c}`}>
              {language(c)} <span class="muted">({c})</span>
            </label>
          </div>
        ))}
        {!shown.length && <p class="muted">{t('admin.mc.noMatch')}</p>}
      </div>
    </fieldset>
  );
}

/**
 * The × of a chosen item: removes item `k` of `n` and moves the focus to the item that takes its place, else the one
 * before it, else `fallback` — never to <body>.
 */
function RemoveButton({ id, k, n, what, fallback, onRemove, focus }: { id: string; k: number; n: number; what: string; fallback: string; onRemove: () => void; focus: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      id={`${id}-rm-${k}`}
      class="chip-remove"
      aria-label={t('admin.mc.remove', { what })}
      onClick={() => {
        onRemove();
        focus(k < n - 1 ? `${id}-rm-${k}` : k > 0 ? `${id}-rm-${k - 1}` : fallback);
      }}
    >
      ×
    </button>
  );
}

const sameSkill = (a: SkillItem, b: SkillItem) => JSON.stringify(a.name) === JSON.stringify(b.name) && (a.uri ?? '') === (b.uri ?? '') && (a.framework ?? '') === (b.framework ?? '');

/** Three short inputs for a name in es/en/pt (Spanish first; at least one). */
function NameInputs({ id, value, onChange, error }: { id: string; value: LangMapIn; onChange: (v: LangMapIn) => void; error?: string }) {
  const { t } = useI18n();
  return (
    <div class="grid3">
      {LANGS.map((l) => (
        <Field key={l} id={`${id}-${l}`} label={t('admin.mc.nameIn', { lang: endonym(l) })} error={l === 'es' ? error : undefined}>
          <input
            id={`${id}-${l}`}
            lang={l}
            value={value[l] ?? ''}
            maxLength={300}
            aria-invalid={l === 'es' && !!error}
            aria-describedby={l === 'es' && error ? errorId(`${id}-${l}`) : undefined}
            onInput={(e) => onChange({ ...value, [l]: (e.target as HTMLInputElement).value })}
          />
        </Field>
      ))}
    </div>
  );
}
const trimmedMap = (m: LangMapIn): LangMapIn => Object.fromEntries(LANGS.filter((l) => m[l]?.trim()).map((l) => [l, m[l]!.trim()]));

/** Skills: those already used in the catalogue to pick from (filtered), or a new one with its framework and URI. */
export function SkillPicker({ id, value, onChange, suggestions, error, focus }: { id: string; value: SkillItem[]; onChange: (v: SkillItem[]) => void; suggestions: SkillItem[]; error?: string; focus: (id: string) => void }) {
  const { t, pick } = useI18n();
  const [q, setQ] = useState('');
  const [draft, setDraft] = useState<{ name: LangMapIn; framework: string; uri: string }>({ name: {}, framework: '', uri: '' });
  const [draftErr, setDraftErr] = useState<{ name?: string; uri?: string }>({});
  const query = fold(q.trim());
  const offered = suggestions.filter((s) => !value.some((v) => sameSkill(v, s)) && (!query || LANGS.some((l) => fold(s.name[l] ?? '').includes(query)))).slice(0, 12);
  const add = (s: SkillItem) => onChange([...value, s]);
  const full = value.length >= LIMITS.skills;
  return (
    <fieldset class="picker" aria-describedby={error ? errorId(id) : undefined}>
      <legend>{t('admin.f.skills')}</legend>
      {value.length > 0 && (
        <ul class="chips" aria-label={t('admin.mc.chosen')}>
          {value.map((s, k) => (
            <li key={k}>
              {pick(s.name)}
              {s.framework && <span class="muted"> ({s.framework})</span>}{' '}
              <RemoveButton id={id} k={k} n={value.length} what={pick(s.name)} fallback={id} onRemove={() => onChange(value.filter((_, j) => j !== k))} focus={focus} />
            </li>
          ))}
        </ul>
      )}
      <Field id={id} label={t('admin.mc.skillFilter')} error={error}>
        <input id={id} type="search" value={q} aria-invalid={!!error} aria-describedby={error ? errorId(id) : `${id}-hint`} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      </Field>
      <p id={`${id}-hint`} class="hint">
        {t('admin.mc.skillHint', { n: suggestions.length })}
      </p>
      {offered.length > 0 && (
        <ul class="picker-options plain">
          {offered.map((s, k) => (
            <li key={k}>
              <button
                type="button"
                class="btn btn-small btn-secondary"
                disabled={full}
                onClick={() => {
                  add(s);
                  focus(id); // the button goes once its skill is chosen: back to the filter
                }}
              >
                {t('admin.mc.add', { what: `${pick(s.name)}${s.framework ? ` (${s.framework})` : ''}` })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <details class="picker-new">
        <summary>{t('admin.mc.skillNew')}</summary>
        <NameInputs id={`${id}-new`} value={draft.name} onChange={(name) => setDraft((d) => ({ ...d, name }))} error={draftErr.name} />
        <div class="grid2">
          <Field id={`${id}-new-framework`} label={t('admin.mc.skillFramework')}>
            <input id={`${id}-new-framework`} value={draft.framework} maxLength={LIMITS.skillFramework} onInput={(e) => setDraft((d) => ({ ...d, framework: (e.target as HTMLInputElement).value }))} />
          </Field>
          <Field id={`${id}-new-uri`} label={t('admin.mc.skillUri')} error={draftErr.uri}>
            <input
              id={`${id}-new-uri`}
              type="url"
              value={draft.uri}
              aria-invalid={!!draftErr.uri}
              aria-describedby={draftErr.uri ? errorId(`${id}-new-uri`) : undefined}
              onInput={(e) => setDraft((d) => ({ ...d, uri: (e.target as HTMLInputElement).value }))}
            />
          </Field>
        </div>
        <button
          type="button"
          class="btn btn-small"
          disabled={full}
          onClick={() => {
            const name = trimmedMap(draft.name);
            const uri = draft.uri.trim();
            const errs = { name: Object.keys(name).length ? undefined : t('admin.err.nameNeeded'), uri: uri && !isHttpUrl(uri) ? t('admin.err.url') : undefined };
            setDraftErr(errs);
            if (errs.name || errs.uri) {
              focus(errs.name ? `${id}-new-es` : `${id}-new-uri`);
              return;
            }
            add({ name, ...(draft.framework.trim() ? { framework: draft.framework.trim() } : {}), ...(uri ? { uri } : {}) });
            setDraft({ name: {}, framework: '', uri: '' });
            focus(`${id}-new-es`);
          }}
        >
          {t('admin.mc.skillAdd')}
        </button>
      </details>
    </fieldset>
  );
}

/** The programmes this microcredential stacks towards: names (es/en/pt) and an optional id. */
export function TowardsPicker({ id, value, onChange, error, focus }: { id: string; value: TowardsItem[]; onChange: (v: TowardsItem[]) => void; error?: string; focus: (id: string) => void }) {
  const { t, pick } = useI18n();
  const [draft, setDraft] = useState<{ name: LangMapIn; id: string }>({ name: {}, id: '' });
  const [nameErr, setNameErr] = useState<string>();
  return (
    <fieldset class="picker" id={id} tabIndex={-1} aria-describedby={error ? errorId(id) : undefined}>
      <legend>{t('admin.f.towards')}</legend>
      {value.length > 0 && (
        <ul class="chips">
          {value.map((s, k) => (
            <li key={k}>
              {pick(s.name)}
              {s.id && <span class="muted"> ({s.id})</span>}{' '}
              <RemoveButton id={id} k={k} n={value.length} what={pick(s.name)} fallback={`${id}-new-es`} onRemove={() => onChange(value.filter((_, j) => j !== k))} focus={focus} />
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p id={errorId(id)} class="field-error">
          {error}
        </p>
      )}
      <NameInputs id={`${id}-new`} value={draft.name} onChange={(name) => setDraft((d) => ({ ...d, name }))} error={nameErr} />
      <Field id={`${id}-new-id`} label={t('admin.mc.towardsId')}>
        <input id={`${id}-new-id`} value={draft.id} maxLength={200} onInput={(e) => setDraft((d) => ({ ...d, id: (e.target as HTMLInputElement).value }))} />
      </Field>
      <button
        type="button"
        class="btn btn-small"
        disabled={value.length >= LIMITS.towards}
        onClick={() => {
          const name = trimmedMap(draft.name);
          if (!Object.keys(name).length) {
            setNameErr(t('admin.err.nameNeeded'));
            focus(`${id}-new-es`);
            return;
          }
          setNameErr(undefined);
          onChange([...value, { name, ...(draft.id.trim() ? { id: draft.id.trim() } : {}) }]);
          setDraft({ name: {}, id: '' });
          focus(`${id}-new-es`);
        }}
      >
        {t('admin.mc.towardsAdd')}
      </button>
    </fieldset>
  );
}

/**
 * The modules this microcredential stacks from (it is then a programme): one of the unit's own published
 * microcredentials, or a network-wide id, with an optional earliest version.
 */
export function ModulesPicker({
  id,
  value,
  onChange,
  own,
  error,
  focus,
}: {
  id: string;
  value: ModuleItem[];
  onChange: (v: ModuleItem[]) => void;
  own: { id: string; title?: LangMapIn }[];
  error?: string;
  focus: (id: string) => void;
}) {
  const { t, pick } = useI18n();
  const [ownId, setOwnId] = useState('');
  const [netId, setNetId] = useState('');
  const [minVersion, setMinVersion] = useState('');
  const [draftErr, setDraftErr] = useState<{ net?: string; min?: string }>({});
  const titleOf = (mid: string) => pick(own.find((o) => o.id === mid)?.title) || '';
  return (
    <fieldset class="picker" aria-describedby={error ? errorId(id) : undefined}>
      <legend>{t('admin.f.modules')}</legend>
      <p class="hint">{t('admin.mc.modulesHint')}</p>
      {value.length > 0 && (
        <ol class="module-list">
          {value.map((m, k) => (
            <li key={m.id}>
              {pick(m.name) || titleOf(m.id) || m.id} <code>{m.id}</code>
              {m.minVersion !== undefined && <> · {t('mc.moduleMinVersion', { n: m.minVersion })}</>}{' '}
              <RemoveButton id={id} k={k} n={value.length} what={pick(m.name) || titleOf(m.id) || m.id} fallback={id} onRemove={() => onChange(value.filter((_, j) => j !== k))} focus={focus} />
            </li>
          ))}
        </ol>
      )}
      <div class="grid3">
        <Field id={id} label={t('admin.mc.moduleOwn')} error={error}>
          <select id={id} value={ownId} aria-invalid={!!error} aria-describedby={error ? errorId(id) : undefined} onChange={(e) => setOwnId((e.target as HTMLSelectElement).value)}>
            <option value="">{t('admin.choose')}</option>
            {own
              .filter((o) => !value.some((m) => m.id === o.id))
              .map((o) => (
                <option key={o.id} value={o.id}>
                  {pick(o.title) || o.id}
                </option>
              ))}
          </select>
        </Field>
        <Field id={`${id}-net`} label={t('admin.mc.moduleNet')} error={draftErr.net}>
          <input id={`${id}-net`} value={netId} aria-invalid={!!draftErr.net} aria-describedby={draftErr.net ? errorId(`${id}-net`) : undefined} onInput={(e) => setNetId((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id={`${id}-min`} label={t('admin.mc.moduleMin')} error={draftErr.min}>
          <input id={`${id}-min`} type="number" min={1} step={1} value={minVersion} aria-invalid={!!draftErr.min} aria-describedby={draftErr.min ? errorId(`${id}-min`) : undefined} onInput={(e) => setMinVersion((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      <button
        type="button"
        class="btn btn-small"
        disabled={value.length >= LIMITS.modules}
        onClick={() => {
          const mid = netId.trim() || ownId;
          const min = minVersion.trim();
          const errs = {
            net: !mid ? t('admin.err.moduleNeeded') : !isModuleId(mid) ? t('admin.err.moduleId') : value.some((m) => m.id === mid) ? t('admin.err.moduleTwice') : undefined,
            min: min && !(Number.isInteger(Number(min)) && Number(min) >= 1 && Number(min) <= 100000) ? t('admin.err.minVersion') : undefined,
          };
          setDraftErr(errs);
          if (errs.net || errs.min) {
            focus(errs.net ? (netId.trim() ? `${id}-net` : id) : `${id}-min`);
            return;
          }
          const own1 = own.find((o) => o.id === mid);
          onChange([...value, { id: mid, ...(own1?.title ? { name: own1.title } : {}), ...(min ? { minVersion: Number(min) } : {}) }]);
          setOwnId('');
          setNetId('');
          setMinVersion('');
          focus(id);
        }}
      >
        {t('admin.mc.moduleAdd')}
      </button>
    </fieldset>
  );
}
