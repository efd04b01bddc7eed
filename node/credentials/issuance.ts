/**
 * Issuing one credential of this unit: the microcredential must be this unit's own and active, the learner named
 * and identified (e-mail or DID), the same microcredential version issued once per learner while in force; the
 * credential gets its status (revocation, and suspension unless asked not to), is signed with the current issuer key
 * and stored, with its batch row's result, in one transaction. Must never issue while this unit's
 * feed cannot take entries, and never sign with a key the feed ended for new credentials.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../core/canonical.js';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import type { FeedService } from '../feed/feed.service.js';
import { microcredentialId } from '../feed/ids.js';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Store } from '../store/database.js';
import { issuedCredentials, jobRows } from '../store/schema.js';
import type { CatalogueService, StoredMicrocredential } from '../catalogue/catalogue.service.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import { DID, EMAIL } from './csv.js';
import type { IssuedCredential, IssuedCredentials } from './issued-credentials.js';
import { nameOf, type IssuingUnit } from './issuing-unit.js';
import { achievementUri, asProofSet, buildOpenBadgeCredential, type MicrocredentialRecordInput, type ModuleCredentialLink, type StatusEntry } from './ob3.js';
import type { SigningKeys } from './signers.js';
import { buildStatusEntry } from './status-list.js';
import type { StatusListService } from './status-lists.service.js';
import { EVIDENCE_LIMITS, prepareEvidenceFiles, evidenceFileUrl, type EvidenceFiles, type PreparedEvidenceFile } from './evidence-files.js';
import { checkEvidenceRequests, resultParts, type EvidenceEntry, type EvidenceRequest, type ResultRequest } from './ob3-evidence.js';
import { checkModules } from './programmes.js';
import type { VerificationReport } from './verify.js';

export interface IssueRequest {
  /** Network-wide id (`<code>.<16 hex>`) or this unit's own catalogue code. */
  microcredential: string;
  learner: { name: string; email?: string; did?: string };
  validUntil?: string;
  /** Also give the credential a suspension status entry (default true). */
  suspension?: boolean;
  /** E-mail the learner their claim link (needs the learner's e-mail and the node's SMTP settings). */
  notify?: boolean;
  /** Language of that e-mail: es (default) or en. */
  language?: 'es' | 'en' | 'pt';
  /**
   * OB 3.0 evidence: narratives, links, and files (base64 in JSON, or bytes) this node stores with the credential
   * and serves at `/api/v1/evidence/<sha256 hex>` (evidence-files.ts: bounds, allowed types).
   */
  evidence?: EvidenceRequest[];
  /** Assessed results (grades, rubric levels) with their descriptions (ob3-evidence.ts). */
  results?: ResultRequest[];
  creditsEarned?: number;
  /** ISO 8601 date or date-time. */
  activityStartDate?: string;
  activityEndDate?: string;
  /**
   * A programme's badge (a microcredential with `stackability.stacksFrom`): the learner's module credentials, one in
   * force per module, verified against the replica and linked in the badge (programmes.ts).
   */
  modules?: unknown[];
}

/**
 * What is stored with each credential besides it (its claim link, the e-mail to send; node/credentials/claims.ts and
 * deliveries.ts), wired by the credential service.
 */
export interface IssuanceExtras {
  /** Refuses, before anything is signed, a request this node cannot carry out (e-mail asked without SMTP). */
  check(req: IssueRequest): void;
  /** Inside the credential's transaction: stores its claim link and queues its e-mail. */
  inTx(credentialId: string, req: IssueRequest): { claimUrl: string; delivery: 'queued' | null };
  /** After the commit (the mailer is woken). */
  committed(): void;
}

/** What `IssuanceService.check` found: the request's parts, checked, and whether the learner already holds it. */
export interface CheckedIssue {
  mc: StoredMicrocredential;
  name: string;
  learner: IssueRequest['learner'];
  additions: { files: PreparedEvidenceFile[]; build: { evidence?: EvidenceEntry[]; results?: ResultRequest[]; creditsEarned?: number; activityStartDate?: string; activityEndDate?: string } };
  version: number;
  learnerKey: string;
  dedupeKey: string;
  /** The credential in force the learner already holds (issuing again is refused with `conflict`). */
  existing: { id: string; issuedAt: string } | null;
  /** A credential of the learner signed by a key declared compromised: revoked and replaced by the new one. */
  replaces: { id: string; issuerKey: string; issuedAt: string } | null;
  modules: ModuleCredentialLink[] | null;
}

/** An issued credential as issuance answers it: with its claim link (shown once: only its hash is kept). */
export type NewCredential = IssuedCredential & { claimUrl?: string; delivery?: 'queued' | null };

export interface IssuanceDeps {
  store: Store;
  feed: FeedService;
  keys: SigningKeys;
  catalogue: CatalogueService;
  institutions: InstitutionDirectory;
  clock: Clock;
  unit: IssuingUnit;
  issued: IssuedCredentials;
  lists: StatusListService;
  extras?: IssuanceExtras;
  /** Where evidence files are stored (with the credential, in its transaction); absent: files are refused. */
  evidence?: EvidenceFiles;
  /** The replica verifier, for the module credentials of a programme's badge. */
  verify?: (credential: unknown) => Promise<VerificationReport>;
}

export class IssuanceService {
  private readonly st: ReturnType<typeof prepareStatements>;

  constructor(private readonly d: IssuanceDeps) {
    this.st = prepareStatements(d.store);
  }

  /** Refuses a request the node cannot carry out (e-mail without SMTP) before any work. */
  checkExtras(req: IssueRequest): void {
    this.d.extras?.check(req);
  }

  /** A microcredential by global id or by this unit's code, whoever's and whatever its status (null: unknown). */
  findMicrocredential(ref: string): StoredMicrocredential | null {
    if (typeof ref !== 'string' || !ref.trim()) return null;
    return this.d.catalogue.get(ref) ?? this.d.catalogue.get(microcredentialId(this.d.unit.author, ref));
  }

  /** Resolves a microcredential of this unit by global id or code; only active entries can be issued. */
  resolveMicrocredential(ref: string): StoredMicrocredential {
    if (typeof ref !== 'string' || !ref.trim()) throw userError('validation_failed', 'issue.microcredentialRequired');
    const mc = this.findMicrocredential(ref);
    if (!mc) throw userError('unknown_microcredential', 'issue.unknownMicrocredential', { ref });
    if (mc.author !== this.d.unit.author) throw userError('forbidden', 'issue.otherInstitution', { ref });
    if (mc.status !== 'active') throw userError('validation_failed', 'issue.withdrawn', { ref });
    return mc;
  }

  /**
   * A programme's badge: the learner's module credentials, checked (programmes.ts), become its links; presenting
   * module credentials for a microcredential that stacks from none is refused (nothing would be checked or linked).
   */
  private async programmeModules(mc: StoredMicrocredential, req: IssueRequest, learner: IssueRequest['learner']): Promise<ModuleCredentialLink[] | null> {
    const wanted = mc.record.stackability?.stacksFrom ?? [];
    if (!wanted.length) {
      if (req.modules !== undefined && (!Array.isArray(req.modules) || req.modules.length))
        throw userError('validation_failed', 'issue.notProgramme', { id: mc.id });
      return null;
    }
    if (!this.d.verify) throw new RegistryError('unsupported', 'this node cannot verify module credentials');
    return checkModules({
      programme: mc.id,
      modules: wanted,
      presented: req.modules,
      learner: { ...(learner.did ? { did: learner.did } : {}), ...(learner.email ? { email: learner.email.trim() } : {}) },
      verify: this.d.verify,
      titleOf: (id) => {
        const t = this.d.catalogue.get(id)?.record.title;
        return t?.es ?? t?.en ?? t?.pt;
      },
    });
  }

  /**
   * The OB 3.0 additions of a request, checked: evidence entries (files decoded, checked and digested), results
   * against their descriptions, credits earned, activity dates. Throws before anything is allocated or signed.
   */
  private additions(mc: StoredMicrocredential, req: IssueRequest): { files: PreparedEvidenceFile[]; build: { evidence?: EvidenceEntry[]; results?: ResultRequest[]; creditsEarned?: number; activityStartDate?: string; activityEndDate?: string } } {
    const asked = checkEvidenceRequests(req.evidence);
    if (asked.length > EVIDENCE_LIMITS.entries) throw userError('validation_failed', 'issue.tooManyEvidence', { limit: EVIDENCE_LIMITS.entries });
    const withFiles = asked.filter((e) => e.file);
    if (withFiles.length && !this.d.evidence) throw new RegistryError('unsupported', 'this node does not store evidence files');
    const files = prepareEvidenceFiles(withFiles.map((e) => e.file!));
    const byFile = new Map(withFiles.map((e, i) => [e, files[i]!]));
    const base = this.d.unit.base();
    const evidence: EvidenceEntry[] = asked.map((e) => {
      const f = byFile.get(e);
      const { file: _f, ...rest } = e;
      return f ? { ...rest, file: { url: evidenceFileUrl(base, f.digest), sri: f.sri, mediaType: f.mediaType, name: f.name } } : rest;
    });
    for (const k of ['activityStartDate', 'activityEndDate'] as const)
      if (req[k] !== undefined && (typeof req[k] !== 'string' || Number.isNaN(Date.parse(req[k]))))
        throw userError('validation_failed', k === 'activityStartDate' ? 'issue.startNotDate' : 'issue.endNotDate', { value: String(req[k]).slice(0, 100) });
    if (req.results !== undefined && !Array.isArray(req.results)) throw userError('validation_failed', 'issue.resultsNotList');
    // the same checks the credential's builder applies, run now so a bad result costs nothing
    resultParts(achievementUri(mc.id, base), req.results);
    const credits = (mc.record as unknown as MicrocredentialRecordInput).workload?.credits?.value;
    if (req.creditsEarned !== undefined) {
      if (typeof req.creditsEarned !== 'number' || !Number.isFinite(req.creditsEarned) || req.creditsEarned < 0) throw userError('validation_failed', 'issue.creditsEarnedInvalid');
      if (typeof credits === 'number' && req.creditsEarned > credits) throw userError('validation_failed', 'issue.creditsEarnedTooMany', { earned: req.creditsEarned, credits });
    }
    if (req.activityStartDate && req.activityEndDate && Date.parse(req.activityEndDate) < Date.parse(req.activityStartDate))
      throw userError('validation_failed', 'issue.endBeforeStart');
    return {
      files,
      build: {
        ...(evidence.length ? { evidence } : {}),
        ...(req.results?.length ? { results: req.results } : {}),
        ...(req.creditsEarned !== undefined ? { creditsEarned: req.creditsEarned } : {}),
        ...(req.activityStartDate ? { activityStartDate: req.activityStartDate } : {}),
        ...(req.activityEndDate ? { activityEndDate: req.activityEndDate } : {}),
      },
    };
  }

  private learnerKey(l: IssueRequest['learner']): string {
    if (l.did) return l.did;
    if (l.email) return sha256Hex(l.email.trim().toLowerCase());
    throw userError('validation_failed', 'issue.learnerIdRequired');
  }

  /**
   * Every check issuing `req` would make, without signing, allocating or storing anything: the learner, the dates,
   * the microcredential, the node's extras (e-mail), the evidence and results, whether the learner already holds it
   * in force (`existing`: not an error here, the caller decides) and, when not, a programme's module credentials.
   * `issue` runs exactly this before signing; a cohort's preview runs it alone (batch-jobs.ts).
   */
  async check(req: IssueRequest): Promise<CheckedIssue> {
    // status lists live in this unit's feed: while it may not append (own feed not confirmed current), nothing is issued
    this.d.feed.assertCanAppend();
    const learner = req.learner ?? ({} as IssueRequest['learner']);
    const name = typeof learner.name === 'string' ? learner.name.trim() : '';
    if (!name) throw userError('validation_failed', 'issue.nameRequired');
    if (name.length > 300) throw userError('validation_failed', 'issue.nameTooLong');
    if (learner.email !== undefined && (typeof learner.email !== 'string' || !EMAIL.test(learner.email.trim())))
      throw userError('validation_failed', 'issue.notEmail', { value: String(learner.email).slice(0, 320) });
    if (learner.did !== undefined && (typeof learner.did !== 'string' || !DID.test(learner.did)))
      throw userError('validation_failed', 'issue.notDid', { value: String(learner.did).slice(0, 320) });
    if (req.validUntil !== undefined && Number.isNaN(Date.parse(req.validUntil))) throw userError('validation_failed', 'issue.validUntilNotDate', { value: String(req.validUntil).slice(0, 100) });
    if (req.validUntil && Date.parse(req.validUntil) <= this.d.clock.now().getTime()) throw userError('validation_failed', 'issue.validUntilPast');
    const mc = this.resolveMicrocredential(req.microcredential);
    this.d.extras?.check(req);
    // evidence, results, credits and dates are checked (files decoded and digested) before any status bit is taken
    const additions = this.additions(mc, req);
    const version = Number(mc.record.version ?? 1);
    const learnerKey = this.learnerKey(learner);
    const dedupeKey = sha256Hex(`${mc.id}\n${version}\n${learnerKey}`);
    const dup = this.st.dedupe.get({ dedupeKey }) ?? null;
    const base = { mc, name, learner, additions, version, learnerKey, dedupeKey };
    if (dup && !this.d.keys.isCompromised(dup.issuerKey)) return { ...base, existing: { id: dup.id, issuedAt: dup.issuedAt }, replaces: null, modules: null };
    const modules = await this.programmeModules(mc, req, learner);
    return { ...base, existing: null, replaces: dup, modules };
  }

  /**
   * Issues one credential. The same microcredential version is issued to the same learner once while in force
   * (`conflict`): a revoked credential can be issued again, and one signed by a key declared compromised is replaced
   * (revoked, pointing at the new one, in the same transaction that stores the new one).
   */
  async issue(req: IssueRequest, opts: { jobId?: string; jobRow?: { idx: number; line: number } } = {}): Promise<NewCredential> {
    return this.issueChecked(await this.check(req), req, opts);
  }

  /** Issues a request `check` has passed (its answer given back as it came). */
  async issueChecked(checked: CheckedIssue, req: IssueRequest, opts: { jobId?: string; jobRow?: { idx: number; line: number } } = {}): Promise<NewCredential> {
    const { mc, name, learner, additions, version, learnerKey, dedupeKey, modules } = checked;
    const dup = checked.replaces;
    if (checked.existing)
      throw userError('conflict', 'issue.alreadyHolds', { mc: mc.id, version, existing: checked.existing.id }, { existing: checked.existing.id, existingIssuedAt: checked.existing.issuedAt });
    this.d.feed.assertCanAppend();

    const now = this.d.clock.now();
    const signer = await this.d.lists.signers.signer();
    const revocation = await this.d.lists.allocate('revocation', signer.did);
    // OB 3.0 allows one credentialStatus: the credential names its revocation entry, its suspension bit sits at the
    // same index of the paired suspension list (pairedSuspensionListId)
    const suspension = req.suspension === false ? null : await this.d.lists.pairedSuspension(revocation, signer.did);
    const status: StatusEntry = buildStatusEntry({ statusListCredential: this.d.unit.statusListUrl(revocation.list), index: revocation.index, purpose: 'revocation' });
    const inst = this.d.institutions.get(this.d.unit.author);
    const id = `urn:uuid:${randomUUID()}`;
    const unsigned = buildOpenBadgeCredential({
      record: mc.record as unknown as MicrocredentialRecordInput,
      microcredentialId: mc.id,
      baseUrl: this.d.unit.base(),
      institution: {
        did: this.d.unit.author,
        name: nameOf(inst, this.d.unit.author),
        country: inst?.profile.country ?? (mc.record as { country?: string }).country ?? '',
        ...(inst?.profile.website ? { url: inst.profile.website } : {}),
      },
      issuerDid: signer.did,
      learner: { name, ...(learner.email ? { email: learner.email.trim() } : {}), ...(learner.did ? { did: learner.did } : {}) },
      issuedAt: now,
      credentialId: id,
      credentialStatus: status,
      salt: randomBytes(16).toString('base64url'),
      ...(modules ? { modules } : {}),
      ...(req.validUntil ? { validUntil: req.validUntil } : {}),
      ...additions.build,
    });
    const signed = asProofSet(await signer.sign(unsigned, { created: now }));
    let replacedList: string | null = null;
    let extra: { claimUrl: string; delivery: 'queued' | null } | null = null;
    try {
      // a batch row's result commits with its credential: a crash leaves both or neither
      this.d.store.tx(() => {
        if (dup) replacedList = this.d.lists.revokeInTx(dup.id, now.toISOString(), `re-issued as ${id}: its issuer key ${dup.issuerKey} was declared compromised`, id);
        this.st.insertCredential.run({
          id,
          microcredentialId: mc.id,
          microcredentialVersion: version,
          learnerName: name,
          learnerKey,
          dedupeKey,
          credential: JSON.stringify(signed),
          issuerKey: signer.did,
          issuedAt: now.toISOString(),
          revocationList: revocation.list,
          revocationIndex: revocation.index,
          suspensionList: suspension?.list ?? null,
          suspensionIndex: suspension?.index ?? null,
          jobId: opts.jobId ?? null,
        });
        if (additions.files.length) this.d.evidence!.storeInTx(id, additions.files, now.toISOString());
        extra = this.d.extras?.inTx(id, req) ?? null;
        if (opts.jobId && opts.jobRow) this.st.insertJobRow.run({ jobId: opts.jobId, idx: opts.jobRow.idx, line: opts.jobRow.line, credentialId: id, name });
      });
    } catch (e) {
      // a concurrent issuance of the same credential won the race
      if (String(e).includes('issued_credentials.dedupe_key')) throw userError('conflict', 'issue.alreadyHoldsVersion', { mc: mc.id, version });
      throw e;
    }
    if (extra) this.d.extras?.committed();
    if (replacedList) await this.d.lists.publishList(replacedList);
    return { ...this.d.issued.get(id)!, ...(extra ?? {}) };
  }
}

/** The issuance statements (hot: a batch runs them per row), prepared once. */
function prepareStatements(store: Store) {
  const c = issuedCredentials;
  const p = (name: string) => sql.placeholder(name);
  return {
    // the duplicate rule holds for credentials in force only (a partial unique index backs it)
    dedupe: store.db
      .select({ id: c.id, issuerKey: c.issuerKey, issuedAt: c.issuedAt })
      .from(c)
      .where(and(eq(c.dedupeKey, p('dedupeKey')), isNull(c.revokedAt)))
      .prepare(),
    insertCredential: insertCredential(store),
    insertJobRow: store.db
      .insert(jobRows)
      .values({ jobId: p('jobId'), idx: p('idx'), line: p('line'), status: 'issued', credentialId: p('credentialId'), name: p('name'), error: null })
      .prepare(),
  };
}

/** Stores an issued credential (its status entries allocated, its job if any). */
export function insertCredential(store: Store) {
  const p = (name: string) => sql.placeholder(name);
  return store.db
    .insert(issuedCredentials)
    .values({
      id: p('id'),
      microcredentialId: p('microcredentialId'),
      microcredentialVersion: p('microcredentialVersion'),
      learnerName: p('learnerName'),
      learnerKey: p('learnerKey'),
      dedupeKey: p('dedupeKey'),
      credential: p('credential'),
      issuerKey: p('issuerKey'),
      issuedAt: p('issuedAt'),
      revocationList: p('revocationList'),
      revocationIndex: p('revocationIndex'),
      suspensionList: p('suspensionList'),
      suspensionIndex: p('suspensionIndex'),
      jobId: p('jobId'),
    })
    .prepare();
}
