/**
 * The network-wide catalogue: instant (debounced) search, facet filters with counts, sorting and paging. Every
 * piece of state lives in the URL so that a search can be shared as a link.
 */
import { useEffect, useState } from 'preact/hooks';
import { qs } from '../api.js';
import { ErrorBox, Loading, PageTitle, Text, useApi, useDebounced, useFieldLabel, useLevelLabel } from '../common.js';
import { useI18n, type LangMap } from '../i18n/index.js';
import type { MessageKey } from '../i18n/es.js';
import { Link, navigate, useLocation } from '../router.js';
import type { FacetValue, Institution, McSummary, SearchResponse } from '../types.js';

const DIMS = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'] as const;
type Dim = (typeof DIMS)[number];
const SCALARS = ['q', 'hoursMin', 'hoursMax', 'sort', 'page', 'pageSize'] as const;
const PAGE_SIZE = 20;

function apiQuery(search: URLSearchParams): string {
  const p: Record<string, string | undefined> = {};
  for (const k of [...SCALARS, ...DIMS]) {
    const v = search.get(k);
    if (v) p[k] = v;
  }
  p.pageSize ??= String(PAGE_SIZE);
  return qs(p);
}

function withParams(search: URLSearchParams, changes: Record<string, string | null>, resetPage = true): string {
  const next = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  if (resetPage && !('page' in changes)) next.delete('page');
  const s = next.toString();
  return `/${s ? `?${s}` : ''}`;
}

export function CataloguePage() {
  const { t, num } = useI18n();
  const loc = useLocation();
  const urlQ = loc.search.get('q') ?? '';
  const [text, setText] = useState(urlQ);
  const [wide] = useState(() => window.matchMedia?.('(min-width: 52rem)').matches ?? true);
  const debounced = useDebounced(text, 250);

  // typing → URL (replace, so the history is not flooded)
  useEffect(() => {
    if (debounced.trim() !== urlQ.trim()) navigate(withParams(new URLSearchParams(location.search), { q: debounced.trim() || null }), { replace: true });
  }, [debounced]);
  // URL → box (back / forward, shared links)
  useEffect(() => {
    if (urlQ.trim() !== text.trim() && urlQ.trim() !== debounced.trim()) setText(urlQ);
  }, [urlQ]);

  const res = useApi<SearchResponse>(`/api/v1/microcredentials${apiQuery(loc.search)}`);
  const insts = useApi<{ items: Institution[] }>('/api/v1/institutions');
  const instNames = new Map((insts.data?.items ?? []).map((x) => [x.did, x.name] as const));
  const data = res.data;
  const page = Number(loc.search.get('page') ?? '1') || 1;
  const pageSize = Number(loc.search.get('pageSize') ?? PAGE_SIZE) || PAGE_SIZE;
  const pages = data ? Math.max(1, Math.ceil(data.total / pageSize)) : 1;
  const anyFilter = DIMS.some((d) => loc.search.get(d)) || loc.search.get('hoursMin') || loc.search.get('hoursMax');

  return (
    <section class="catalogue">
      <PageTitle title={t('cat.title')}>{t('cat.title')}</PageTitle>
      <p class="lead">{t('cat.intro')}</p>
      <form class="search-bar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="q">{t('cat.search')}</label>
        <input id="q" name="q" type="search" value={text} placeholder={t('cat.searchPlaceholder')} autocomplete="off" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      </form>
      <div class="catalogue-layout">
        <aside class="filters" aria-labelledby="filters-title">
          <details open={wide} class="filters-box">
          <summary>
            <h2 id="filters-title">{t('cat.filters')}</h2>
          </summary>
          {anyFilter && (
            <p>
              <Link href={withParams(loc.search, Object.fromEntries([...DIMS, 'hoursMin', 'hoursMax'].map((d) => [d, null])))}>{t('cat.clearFilters')}</Link>
            </p>
          )}
          {DIMS.map((d) => (
            <Facet key={d} dim={d} values={data?.facets[d] ?? []} search={loc.search} names={instNames} />
          ))}
          <HoursFilter search={loc.search} />
          </details>
        </aside>
        <div class="results">
          <div class="results-bar">
            <p class="result-count" role="status" aria-live="polite" aria-atomic="true">
              {data ? (data.total === 1 ? t('cat.result1') : t('cat.results', { n: data.totalExact ? num(data.total) : `${num(data.total)}+` })) : ''}
            </p>
            <label class="sort">
              {t('cat.sort')}{' '}
              <select value={loc.search.get('sort') ?? 'relevance'} onChange={(e) => navigate(withParams(loc.search, { sort: (e.target as HTMLSelectElement).value === 'relevance' ? null : (e.target as HTMLSelectElement).value }))}>
                {(['relevance', 'title', 'hours', 'recent'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`cat.sort.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ErrorBox error={res.error} onRetry={res.reload} />
          {res.loading && !data && <Loading />}
          {data && data.items.length === 0 && <p class="empty">{t('cat.noResults')}</p>}
          {data && data.items.length > 0 && (
            <ol class="cards" aria-busy={res.loading}>
              {data.items.map((m) => (
                <ResultCard key={m.id} m={m} />
              ))}
            </ol>
          )}
          {data && pages > 1 && (
            <nav class="pagination" aria-label={t('cat.pagination')}>
              {page > 1 ? <Link href={withParams(loc.search, { page: page - 1 === 1 ? null : String(page - 1) }, false)}>{t('cat.prev')}</Link> : <span aria-hidden="true" />}
              <span>{t('cat.page', { page, pages })}</span>
              {page < pages ? <Link href={withParams(loc.search, { page: String(page + 1) }, false)}>{t('cat.next')}</Link> : <span aria-hidden="true" />}
            </nav>
          )}
        </div>
      </div>
    </section>
  );
}

function Facet({ dim, values, search, names }: { dim: Dim; values: FacetValue[]; search: URLSearchParams; names: Map<string, LangMap> }) {
  const i = useI18n();
  const fieldLabel = useFieldLabel();
  const levelLabel = useLevelLabel();
  const selected = (search.get(dim) ?? '').split(',').filter(Boolean);
  const all = [...values];
  for (const s of selected) if (!all.some((v) => v.value === s)) all.push({ value: s, count: 0 });
  if (all.length === 0) return null;
  const label = (v: FacetValue): string => {
    switch (dim) {
      case 'country':
        return i.region(v.value);
      case 'institution':
        return i.pick(names.get(v.value)) || v.label || v.value;
      case 'field':
        return fieldLabel(v.value);
      case 'level':
        return levelLabel(v.value);
      case 'participation':
        return i.tx('enum.participation.', v.value);
      case 'language':
        return i.language(v.value);
      case 'pilotArea':
        return i.tx('enum.pilotArea.', v.value);
    }
  };
  const toggle = (value: string, on: boolean) => {
    const next = on ? [...selected, value] : selected.filter((s) => s !== value);
    navigate(withParams(search, { [dim]: next.join(',') || null }));
  };
  return (
    <fieldset class="facet">
      <legend>{i.t(`facet.${dim}` as MessageKey)}</legend>
      <ul>
        {all.map((v) => {
          const id = `f-${dim}-${v.value.replace(/[^a-zA-Z0-9]/g, '_')}`;
          const checked = selected.includes(v.value);
          return (
            <li key={v.value}>
              <input type="checkbox" id={id} checked={checked} disabled={!checked && v.count === 0} onChange={(e) => toggle(v.value, (e.target as HTMLInputElement).checked)} />
              <label for={id}>
                {label(v)} <span class="count">({v.count})</span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

function HoursFilter({ search }: { search: URLSearchParams }) {
  const { t } = useI18n();
  const [min, setMin] = useState(search.get('hoursMin') ?? '');
  const [max, setMax] = useState(search.get('hoursMax') ?? '');
  const dMin = useDebounced(min, 400);
  const dMax = useDebounced(max, 400);
  useEffect(() => {
    const cur = new URLSearchParams(location.search);
    if ((cur.get('hoursMin') ?? '') !== dMin || (cur.get('hoursMax') ?? '') !== dMax) navigate(withParams(cur, { hoursMin: dMin || null, hoursMax: dMax || null }), { replace: true });
  }, [dMin, dMax]);
  return (
    <fieldset class="facet hours">
      <legend>{t('cat.workload')}</legend>
      <label for="hoursMin">{t('cat.hoursMin')}</label>
      <input id="hoursMin" type="number" min={0} inputMode="numeric" value={min} onInput={(e) => setMin((e.target as HTMLInputElement).value)} />
      <label for="hoursMax">{t('cat.hoursMax')}</label>
      <input id="hoursMax" type="number" min={0} inputMode="numeric" value={max} onInput={(e) => setMax((e.target as HTMLInputElement).value)} />
    </fieldset>
  );
}

export function ResultCard({ m }: { m: McSummary }) {
  const i = useI18n();
  const levelLabel = useLevelLabel();
  const fieldLabel = useFieldLabel();
  const inst = i.pick(m.institution.name) || m.institution.shortName || m.institution.did;
  return (
    <li class="card">
      <h3>
        <Link href={`/microcredentials/${encodeURIComponent(m.id)}`}>
          <Text m={m.title} />
        </Link>
      </h3>
      <p class="meta">
        {inst} · {i.region(m.country)}
        {m.status === 'withdrawn' && <> · <strong>{i.t('cat.withdrawn')}</strong></>}
      </p>
      {i.pick(m.description) && (
        <p class="desc">
          <Text m={m.description} />
        </p>
      )}
      <ul class="chips">
        {m.workload && (
          <li>
            {i.t('mc.workloadValue', { hours: i.num(m.workload.hours), credits: i.num(m.workload.credits.value), system: m.workload.credits.system })}
          </li>
        )}
        {m.level && <li>{levelLabel(m.level)}</li>}
        {m.participation?.mode && <li>{i.tx('enum.participation.', m.participation.mode)}</li>}
        {m.fieldOfStudy && <li>{fieldLabel(m.fieldOfStudy.iscedF)}</li>}
        {m.modules !== undefined && <li>{i.t('cat.programme', { n: m.modules })}</li>}
      </ul>
    </li>
  );
}
