/**
 * What this node knows of the network, for people: which institution this node is, how fresh each institution's
 * data is here ("actualizado hace 2 min", counted from the node's own clock in the answer), peers and sync rounds
 * (newest first) by institution name; DIDs, peer ids, digests and reasons only under "Detalles técnicos".
 * Must never compute freshness from the browser's clock when the answer carries the node's.
 */
import { useEffect } from 'preact/hooks';
import { enc } from '../api.js';
import { ErrorBox, Loading, PageTitle, shortDid, useApi } from '../common.js';
import { relativeTime } from '../i18n/format.js';
import { useI18n, type LangMap } from '../i18n/index.js';
import { Link } from '../router.js';
import type { NetworkStatus } from '../types.js';

type Feed = NetworkStatus['feeds'][number];

/** "actualizado hace 2 min · al día" for one feed, against the node's clock `nowMs`. */
export function Freshness({ feed, nowMs }: { feed: Feed | undefined; nowMs: number }) {
  const i = useI18n();
  const { t } = i;
  if (!feed || !feed.updatedAt) return <span class="muted">{t('net.noData')}</span>;
  return (
    <span class="freshness">
      <time dateTime={feed.updatedAt} title={i.date(feed.updatedAt, true)}>
        {t('net.updated', { when: relativeTime(i.lang, feed.updatedAt, nowMs) })}
      </time>
      {' · '}
      {feed.behind > 0 ? <strong class="warn-text">{t('net.pending', { n: i.num(feed.behind) })}</strong> : t('net.upToDate')}
      {feed.frozen && <strong class="warn-text"> · {t('inst.frozen')}</strong>}
    </span>
  );
}

/** The node's clock from the answer; the browser's only if an answer lacks it. */
export function nodeNow(n: Pick<NetworkStatus, 'now'> | null | undefined): number {
  const at = n?.now ? Date.parse(n.now) : NaN;
  return Number.isNaN(at) ? Date.now() : at;
}

export function NetworkPage() {
  const i = useI18n();
  const { t, pick } = i;
  const res = useApi<NetworkStatus>('/api/v1/network');
  const n = res.data;
  // refresh every 30 s so "hace 2 min" stays true while the page is open
  useEffect(() => {
    const h = setInterval(() => res.reload(), 30_000);
    return () => clearInterval(h);
  }, [res.reload]);
  const nowMs = nodeNow(n);
  const nameOf = (did: string | null, name: LangMap) => pick(name) || (did ? shortDid(did) : '');
  const who = (did: string | null, name: LangMap) =>
    did ? <Link href={`/institutions/${enc(did)}`}>{nameOf(did, name)}</Link> : <span class="muted">{t('net.unknownPeer')}</span>;
  const nameByDid = new Map<string, LangMap>();
  for (const f of n?.feeds ?? []) if (f.institution) nameByDid.set(f.author, f.institution);
  for (const m of n?.members ?? []) if (m.institution) nameByDid.set(m.did, m.institution);
  const feeds = n
    ? [...n.feeds].sort((a, b) => (a.author === n.self.did ? -1 : b.author === n.self.did ? 1 : nameOf(a.author, a.institution).localeCompare(nameOf(b.author, b.institution), i.lang)))
    : [];
  const rounds = n ? [...n.rounds].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt)).slice(0, 20) : [];
  const selfName = n ? pick(n.self.institution) || shortDid(n.self.did) : '';
  return (
    <section>
      <PageTitle title={t('net.title')}>{t('net.title')}</PageTitle>
      <p class="lead">{t('net.intro')}</p>
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.loading && !n && <Loading />}
      {n && (
        <>
          <p class="self-node">
            <strong>{t('net.self', { name: selfName })}</strong>
          </p>
          <dl class="facts">
            <dt>{t('net.name')}</dt>
            <dd>{n.networkName}</dd>
            <dt>{t('net.federation')}</dt>
            <dd>{t(n.federation === 'running' ? 'net.federation.running' : 'net.federation.disabled')}</dd>
            {n.ownFeed && (
              <>
                <dt>{t('net.ownFeed')}</dt>
                <dd>{t(n.ownFeed.confirmed ? 'net.ownFeed.confirmed' : 'net.ownFeed.waiting')}</dd>
              </>
            )}
            <dt>{t('net.members')}</dt>
            <dd>{i.num(n.members.length)}</dd>
          </dl>
          <section aria-labelledby="feeds-h">
            <h2 id="feeds-h">{t('net.institutions')}</h2>
            <ul class="freshness-list">
              {feeds.map((f) => (
                <li key={f.author} data-author={f.author}>
                  <span class="fresh-name">
                    {who(f.author, f.institution)}
                    {f.author === n.self.did && <span class="muted"> ({t('inst.self')})</span>}
                  </span>{' '}
                  <span class="muted">{i.tx('enum.member.', f.member)}</span>
                  <br />
                  <Freshness feed={f} nowMs={nowMs} />
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="peers-h">
            <h2 id="peers-h">{t('net.peers')}</h2>
            {n.peers.length === 0 ? (
              <p class="muted">{t('net.noPeers')}</p>
            ) : (
              <ul class="freshness-list">
                {n.peers.map((p) => (
                  <li key={p.peerId}>
                    {who(p.did, p.institution)} · {p.connected ? t('net.connected') : t('inst.offline')}
                    {p.lastSeen && (
                      <>
                        {' · '}
                        {t('net.lastSeen')}{' '}
                        <time dateTime={p.lastSeen} title={i.date(p.lastSeen, true)}>
                          {relativeTime(i.lang, p.lastSeen, nowMs)}
                        </time>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
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
            {rounds.length === 0 ? (
              <p class="muted">{t('net.noRounds')}</p>
            ) : (
              <ol class="freshness-list rounds">
                {rounds.map((r, k) => (
                  <li key={k} data-started={r.startedAt}>
                    <time dateTime={r.startedAt} title={i.date(r.startedAt, true)}>
                      {relativeTime(i.lang, r.startedAt, nowMs)}
                    </time>
                    {' · '}
                    {who(r.did, r.did ? (nameByDid.get(r.did) ?? null) : null)}
                    {' · '}
                    {r.error ? <strong class="warn-text">{t('net.roundFailed')}</strong> : t('net.roundOk')}
                    {' · '}
                    {t('net.received')}: {i.num(r.entriesReceived ?? 0)} / {i.num(r.entriesAccepted ?? 0)}
                  </li>
                ))}
              </ol>
            )}
          </section>
          <details class="technical">
            <summary>{t('net.technical')}</summary>
            <dl class="facts">
              <dt>{t('net.name')}</dt>
              <dd>
                <code class="wrap">{n.network}</code>
              </dd>
              <dt>{t('inst.did')}</dt>
              <dd>
                <code class="wrap">{n.self.did}</code>
              </dd>
              {n.self.peerId && (
                <>
                  <dt>{t('net.peer')}</dt>
                  <dd>
                    <code class="wrap">{n.self.peerId}</code>
                  </dd>
                </>
              )}
              {n.ownFeed && (
                <>
                  <dt>{t('net.ownFeed')}</dt>
                  <dd class="wrap">{n.ownFeed.detail}</dd>
                </>
              )}
              <dt>{t('net.digest')}</dt>
              <dd>
                <code class="wrap">{n.digest}</code>
              </dd>
            </dl>
            <h3>{t('net.feeds')}</h3>
            <ul class="tech-list">
              {n.feeds.map((f) => (
                <li key={f.author}>
                  {nameOf(f.author, f.institution)}: <code class="wrap">{f.author}</code> · {t('net.head')} {f.head.seq} · {t('net.best')} {f.bestKnownSeq}
                </li>
              ))}
            </ul>
            {n.lists.feeds?.truncated && <p class="sub more">{t('list.more', { n: i.num(n.lists.feeds.total - n.lists.feeds.shown) })}</p>}
            {n.peers.length > 0 && (
              <>
                <h3>{t('net.peers')}</h3>
                <ul class="tech-list">
                  {n.peers.map((p) => (
                    <li key={p.peerId}>
                      {p.did ? nameOf(p.did, p.institution) : t('net.unknownPeer')}: <code class="wrap">{p.peerId}</code>
                      {p.dialFailures > 0 && (
                        <>
                          {' · '}
                          {t('net.dialFailures')}: {p.dialFailures} <small class="muted wrap">{p.lastDialError}</small>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {rounds.length > 0 && (
              <>
                <h3>{t('net.rounds')}</h3>
                <ul class="tech-list">
                  {rounds.map((r, k) => (
                    <li key={k}>
                      {i.date(r.startedAt, true)} · <code class="wrap">{shortDid(r.peer)}</code> · {t('net.reason')}: {i.tx('enum.syncReason.', r.reason)} · {t('net.duration')}: {i.num(r.durationMs)} ms
                      {r.error && (
                        <>
                          {' · '}
                          {t('net.error')}: <span class="wrap">{r.error}</span>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </details>
        </>
      )}
    </section>
  );
}
