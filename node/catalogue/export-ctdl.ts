/**
 * A catalogue entry as CTDL JSON-LD for the Credential Engine registry: a ceterms:MicroCredential owned and offered
 * by the institution, with its estimated duration, languages, ISCED-F field (as an instructional program type
 * alignment), status, review process (quality assurance) and a ceterms:ConditionProfile of what earning it requires:
 * the learning outcomes as competencies, the credit value and the learning opportunity (delivery type, assessment
 * method, learning method, entry requirements). Pure: terms only from the bundled CTDL term list
 * (schemas/vendor/ctdl/ctdl-terms.json), concepts only from the bundled CTDL concept schemes. Must never invent a term
 * or a concept: a value of ours with no concept is left out or given as the text property CTDL has for it, and named
 * in `notes`. It has no CTID: the registry's publisher assigns one.
 */
import type { LangMap } from './model.js';
import { ctdlConcept, elmConcept, ESCO_URI } from './export-vocab.js';
import { hoursDuration, qaSummary, type ExportAccreditation, type ExportResult, type ExportSubject } from './export-elm.js';

/** The context Credential Engine's registry expects on CTDL documents. */
export const CTDL_CONTEXT = 'https://credreg.net/ctdl/schema/context/json';
/** The profile URI that asks for this export in `Accept: application/ld+json; profile="…"`: the CTDL terms namespace. */
export const CTDL_PROFILE = 'https://purl.org/ctdl/terms/';

const ASSESS_METHOD: Record<string, string | null> = {
  exam: 'assessMethod:Exam',
  oral: 'assessMethod:Exam',
  project: 'assessMethod:Artifact',
  portfolio: 'assessMethod:Artifact',
  assignment: 'assessMethod:Artifact',
  practical: 'assessMethod:Performance',
  simulation: 'assessMethod:Performance',
  mixed: null,
};
const DELIVERY: Record<string, string> = {
  online: 'deliveryType:OnlineOnly',
  onsite: 'deliveryType:InPerson',
  blended: 'deliveryType:BlendedDelivery',
};

/** CTDL language maps are keyed by BCP 47 tags, as ours are. */
const langMap = (m: LangMap | undefined): Record<string, string> | undefined => {
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string' && v.trim()) out[k] = v;
  return Object.keys(out).length ? out : undefined;
};

/** A CredentialAlignmentObject naming a bundled CTDL concept, or null when the scheme has no such concept. */
function alignment(schemeId: string, conceptId: string) {
  const c = ctdlConcept(schemeId, conceptId);
  return c
    ? {
        '@type': 'ceterms:CredentialAlignmentObject',
        'ceterms:framework': c.scheme,
        'ceterms:frameworkName': c.schemeLabel,
        'ceterms:targetNode': c.id,
        'ceterms:targetNodeName': c.label,
      }
    : null;
}

export function exportCtdl(s: ExportSubject): ExportResult {
  const r = s.record;
  const notes: string[] = [];
  const base = `urn:mochila:${s.id}:v${r.version}`;
  const name = langMap(r.title) ?? { en: r.code };

  // accreditations by the network's QA agencies: of the institution on the organisation, of a programme or of the
  // microcredential on the credential (ceterms:accreditedBy → ceterms:QACredentialOrganization)
  const agency = (a: ExportAccreditation) => ({
    '@id': a.agency.did,
    '@type': 'ceterms:QACredentialOrganization',
    'ceterms:name': langMap(a.agency.name) ?? { en: a.agency.did },
  });
  const accreditations = s.accreditations ?? [];
  const orgAccreditedBy = accreditations.filter((a) => a.subject.type === 'institution').map(agency);
  const accreditedBy = accreditations.filter((a) => a.subject.type !== 'institution').map(agency);
  if (accreditations.length)
    notes.push('accreditations: their validity, decision and report have no CTDL term on ceterms:accreditedBy; only the agency is given');
  const org: Record<string, unknown> = {
    '@id': s.institution.did,
    '@type': 'ceterms:CredentialOrganization',
    'ceterms:name': langMap(s.institution.name) ?? (r.awardingBody?.name ? { es: r.awardingBody.name } : { en: s.institution.did }),
    ...(s.institution.country || r.country
      ? {
          'ceterms:address': [
            { '@id': `${base}:address`, '@type': 'ceterms:Place', 'ceterms:addressCountry': { en: s.institution.country || r.country } },
          ],
        }
      : {}),
    ...(orgAccreditedBy.length ? { 'ceterms:accreditedBy': orgAccreditedBy } : {}),
  };

  // learning outcomes as competencies (ESCO URI as the target node where there is one)
  const competencies: Record<string, unknown>[] = [];
  r.learningOutcomes?.forEach((o) => {
    const text = langMap(o.text);
    if (!text) return;
    const esco = o.escoUri && ESCO_URI.test(o.escoUri) ? o.escoUri : undefined;
    competencies.push({
      '@type': 'ceterms:CredentialAlignmentObject',
      'ceterms:targetNodeName': text,
      ...(esco ? { 'ceterms:targetNode': esco, 'ceterms:frameworkName': { en: 'ESCO' } } : {}),
    });
  });
  r.skills?.forEach((sk) => {
    const text = langMap(sk.name);
    if (!text) return;
    const esco = sk.uri && ESCO_URI.test(sk.uri) ? sk.uri : undefined;
    competencies.push({
      '@type': 'ceterms:CredentialAlignmentObject',
      'ceterms:targetNodeName': text,
      ...(esco ? { 'ceterms:targetNode': esco } : {}),
      ...(sk.framework ? { 'ceterms:frameworkName': { en: sk.framework } } : {}),
    });
  });

  // credit value: CTDL's credit unit scheme has no ECTS, SATCA, SCT-Chile…; the system is named in text
  let creditValue: Record<string, unknown>[] | undefined;
  let creditUnitTypeDescription: Record<string, string> | undefined;
  if (r.workload?.credits) {
    creditValue = [{ '@id': `${base}:credit`, '@type': 'ceterms:ValueProfile', 'schema:value': r.workload.credits.value }];
    creditUnitTypeDescription = { en: `${r.workload.credits.system} credits` };
    notes.push(
      `credits: the CTDL credit unit scheme has no concept for ${r.workload.credits.system}; ceterms:creditUnitType left out, the system named in ceterms:creditUnitTypeDescription`,
    );
  }
  const duration = r.workload?.hours
    ? [
        {
          '@id': `${base}:duration`,
          '@type': 'ceterms:DurationProfile',
          'ceterms:exactDuration': hoursDuration(r.workload.hours),
          'ceterms:description': { en: `Notional workload: ${r.workload.hours} hours of learner work` },
        },
      ]
    : undefined;

  const delivery = r.participation?.mode ? alignment('ceterms:Delivery', DELIVERY[r.participation.mode] ?? '') : null;
  const assessId = r.assessment?.type ? ASSESS_METHOD[r.assessment.type] : null;
  const assess = assessId ? alignment('ceterms:AssessmentMethod', assessId) : null;
  if (r.assessment?.type && !assess)
    notes.push(`assessment type ${r.assessment.type}: no concept in the CTDL assessment method scheme; left out`);
  const workBased = r.participation?.context?.includes('work-based') ? alignment('ceterms:LearningMethod', 'learnMethod:WorkBased') : null;
  if (r.participation?.context?.includes('volunteering'))
    notes.push('participation context volunteering: no CTDL learning method concept; left out');
  const prerequisites = langMap(r.prerequisites);
  const assessmentDescription = langMap(r.assessment?.description);

  const opportunity: Record<string, unknown> = {
    '@id': `${base}:learning-opportunity`,
    '@type': 'ceterms:LearningOpportunityProfile',
    'ceterms:name': name,
    ...(langMap(r.description) ? { 'ceterms:description': langMap(r.description) } : {}),
    ...(delivery ? { 'ceterms:deliveryType': [delivery] } : {}),
    ...(assess ? { 'ceterms:assessmentMethodType': [assess] } : {}),
    ...(assessmentDescription ? { 'ceterms:assessmentMethodDescription': assessmentDescription } : {}),
    ...(workBased ? { 'ceterms:learningMethodType': [workBased] } : {}),
    ...(r.languages?.length ? { 'ceterms:inLanguage': r.languages } : {}),
    ...(duration ? { 'ceterms:estimatedDuration': duration } : {}),
    ...(creditValue ? { 'ceterms:creditValue': creditValue, 'ceterms:creditUnitTypeDescription': creditUnitTypeDescription } : {}),
    ...(competencies.length ? { 'ceterms:teaches': competencies } : {}),
    ...(prerequisites
      ? {
          'ceterms:requires': [
            { '@id': `${base}:entry-requirement`, '@type': 'ceterms:ConditionProfile', 'ceterms:description': prerequisites },
          ],
        }
      : {}),
  };

  const criteria = langMap(r.criteria);
  const condition: Record<string, unknown> = {
    '@id': `${base}:requires`,
    '@type': 'ceterms:ConditionProfile',
    'ceterms:description': criteria ?? { en: 'Complete the learning opportunity and pass its assessment.' },
    ...(competencies.length ? { 'ceterms:targetCompetency': competencies } : {}),
    ...(creditValue ? { 'ceterms:creditValue': creditValue, 'ceterms:creditUnitTypeDescription': creditUnitTypeDescription } : {}),
    'ceterms:targetLearningOpportunity': [opportunity],
  };

  // ISCED-F as an instructional program type: the EU ISCED-F concept scheme and concept, by their published URIs
  let programType: Record<string, unknown>[] | undefined;
  const isced = r.fieldOfStudy?.iscedF ? elmConcept('isced-f', r.fieldOfStudy.iscedF) : null;
  if (isced)
    programType = [
      {
        '@type': 'ceterms:CredentialAlignmentObject',
        'ceterms:framework': isced.scheme,
        'ceterms:frameworkName': { en: 'ISCED-F 2013' },
        'ceterms:codedNotation': r.fieldOfStudy.iscedF,
        'ceterms:targetNode': isced.uri,
        'ceterms:targetNodeName': { en: isced.label },
      },
    ];
  else if (r.fieldOfStudy?.iscedF) notes.push(`ISCED-F ${r.fieldOfStudy.iscedF}: not in the EU ISCED-F scheme; left out`);
  if (r.level)
    notes.push(
      `level ${r.level.framework} ${r.level.value}: CTDL's audience level scheme has no concept for qualifications-framework levels; left out`,
    );

  const status = alignment('ceterms:CredentialStatus', s.status === 'withdrawn' ? 'credentialStat:Deprecated' : 'credentialStat:Active');
  const qa = r.qualityAssurance?.type
    ? [
        {
          '@id': `${base}:review-process`,
          '@type': 'ceterms:ProcessProfile',
          'ceterms:description': {
            en: qaSummary(r.qualityAssurance),
            ...(r.qualityAssurance.description?.es ? { es: `Aseguramiento de la calidad: ${r.qualityAssurance.description.es}` } : {}),
            ...(r.qualityAssurance.description?.pt ? { pt: `Garantia da qualidade: ${r.qualityAssurance.description.pt}` } : {}),
          },
          ...(r.qualityAssurance.procedure?.reviewCycleMonths
            ? { 'ceterms:processFrequency': { en: `Every ${r.qualityAssurance.procedure.reviewCycleMonths} months` } }
            : {}),
          ...(r.qualityAssurance.procedure?.url ? { 'ceterms:processMethod': r.qualityAssurance.procedure.url } : {}),
        },
      ]
    : undefined;
  const webpage = r.furtherInformation?.url ?? r.url;
  if (!webpage) notes.push('no web page: ceterms:subjectWebpage (required by the registry) left out');
  notes.push('no ceterms:ctid: the registry publisher assigns one');

  const document: Record<string, unknown> = {
    '@context': CTDL_CONTEXT,
    '@id': `urn:mochila:${s.id}`,
    '@type': 'ceterms:MicroCredential',
    'ceterms:name': name,
    ...(langMap(r.description) ? { 'ceterms:description': langMap(r.description) } : {}),
    ...(webpage ? { 'ceterms:subjectWebpage': webpage } : {}),
    ...(r.image ? { 'ceterms:image': r.image } : {}),
    'ceterms:ownedBy': [org],
    'ceterms:offeredBy': [s.institution.did],
    ...(r.languages?.length ? { 'ceterms:inLanguage': r.languages } : {}),
    ...(duration ? { 'ceterms:estimatedDuration': duration } : {}),
    ...(programType ? { 'ceterms:instructionalProgramType': programType } : {}),
    ...(status ? { 'ceterms:credentialStatusType': status } : {}),
    ...(r.validFrom ? { 'ceterms:dateEffective': r.validFrom } : {}),
    ...(qa ? { 'ceterms:reviewProcess': qa } : {}),
    ...(accreditedBy.length ? { 'ceterms:accreditedBy': accreditedBy } : {}),
    'ceterms:requires': [condition],
  };
  return { document, notes };
}
