/**
 * The registrar's lookup, the one flow behind POST /api/v1/recognition/lookup, the printable report and
 * `mochila recognize`: verify the credential a learner brought (if any), find the microcredential it names, and look
 * that up in the replica (catalogue entry, accreditations, decisions, agreements, comparison with the local catalogue).
 * Rule when both a credential and a typed microcredential id are given: the credential's own achievement wins and the
 * typed id is not used (a registrar looks up what the credential attests, never what was typed beside it; the
 * request schema says so too). Must never decide recognition itself, read HTTP or print: callers present the answer.
 */
import { userError } from '../core/messages/index.js';
import type { RecognitionService } from './recognition.service.js';

/** A verification report as the lookup shows it: the verdict and, for the terminal, its checks. */
export type LookupReport = Record<string, unknown> & { verified: boolean; checks?: { id: string; status: string; reason: string }[] };

export interface LookupVerifier {
  /** Verifies a credential/presentation and returns the report plus the microcredential id it names, if any. */
  verify(input: unknown): Promise<{ report: LookupReport; microcredentialId: string | null }>;
}

/** What the replica holds about one microcredential (RecognitionService.lookup). */
export type LookupFound = NonNullable<ReturnType<RecognitionService['lookup']>>;

export interface RegistrarLookup {
  verification: LookupReport | null;
  /** The microcredential looked up: the one the credential names, else the typed id; null when the credential names none. */
  microcredentialId: string | null;
  found: LookupFound | null;
}

const USAGE = 'send { "credential": {...} } or { "microcredential": "<id>" }';

/**
 * Runs the lookup for a request `{ credential?, microcredential? }` (hostile input: checked here). Throws
 * `validation_failed` for a request with neither (or a malformed id), `unsupported` when a credential is given and
 * this node cannot verify, `not_found` when only an id was given and the replica does not hold it. A credential whose
 * microcredential is unknown is not an error: the answer carries its verification alone.
 */
export async function registrarLookup(
  d: { recognition: Pick<RecognitionService, 'lookup'>; verifier: LookupVerifier | null },
  request: unknown,
): Promise<RegistrarLookup> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) throw userError('validation_failed', 'lookup.needInput', undefined, { usage: USAGE });
  const b = request as { credential?: unknown; microcredential?: unknown };
  let verification: LookupReport | null = null;
  let mcId: string | null;
  if (b.credential !== undefined) {
    if (!d.verifier) throw userError('unsupported', 'lookup.verifierUnavailable');
    const v = await d.verifier.verify(b.credential);
    verification = v.report;
    mcId = v.microcredentialId; // the credential's own achievement: a typed id beside it is not used
  } else if (typeof b.microcredential === 'string' && b.microcredential.length > 0 && b.microcredential.length <= 200) {
    mcId = b.microcredential;
  } else throw userError('validation_failed', 'lookup.needInput', undefined, { usage: USAGE });
  const found = mcId ? d.recognition.lookup(mcId) : null;
  if (!found && !verification) throw userError('not_found', 'lookup.notInReplica', { id: String(mcId) });
  return { verification, microcredentialId: mcId, found };
}

/** The answer body (schemas/api/recognition-lookup-answer.schema.json), as served and as `mochila recognize --json` prints it. */
export function lookupAnswer(l: RegistrarLookup) {
  return {
    verification: l.verification,
    microcredentialId: l.microcredentialId,
    ...(l.found ?? {
      microcredential: null,
      institution: null,
      accreditations: [],
      decisions: [],
      agreements: [],
      comparison: [],
      note: 'The credential does not name a microcredential this node knows, so only the verification is shown.',
    }),
  };
}
