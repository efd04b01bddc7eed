/**
 * What this node knows of the network: peers, feeds with their lag, equivocations and recent sync rounds.
 */
import { enc } from '../api.js';
import { ErrorBox, Loading, PageTitle, shortDid, useApi } from '../common.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import type { NetworkStatus } from '../types.js';

export function NetworkPage() {
  const i = useI18n();
  const { t, pick } = i;
  const res = useApi<NetworkStatus>('/api/v1/network');
  const n = res.data;
  const who = (did: string | null, name: Parameters<typeof pick>[0]) =>
    did ? <Link href={`/institutions/${enc(did)}`}>{pick(name) || shortDid(did)}</Link> : <span class="muted">—</span>;
  return (
    <section>
      <PageTitle title={t('net.title')}>{t('net.title')}</PageTitle>
      <p class="lead">{t('net.intro')}</p>
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.loading && !n && <Loading />}
      {n && (
        <>
          <dl class="facts">
            <dt>{t('net.name')}</dt>
            <dd>
              {n.networkName} <code>{n.network}</code>
            </dd>
            <dt>{t('net.federation')}</dt>
            <dd>{t(n.federation === 'running' ? 'net.federation.running' : 'net.federation.disabled')}</dd>
            {n.ownFeed && (
              <>
                <dt>{t('net.ownFeed')}</dt>
                <dd>
                  {t(n.ownFeed.confirmed ? 'net.ownFeed.confirmed' : 'net.ownFeed.waiting')} <small class="muted wrap">{n.ownFeed.detail}</small>
                </dd>
              </>
            )}
            <dt>{t('net.members')}</dt>
            <dd>{n.members.length}</dd>
            <dt>{t('net.digest')}</dt>
            <dd>
              <code class="wrap">{n.digest}</code>
            </dd>
          </dl>
          <section aria-labelledby="peers-h">
            <h2 id="peers-h">{t('net.peers')}</h2>
            {n.peers.length === 0 ? (
              <p class="muted">{t('net.noPeers')}</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('mc.institution')}</th>
                      <th scope="col">{t('net.peer')}</th>
                      <th scope="col">{t('net.connected')}</th>
                      <th scope="col">{t('net.lastSeen')}</th>
                      <th scope="col">{t('net.dialFailures')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {n.peers.map((p) => (
                      <tr key={p.peerId}>
                        <td>{who(p.did, p.institution)}</td>
                        <td>
                          <code>{shortDid(p.peerId)}</code>
                        </td>
                        <td>{p.connected ? t('app.yes') : t('app.no')}</td>
                        <td>{i.date(p.lastSeen, true)}</td>
                        <td>
                          {p.dialFailures ? (
                            <>
                              {p.dialFailures} <small class="muted wrap">{p.lastDialError}</small>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="feeds-h">
            <h2 id="feeds-h">{t('net.feeds')}</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('net.author')}</th>
                    <th scope="col">{t('inst.membership')}</th>
                    <th scope="col">{t('net.head')}</th>
                    <th scope="col">{t('net.best')}</th>
                    <th scope="col">{t('net.behind')}</th>
                  </tr>
                </thead>
                <tbody>
                  {n.feeds.map((f) => (
                    <tr key={f.author}>
                      <td>
                        {who(f.author, f.institution)}
                        {f.frozen && <strong class="warn-text"> · {t('inst.frozen')}</strong>}
                      </td>
                      <td>{i.tx('enum.member.', f.member)}</td>
                      <td>{f.head.seq}</td>
                      <td>{f.bestKnownSeq}</td>
                      <td>{f.behind > 0 ? f.behind : t('net.upToDate')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="eq-h">
            <h2 id="eq-h">{t('net.equivocations')}</h2>
            {n.equivocations.length === 0 ? (
              <p class="muted">{t('net.noEquivocations')}</p>
            ) : (
              <ul>
                {n.equivocations.map((e, k) => (
                  <li key={k}>
                    {who(e.author, e.institution)} · {t('net.seq')} {e.seq} · {t('net.detectedAt')} {i.date(e.detectedAt, true)}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="rounds-h">
            <h2 id="rounds-h">{t('net.rounds')}</h2>
            {n.rounds.length === 0 ? (
              <p class="muted">{t('net.noRounds')}</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('net.started')}</th>
                      <th scope="col">{t('net.peer')}</th>
                      <th scope="col">{t('net.reason')}</th>
                      <th scope="col">{t('net.received')}</th>
                      <th scope="col">{t('net.duration')}</th>
                      <th scope="col">{t('net.error')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...n.rounds]
                      .reverse()
                      .slice(0, 20)
                      .map((r, k) => (
                        <tr key={k}>
                          <td>{i.date(r.startedAt, true)}</td>
                          <td>{r.did ? who(r.did, null) : <code>{shortDid(r.peer)}</code>}</td>
                          <td>{r.reason}</td>
                          <td>
                            {r.entriesReceived ?? 0} / {r.entriesAccepted ?? 0}
                          </td>
                          <td>{r.durationMs} ms</td>
                          <td>{r.error ?? ''}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}
