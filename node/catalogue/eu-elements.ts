/**
 * The EU standard elements of a micro-credential (Council Recommendation 2022/C 243/02, Annex I): the list with
 * es/en labels, and the check that a catalogue record names every mandatory element that belongs to it.
 * Must never validate structure (the JSON Schema does) — only presence and plausibility of the elements.
 */
import type { MicrocredentialRecord } from './model.js';
import { CreditSystems } from './credit-systems.js';
import { findField, findLevel, loadReferenceData, type ReferenceData } from './reference-data.js';
import type { MessageRef } from '../core/messages/index.js';

export type EuElement =
  | 'learner'
  | 'title'
  | 'country'
  | 'awarding_body'
  | 'date_of_issuing'
  | 'learning_outcomes'
  | 'workload'
  | 'level'
  | 'assessment_type'
  | 'participation_form'
  | 'quality_assurance';

export const MANDATORY_ELEMENTS: { element: EuElement; label: { es: string; en: string }; inCatalogue: boolean }[] = [
  { element: 'learner', label: { es: 'Identificación del estudiante', en: 'Identification of the learner' }, inCatalogue: false },
  { element: 'title', label: { es: 'Título de la microcredencial', en: 'Title of the micro-credential' }, inCatalogue: true },
  { element: 'country', label: { es: 'País o región del emisor', en: 'Country/region of the issuer' }, inCatalogue: true },
  { element: 'awarding_body', label: { es: 'Organismo que otorga', en: 'Awarding body' }, inCatalogue: true },
  { element: 'date_of_issuing', label: { es: 'Fecha de emisión', en: 'Date of issuing' }, inCatalogue: false },
  { element: 'learning_outcomes', label: { es: 'Resultados de aprendizaje', en: 'Learning outcomes' }, inCatalogue: true },
  { element: 'workload', label: { es: 'Carga de trabajo teórica (créditos ECTS u otros)', en: 'Notional workload (ECTS credits or other)' }, inCatalogue: true },
  { element: 'level', label: { es: 'Nivel (y ciclo) de la experiencia de aprendizaje', en: 'Level (and cycle) of the learning experience' }, inCatalogue: true },
  { element: 'assessment_type', label: { es: 'Tipo de evaluación', en: 'Type of assessment' }, inCatalogue: true },
  { element: 'participation_form', label: { es: 'Forma de participación', en: 'Form of participation' }, inCatalogue: true },
  { element: 'quality_assurance', label: { es: 'Tipo de aseguramiento de la calidad', en: 'Type of quality assurance' }, inCatalogue: true },
];

export const OPTIONAL_ELEMENTS: { element: string; label: { es: string; en: string } }[] = [
  { element: 'prerequisites', label: { es: 'Requisitos previos', en: 'Prerequisites needed to enrol' } },
  { element: 'supervision', label: { es: 'Supervisión y verificación de identidad', en: 'Supervision and identity verification' } },
  { element: 'grade', label: { es: 'Calificación obtenida', en: 'Grade achieved' } },
  { element: 'stackability', label: { es: 'Integración / apilabilidad', en: 'Integration / stackability options' } },
  { element: 'further_information', label: { es: 'Información adicional', en: 'Further information' } },
];

/** `message` in English (logs, CLI); `ref` the same sentence as a message key, said in the reader's language by node/http. */
export interface EuCheck {
  ok: boolean;
  missing: { element: EuElement; message: string; ref: MessageRef }[];
  warnings: { element: string; message: string; ref: MessageRef }[];
}

const nonEmpty = (m: unknown): boolean =>
  !!m && typeof m === 'object' && Object.values(m as Record<string, unknown>).some((v) => typeof v === 'string' && v.trim().length > 0);

export function checkEuElements(record: Partial<MicrocredentialRecord>, ref: ReferenceData = cachedRef()): EuCheck {
  const missing: EuCheck['missing'] = [];
  const warnings: EuCheck['warnings'] = [];
  const miss = (element: EuElement, message: string) => missing.push({ element, message, ref: { key: `eu.missing.${element}` as MessageRef['key'] } });
  if (!nonEmpty(record.title)) miss('title', 'title is required (at least one language)');
  if (!record.country) miss('country', 'country of the issuer is required (filled from the institution profile when omitted)');
  if (!record.awardingBody?.name) miss('awarding_body', 'awarding body is required (filled from the institution profile when omitted)');
  if (!Array.isArray(record.learningOutcomes) || record.learningOutcomes.length === 0 || !record.learningOutcomes.every((o) => nonEmpty(o?.text)))
    miss('learning_outcomes', 'at least one learning outcome with text is required');
  if (!record.workload || !(record.workload.hours > 0) || !record.workload.credits?.system || !(record.workload.credits.value > 0))
    miss('workload', 'notional workload in hours and in a named credit system is required');
  if (!record.level?.framework || !record.level?.value) miss('level', 'level with its framework (e.g. EQF 5) is required');
  if (!record.assessment?.type) miss('assessment_type', 'type of assessment is required');
  if (!record.participation?.mode) miss('participation_form', 'form of participation (online, onsite, blended) is required');
  if (!record.qualityAssurance?.type) miss('quality_assurance', 'type of quality assurance is required');

  if (record.workload?.credits?.system && record.workload.hours > 0) {
    const cs = new CreditSystems(ref);
    if (!cs.known(record.workload.credits.system))
      warnings.push({
        element: 'workload',
        message: `unknown credit system ${record.workload.credits.system}`,
        ref: { key: 'eu.warning.unknownCreditSystem', params: { system: record.workload.credits.system } },
      });
    else if (!cs.consistent(record.workload.hours, record.workload.credits.value, record.workload.credits.system)) {
      const r = cs.hoursToCredits(record.workload.hours, record.workload.credits.system);
      warnings.push({
        element: 'workload',
        message: `${record.workload.hours} h is ${r.min}–${r.max} ${r.system}, but ${record.workload.credits.value} ${r.system} are declared`,
        ref: { key: 'eu.warning.workloadInconsistent', params: { hours: record.workload.hours, min: r.min, max: r.max, system: r.system, value: record.workload.credits.value } },
      });
    }
  }
  if (record.level?.framework && record.level.value && !findLevel(ref, record.level.framework, record.level.value))
    warnings.push({
      element: 'level',
      message: `level ${record.level.value} is not in the ${record.level.framework} reference table`,
      ref: { key: 'eu.warning.unknownLevel', params: { value: record.level.value, framework: record.level.framework } },
    });
  if (record.fieldOfStudy?.iscedF && !findField(ref, record.fieldOfStudy.iscedF))
    warnings.push({
      element: 'field_of_study',
      message: `ISCED-F code ${record.fieldOfStudy.iscedF} is not in the reference table`,
      ref: { key: 'eu.warning.unknownField', params: { code: record.fieldOfStudy.iscedF } },
    });
  return { ok: missing.length === 0, missing, warnings };
}

const refCache = { data: null as ReferenceData | null };
function cachedRef(): ReferenceData {
  refCache.data ??= loadReferenceData();
  return refCache.data;
}
