/**
 * One microcredential: every EU standard element, field, languages, skills, the institution, accreditations,
 * recognition decisions by other institutions and the version history.
 */
import { enc, qs } from '../api.js';
import { ErrorBox, Loading, PageTitle, Text, useApi, useFieldLabel, useLevelLabel } from '../common.js';
import { useI18n } from '../i18n/index.js';
import { Link, useLocation } from '../router.js';
import { ExternalLink } from '../safe-url.js';
import type { Accreditation, Decision, McDetail, McRecord } from '../types.js';
import { ShareButtons } from '../components/share-buttons.js';

/** A network-wide microcredential id (<code>.<16 hex>): what the catalogue links to. */
const MC_ID = /^[a-z0-9][a-z0-9-]{2,63}\.[0-9a-f]{16}$/;

/** A programme's modules (stackability.stacksFrom) as the replica knows them, each linked to its own page. */
function ProgrammeModules({ modules }: { modules: NonNullable<McDetail['modules']> }) {
  const { t, pick } = useI18n();
  return (
    <div class="programme-modules">
      <p class="sub">
        <strong>{t('mc.programmeModules')}</strong>
      </p>
      <ol>
        {modules.map((m) => (
          <li key={m.id}>
            <Link href={`/microcredentials/${enc(m.id)}`}>{pick(m.title) || pick(m.name) || m.id}</Link>
            {m.hours !== undefined && <> · {t('mc.moduleHours', { n: m.hours })}</>}
            {m.minVersion !== undefined && <> · {t('mc.moduleMinVersion', { n: m.minVersion })}</>}
            {!m.known && <> · {t('mc.moduleUnknown')}</>}
            {m.status === 'withdrawn' && <> · {t('mc.moduleWithdrawn')}</>}
          </li>
        ))}
      </ol>
      <p class="sub">{t('mc.programmeRule')}</p>
    </div>
  );
}

export function DetailPage({ id }: { id: string }) {
  const { t, pick } = useI18n();
  const loc = useLocation();
  const version = loc.search.get('version');
  const res = useApi<McDetail>(`/api/v1/microcredentials/${enc(id)}${qs({ version })}`);
  const recs = useApi<{ items: Decision[]; total: number }>(`/api/v1/recognitions${qs({ microcredential: id })}`);
  const mc = res.data;
  if (res.error) return (
    <section>
      <PageTitle title={t('app.notFound')}>{t('app.notFound')}</PageTitle>
      <ErrorBox error={res.error} onRetry={res.reload} />
      <p>
        <Link href="/">{t('app.backHome')}</Link>
      </p>
    </section>
  );
  if (!mc) return <Loading />;
  const title = pick(mc.title);
  const latest = Math.max(...mc.versions.map((v) => v.version), mc.version);
  return (
    <article class="detail">
      <p class="breadcrumb">
        <Link href="/">{t('nav.catalogue')}</Link>
      </p>
      <PageTitle title={title}>{title}</PageTitle>
      <p class="meta">
        <Link href={`/institutions/${enc(mc.institution.did)}`}>{pick(mc.institution.name) || mc.institution.did}</Link> · <CountryName code={mc.country ?? mc.institution.country} />
        {mc.status === 'withdrawn' && (
          <>
            {' '}
            · <strong class="warn-text">{t('cat.withdrawn')}</strong>
          </>
        )}
      </p>
      {version && Number(version) !== latest && <p class="alert alert-info">{t('mc.viewing', { n: version })}</p>}
      {pick(mc.description) && (
        <p class="lead">
          <Text m={mc.description} />
        </p>
      )}
      <p>
        <Link class="btn btn-secondary" href={`/recognition${qs({ microcredential: mc.id })}`}>
          {t('mc.compare')}
        </Link>
      </p>
      <ShareButtons title={title} path={`/microcredentials/${enc(mc.id)}`} />
      <EuElements mc={mc} />

      <section aria-labelledby="more-h">
        <h2 id="more-h">{t('mc.moreInfo')}</h2>
        <OtherData mc={mc} />
      </section>

      <section aria-labelledby="acc-h">
        <h2 id="acc-h">{t('mc.accreditations')}</h2>
        <Accreditations items={mc.accreditations} history={mc.accreditationHistory} lists={mc.lists} />
      </section>

      <section aria-labelledby="rec-h">
        <h2 id="rec-h">{t('mc.recognitions')}</h2>
        {recs.loading && <Loading />}
        <ErrorBox error={recs.error} />
        {recs.data && <Decisions items={recs.data.items} empty={t('mc.noRecognitions')} more={recs.data.total - recs.data.items.length} />}
      </section>

      <section aria-labelledby="ver-h">
        <h2 id="ver-h">{t('mc.versions')}</h2>
        <ul>
          {[...mc.versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <li key={v.version}>
                {String(v.version) === (version ?? String(latest)) ? (
                  <strong>{t('mc.version', { n: v.version })}</strong>
                ) : (
                  <Link href={`/microcredentials/${enc(mc.id)}${v.version === latest ? '' : qs({ version: v.version })}`}>{t('mc.version', { n: v.version })}</Link>
                )}{' '}
                · <Time iso={v.ts} />
                {v.version === latest && <> ({t('mc.current')})</>}
              </li>
            ))}
        </ul>
        <More n={mc.lists.versions.total - mc.versions.length} />
      </section>
    </article>
  );
}

function CountryName({ code }: { code: string | undefined }) {
  const { region } = useI18n();
  return <>{region(code)}</>;
}

function Time({ iso, withTime = false }: { iso: string | null | undefined; withTime?: boolean }) {
  const { date } = useI18n();
  if (!iso) return null;
  return <time dateTime={iso}>{date(iso, withTime)}</time>;
}

/** The EU standard elements of a catalogue record (mandatory, then optional). */
export function EuElements({ mc, headingLevel = 2 }: { mc: McRecord & { institution?: { name: unknown }; modules?: McDetail['modules'] }; headingLevel?: 2 | 3 }) {
  const i = useI18n();
  const { t, pick, tx } = i;
  const levelLabel = useLevelLabel();
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const H2 = headingLevel === 2 ? 'h3' : 'h4';
  const none = <span class="muted">{t('app.none')}</span>;
  return (
    <section aria-label={t('mc.euElements')} class="eu">
      <H>{t('mc.euElements')}</H>
      <H2>{t('mc.euMandatory')}</H2>
      <dl class="facts">
        <dt>{t('mc.title')}</dt>
        <dd>{pick(mc.title) || none}</dd>
        <dt>{t('mc.awardingBody')}</dt>
        <dd>{mc.awardingBody?.name ?? none}</dd>
        <dt>{t('mc.country')}</dt>
        <dd>{mc.country ? i.region(mc.country) : none}</dd>
        <dt>{t('mc.outcomes')}</dt>
        <dd>
          {mc.learningOutcomes?.length ? (
            <ol>
              {mc.learningOutcomes.map((o, n) => (
                <li key={n}>
                  <Text m={o.text} />
                </li>
              ))}
            </ol>
          ) : (
            none
          )}
        </dd>
        <dt>{t('mc.workload')}</dt>
        <dd>{mc.workload ? t('mc.workloadValue', { hours: i.num(mc.workload.hours), credits: i.num(mc.workload.credits.value), system: mc.workload.credits.system }) : none}</dd>
        <dt>{t('mc.level')}</dt>
        <dd>{mc.level ? (levelLabel(mc.level).includes(mc.level.framework) ? levelLabel(mc.level) : `${levelLabel(mc.level)} (${mc.level.framework} ${mc.level.value})`) : none}</dd>
        <dt>{t('mc.assessment')}</dt>
        <dd>
          {mc.assessment ? tx('enum.assessment.', mc.assessment.type) : none}
          {pick(mc.assessment?.description) && (
            <p class="sub">
              <Text m={mc.assessment?.description} />
            </p>
          )}
        </dd>
        <dt>{t('mc.participation')}</dt>
        <dd>
          {mc.participation ? tx('enum.participation.', mc.participation.mode) : none}
          {mc.participation?.context?.length ? ` (${mc.participation.context.map((c) => tx('enum.context.', c)).join(', ')})` : ''}
        </dd>
        <dt>{t('mc.qa')}</dt>
        <dd>
          {mc.qualityAssurance ? tx('enum.qa.', mc.qualityAssurance.type) : none}
          {mc.qualityAssurance?.body && ` · ${mc.qualityAssurance.body}`}
          {pick(mc.qualityAssurance?.description) && (
            <p class="sub">
              <Text m={mc.qualityAssurance?.description} />
            </p>
          )}
          {mc.qualityAssurance?.procedure && <QaProcedure p={mc.qualityAssurance.procedure} />}
        </dd>
      </dl>
      <H2>{t('mc.euOptional')}</H2>
      <dl class="facts">
        <dt>{t('mc.prerequisites')}</dt>
        <dd>{pick(mc.prerequisites) ? <Text m={mc.prerequisites} /> : none}</dd>
        <dt>{t('mc.supervision')}</dt>
        <dd>{mc.supervision ? tx('enum.supervision.', mc.supervision) : none}</dd>
        <dt>{t('mc.stackability')}</dt>
        <dd>
          {mc.stackability ? (
            <>
              {mc.stackability.standalone ? t('mc.standalone') : t('mc.notStandalone')}
              {mc.stackability.stackableTowards?.length ? (
                <p class="sub">
                  {t('mc.stackableTowardsLabel')}{' '}
                  {mc.stackability.stackableTowards.map((s, i) => (
                    <>
                      {i > 0 && '; '}
                      {typeof s === 'string' ? s : MC_ID.test(s.id ?? '') ? <Link href={`/microcredentials/${enc(s.id!)}`}>{pick(s.name)}</Link> : pick(s.name)}
                    </>
                  ))}
                </p>
              ) : null}
              {mc.modules?.length ? <ProgrammeModules modules={mc.modules} /> : null}
            </>
          ) : (
            none
          )}
        </dd>
        <dt>{t('mc.furtherInfo')}</dt>
        <dd>
          {mc.furtherInformation?.url || pick(mc.furtherInformation?.text) ? (
            <>
              {pick(mc.furtherInformation?.text) && <p class="sub">{pick(mc.furtherInformation?.text)}</p>}
              {mc.furtherInformation?.url && (
                <ExternalLink url={mc.furtherInformation.url} />
              )}
            </>
          ) : (
            none
          )}
        </dd>
      </dl>
    </section>
  );
}

function OtherData({ mc }: { mc: McDetail }) {
  const i = useI18n();
  const { t, pick, tx } = i;
  const fieldLabel = useFieldLabel();
  return (
    <dl class="facts">
      <dt>{t('mc.field')}</dt>
      <dd>{mc.fieldOfStudy ? fieldLabel(mc.fieldOfStudy.iscedF) : t('app.none')}</dd>
      <dt>{t('mc.languages')}</dt>
      <dd>{mc.languages?.map((l) => i.language(l)).join(', ') || t('app.none')}</dd>
      <dt>{t('mc.skills')}</dt>
      <dd>
        {mc.skills?.length ? (
          <ul class="chips">
            {mc.skills.map((s, n) => (
              <li key={n}>
                {s.uri ? (
                  <ExternalLink url={s.uri}>{pick(s.name)}</ExternalLink>
                ) : (
                  pick(s.name)
                )}
                {s.framework && <span class="muted"> ({s.framework})</span>}
              </li>
            ))}
          </ul>
        ) : (
          t('app.none')
        )}
      </dd>
      {pick(mc.criteria) && (
        <>
          <dt>{t('mc.criteria')}</dt>
          <dd>
            <Text m={mc.criteria} />
          </dd>
        </>
      )}
      {mc.pilotArea && (
        <>
          <dt>{t('mc.pilotArea')}</dt>
          <dd>{tx('enum.pilotArea.', mc.pilotArea)}</dd>
        </>
      )}
      <dt>{t('mc.institution')}</dt>
      <dd>
        <Link href={`/institutions/${enc(mc.institution.did)}`}>{pick(mc.institution.name) || mc.institution.did}</Link>
      </dd>
      <dt>{t('mc.id')}</dt>
      <dd>
        <code>{mc.id}</code>
      </dd>
      <dt>{t('mc.updated')}</dt>
      <dd>
        <Time iso={mc.updatedAt} />
      </dd>
    </dl>
  );
}

/** The unit's internal QA procedure of an entry: review cycle, last review, reviewer roles, the procedure's link. */
function QaProcedure({ p }: { p: NonNullable<NonNullable<McRecord['qualityAssurance']>['procedure']> }) {
  const { t, date, tx, num } = useI18n();
  const parts = [
    p.reviewCycleMonths !== undefined ? t('mc.qaCycle', { n: num(p.reviewCycleMonths) }) : null,
    p.lastReview ? t('mc.qaLastReview', { date: date(p.lastReview) }) : null,
    p.reviewers?.length ? t('mc.qaReviewers', { roles: p.reviewers.map((r) => tx('enum.qaReviewer.', r)).join(', ') }) : null,
  ].filter((x): x is string => !!x);
  return (
    <p class="sub qa-procedure">
      {parts.join(' · ')}
      {p.url ? (
        <>
          {parts.length ? ' · ' : ''}
          <ExternalLink url={p.url}>{t('mc.qaProcedure')}</ExternalLink>
        </>
      ) : null}
    </p>
  );
}

/**
 * Accreditations in force (who, until when, of what: the microcredential, its programme, a programme it is a module
 * of, or its institution; the standards applied, the agency's decision and report), then the history: withdrawn on a
 * date, expired, or starting later — never silently gone.
 */
/** "… and N more": a public answer carries a bounded list (at most 50, newest first) and says how many there are in all. */
export function More({ n }: { n: number }) {
  const { t, num } = useI18n();
  return n > 0 ? <p class="sub more">{t('list.more', { n: num(n) })}</p> : null;
}

type Bound = { total: number; shown: number };

export function Accreditations({ items, history, empty, lists }: { items: Accreditation[]; history?: Accreditation[]; empty?: string; lists?: { accreditations: Bound; accreditationHistory: Bound } }) {
  const { t, pick, date, tx } = useI18n();
  const agencyOf = (a: Accreditation) => pick(a.agency?.name) || a.agency?.did || '';
  const what = (a: Accreditation) =>
    a.viaProgramme
      ? t('mc.accreditationViaProgramme', { title: pick(a.viaProgramme.title) || a.viaProgramme.id })
      : a.subject?.type === 'institution'
        ? t('mc.accreditationOfInstitution')
        : a.subject?.type === 'programme'
          ? t('mc.accreditationOfProgramme')
          : t('mc.accreditationOfMc');
  const details = (a: Accreditation) => (
    <>
      {a.standards?.length ? (
        <p class="sub accreditation-standards">
          {t('mc.accreditationStandards')}:{' '}
          {a.standards.map((st, k) => (
            <span key={st.id}>
              {k ? ', ' : ''}
              {st.url ? <ExternalLink url={st.url}>{pick(st.name) || st.id}</ExternalLink> : pick(st.name) || st.id}
            </span>
          ))}
        </p>
      ) : a.standard ? (
        <p class="sub accreditation-standards">
          {t('mc.accreditationStandards')}: {a.standard}
        </p>
      ) : null}
      {pick(a.decision) ? (
        <p class="sub accreditation-decision">
          {t('mc.accreditationDecision')}: <Text m={a.decision} />
        </p>
      ) : null}
    </>
  );
  const report = (a: Accreditation) =>
    a.reportUrl ? (
      <>
        {' · '}
        <ExternalLink url={a.reportUrl}>{t('mc.accreditationReport')}</ExternalLink>
      </>
    ) : null;
  const today = new Date().toISOString().slice(0, 10);
  const past = (a: Accreditation) => {
    const agency = agencyOf(a);
    if (a.status === 'withdrawn') return t('mc.accreditationWithdrawnOn', { agency, date: date(a.withdrawnOn ?? a.publishedAt) });
    if (a.validFrom > today) return t('mc.accreditationStartsOn', { agency, date: date(a.validFrom) });
    return t('mc.accreditationExpiredOn', { agency, date: date(a.validUntil ?? a.validFrom) });
  };
  return (
    <>
      {items.length ? (
        <ul>
          {items.map((a, n) => {
            const agency = agencyOf(a);
            return (
              <li key={n} class="accreditation" data-accreditation={a.accreditationId}>
                {a.validUntil ? t('mc.accreditedUntil', { agency, date: date(a.validUntil) }) : t('mc.accreditedSince', { agency, date: date(a.validFrom) })}
                {a.status && a.status !== 'accredited' ? ` · ${tx('enum.accreditationStatus.', a.status)}` : ''}
                {` · ${what(a)}`}
                {report(a)}
                {details(a)}
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="muted">{empty ?? t('mc.noAccreditations')}</p>
      )}
      {lists && <More n={lists.accreditations.total - lists.accreditations.shown} />}
      {history?.length ? (
        <details class="accreditation-history">
          <summary>{t('mc.accreditationHistory')}</summary>
          <ul>
            {history.map((a, n) => (
              <li key={n} class="accreditation accreditation-past" data-accreditation={a.accreditationId}>
                {past(a)}
                {` · ${what(a)}`}
                {report(a)}
                {details(a)}
              </li>
            ))}
          </ul>
          {lists && <More n={lists.accreditationHistory.total - lists.accreditationHistory.shown} />}
        </details>
      ) : null}
    </>
  );
}

export function Decisions({ items, empty, more = 0 }: { items: Decision[]; empty: string; more?: number }) {
  const i = useI18n();
  const { t, pick, tx } = i;
  if (!items.length) return <p class="muted">{empty}</p>;
  return (
    <>
      <ul class="decisions">
        {items.map((d) => (
          <li key={d.decisionId} class={`decision decision-${d.status}`}>
            <p>
              <strong>{pick(d.institution.name) || d.institution.did}</strong> ({i.region(d.institution.country)}): {tx('enum.outcome.', d.outcome)}
              {d.credits && ` · ${i.num(d.credits.value)} ${d.credits.system}`}
              {d.equivalentTo && ` · ${tx('enum.equivalentKind.', d.equivalentTo.kind)} ${d.equivalentTo.code ?? ''} ${pick(d.equivalentTo.name)}`} ·{' '}
              <em>{tx('enum.decision.', d.status)}</em>
            </p>
            <p class="sub">
              {t('rec.validFrom', { date: i.date(d.validFrom) })}
              {d.decidedBy && ` · ${t('rec.decidedBy', { who: d.decidedBy })}`}
            </p>
            {pick(d.reasons) && (
              <p class="sub">
                {t('rec.reasons')}: {pick(d.reasons)}
              </p>
            )}
            {pick(d.conditions) && <p class="sub">{pick(d.conditions)}</p>}
            {d.substantialDifferences?.length ? (
              <ul>
                {d.substantialDifferences.map((s, n) => (
                  <li key={n}>
                    {tx('enum.aspect.', s.aspect)}: {pick(s.description)}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <More n={more} />
    </>
  );
}
