// The ELM 3 and CTDL exports of every fixture catalogue entry use only terms of their vocabularies: each document
// expands (JSON-LD, safe mode: an undefined term is an error, not a dropped property) with nothing but the bundled
// contexts, every property and class it expands to is in the bundled term list (CTDL: on a class its domain names),
// and every concept URI is in the bundled concept scheme it claims. The checkers are shown to catch an invented
// term and an invented concept, so the suite cannot pass vacuously.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportElm, ELM_CONTEXT, type ExportSubject } from '../../node/catalogue/export-elm.js';
import { exportCtdl, CTDL_CONTEXT } from '../../node/catalogue/export-ctdl.js';
import { CTDL_VENDOR_DIR, ELM_VENDOR_DIR, ESCO_URI, ctdlConceptSchemes, elmConceptSchemes } from '../../node/catalogue/export-vocab.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonld: any = require('jsonld');

const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;
const ELM_CTX = readJson<unknown>(path.join(ELM_VENDOR_DIR, 'edc-ap-context.jsonld'));
const CTDLASN_CTX = readJson<unknown>(path.join(CTDL_VENDOR_DIR, 'ctdlasn-context.json'));
const ELM_TERMS = new Set(readJson<string[]>(path.join(ELM_VENDOR_DIR, 'elm-terms.json')));
type CtdlTerm = { type: string; domain?: string[]; range?: string[]; subClassOf?: string[] };
const CTDL_TERMS = readJson<Record<string, CtdlTerm>>(path.join(CTDL_VENDOR_DIR, 'ctdl-terms.json'));

/** Offline loaders: the bundled context for the one URL each export names, nothing else. */
const elmLoader = async (url: string) => {
  if (url === ELM_CONTEXT) return { contextUrl: null, documentUrl: url, document: ELM_CTX };
  throw new Error(`no network: ${url}`);
};
// The CTDL context itself is not bundled (not available); the CTDL-ASN context of the same publisher defines the
// same ceterms: prefix and typings — see schemas/vendor/ctdl/README.md.
const ctdlLoader = async (url: string) => {
  if (url === CTDL_CONTEXT) return { contextUrl: null, documentUrl: url, document: CTDLASN_CTX };
  throw new Error(`no network: ${url}`);
};

type Node = Record<string, unknown>;
const SKOS_CONCEPT = 'http://www.w3.org/2004/02/skos/core#Concept';
const SKOS_IN_SCHEME = 'http://www.w3.org/2004/02/skos/core#inScheme';

/** Every node object of an expanded document (depth first). */
function nodes(v: unknown, out: Node[] = []): Node[] {
  if (Array.isArray(v)) v.forEach((x) => nodes(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Node;
    if (!('@value' in o)) out.push(o);
    for (const [k, x] of Object.entries(o)) if (k !== '@context') nodes(x, out);
  }
  return out;
}
const ids = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (x as Node)['@id'] as string).filter(Boolean);
const values = (v: unknown): unknown[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (x as Node)['@value'] ?? (x as Node)['@id']);

const ELM_CONCEPTS = new Map<string, string>(); // concept URI → scheme URI
for (const s of Object.values(elmConceptSchemes()))
  for (const k of Object.keys(s.concepts)) ELM_CONCEPTS.set(s.base + k, s.targetNamespace);

/** Problems of an ELM export: terms outside the ELM term list, concept URIs outside the bundled schemes. */
async function elmProblems(doc: unknown): Promise<string[]> {
  const expanded = await jsonld.expand(doc, { documentLoader: elmLoader, safe: true });
  const problems: string[] = [];
  for (const n of nodes(expanded)) {
    for (const k of Object.keys(n)) if (!k.startsWith('@') && !ELM_TERMS.has(k)) problems.push(`property ${k}`);
    const types = (n['@type'] as string[] | undefined) ?? [];
    for (const t of types) if (!ELM_TERMS.has(t)) problems.push(`class ${t}`);
    if (types.includes(SKOS_CONCEPT)) {
      const id = n['@id'] as string;
      const scheme = ids(n[SKOS_IN_SCHEME])[0];
      if (!ELM_CONCEPTS.has(id)) problems.push(`concept ${id}`);
      else if (ELM_CONCEPTS.get(id) !== scheme) problems.push(`concept ${id} in scheme ${scheme}`);
    }
  }
  // ESCO concepts (not bundled) must at least be ESCO URIs
  for (const n of nodes(expanded))
    for (const id of ids(n['http://data.europa.eu/snb/model/elm/relatedESCOSkill'])) if (!ESCO_URI.test(id)) problems.push(`ESCO ${id}`);
  return problems;
}

const CETERMS = 'https://purl.org/ctdl/terms/';
const compactCtdl = (iri: string) =>
  iri.startsWith(CETERMS)
    ? `ceterms:${iri.slice(CETERMS.length)}`
    : iri.startsWith('https://schema.org/')
      ? `schema:${iri.slice('https://schema.org/'.length)}`
      : iri;
const superClasses = (c: string, seen = new Set<string>()): Set<string> => {
  if (seen.has(c)) return seen;
  seen.add(c);
  for (const p of CTDL_TERMS[c]?.subClassOf ?? []) superClasses(p, seen);
  return seen;
};

/** Problems of a CTDL export: terms outside CTDL, a property on a class outside its domain, concepts outside their scheme. */
async function ctdlProblems(doc: unknown): Promise<string[]> {
  const expanded = await jsonld.expand(doc, { documentLoader: ctdlLoader, safe: true });
  const problems: string[] = [];
  const schemes = ctdlConceptSchemes();
  for (const n of nodes(expanded)) {
    const types = ((n['@type'] as string[] | undefined) ?? []).map(compactCtdl);
    for (const t of types) if (CTDL_TERMS[t]?.type !== 'rdfs:Class') problems.push(`class ${t}`);
    const classes = new Set(types.flatMap((t) => [...superClasses(t)]));
    for (const k of Object.keys(n)) {
      if (k.startsWith('@')) continue;
      const p = compactCtdl(k);
      const term = CTDL_TERMS[p];
      if (term?.type !== 'rdf:Property') problems.push(`property ${k}`);
      else if (types.length && !(term.domain ?? []).some((d) => classes.has(d))) problems.push(`property ${p} on ${types.join(',')}`);
    }
    if (types.includes('ceterms:CredentialAlignmentObject')) {
      const framework = ids(n[`${CETERMS}framework`]).map(compactCtdl)[0];
      const target = ids(n[`${CETERMS}targetNode`])[0];
      if (framework && schemes[framework] && !(target && target in schemes[framework]!.concepts))
        problems.push(`concept ${target} of ${framework}`);
      if (framework?.startsWith('http://data.europa.eu/snb/') && !(target && ELM_CONCEPTS.get(target) === framework))
        problems.push(`concept ${target} of ${framework}`);
      if (!framework && target && !ESCO_URI.test(target)) problems.push(`target ${target} without a framework`);
    }
  }
  return problems;
}

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/units');
const subjects: { unit: string; subject: ExportSubject }[] = readdirSync(FIXTURES)
  .filter((u) => {
    try {
      readFileSync(path.join(FIXTURES, u, 'catalogue.json'));
      return true;
    } catch {
      return false;
    }
  })
  .flatMap((unit) => {
    const profile = readJson<{ name: Record<string, string>; country: string }>(path.join(FIXTURES, unit, 'profile.json'));
    return readJson<MicrocredentialRecord[]>(path.join(FIXTURES, unit, 'catalogue.json')).map((record) => ({
      unit,
      subject: {
        id: `${record.code}.0123456789abcdef`,
        record: { ...record, country: profile.country, awardingBody: { name: profile.name.es ?? Object.values(profile.name)[0]! } },
        status: 'active' as const,
        institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: profile.name, country: profile.country },
      },
    }));
  });

describe('ELM 3 export', () => {
  it('covers every fixture entry', () => {
    expect(subjects.length).toBeGreaterThanOrEqual(6);
  });

  it.each(subjects.map((s) => [`${s.unit} ${s.subject.record.code}`, s.subject] as const))(
    '%s uses only ELM terms and EU concepts',
    async (_n, subject) => {
      const { document, notes } = exportElm(subject);
      expect(await elmProblems(document)).toEqual([]);
      const spec = document.learningAchievementSpecification as Node;
      expect(spec['@type']).toBe('Qualification');
      expect((spec.learningOutcome as unknown[]).length).toBeGreaterThanOrEqual(subject.record.learningOutcomes.length);
      expect(spec.volumeOfLearning).toMatch(/^PT[0-9.]+H$/);
      // the field of study is always a bundled ISCED-F concept; a non-EQF level is said in the notes
      expect((spec.thematicArea as Node[])[0]!['@id']).toBe(`http://data.europa.eu/snb/isced-f/${subject.record.fieldOfStudy.iscedF}`);
      if (!spec.eqfLevel) expect(notes.join('\n')).toMatch(/EQF level left out/);
      expect(spec.mode).toBeDefined();
      expect(spec.language).toBeDefined();
    },
  );

  it('gives EQF levels, ECTS credit points, ESCO skills and official EQF referencing as EU concepts', async () => {
    const base = subjects[0]!.subject;
    const escoSkill = 'http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9';
    const record: MicrocredentialRecord = {
      ...base.record,
      level: { framework: 'EQF', value: '5' },
      workload: { hours: 50, credits: { system: 'ECTS', value: 2 } },
      assessment: { type: 'portfolio' },
      participation: { mode: 'online', context: ['work-based', 'volunteering'] },
      learningOutcomes: [{ text: { en: 'Stimulate creativity' }, escoUri: escoSkill }],
      languages: ['es', 'pt-BR'],
    };
    const { document } = exportElm({ ...base, record });
    expect(await elmProblems(document)).toEqual([]);
    const spec = document.learningAchievementSpecification as Node;
    expect((spec.eqfLevel as Node)['@id']).toBe('http://data.europa.eu/snb/eqf/5');
    expect(((spec.creditPoint as Node[])[0]!.framework as Node)['@id']).toBe('http://data.europa.eu/snb/education-credit/6fcec5c5af');
    expect((spec.creditPoint as Node[])[0]!.point).toBe('2');
    expect((spec.learningOutcome as Node[])[0]!.relatedESCOSkill).toEqual([{ '@id': escoSkill }]);
    expect(((spec.provenBy as Node[])[0]!.dcType as Node)['@id']).toBe('http://data.europa.eu/snb/assessment/4f03b91c0e');
    expect((spec.mode as Node[]).map((m) => m['@id'])).toEqual([
      'http://data.europa.eu/snb/learning-assessment/920fbb3cbe',
      'http://data.europa.eu/snb/learning-assessment/729f3bed4b',
    ]);
    expect((spec.language as Node[]).map((m) => m['@id'])).toEqual([
      'http://publications.europa.eu/resource/authority/language/SPA',
      'http://publications.europa.eu/resource/authority/language/POR',
    ]);
    expect(((document.learningActivitySpecification as Node[])[0]!.dcType as Node)['@id']).toBe(
      'http://data.europa.eu/snb/learning-activity/59eaf34fab',
    );
    // a national level officially referenced to the EQF is exported at its EQF level
    const referenced = exportElm({ ...base, record: { ...base.record, level: { framework: 'MNC-XX', value: '6' } }, officialEqf: 6 });
    expect(((referenced.document.learningAchievementSpecification as Node).eqfLevel as Node)['@id']).toBe(
      'http://data.europa.eu/snb/eqf/6',
    );
  });

  it("exports accreditations by the network's QA agencies as elm:Accreditation with the EU accreditation type", async () => {
    const base = subjects[0]!.subject;
    const agencyDid = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
    const { document } = exportElm({
      ...base,
      accreditations: [
        {
          agency: { did: agencyDid, name: { es: 'Agencia de Prueba' } },
          subject: { type: 'institution' },
          status: 'accredited',
          validFrom: '2025-01-01',
          validUntil: '2030-12-31',
          reportUrl: 'https://agency.example/report.pdf',
        },
        {
          agency: { did: agencyDid, name: { es: 'Agencia de Prueba' } },
          subject: { type: 'microcredential' },
          status: 'conditional',
          validFrom: '2025-06-01',
          decision: { es: 'Acreditada con condiciones' },
        },
      ],
    });
    expect(await elmProblems(document)).toEqual([]);
    const acc = (document.learningAchievementSpecification as Node).accreditation as Node[];
    expect(acc.map((a) => (a.dcType as Node)['@id'])).toEqual([
      'http://data.europa.eu/snb/accreditation/bb4618238e',
      'http://data.europa.eu/snb/accreditation/820101cba6',
    ]);
    expect((acc[0]!.accreditingAgent as Node)['@id']).toBe(agencyDid);
    expect(acc[0]!.expiryDate).toBe('2030-12-31T23:59:59Z');
    expect((acc[0]!.report as Node[])[0]!.contentURL).toBe('https://agency.example/report.pdf');
    expect(acc[1]!.title).toEqual({ es: 'Acreditada con condiciones' });
  });

  it('leaves out and notes what has no concept, never inventing one', () => {
    const base = subjects[0]!.subject;
    const { document, notes } = exportElm({
      ...base,
      record: {
        ...base.record,
        assessment: { type: 'mixed' },
        workload: { hours: 40, credits: { system: 'SATCA', value: 2.5 } },
        skills: [{ name: { es: 'X' }, uri: 'https://example.org/skill/1' }],
      },
      institution: { ...base.institution, country: 'ZZ' },
    });
    const spec = document.learningAchievementSpecification as Node;
    expect(spec.creditPoint).toBeUndefined();
    expect((spec.provenBy as Node[])[0]!.dcType).toBeUndefined();
    expect(JSON.stringify(document)).not.toContain('example.org/skill');
    expect(notes.join('\n')).toMatch(/SATCA/);
    expect(notes.join('\n')).toMatch(/assessment type mixed/);
    expect(notes.join('\n')).toMatch(/country ZZ/);
    expect(notes.join('\n')).toMatch(/skill 1.*no ESCO URI/);
  });

  it('the checker catches an invented term and an invented concept', async () => {
    const { document } = exportElm(subjects[0]!.subject);
    await expect(elmProblems({ ...document, inventedTerm: 'x' })).rejects.toThrow();
    const spec = document.learningAchievementSpecification as Node;
    const bad = {
      ...document,
      learningAchievementSpecification: {
        ...spec,
        eqfLevel: { '@id': 'http://data.europa.eu/snb/eqf/9', '@type': 'Concept', inScheme: 'http://data.europa.eu/snb/eqf/25831c2' },
      },
    };
    expect(await elmProblems(bad)).toEqual(['concept http://data.europa.eu/snb/eqf/9']);
    const wrongScheme = {
      ...document,
      learningAchievementSpecification: {
        ...spec,
        eqfLevel: { '@id': 'http://data.europa.eu/snb/eqf/5', '@type': 'Concept', inScheme: 'http://data.europa.eu/snb/isced-f/25831c2' },
      },
    };
    expect(await elmProblems(wrongScheme)).toHaveLength(1);
    await expect(elmProblems({ ...document, '@context': ['https://example.org/other', ELM_CONTEXT] })).rejects.toThrow();
  });
});

describe('CTDL export', () => {
  it.each(subjects.map((s) => [`${s.unit} ${s.subject.record.code}`, s.subject] as const))(
    '%s uses only CTDL terms and concepts',
    async (_n, subject) => {
      const { document } = exportCtdl(subject);
      expect(await ctdlProblems(document)).toEqual([]);
      expect(document['@type']).toBe('ceterms:MicroCredential');
      const condition = (document['ceterms:requires'] as Node[])[0]!;
      expect((condition['ceterms:targetCompetency'] as unknown[]).length).toBeGreaterThanOrEqual(subject.record.learningOutcomes.length);
      const opportunity = (condition['ceterms:targetLearningOpportunity'] as Node[])[0]!;
      expect(values((opportunity['ceterms:deliveryType'] as Node[])[0]!['ceterms:targetNode'])).toBeDefined();
      expect((document['ceterms:credentialStatusType'] as Node)['ceterms:targetNode']).toBe('credentialStat:Active');
      expect((document['ceterms:estimatedDuration'] as Node[])[0]!['ceterms:exactDuration']).toBe(`PT${subject.record.workload.hours}H`);
    },
  );

  it('maps modes, assessment and status to CTDL concepts and ESCO outcomes to target nodes', async () => {
    const base = subjects[0]!.subject;
    const escoSkill = 'http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9';
    const { document } = exportCtdl({
      ...base,
      status: 'withdrawn',
      record: {
        ...base.record,
        participation: { mode: 'online', context: ['work-based'] },
        assessment: { type: 'exam' },
        learningOutcomes: [{ text: { en: 'Stimulate creativity' }, escoUri: escoSkill }],
      },
    });
    expect(await ctdlProblems(document)).toEqual([]);
    const condition = (document['ceterms:requires'] as Node[])[0]!;
    const opportunity = (condition['ceterms:targetLearningOpportunity'] as Node[])[0]!;
    expect((opportunity['ceterms:deliveryType'] as Node[])[0]!['ceterms:targetNode']).toBe('deliveryType:OnlineOnly');
    expect((opportunity['ceterms:assessmentMethodType'] as Node[])[0]!['ceterms:targetNode']).toBe('assessMethod:Exam');
    expect((opportunity['ceterms:learningMethodType'] as Node[])[0]!['ceterms:targetNode']).toBe('learnMethod:WorkBased');
    expect((condition['ceterms:targetCompetency'] as Node[])[0]!['ceterms:targetNode']).toBe(escoSkill);
    expect((document['ceterms:credentialStatusType'] as Node)['ceterms:targetNode']).toBe('credentialStat:Deprecated');
  });

  it('names the accrediting QA agencies: of the institution on the organisation, of the microcredential on the credential', async () => {
    const base = subjects[0]!.subject;
    const agency = (n: string) => ({ did: `did:key:z6Mk${n.repeat(44)}`, name: { es: `Agencia ${n}` } });
    const { document, notes } = exportCtdl({
      ...base,
      accreditations: [
        { agency: agency('A'), subject: { type: 'institution' }, status: 'accredited', validFrom: '2025-01-01' },
        { agency: agency('B'), subject: { type: 'programme' }, status: 'accredited', validFrom: '2025-01-01' },
      ],
    });
    expect(await ctdlProblems(document)).toEqual([]);
    expect(((document['ceterms:ownedBy'] as Node[])[0]!['ceterms:accreditedBy'] as Node[]).map((a) => a['@id'])).toEqual([agency('A').did]);
    expect((document['ceterms:accreditedBy'] as Node[]).map((a) => [a['@id'], a['@type']])).toEqual([
      [agency('B').did, 'ceterms:QACredentialOrganization'],
    ]);
    expect(notes.join('\n')).toMatch(/accreditations: .*only the agency/);
  });

  it("gives the internal QA procedure as the review process (frequency, method) and in both exports' QA text", async () => {
    const base = subjects[0]!.subject;
    const qualityAssurance = {
      type: 'internal' as const,
      procedure: {
        reviewCycleMonths: 12,
        lastReview: '2026-03-01',
        reviewers: ['academic-committee' as const],
        url: 'https://uni.example/qa',
      },
    };
    const subject = { ...base, record: { ...base.record, qualityAssurance } };
    const { document } = exportCtdl(subject);
    expect(await ctdlProblems(document)).toEqual([]);
    const review = (document['ceterms:reviewProcess'] as Node[])[0]!;
    expect(review['ceterms:processFrequency']).toEqual({ en: 'Every 12 months' });
    expect(review['ceterms:processMethod']).toBe('https://uni.example/qa');
    expect((review['ceterms:description'] as Record<string, string>).en).toContain('last review 2026-03-01; reviewers: academic-committee');
    const elm = exportElm(subject).document.learningAchievementSpecification as Node;
    expect(((elm.additionalNote as Node[])[0]!.noteLiteral as Record<string, string>).en).toContain('reviewed every 12 months');
  });

  it('the checker catches an invented term, a property outside its domain and an invented concept', async () => {
    const { document } = exportCtdl(subjects[0]!.subject);
    expect(await ctdlProblems({ ...document, 'ceterms:inventedTerm': 'x' })).toEqual(['property https://purl.org/ctdl/terms/inventedTerm']);
    expect(await ctdlProblems({ ...document, 'ceterms:deliveryTypeDescription': { en: 'x' } })).toEqual([
      'property ceterms:deliveryTypeDescription on ceterms:MicroCredential',
    ]);
    const status = { ...(document['ceterms:credentialStatusType'] as Node), 'ceterms:targetNode': 'credentialStat:Invented' };
    expect(await ctdlProblems({ ...document, 'ceterms:credentialStatusType': status })).toEqual([
      'concept credentialStat:Invented of ceterms:CredentialStatus',
    ]);
  });
});
