/**
 * Shapes of the HTTP API responses the web app reads (the subset it uses). The node's JSON Schemas and OpenAPI
 * document are the source of truth; these mirror them for the browser.
 */
import type { LangMap } from './i18n/index.js';

export interface InstitutionRef {
  did: string;
  name: LangMap;
  shortName?: string;
  country: string;
  member?: boolean;
}

export interface Workload {
  hours: number;
  credits: { system: string; value: number };
}

export interface McSummary {
  id: string;
  code: string;
  version: number;
  title: LangMap;
  description: LangMap;
  institution: InstitutionRef;
  country: string;
  workload?: Workload;
  level?: { framework: string; value: string };
  fieldOfStudy?: { iscedF: string };
  participation?: { mode?: string };
  assessment?: { type?: string };
  languages?: string[];
  pilotArea?: string | null;
  status: string;
  updatedAt: string;
}

export interface FacetValue {
  value: string;
  count: number;
  label?: string;
}

export interface SearchResponse {
  items: McSummary[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<string, FacetValue[]>;
}

export interface McRecord {
  code: string;
  version: number;
  title?: LangMap;
  description?: LangMap;
  criteria?: LangMap;
  learningOutcomes?: { text: LangMap; escoUri?: string }[];
  workload?: Workload;
  level?: { framework: string; value: string };
  fieldOfStudy?: { iscedF: string };
  assessment?: { type: string; description?: LangMap };
  participation?: { mode: string; context?: string[] };
  qualityAssurance?: { type: string; description?: LangMap; body?: string };
  awardingBody?: { name: string; did?: string };
  country?: string;
  languages?: string[];
  skills?: { name: LangMap; framework?: string; uri?: string }[];
  pilotArea?: string;
  prerequisites?: LangMap;
  supervision?: string;
  stackability?: { standalone: boolean; stackableTowards?: { name: LangMap; id?: string }[] };
  furtherInformation?: { url?: string; text?: LangMap };
  url?: string;
  image?: string;
  validFrom?: string;
}

export interface McDetail extends McRecord {
  id: string;
  institution: InstitutionRef;
  status: string;
  withdrawal: { reason?: string; at?: string; ts?: string } | null;
  createdAt: string;
  updatedAt: string;
  versions: { version: number; entryId: string; ts: string }[];
  accreditations: Accreditation[];
}

export interface Accreditation {
  agency?: { did?: string; name?: LangMap } | string;
  institution?: { name?: LangMap };
  scope?: string;
  outcome?: string;
  validFrom?: string;
  validUntil?: string;
  reportUrl?: string;
  [k: string]: unknown;
}

export interface Decision {
  decisionId: string;
  microcredential: { id: string; version: number };
  outcome: string;
  equivalentTo?: { kind: string; code?: string; name: LangMap };
  credits?: { system: string; value: number };
  conditions?: LangMap;
  validFrom: string;
  validUntil?: string;
  reasons: LangMap;
  substantialDifferences?: { aspect: string; description: LangMap }[];
  decidedBy?: string;
  institution: { did: string; name: LangMap; country: string };
  publishedAt: string;
  status: string;
}

export interface Institution extends InstitutionRef {
  kind: string;
  memberStatus: string;
  endorsedBy: string[];
  profile: {
    name: LangMap;
    shortName?: string;
    country: string;
    city?: string;
    unitName?: LangMap;
    kind?: string;
    website?: string;
    email?: string;
    description?: LangMap;
  } | null;
  microcredentialCount: number;
  issuerKeys: { keyId: string; validFrom: string; publishedAt: string; revokedAt: string | null; revocationReason: string | null }[];
  frozen: boolean;
}

export interface InstitutionDetail extends Institution {
  catalogue: McSummary[];
  endorsements: Endorsement[];
}

export interface Endorsement {
  author: string;
  subject: string;
  [k: string]: unknown;
}

export interface NetworkStatus {
  network: string;
  networkName: string;
  self: { did: string; peerId: string | null; addresses: string[] };
  federation: 'running' | 'disabled';
  /** Whether this node may publish: its own feed confirmed current with a peer, or by the operator's word. */
  ownFeed?: { confirmed: boolean; basis: 'init' | 'peers' | 'standalone' | 'alone' | null; since: string | null; detail: string; peer?: string; seq?: number };
  digest: string;
  peers: { peerId: string; did: string | null; addresses: string[]; connected: boolean; lastSeen: string | null; institution: LangMap; dialFailures?: number; lastDialError?: string | null }[];
  members: { did: string; status: string; since?: string; institution: LangMap }[];
  feeds: { author: string; institution: LangMap; member: string; head: { seq: number; id: string }; bestKnownSeq: number; behind: number; frozen: boolean }[];
  equivocations: { author: string; institution: LangMap; seq: number; detectedAt: string }[];
  rounds: {
    peer: string;
    did: string | null;
    reason: string;
    startedAt: string;
    durationMs: number;
    entriesReceived?: number;
    entriesAccepted?: number;
    error?: string;
  }[];
}

export type CheckStatus = 'ok' | 'failed' | 'unchecked';

export interface VerificationReport {
  kind?: 'credential' | 'presentation';
  verified: boolean;
  outcome: 'verified' | 'failed' | 'incomplete';
  checks: { id: string; status: CheckStatus; reason: string }[];
  credential?: { id?: string; issuer?: string; issuerName?: string; validFrom?: string; achievement?: { id?: string; name?: string }; learner?: { name?: string } };
  issuer?: { did: string; name: string; country: string; member: boolean; keyId: string };
  microcredential?: { achievementId: string; globalId?: string; record?: McRecord };
  credentials?: VerificationReport[];
  holder?: string;
  /** Presentations: one line in English, e.g. "credentials verified, holder not authenticated". */
  summary?: string;
  freshness?: { asOf: string; lagEntries?: number; peersConnected?: number } | null;
  checkedAt?: string;
}
