/**
 * Shapes domain objects into API responses (summaries, details). Pure functions; must never query the store.
 */
import type { MicrocredentialRecord } from '../catalogue/model.js';
import type { Profile } from '../trust/institutions.js';

export interface InstitutionRef {
  did: string;
  name: Profile['name'];
  shortName?: string;
  country: string;
}

export function institutionRef(did: string, profile: Profile | undefined, fallbackCountry = ''): InstitutionRef {
  return {
    did,
    name: profile?.name ?? {},
    ...(profile?.shortName ? { shortName: profile.shortName } : {}),
    country: profile?.country ?? fallbackCountry,
  };
}

export function microcredentialSummary(
  row: { id: string; record: MicrocredentialRecord; status: string; updatedAt: string },
  institution: InstitutionRef,
) {
  const r = row.record;
  return {
    id: row.id,
    code: r.code,
    version: r.version,
    title: r.title,
    description: r.description ?? {},
    institution,
    country: r.country ?? institution.country,
    workload: r.workload,
    level: r.level,
    fieldOfStudy: r.fieldOfStudy,
    participation: { mode: r.participation?.mode },
    assessment: { type: r.assessment?.type },
    languages: r.languages,
    pilotArea: r.pilotArea ?? null,
    status: row.status,
    updatedAt: row.updatedAt,
    // a programme: lists say so, with how many modules it stacks from
    ...(r.stackability?.stacksFrom?.length ? { modules: r.stackability.stacksFrom.length } : {}),
  };
}
