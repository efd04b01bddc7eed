/**
 * The EU elements of a micro-credential that Open Badges 3.0 has no property for, as achievement alignments
 * (`targetType` ext:…): writing them from plain values (euAlignments) and reading them back from an achievement of
 * either shape, current alignments or legacy undefined-terms properties (euElementsOf). Split out of ob3.ts, which
 * re-exports what it exported before. Pure: must never sign, store, read a clock or touch the network.
 */

/** `targetType` of the EU level alignment (also read by the legacy re-shaping in ob3.ts). */
export const LEVEL_TARGET_TYPE = 'ext:QualificationsFrameworkLevel';

/**
 * `targetType` of the achievement alignments that carry the EU elements OB 3.0 has no property for (OB 3.0's
 * extension form of the AlignmentTargetType vocabulary, `ext:<name>`). See README-mapping.md.
 */
export const EU_TARGET_TYPES = Object.freeze({
  workload: 'ext:NotionalWorkload',
  credits: 'ext:Credits',
  level: LEVEL_TARGET_TYPE,
  assessment: 'ext:AssessmentType',
  participation: 'ext:ParticipationForm',
  participationContext: 'ext:ParticipationContext',
  qualityAssurance: 'ext:QualityAssurance',
  qualityAssuranceBody: 'ext:QualityAssuranceBody',
  prerequisites: 'ext:Prerequisites',
  supervision: 'ext:Supervision',
  stackability: 'ext:Stackability',
  stackableTowards: 'ext:StackableTowards',
  furtherInformation: 'ext:FurtherInformation',
});

/** The object without its undefined properties (mutates and returns it). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** The EU elements OB 3.0 has no property for, as plain values (from a catalogue record or a legacy credential). */
export interface EuFacts {
  workload: { hours: number; creditSystem?: string; credits?: number };
  level: { framework: string; value: string };
  assessment: { type: string; description?: string };
  participation: { mode: string; context?: string[] };
  qualityAssurance: { type: string; description?: string; body?: string };
  prerequisites?: string;
  supervision?: string;
  stackability?: { standalone: boolean; stackableTowards?: { id?: string; name?: string }[] };
  furtherInformation?: { url?: string; text?: string };
}

export type Alignment = Record<string, unknown>;

function euAlignment(
  targetType: string,
  targetUrl: string,
  fields: { name: string; code?: string; description?: string; framework?: string },
): Alignment {
  return compact({
    type: ['Alignment'],
    targetType,
    targetName: fields.name,
    targetCode: fields.code,
    targetDescription: fields.description,
    targetFramework: fields.framework,
    targetUrl,
  });
}

/**
 * The alignments carrying the EU elements (OB 3.0 terms only: `targetType`, `targetName`, `targetCode`,
 * `targetDescription`, `targetFramework`, `targetUrl`). `targetUrl` is required by OB 3.0: a real URL when there is
 * one (EQF level, a stackable programme, further information), else a fragment of the achievement id.
 */
export function euAlignments(achievementId: string, f: EuFacts): Alignment[] {
  const at = (frag: string): string => `${achievementId}#${frag}`;
  const out: Alignment[] = [];
  out.push(
    euAlignment(EU_TARGET_TYPES.workload, at('workload'), {
      name: `${f.workload.hours} hours`,
      code: String(f.workload.hours),
      framework: 'hours',
    }),
  );
  if (f.workload.credits !== undefined && f.workload.creditSystem) {
    out.push(
      euAlignment(EU_TARGET_TYPES.credits, at('credits'), {
        name: `${f.workload.credits} ${f.workload.creditSystem}`,
        code: String(f.workload.credits),
        framework: f.workload.creditSystem,
      }),
    );
  }
  const eqf = /^EQF$/i.test(f.level.framework) && /^[1-8]$/.test(f.level.value);
  out.push(
    euAlignment(EU_TARGET_TYPES.level, eqf ? `http://data.europa.eu/snb/eqf/${f.level.value}` : at('level'), {
      name: `${eqf ? 'EQF' : f.level.framework} level ${f.level.value}`,
      code: f.level.value,
      framework: eqf ? 'EQF' : f.level.framework,
    }),
  );
  out.push(
    euAlignment(EU_TARGET_TYPES.assessment, at('assessment'), {
      name: f.assessment.type,
      code: f.assessment.type,
      description: f.assessment.description,
    }),
  );
  out.push(euAlignment(EU_TARGET_TYPES.participation, at('participation'), { name: f.participation.mode, code: f.participation.mode }));
  (f.participation.context ?? []).forEach((c, i) =>
    out.push(euAlignment(EU_TARGET_TYPES.participationContext, at(`participation-context-${i + 1}`), { name: c, code: c })),
  );
  out.push(
    euAlignment(EU_TARGET_TYPES.qualityAssurance, at('quality-assurance'), {
      name: f.qualityAssurance.type,
      code: f.qualityAssurance.type,
      description: f.qualityAssurance.description,
    }),
  );
  if (f.qualityAssurance.body) {
    out.push(euAlignment(EU_TARGET_TYPES.qualityAssuranceBody, at('quality-assurance-body'), { name: f.qualityAssurance.body }));
  }
  if (f.prerequisites) out.push(euAlignment(EU_TARGET_TYPES.prerequisites, at('prerequisites'), { name: f.prerequisites }));
  if (f.supervision) out.push(euAlignment(EU_TARGET_TYPES.supervision, at('supervision'), { name: f.supervision, code: f.supervision }));
  if (f.stackability) {
    const code = f.stackability.standalone ? 'standalone' : 'not-standalone';
    out.push(euAlignment(EU_TARGET_TYPES.stackability, at('stackability'), { name: code, code }));
    (f.stackability.stackableTowards ?? []).forEach((s, i) =>
      out.push(euAlignment(EU_TARGET_TYPES.stackableTowards, s.id ?? at(`stackable-towards-${i + 1}`), { name: s.name ?? s.id ?? '' })),
    );
  }
  if (f.furtherInformation && (f.furtherInformation.url || f.furtherInformation.text)) {
    out.push(
      euAlignment(EU_TARGET_TYPES.furtherInformation, f.furtherInformation.url ?? at('further-information'), {
        name: f.furtherInformation.text ?? f.furtherInformation.url!,
      }),
    );
  }
  return out;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

/**
 * The mandatory EU elements OB 3.0 has no property for, read from an achievement of either shape: the alignments
 * of the current shape, or the undefined-terms properties of a credential issued before it. Never throws.
 */
export function euElementsOf(achievement: unknown): {
  workloadHours?: number;
  level?: { framework: string; value: string };
  assessmentType?: string;
  participationMode?: string;
  qualityAssuranceType?: string;
} {
  const a = (achievement && typeof achievement === 'object' ? achievement : {}) as Record<string, unknown>;
  const alignments = (Array.isArray(a['alignment']) ? a['alignment'] : [a['alignment']]).filter(
    (x): x is Record<string, unknown> => !!x && typeof x === 'object',
  );
  const find = (type: string): Record<string, unknown> | undefined => alignments.find((x) => x['targetType'] === type);
  const out: ReturnType<typeof euElementsOf> = {};
  const w = find(EU_TARGET_TYPES.workload);
  const legacyWorkload = a['workload'] as { hours?: unknown } | undefined;
  const hours = w ? num(w['targetCode']) : num(legacyWorkload?.hours);
  if (hours !== undefined && hours > 0) out.workloadHours = hours;
  const l = find(EU_TARGET_TYPES.level);
  const legacyLevel = a['level'] as { framework?: unknown; value?: unknown } | undefined;
  const framework = str(l?.['targetFramework']) ?? str(legacyLevel?.framework);
  const value =
    str(l?.['targetCode']) ?? (legacyLevel?.value !== undefined && legacyLevel.value !== null ? String(legacyLevel.value) : undefined);
  if (framework && value) out.level = { framework, value };
  const pick = (type: string, legacy: string): string | undefined => str(find(type)?.['targetCode']) ?? str(a[legacy]);
  const assessmentType = pick(EU_TARGET_TYPES.assessment, 'assessmentType');
  if (assessmentType) out.assessmentType = assessmentType;
  const participationMode = pick(EU_TARGET_TYPES.participation, 'participationMode');
  if (participationMode) out.participationMode = participationMode;
  const qualityAssuranceType = pick(EU_TARGET_TYPES.qualityAssurance, 'qualityAssuranceType');
  if (qualityAssuranceType) out.qualityAssuranceType = qualityAssuranceType;
  return out;
}
