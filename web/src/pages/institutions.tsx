/**
 * Institutions of the network grouped by country, with a diagram of members, endorsements and online status;
 * and one institution's profile (with how fresh its data is on this node), catalogue and issuer keys.
 */
import { enc, qs } from '../api.js';
import { ErrorBox, Loading, PageTitle, shortDid, useApi } from '../common.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { ExternalLink } from '../safe-url.js';
import type { Endorsement, Institution, InstitutionDetail, InstitutionList, NetworkStatus } from '../types.js';
import { ResultCard } from './catalogue.js';
import { Accreditations, Decisions } from './detail.js';
import { Freshness, nodeNow } from './network.js';
import { ShareButtons } from '../components/share-buttons.js';

export function InstitutionsPage() {
  const i = useI18n();
  const { t, pick } = i;
  const res = useApi<InstitutionList>('/api/v1/institutions');
  const net = useApi<NetworkStatus>('/api/v1/network');
  const byCountry = new Map<string, Institution[]>();
  for (const inst of res.data?.items ?? []) {
    const c = inst.country || '—';
    byCountry.set(c, [...(byCountry.get(c) ?? []), inst]);
  }
  const countries = [...byCountry.keys()].sort((a, b) => i.region(a).localeCompare(i.region(b)));
  return (
    <section>
      <PageTitle title={t('inst.title')}>{t('inst.title')}</PageTitle>
      <p class="lead">{t('inst.intro')}</p>
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.loading && <Loading />}
      {res.data && (
        <>
          <NetworkDiagram institutions={res.data.items} endorsements={res.data.endorsements} network={net.data} />
          {countries.map((c) => (
            <section key={c} aria-labelledby={`country-${c}`}>
              <h2 id={`country-${c}`}>{i.region(c)}</h2>
              <ul class="cards inst-cards">
                {byCountry
                  .get(c)!
                  .sort((a, b) => pick(a.name).localeCompare(pick(b.name)))
                  .map((inst) => (
                    <li class="card" key={inst.did}>
                      <h3>
                        <Link href={`/institutions/${enc(inst.did)}`}>{pick(inst.name) || inst.did}</Link>
                      </h3>
                      <p class="meta">
                        {inst.shortName && <>{inst.shortName} · </>}
                        {i.tx('enum.kind.', inst.kind)} · {i.tx('enum.member.', inst.memberStatus)}
                      </p>
                      <p>{t('inst.count', { n: inst.microcredentialCount })}</p>
                    </li>
                  ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}

const COLORS = { online: '#1a7f37', offline: '#6e7781', self: '#0b4f8a' };

export function NetworkDiagram({ institutions, endorsements, network }: { institutions: Institution[]; endorsements: Endorsement[]; network: NetworkStatus | null }) {
  const i = useI18n();
  const { t, pick } = i;
  const W = 640;
  const H = 480;
  const cx = W / 2;
  const cy = H / 2 + 8;
  const countries = [...new Set(institutions.map((x) => x.country || '—'))].sort();
  const online = new Set<string>();
  if (network) {
    online.add(network.self.did);
    for (const p of network.peers) if (p.connected && p.did) online.add(p.did);
  }
  const pos = new Map<string, { x: number; y: number }>();
  const clusterR = countries.length > 1 ? 120 : 0;
  const clusters = countries.map((c, k) => {
    const a = (2 * Math.PI * k) / countries.length - Math.PI / 2;
    const center = { x: cx + clusterR * Math.cos(a), y: cy + clusterR * Math.sin(a) };
    const members = institutions.filter((x) => (x.country || '—') === c).sort((a2, b2) => a2.did.localeCompare(b2.did));
    const r = members.length > 1 ? 48 : 0;
    members.forEach((m, j) => {
      const b = (2 * Math.PI * j) / members.length + a;
      pos.set(m.did, { x: center.x + r * Math.cos(b), y: center.y + r * Math.sin(b) });
    });
    return { c, center, r };
  });
  const edges = endorsements.filter((e) => pos.has(e.author) && pos.has(e.subject));
  return (
    <figure class="diagram">
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-labelledby="diagram-title" aria-describedby="diagram-desc" width="100%">
        <title id="diagram-title">{t('inst.diagram')}</title>
        <desc id="diagram-desc">{t('inst.diagramDesc')}</desc>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="18" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a" />
          </marker>
        </defs>
        {clusters.map((cl) => (
          <g key={cl.c}>
            <circle cx={cl.center.x} cy={cl.center.y} r={cl.r + 30} fill="#f0f4f8" stroke="#c8d1dc" />
            <text x={cl.center.x} y={cl.center.y - cl.r - 36} text-anchor="middle" class="svg-country">
              {i.region(cl.c)}
            </text>
          </g>
        ))}
        {edges.map((e, n) => {
          const a = pos.get(e.author)!;
          const b = pos.get(e.subject)!;
          return <line key={n} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke="#57606a" stroke-width="1.5" marker-end="url(#arrow)" />;
        })}
        {institutions.map((inst) => {
          const p = pos.get(inst.did)!;
          const self = network?.self.did === inst.did;
          const color = self ? COLORS.self : online.has(inst.did) ? COLORS.online : COLORS.offline;
          const label = inst.shortName ?? pick(inst.name).slice(0, 12);
          return (
            <a key={inst.did} href={`/institutions/${enc(inst.did)}`} aria-label={pick(inst.name) || inst.did}>
              <circle cx={p.x} cy={p.y} r={11} fill={color} stroke="#fff" stroke-width="2" />
              <text x={p.x} y={p.y + 26} text-anchor="middle" class="svg-label">
                {label}
              </text>
            </a>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          <li>
            <span class="dot" style={{ background: COLORS.self }} /> {t('inst.self')}
          </li>
          <li>
            <span class="dot" style={{ background: COLORS.online }} /> {t('inst.online')}
          </li>
          <li>
            <span class="dot" style={{ background: COLORS.offline }} /> {t('inst.offline')}
          </li>
          <li>
            <span class="line" /> {t('inst.endorsement')}
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}

export function InstitutionPage({ did }: { did: string }) {
  const i = useI18n();
  const { t, pick } = i;
  const res = useApi<InstitutionDetail>(`/api/v1/institutions/${enc(did)}`);
  // how fresh this institution's data is on this node (its feed in the network status)
  const net = useApi<NetworkStatus>('/api/v1/network');
  const inst = res.data;
  if (res.error)
    return (
      <section>
        <PageTitle title={t('app.notFound')}>{t('app.notFound')}</PageTitle>
        <ErrorBox error={res.error} onRetry={res.reload} />
      </section>
    );
  if (!inst) return <Loading />;
  const p = inst.profile;
  const name = pick(inst.name) || inst.did;
  return (
    <article>
      <p class="breadcrumb">
        <Link href="/institutions">{t('nav.institutions')}</Link>
      </p>
      <PageTitle title={name}>{name}</PageTitle>
      {inst.frozen && <p class="alert alert-error">{t('inst.frozen')}</p>}
      {pick(p?.description) && <p class="lead">{pick(p?.description)}</p>}
      <ShareButtons title={name} path={`/institutions/${enc(inst.did)}`} />
      <section aria-labelledby="profile-h">
        <h2 id="profile-h">{t('inst.profile')}</h2>
        <dl class="facts">
          {pick(p?.unitName) && (
            <>
              <dt>{t('inst.unit')}</dt>
              <dd>{pick(p?.unitName)}</dd>
            </>
          )}
          <dt>{t('mc.country')}</dt>
          <dd>{i.region(inst.country)}</dd>
          {p?.city && (
            <>
              <dt>{t('inst.city')}</dt>
              <dd>{p.city}</dd>
            </>
          )}
          <dt>{t('inst.kind')}</dt>
          <dd>{i.tx('enum.kind.', inst.kind)}</dd>
          <dt>{t('inst.membership')}</dt>
          <dd>{i.tx('enum.member.', inst.memberStatus)}</dd>
          <dt>{t('inst.freshness')}</dt>
          <dd data-freshness>{net.data ? <Freshness feed={net.data.feeds.find((f) => f.author === inst.did)} nowMs={nodeNow(net.data)} /> : net.error ? '—' : t('app.loading')}</dd>
          {inst.endorsedBy.length > 0 && (
            <>
              <dt>{t('inst.endorsedBy')}</dt>
              <dd>
                <ul>
                  {inst.endorsedBy.map((d) => (
                    <li key={d}>
                      <Link href={`/institutions/${enc(d)}`}>{shortDid(d)}</Link>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {p?.website && (
            <>
              <dt>{t('inst.website')}</dt>
              <dd>
                <ExternalLink url={p.website} />
              </dd>
            </>
          )}
          {p?.email && (
            <>
              <dt>{t('inst.email')}</dt>
              <dd>
                <a href={`mailto:${p.email}`}>{p.email}</a>
              </dd>
            </>
          )}
          <dt>{t('inst.did')}</dt>
          <dd>
            <code class="wrap">{inst.did}</code>
          </dd>
        </dl>
      </section>
      <section aria-labelledby="cat-h">
        <h2 id="cat-h">{t('inst.catalogue')}</h2>
        {inst.catalogue.length === 0 ? (
          <p class="muted">{t('inst.emptyCatalogue')}</p>
        ) : (
          <ol class="cards">
            {inst.catalogue.map((m) => (
              <ResultCard key={m.id} m={m} />
            ))}
          </ol>
        )}
        {inst.lists.catalogue.truncated && (
          <p>
            <Link href={`/${qs({ institution: inst.did })}`}>{t('list.moreLink', { n: i.num(inst.lists.catalogue.total) })}</Link>
          </p>
        )}
      </section>
      <section aria-labelledby="inst-acc-h">
        <h2 id="inst-acc-h">{t('inst.accreditations')}</h2>
        <Accreditations items={inst.accreditations} history={inst.accreditationHistory} empty={t('inst.noAccreditations')} lists={inst.lists} />
      </section>
      <section aria-labelledby="inst-dec-h">
        <h2 id="inst-dec-h">{t('inst.decisions')}</h2>
        <Decisions items={inst.decisions} empty={t('inst.noDecisions')} more={inst.lists.decisions.total - inst.lists.decisions.shown} />
      </section>
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">{t('inst.keys')}</h2>
        <p>{t('inst.keysIntro')}</p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('inst.keyId')}</th>
                <th scope="col">{t('inst.validFrom')}</th>
                <th scope="col">{t('mc.status')}</th>
              </tr>
            </thead>
            <tbody>
              {inst.issuerKeys.map((k) => (
                <tr key={k.keyId}>
                  <td>
                    <code class="wrap">{k.keyId}</code>
                  </td>
                  <td>{i.date(k.validFrom, true)}</td>
                  <td>{k.revokedAt ? `${t('inst.revokedAt')} ${i.date(k.revokedAt, true)}${k.revocationReason ? ` (${k.revocationReason})` : ''}` : t('inst.notRevoked')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </article>
  );
}
