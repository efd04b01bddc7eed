/**
 * The shell of the web app: skip link, header with navigation and the language toggle, the routed page in <main>,
 * and the footer. Routes are listed here and nowhere else.
 */
import { useEffect } from 'preact/hooks';
import { I18nProvider, LANGS, useI18n } from './i18n/index.js';
import { RefProvider, PageTitle } from './common.js';
import { Link, match, useLocation } from './router.js';
import { CataloguePage } from './pages/catalogue.js';
import { DetailPage } from './pages/detail.js';
import { InstitutionsPage, InstitutionPage } from './pages/institutions.js';
import { VerifyPage } from './pages/verify.js';
import { ClaimPage } from './pages/claim.js';
import { RecognitionPage } from './pages/recognition.js';
import { NetworkPage } from './pages/network.js';
import { AdminPage } from './pages/admin/index.js';
import type { MessageKey } from './i18n/es.js';

export function App() {
  return (
    <I18nProvider>
      <RefProvider>
        <Shell />
      </RefProvider>
    </I18nProvider>
  );
}

const NAV: { href: string; key: MessageKey }[] = [
  { href: '/', key: 'nav.catalogue' },
  { href: '/institutions', key: 'nav.institutions' },
  { href: '/verify', key: 'nav.verify' },
  { href: '/recognition', key: 'nav.recognition' },
  { href: '/network', key: 'nav.network' },
  { href: '/admin', key: 'nav.admin' },
];

function section(path: string): string {
  if (path === '/' || path.startsWith('/microcredentials')) return '/';
  return NAV.find((n) => n.href !== '/' && path.startsWith(n.href))?.href ?? '';
}

function Shell() {
  const { t, lang, setLang } = useI18n();
  const loc = useLocation();
  const active = section(loc.path);
  useEffect(() => {
    const mark = () => ((window as unknown as { __mochilaNavigated?: boolean }).__mochilaNavigated = true);
    window.addEventListener('mochila:navigate', mark);
    window.addEventListener('popstate', mark);
    return () => {
      window.removeEventListener('mochila:navigate', mark);
      window.removeEventListener('popstate', mark);
    };
  }, []);
  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header class="site-header">
        <div class="header-inner">
          <Link href="/" class="brand">
            <span class="brand-name">{t('app.name')}</span>
            <span class="brand-tag">{t('app.tagline')}</span>
          </Link>
          <div class="lang-toggle" role="group" aria-label={t('app.language')}>
            {LANGS.map((l) => (
              <button key={l.code} type="button" lang={l.code} aria-pressed={lang === l.code} class={lang === l.code ? 'active' : ''} onClick={() => setLang(l.code)}>
                {l.label}
              </button>
            ))}
          </div>
        </div>
        <nav aria-label={t('app.nav')} class="site-nav">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={active === n.href ? 'page' : undefined}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes path={loc.path} />
      </main>
      <footer class="site-footer">
        <p>
          {t('app.footer')} · <a href="/docs">{t('app.apiDocs')}</a>
        </p>
      </footer>
    </>
  );
}

function Routes({ path }: { path: string }) {
  if (path === '/' || path === '') return <CataloguePage />;
  let m = match('/microcredentials/:id', path);
  if (m) return <DetailPage id={m.id!} />;
  if (path === '/institutions') return <InstitutionsPage />;
  m = match('/institutions/:did', path);
  if (m) return <InstitutionPage did={m.did!} />;
  if (path === '/verify') return <VerifyPage />;
  m = match('/claim/:token', path);
  if (m) return <ClaimPage token={m.token!} />;
  if (path === '/recognition') return <RecognitionPage />;
  if (path === '/network') return <NetworkPage />;
  if (path === '/admin') return <AdminPage />;
  return <NotFound />;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle title={t('app.notFound')}>{t('app.notFound')}</PageTitle>
      <p>{t('app.notFoundText')}</p>
      <p>
        <Link href="/">{t('app.backHome')}</Link>
      </p>
    </section>
  );
}
