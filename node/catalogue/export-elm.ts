/**
 * A catalogue entry as European Learning Model (ELM 3) JSON-LD: an elm:LearningOpportunity whose
 * learningAchievementSpecification is an elm:Qualification (the ELM subclass of LearningAchievementSpecification that
 * carries the EQF level) with learning outcomes (ESCO URIs where an outcome or skill has one), credit points, ISCED-F
 * thematic area, EQF level, languages, modes of learning, entry requirements, assessment and quality assurance.
 * Pure: terms from the ELM 3 JSON-LD context (schemas/vendor/elm/edc-ap-context.jsonld), concept URIs only from the
 * bundled EU concept schemes (node/catalogue/export-vocab.ts). Must never invent a term or a concept URI: a value of
 * ours with no concept is left out and named in `notes`.
 */
import type { LangMap, MicrocredentialRecord } from './model.js';
import { elmConcept, elmConceptByLabel, euCountry, euLanguage, ESCO_URI } from './export-vocab.js';

/** The published JSON-LD context of ELM 3 (the document's `@context`; bundled for offline expansion). */
export const ELM_CONTEXT = 'http://data.europa.eu/snb/model/context/edc-ap';
/** The profile URI that asks for this export in `Accept: application/ld+json; profile="…"`: the ELM ontology IRI. */
export const ELM_PROFILE = 'http://data.europa.eu/snb/model/elm';

export interface ExportSubject {
  /** Network-wide microcredential id (<code>.<16 hex>). */
  id: string;
  record: MicrocredentialRecord;
  status: 'active' | 'withdrawn';
  institution: { did: string; name: LangMap; country: string };
  /** The EQF level where an official referencing gives one (the reference data's `eqf`); never an indicative one. */
  officialEqf?: number | null;
  /** Accreditations in force by QA agencies of the network naming it, its institution or a programme it belongs to. */
  accreditations?: ExportAccreditation[];
}

/** What the exports read of an accreditation (a subset of the API's accreditation shape). */
export interface ExportAccreditation {
  agency: { did: string; name: LangMap };
  subject: { type: string };
  status: string;
  validFrom: string;
  validUntil?: string | undefined;
  decision?: LangMap | undefined;
  reportUrl?: string | undefined;
}

export interface ExportResult {
  document: Record<string, unknown>;
  /** What of ours the vocabulary has no term or concept for, and was left out. */
  notes: string[];
}

/** Our assessment types → ELM assessment concepts (europass-learning-assessment-types labels, bundled). */
const ASSESSMENT: Record<string, string | null> = {
  exam: null, // written or oral is not said: ELM only has "written examination" and "oral examination"
  oral: 'oral examination',
  project: 'project work',
  portfolio: 'portfolio',
  practical: 'practical assessment',
  assignment: 'marked assignment',
  simulation: null,
  mixed: null,
};
/** Our participation modes → ELM modes of learning (europass-modes labels, bundled). */
const MODE: Record<string, string> = { online: 'Online', onsite: 'Presential', blended: 'Blended' };

const langMap = (m: LangMap | undefined): Record<string, string> | undefined => {
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string' && v.trim()) out[k] = v;
  return Object.keys(out).length ? out : undefined;
};

const concept = (c: { uri: string; scheme: string; label: string }) => ({
  '@id': c.uri,
  '@type': 'Concept',
  inScheme: c.scheme,
  prefLabel: { en: c.label },
});

/** The quality assurance of a record in one English sentence: type, body, description and the internal procedure. */
export function qaSummary(qa: MicrocredentialRecord['qualityAssurance']): string {
  const type = { internal: 'internal', external: 'external', 'internal-and-external': 'internal and external' }[qa.type] ?? qa.type;
  const p = qa.procedure;
  const procedure = p
    ? [
        p.reviewCycleMonths ? `reviewed every ${p.reviewCycleMonths} months` : '',
        p.lastReview ? `last review ${p.lastReview}` : '',
        p.reviewers?.length ? `reviewers: ${p.reviewers.join(', ')}` : '',
        p.url ? `procedure: ${p.url}` : '',
      ].filter(Boolean)
    : [];
  const description = qa.description?.en?.trim();
  return `Quality assurance: ${type}${qa.body ? ` (${qa.body})` : ''}.${description ? ` ${description}` : ''}${procedure.length ? ` Internal procedure: ${procedure.join('; ')}.` : ''}`;
}

/** Hours as an xsd:duration (PT40H, PT2.5H). */
export function hoursDuration(hours: number): string {
  return `PT${Number.isInteger(hours) ? hours : Number(hours.toFixed(2))}H`;
}

export function exportElm(s: ExportSubject): ExportResult {
  const r = s.record;
  const notes: string[] = [];
  const base = `urn:mochila:${s.id}:v${r.version}`;
  const note = (suffix: string, text: Record<string, string>) => ({ '@id': `${base}:note:${suffix}`, '@type': 'Note', noteLiteral: text });

  // learning outcomes, each with its ESCO concept where it names one; skills with an ESCO URI become outcomes too
  const outcomes: Record<string, unknown>[] = [];
  r.learningOutcomes?.forEach((o, i) => {
    const title = langMap(o.text);
    if (!title) return;
    const esco = o.escoUri && ESCO_URI.test(o.escoUri) ? [{ '@id': o.escoUri }] : undefined;
    if (o.escoUri && !esco) notes.push(`learning outcome ${i + 1}: ${o.escoUri} is not an ESCO concept URI; left out`);
    outcomes.push({ '@id': `${base}:outcome:${i + 1}`, '@type': 'LearningOutcome', title, ...(esco ? { relatedESCOSkill: esco } : {}) });
  });
  r.skills?.forEach((sk, i) => {
    const title = langMap(sk.name);
    if (!title) return;
    if (sk.uri && ESCO_URI.test(sk.uri))
      outcomes.push({ '@id': `${base}:skill:${i + 1}`, '@type': 'LearningOutcome', title, relatedESCOSkill: [{ '@id': sk.uri }] });
    else
      notes.push(
        `skill ${i + 1}${sk.framework ? ` (${sk.framework})` : ''}: no ESCO URI; left out (ELM relates skills through ESCO concepts)`,
      );
  });

  // credit points: ELM's credit framework scheme has ECTS and ECVET only
  let creditPoint: Record<string, unknown>[] | undefined;
  if (r.workload?.credits) {
    const ects = r.workload.credits.system === 'ECTS' ? elmConceptByLabel('credit-points', 'European Credit Transfer System') : null;
    if (ects)
      creditPoint = [
        { '@id': `${base}:credit`, '@type': 'CreditPoint', framework: concept(ects), point: String(r.workload.credits.value) },
      ];
    else
      notes.push(
        `credits: ${r.workload.credits.value} ${r.workload.credits.system} — the EU credit framework scheme has no concept for ${r.workload.credits.system}; left out (the workload is given as volumeOfLearning)`,
      );
  }

  const isced = r.fieldOfStudy?.iscedF ? elmConcept('isced-f', r.fieldOfStudy.iscedF) : null;
  if (r.fieldOfStudy?.iscedF && !isced) notes.push(`ISCED-F ${r.fieldOfStudy.iscedF}: not in the EU ISCED-F scheme; left out`);

  let eqf = null as ReturnType<typeof elmConcept>;
  if (r.level?.framework === 'EQF') eqf = elmConcept('eqf', String(r.level.value));
  else if (s.officialEqf) eqf = elmConcept('eqf', String(s.officialEqf));
  if (r.level && !eqf)
    notes.push(
      `level ${r.level.framework} ${r.level.value}: no official EQF referencing; EQF level left out (national framework levels have no concept in the EU schemes bundled)`,
    );

  const languages = (r.languages ?? []).flatMap((tag) => {
    const c = euLanguage(tag);
    if (!c) notes.push(`language ${tag}: no concept in the EU language table; left out`);
    return c ? [concept(c)] : [];
  });

  const modes: Record<string, unknown>[] = [];
  if (r.participation?.mode) {
    const c = elmConceptByLabel('europass-modes', MODE[r.participation.mode] ?? '');
    if (c) modes.push(concept(c));
    else notes.push(`participation ${r.participation.mode}: no mode concept; left out`);
  }
  if (r.participation?.context?.includes('work-based')) {
    const c = elmConceptByLabel('europass-modes', 'Workbased');
    if (c) modes.push(concept(c));
  }

  // assessment: a LearningAssessmentSpecification typed with the EU assessment concept where one fits
  let provenBy: Record<string, unknown>[] | undefined;
  if (r.assessment?.type) {
    const label = ASSESSMENT[r.assessment.type];
    const c = label ? elmConceptByLabel('europass-learning-assessment-types', label) : null;
    if (!c) notes.push(`assessment type ${r.assessment.type}: no matching concept in the EU assessment scheme; type left out`);
    const description = langMap(r.assessment.description);
    provenBy = [
      {
        '@id': `${base}:assessment`,
        '@type': 'LearningAssessmentSpecification',
        title: langMap(r.title) ?? { en: r.code },
        ...(description ? { description } : {}),
        ...(c ? { dcType: concept(c) } : {}),
      },
    ];
  }

  // quality assurance and supervision: ELM has no concept scheme for them on a specification; kept as notes
  const additionalNote: Record<string, unknown>[] = [];
  if (r.qualityAssurance?.type) {
    const qa = langMap(r.qualityAssurance.description);
    const text: Record<string, string> = { en: qaSummary(r.qualityAssurance) };
    if (qa?.es) text.es = `Aseguramiento de la calidad: ${qa.es}`;
    if (qa?.pt) text.pt = `Garantia da qualidade: ${qa.pt}`;
    additionalNote.push(note('quality-assurance', text));
    notes.push(
      "quality assurance type: given as a note (ELM has no QA-type concept; accreditations by the network's QA agencies are exported as elm:Accreditation)",
    );
  }
  const entry = langMap(r.prerequisites);

  // accreditations by the network's QA agencies, typed with the EU accreditation-type concepts
  const accreditation = (s.accreditations ?? []).flatMap((a, i) => {
    const type = elmConceptByLabel(
      'europass-accreditation-types',
      a.subject.type === 'institution' ? 'Institutional Quality Assurance' : 'Program Quality Assurance',
    );
    const agencyName = langMap(a.agency.name);
    if (a.status === 'conditional')
      notes.push(`accreditation ${i + 1}: conditional — ELM has no term for the condition; exported as an accreditation`);
    return [
      {
        '@id': `${base}:accreditation:${i + 1}`,
        '@type': 'Accreditation',
        title: langMap(a.decision) ?? { en: `Accreditation by ${agencyName?.en ?? agencyName?.es ?? a.agency.did}` },
        ...(type ? { dcType: concept(type) } : {}),
        accreditingAgent: { '@id': a.agency.did, '@type': 'Organisation', ...(agencyName ? { legalName: agencyName } : {}) },
        organisation: { '@id': s.institution.did, '@type': 'Organisation' },
        ...(/^\d{4}-\d{2}-\d{2}$/.test(a.validFrom) ? { dateIssued: `${a.validFrom}T00:00:00Z` } : {}),
        ...(a.validUntil && /^\d{4}-\d{2}-\d{2}$/.test(a.validUntil) ? { expiryDate: `${a.validUntil}T23:59:59Z` } : {}),
        ...(a.reportUrl
          ? { report: [{ '@id': `${base}:accreditation:${i + 1}:report`, '@type': 'WebResource', contentURL: a.reportUrl }] }
          : {}),
      },
    ];
  });

  const spec: Record<string, unknown> = {
    '@id': `${base}:specification`,
    '@type': 'Qualification',
    title: langMap(r.title) ?? { en: r.code },
    ...(langMap(r.description) ? { description: langMap(r.description) } : {}),
    ...(outcomes.length ? { learningOutcome: outcomes } : {}),
    ...(creditPoint ? { creditPoint } : {}),
    ...(r.workload?.hours ? { volumeOfLearning: hoursDuration(r.workload.hours) } : {}),
    ...(isced ? { thematicArea: [concept(isced)] } : {}),
    ...(eqf ? { eqfLevel: concept(eqf) } : {}),
    ...(languages.length ? { language: languages } : {}),
    ...(modes.length ? { mode: modes } : {}),
    ...(entry ? { entryRequirement: note('entry-requirement', entry) } : {}),
    ...(provenBy ? { provenBy } : {}),
    ...(additionalNote.length ? { additionalNote } : {}),
    ...(accreditation.length ? { accreditation } : {}),
  };

  const countryCode = s.institution.country || r.country || '';
  const country = euCountry(countryCode);
  if (!country) notes.push(`country ${countryCode}: no concept in the EU country table; left out`);
  const orgName = langMap(s.institution.name) ?? (r.awardingBody?.name ? { es: r.awardingBody.name } : undefined);
  const provider: Record<string, unknown> = {
    '@id': s.institution.did,
    '@type': 'Organisation',
    ...(orgName ? { legalName: orgName } : {}),
    ...(country
      ? {
          location: [
            {
              '@id': `${base}:location`,
              '@type': 'Location',
              address: [{ '@id': `${base}:address`, '@type': 'Address', countryCode: concept(country) }],
            },
          ],
        }
      : {}),
  };

  const activities: Record<string, unknown>[] = [];
  if (r.participation?.context?.includes('volunteering')) {
    const c = elmConceptByLabel('europass-learning-activity-types', 'volunteering');
    if (c)
      activities.push({
        '@id': `${base}:activity:volunteering`,
        '@type': 'LearningActivitySpecification',
        title: { en: 'Volunteering' },
        dcType: concept(c),
      });
  }
  const homepage = r.furtherInformation?.url ?? r.url;
  if (r.supervision)
    notes.push(`supervision ${r.supervision}: ELM names supervision on an awarded assessment, not on a specification; left out`);
  if (r.stackability)
    notes.push('stackability: left out (ELM relates specifications with hasPart/isPartOf to other published specifications)');
  if (s.status === 'withdrawn') notes.push('this microcredential is withdrawn in the MOCHILA network');

  const document: Record<string, unknown> = {
    '@context': ELM_CONTEXT,
    '@id': `urn:mochila:${s.id}`,
    '@type': 'LearningOpportunity',
    title: langMap(r.title) ?? { en: r.code },
    ...(langMap(r.description) ? { description: langMap(r.description) } : {}),
    ...(homepage ? { homepage: [{ '@id': `${base}:homepage`, '@type': 'WebResource', contentURL: homepage }] } : {}),
    providedBy: provider,
    learningAchievementSpecification: spec,
    ...(activities.length ? { learningActivitySpecification: activities } : {}),
  };
  return { document, notes };
}
