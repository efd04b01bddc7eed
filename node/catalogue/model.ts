/**
 * TypeScript view of a catalogue record. The shape is defined by `schemas/microcredential.schema.json`; this
 * interface mirrors the fields the node reads and must never add fields the schema does not have.
 */
export type LangMap = { es?: string; en?: string; pt?: string };

export interface MicrocredentialRecord {
  code: string;
  version: number;
  title: LangMap;
  description?: LangMap;
  criteria?: LangMap;
  learningOutcomes: { text: LangMap; escoUri?: string }[];
  workload: { hours: number; credits: { system: string; value: number } };
  level: { framework: string; value: string };
  fieldOfStudy: { iscedF: string };
  assessment: { type: string; description?: LangMap };
  participation: { mode: 'online' | 'onsite' | 'blended'; context?: string[] };
  qualityAssurance: {
    type: string;
    description?: LangMap;
    body?: string;
    /** The unit's internal QA procedure (schemas/microcredential.schema.json): reviewers are roles, never people. */
    procedure?: { reviewCycleMonths?: number; lastReview?: string; reviewers?: string[]; url?: string };
  };
  awardingBody?: { name: string; did?: string };
  country?: string;
  languages: string[];
  skills?: { name: LangMap; framework?: string; uri?: string }[];
  pilotArea?: string;
  prerequisites?: LangMap;
  supervision?: string;
  stackability?: { standalone: boolean; stackableTowards?: { name: LangMap; id?: string }[]; stacksFrom?: { id: string; name?: LangMap; minVersion?: number }[] };
  furtherInformation?: { url?: string; text?: LangMap };
  url?: string;
  image?: string;
  validFrom?: string;
}
