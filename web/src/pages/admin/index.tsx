/**
 * The unit's admin area, behind the admin token (kept in sessionStorage, sent as a Bearer token): sign-in, the tabs,
 * and this unit's own catalogue (loaded once, shared by the catalogue and issue tabs). Each task is its own module in
 * this folder: catalogue (list, withdraw), publish (the record editor), issue (one credential), cohort (a CSV batch),
 * credentials (issued list; revoke, suspend, reinstate), decision (a recognition decision). Must never keep the token
 * anywhere but sessionStorage, nor call a host other than the node that served the page.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { ErrorBox, PageTitle } from '../../common.js';
import { useI18n } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/es.js';
import { Link, useLocation } from '../../router.js';
import { Field } from '../../components/field.js';
import { CatalogueAdmin } from './catalogue.js';
import { CredentialsAdmin } from './credentials.js';
import { DecisionAdmin } from './decision.js';
import { IssueAdmin } from './issue.js';
import type { OwnMc, OwnMcList } from './types.js';

const TOKEN_KEY = 'mochila.adminToken';
const TABS = ['catalogue', 'issue', 'credentials', 'recognition'] as const;
type Tab = (typeof TABS)[number];

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function AdminPage() {
  const { t } = useI18n();
  const [token, setToken] = useState<string | null>(readToken);
  const loc = useLocation();
  const tab: Tab = (TABS as readonly string[]).includes(loc.search.get('tab') ?? '') ? (loc.search.get('tab') as Tab) : 'catalogue';
  const [own, setOwn] = useState<OwnMc[] | null>(null);
  const [ownError, setOwnError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!token) return;
    api<OwnMcList>('/api/v1/admin/microcredentials', { token })
      .then((r) => {
        setOwn(r.items);
        setOwnError(null);
      })
      .catch((e: ApiError) => {
        if (e.status === 401 || e.status === 403) {
          sessionStorage.removeItem(TOKEN_KEY);
          setToken(null);
          setOwnError(new ApiError(e.status, e.code, t('admin.badToken')));
        } else setOwnError(e);
      });
  }, [token, tick]);

  if (!token)
    return (
      <SignIn
        error={ownError}
        onToken={(tk) => {
          sessionStorage.setItem(TOKEN_KEY, tk);
          setOwnError(null);
          setToken(tk);
        }}
      />
    );

  const tabLabel: Record<Tab, MessageKey> = {
    catalogue: 'admin.tab.catalogue',
    issue: 'admin.tab.issue',
    credentials: 'admin.tab.credentials',
    recognition: 'admin.tab.recognition',
  };
  return (
    <section>
      <PageTitle title={t('admin.title')}>{t('admin.title')}</PageTitle>
      <p>
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => {
            sessionStorage.removeItem(TOKEN_KEY);
            setToken(null);
            setOwn(null);
          }}
        >
          {t('admin.signOut')}
        </button>
      </p>
      <nav aria-label={t('admin.tabs')} class="subnav">
        <ul>
          {TABS.map((k) => (
            <li key={k}>
              <Link href={`/admin?tab=${k}`} aria-current={tab === k ? 'page' : undefined}>
                {t(tabLabel[k])}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorBox error={ownError} />
      {tab === 'catalogue' && <CatalogueAdmin token={token} own={own ?? []} onChanged={() => setTick((n) => n + 1)} />}
      {tab === 'issue' && <IssueAdmin token={token} own={(own ?? []).filter((m) => m.status === 'active')} />}
      {tab === 'credentials' && <CredentialsAdmin token={token} own={own ?? []} />}
      {tab === 'recognition' && <DecisionAdmin token={token} />}
    </section>
  );
}

function SignIn({ onToken, error }: { onToken: (t: string) => void; error: ApiError | null }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  return (
    <section>
      <PageTitle title={t('admin.signIn')}>{t('admin.signIn')}</PageTitle>
      <p>{t('admin.signInIntro')}</p>
      <ErrorBox error={error} />
      <form
        class="stack narrow"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <Field id="admin-token" label={t('admin.token')}>
          <input
            id="admin-token"
            type="password"
            autocomplete="off"
            required
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </Field>
        <div class="actions">
          <button class="btn" type="submit">
            {t('admin.signIn')}
          </button>
        </div>
      </form>
    </section>
  );
}
