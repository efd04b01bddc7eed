/**
 * Shared pieces of the web app: the data-fetching hook, reference data (ISCED-F fields, level frameworks, credit
 * systems) and small presentational components. Must never reach a host other than the node that served the page.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { useI18n, type LangMap } from './i18n/index.js';
import type { CreditSystemsReference } from './generated/reference-credit-systems.js';
import type { IscedFReference } from './generated/reference-isced-f.js';
import type { LevelsReference } from './generated/reference-levels.js';

export interface Loadable<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

/** Fetches `path` (null = nothing to fetch) and refetches when it changes; aborts stale requests. */
export function useApi<T>(path: string | null): Loadable<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 30_000);
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path, { signal: ac.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((e: unknown) => {
        if (ac.signal.aborted) return;
        setState({ data: null, error: e instanceof ApiError ? e : new ApiError(0, 'error', String((e as Error)?.message ?? e)), loading: false });
      })
      .finally(() => clearTimeout(timer));
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Reference data

// shapes generated from schemas/reference/*.schema.json (web/src/generated, `npm run gen:types`)
export type RefField = IscedFReference['fields'][number];
export type RefFramework = LevelsReference['frameworks'][number];
export type RefCreditSystem = CreditSystemsReference['systems'][number];
export interface RefData {
  fields: RefField[];
  frameworks: RefFramework[];
  creditSystems: RefCreditSystem[];
}

const RefCtx = createContext<RefData>({ fields: [], frameworks: [], creditSystems: [] });

export function RefProvider({ children }: { children: ComponentChildren }) {
  const fields = useApi<IscedFReference>('/api/v1/reference/isced-f');
  const levels = useApi<LevelsReference>('/api/v1/reference/levels');
  const credits = useApi<CreditSystemsReference>('/api/v1/reference/credit-systems');
  const value: RefData = { fields: fields.data?.fields ?? [], frameworks: levels.data?.frameworks ?? [], creditSystems: credits.data?.systems ?? [] };
  return <RefCtx.Provider value={value}>{children}</RefCtx.Provider>;
}

export function useRefData(): RefData {
  return useContext(RefCtx);
}

/** Label of an ISCED-F code, falling back to its closest broader field. */
export function useFieldLabel(): (code: string | null | undefined) => string {
  const { fields } = useRefData();
  const { pick } = useI18n();
  return (code) => {
    if (!code) return '';
    for (let n = code.length; n >= 2; n--) {
      const f = fields.find((x) => x.code === code.slice(0, n));
      if (f) return `${code} · ${pick(f.label)}`;
    }
    return code;
  };
}

/** "EQF 6" or the framework's own label for that level. */
export function useLevelLabel(): (l: { framework: string; value: string } | string | null | undefined) => string {
  const { frameworks } = useRefData();
  const { pick } = useI18n();
  return (l) => {
    if (!l) return '';
    const [framework, value] = typeof l === 'string' ? (l.includes(':') ? (l.split(':') as [string, string]) : ['', l]) : [l.framework, l.value];
    const fw = frameworks.find((f) => f.id === framework);
    const lv = fw?.levels.find((x) => x.value === value);
    if (lv) return pick(lv.label);
    return framework ? `${framework} ${value}` : value;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Components

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="muted" role="status" aria-live="polite">
      {t('app.loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: { message: string; technical?: string | null } | null; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert">
      <p>{t('app.error', { message: error.message })}</p>
      {error.technical && (
        <details>
          <summary>{t('app.technicalDetail')}</summary>
          <p class="wrap" lang="en">
            {error.technical}
          </p>
        </details>
      )}
      {onRetry && (
        <button type="button" class="btn btn-secondary" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** Puts focus on the page's h1 and sets the document title when a page mounts or its title changes. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = title ? `${title} · MOCHILA` : 'MOCHILA';
  }, [title]);
  useEffect(() => {
    // move focus to the new page's heading after client-side navigation (not on first load)
    if ((window as unknown as { __mochilaNavigated?: boolean }).__mochilaNavigated) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Badge({ kind, children }: { kind: 'ok' | 'failed' | 'unchecked' | 'info' | 'warn'; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

export function shortDid(did: string): string {
  return did.length > 28 ? `${did.slice(0, 16)}…${did.slice(-8)}` : did;
}

/** A multilingual record field in the chosen language; marks the fallback language (WCAG 3.1.2) when it differs. */
export function Text({ m }: { m: LangMap }) {
  const { lang, pick } = useI18n();
  const text = pick(m);
  if (!m || !text) return null;
  const used = (['es', 'en', 'pt'] as const).find((l) => m[l] === text);
  return used && used !== lang ? <span lang={used}>{text}</span> : <>{text}</>;
}
