/**
 * This unit's credentials behind one facade: issuing (single, CSV cohort jobs), status changes on this unit's status
 * lists, re-issuing with the current key, reads of what was issued, and verification against the replica. Issued
 * credentials hold personal data and stay in this node's database only; what the network sees is the unit's status
 * lists and its issuer keys. Each concern is its own module, wired here:
 *   issuing-unit.ts (DID, URLs), issued-credentials.ts (reads), signers.ts (issuer key signers),
 *   status-lists.service.ts (allocation, publishing, re-signing; revoke / suspend / reinstate), issuance.ts (issue),
 *   reissue.ts (re-issue), batch-jobs.ts (CSV cohorts), replica-verifier.ts (verify), claims.ts (claim links and
 *   share pages), deliveries.ts (the e-mail of each claim link; sent by mailer.ts, started by the composition root).
 * Must never decide a rule itself (the modules do) nor sign with a key the institution's feed has ended for new
 * credentials, nor with a compromised key at all.
 */
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Keystore } from '../identity/keystore.js';
import type { Store } from '../store/database.js';
import type { StoredMicrocredential } from '../catalogue/catalogue.service.js';
import { BatchJobService, type BatchFiles, type BatchJob, type BatchPreview, type BatchRowResult } from './batch-jobs.js';
import type { ResultRequest } from './ob3-evidence.js';
import type { CohortRow } from './csv.js';
import { IssuanceService, type IssueRequest, type NewCredential } from './issuance.js';
import { digestOfEvidenceUrl, EvidenceFiles, type EvidenceFileInput, type StoredEvidenceFile } from './evidence-files.js';
import type { ClaimService } from './claims.js';
import type { Delivery, DeliveryLanguage, DeliveryQueue } from './deliveries.js';
import { IssuedCredentials, type CredentialListQuery, type IssuedCredential } from './issued-credentials.js';
import { IssuingUnit } from './issuing-unit.js';
import type { PresentationOptions } from './presentation.js';
import { createReplicaVerifier, type ReplicaVerifierDeps } from './replica-verifier.js';
import { ReissueService, type ReissueRowResult } from './reissue.js';
import type { SigningKeys } from './signers.js';
import { StatusListService } from './status-lists.service.js';
import type { ReasonCategory } from './status-reasons.js';
import type { Verifier, VerificationReport } from './verify.js';
import { userError, type MessageLang } from '../core/messages/index.js';

export type { BatchJob, BatchPreview, BatchRowResult, PreviewRow } from './batch-jobs.js';
export type { IssueRequest } from './issuance.js';
export type { CredentialListQuery, CredentialStatus, IssuedCredential } from './issued-credentials.js';
export type { ReissueRowResult } from './reissue.js';
export type { SigningKeys } from './signers.js';

/** The replica verifier's dependencies (feed, catalogue, trust, status lists, clock, loader, freshness) and what issuing adds. */
export interface CredentialServiceDeps extends ReplicaVerifierDeps {
  store: Store;
  keystore: Keystore;
  keys: SigningKeys;
  logger: Logger;
  /** Base URL others use to reach this node (verification links, status list URLs). */
  publicUrl: () => string;
  /** Claim links (every issued credential gets one) and their e-mail deliveries (node/credentials/claims.ts). */
  claims?: ClaimService;
  deliveries?: DeliveryQueue;
  /** The mailer to wake once a message is queued; null or absent: no SMTP, issuing with notify is refused. */
  mailer?: { kick(): void } | null;
}

/** What the public claim link answers: the credential and what its holder may do with it. */
export interface Claim {
  credential: IssuedCredential;
  share: { published: boolean; url: string | null };
}

export class CredentialService {
  readonly unit: IssuingUnit;
  readonly issued: IssuedCredentials;
  readonly lists: StatusListService;
  readonly issuance: IssuanceService;
  readonly reissues: ReissueService;
  readonly jobs: BatchJobService;
  readonly claims: ClaimService | null;
  readonly deliveries: DeliveryQueue | null;
  /** Evidence files attached at issuance (evidence-files.ts). */
  readonly evidence: EvidenceFiles;
  private readonly mailer: { kick(): void } | null;
  private readonly verifier: Verifier;
  private stopping = false;

  private readonly store: Store;

  constructor(d: CredentialServiceDeps) {
    this.store = d.store;
    const isStopping = () => this.stopping;
    this.unit = new IssuingUnit(d);
    this.issued = new IssuedCredentials({ store: d.store, unit: this.unit });
    this.lists = new StatusListService({ ...d, unit: this.unit, issued: this.issued });
    this.claims = d.claims ?? null;
    this.deliveries = d.deliveries ?? null;
    this.mailer = d.mailer ?? null;
    const claims = this.claims;
    const deliveries = this.deliveries;
    const mailer = this.mailer;
    this.evidence = new EvidenceFiles({ store: d.store });
    const evidence = this.evidence;
    this.issuance = new IssuanceService({
      ...d,
      evidence,
      unit: this.unit,
      issued: this.issued,
      lists: this.lists,
      // a programme's badge: the module credentials are verified like any other credential, against the replica
      verify: (credential: unknown) => this.verifier.verify(credential),
      ...(claims && deliveries
        ? {
            extras: {
              check: (req: IssueRequest) => {
                if (req.notify && !mailer) throw userError('validation_failed', 'credential.noSmtpNotify');
              },
              inTx: (id: string, req: IssueRequest) => {
                const link = claims.create(id);
                const email = req.notify ? req.learner.email?.trim() : undefined;
                if (email) deliveries.queue({ credentialId: id, claimId: link.claimId, email, language: req.language === 'en' ? 'en' : 'es' });
                return { claimUrl: link.url, delivery: email ? ('queued' as const) : null };
              },
              committed: () => mailer?.kick(),
            },
          }
        : {}),
    });
    this.reissues = new ReissueService({ ...d, unit: this.unit, issued: this.issued, lists: this.lists, isStopping, evidence });
    this.jobs = new BatchJobService({ ...d, issuance: this.issuance, isStopping });
    // evidence files this node stores are re-hashed when a credential naming them is verified
    this.verifier = createReplicaVerifier({
      ...d,
      evidence: {
        hashOf: (url: string) => {
          const digest = digestOfEvidenceUrl(this.unit.base(), url);
          return digest === null ? undefined : evidence.rehash(digest);
        },
      },
    });
  }

  /** An evidence file by its hex SHA-256, if a credential of this node names it (what GET /api/v1/evidence/{digest} serves). */
  evidenceFile(digest: string): StoredEvidenceFile | null {
    return this.evidence.get(digest);
  }

  statusListUrl(globalId: string): string {
    return this.unit.statusListUrl(globalId);
  }

  verifyUrl(credentialId: string): string {
    return this.unit.verifyUrl(credentialId);
  }

  /** `options`: the challenge / domain the caller gave the holder of a presentation. */
  verify(input: unknown, options?: PresentationOptions): Promise<VerificationReport> {
    return this.verifier.verify(input, options);
  }

  resolveMicrocredential(ref: string): StoredMicrocredential {
    return this.issuance.resolveMicrocredential(ref);
  }

  issue(req: IssueRequest, opts: { jobId?: string; jobRow?: { idx: number; line: number } } = {}): Promise<NewCredential> {
    return this.issuance.issue(req, opts);
  }

  revoke(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.lists.revoke(id, reason, category);
  }

  suspend(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.lists.suspend(id, reason, category);
  }

  /** A category here is refused (a reinstatement clears it). */
  reinstate(id: string, reason?: string, category?: ReasonCategory): Promise<IssuedCredential> {
    return this.lists.reinstate(id, reason, category);
  }

  publishPending(): Promise<number> {
    return this.lists.publishPending();
  }

  resignStatusLists(): Promise<string[]> {
    return this.lists.resignStatusLists();
  }

  reissue(id: string): Promise<{ old: IssuedCredential; credential: IssuedCredential }> {
    return this.reissues.reissue(id);
  }

  reissueBatch(q: { issuerKey: string; issuedFrom?: string; issuedTo?: string; limit?: number }): Promise<{ rows: ReissueRowResult[]; reissued: number; failed: number; remaining: number }> {
    return this.reissues.reissueBatch(q);
  }

  get(id: string): IssuedCredential | null {
    return this.issued.get(id);
  }

  /** The admin list, each row with its newest e-mail delivery (or null). */
  list(q: CredentialListQuery = {}): { items: (Omit<IssuedCredential, 'credential'> & { delivery: Delivery | null })[]; total: number } {
    const page = this.issued.list(q);
    const latest = this.deliveries?.latest(page.items.map((i) => i.id)) ?? new Map<string, Delivery>();
    return { ...page, items: page.items.map((i) => ({ ...i, delivery: latest.get(i.id) ?? null })) };
  }

  private needClaims(): { claims: ClaimService; deliveries: DeliveryQueue } {
    if (!this.claims || !this.deliveries) throw new RegistryError('unsupported', 'claim links are not set up on this node');
    return { claims: this.claims, deliveries: this.deliveries };
  }

  /**
   * What a claim token opens: the credential (followed to the one that re-issued it, if any) and its share page
   * state; null for an unknown, malformed or revoked token alike.
   */
  claim(token: unknown): Claim | null {
    const { claims } = this.needClaims();
    const id = claims.resolve(token);
    let c = this.issued.get(id ?? '');
    for (let i = 0; c && c.replacedBy && i < 10; i++) c = this.issued.get(c.replacedBy) ?? c;
    if (!id || !c) return null;
    const { shareId: _s, ...share } = claims.share(c.id);
    return { credential: c, share };
  }

  /** The holder of a claim token publishes or withdraws the credential's share page. */
  setShare(token: unknown, published: boolean): Claim | null {
    const { claims } = this.needClaims();
    const found = this.claim(token);
    if (!found) return null;
    claims.setShare(found.credential.id, published);
    return this.claim(token);
  }

  /** The credential a published share page shows (null when unknown or not published). */
  shared(shareId: unknown): IssuedCredential | null {
    const { claims } = this.needClaims();
    const id = claims.shared(shareId);
    return id ? this.issued.get(id) : null;
  }

  /** Claim links and deliveries of a credential (admin; no token, no link). */
  delivery(id: string): { links: { claimId: string; createdAt: string; revokedAt: string | null }[]; deliveries: Delivery[]; share: { published: boolean; url: string | null } } {
    const { claims, deliveries } = this.needClaims();
    if (!this.issued.get(id)) throw userError('not_found', 'credential.issuedNotFound', { id });
    const { shareId: _s, ...share } = claims.share(id);
    return { links: claims.links(id), deliveries: deliveries.forCredential(id), share };
  }

  /** Revokes every claim link of a credential (the credential itself stays valid). */
  revokeClaims(id: string): { revoked: number } {
    const { claims } = this.needClaims();
    if (!this.issued.get(id)) throw userError('not_found', 'credential.issuedNotFound', { id });
    return { revoked: claims.revoke(id) };
  }

  /**
   * Replaces the claim links of a credential with a new one (the old ones stop working), optionally e-mailed to the
   * learner (`email`: the address, since the node keeps only a hash of it in the credential).
   */
  newClaim(id: string, opts: { email?: string; language?: DeliveryLanguage } = {}): { claimUrl: string; delivery: 'queued' | null } {
    const { claims, deliveries } = this.needClaims();
    if (!this.issued.get(id)) throw userError('not_found', 'credential.issuedNotFound', { id });
    if (opts.email && !this.mailer) throw userError('validation_failed', 'credential.noSmtp');
    const out = this.store.tx(() => {
      const link = claims.replace(id);
      if (opts.email) deliveries.queue({ credentialId: id, claimId: link.claimId, email: opts.email.trim(), language: opts.language ?? 'es' });
      return { claimUrl: link.url, delivery: opts.email ? ('queued' as const) : null };
    });
    if (out.delivery) this.mailer?.kick();
    return out;
  }

  /** Sends again a credential's failed or bounced messages (with the claim link each carried, if still in force). */
  retryDelivery(id: string): { requeued: number } {
    const { deliveries } = this.needClaims();
    const requeued = deliveries.retry(id);
    if (requeued) this.mailer?.kick();
    return { requeued };
  }

  /** Records a bounce reported for a credential's last sent message. */
  reportBounce(id: string, reason: string): Delivery {
    return this.needClaims().deliveries.bounced(id, reason);
  }

  statusListCredential(globalId: string): Record<string, unknown> | null {
    return this.lists.statusListCredential(globalId);
  }

  issueRows(rows: CohortRow[], opts: { microcredential?: string; jobId?: string; notify?: boolean; language?: DeliveryLanguage; files?: BatchFiles; results?: ResultRequest[]; onProgress?: (done: number, last: BatchRowResult) => void } = {}): Promise<BatchRowResult[]> {
    return this.jobs.issueRows(rows, opts);
  }

  startBatch(csv: string, opts: { microcredential?: string; notify?: boolean; language?: DeliveryLanguage; files?: EvidenceFileInput[]; results?: ResultRequest[] } = {}): BatchJob {
    return this.jobs.startBatch(csv, opts);
  }

  /** A cohort's dry run: each row's verdict by the batch's own rule, nothing issued (batch-jobs.ts). */
  previewBatch(csv: string, opts: { microcredential?: string; notify?: boolean; language?: DeliveryLanguage; files?: EvidenceFileInput[]; results?: ResultRequest[] } = {}, lang: MessageLang = 'en'): Promise<BatchPreview> {
    return this.jobs.previewBatch(csv, opts, lang);
  }

  job(id: string, from = 0, lang: MessageLang = 'en'): BatchJob | null {
    return this.jobs.job(id, from, lang);
  }

  /** Stops running batch jobs after their current row (each is marked failed with the line it stopped at) and re-issue batches after their current credential. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.jobs.drain();
  }

  recoverInterruptedJobs(): number {
    return this.jobs.recoverInterruptedJobs();
  }
}
