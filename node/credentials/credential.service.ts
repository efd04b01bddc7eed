/**
 * This unit's credentials behind one facade: issuing (single, CSV cohort jobs), status changes on this unit's status
 * lists, re-issuing with the current key, reads of what was issued, and verification against the replica. Issued
 * credentials hold personal data and stay in this node's database only; what the network sees is the unit's status
 * lists and its issuer keys. Each concern is its own module, wired here:
 *   issuing-unit.ts (DID, URLs), issued-credentials.ts (reads), signers.ts (issuer key signers),
 *   status-lists.service.ts (allocation, publishing, re-signing; revoke / suspend / reinstate), issuance.ts (issue),
 *   reissue.ts (re-issue), batch-jobs.ts (CSV cohorts), replica-verifier.ts (verify).
 * Must never decide a rule itself (the modules do) nor sign with a key the institution's feed has ended for new
 * credentials, nor with a compromised key at all.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { FeedService } from '../feed/feed.service.js';
import type { Keystore } from '../identity/keystore.js';
import type { DocumentLoader } from '../identity/document-loader.js';
import type { Store } from '../store/database.js';
import type { CatalogueService, StoredMicrocredential } from '../catalogue/catalogue.service.js';
import type { InstitutionDirectory } from '../trust/institutions.js';
import type { IssuerKeyRegistry } from '../trust/issuer-keys.js';
import type { MembershipService } from '../trust/membership.js';
import { BatchJobService, type BatchJob, type BatchRowResult } from './batch-jobs.js';
import type { CohortRow } from './csv.js';
import { IssuanceService, type IssueRequest } from './issuance.js';
import { IssuedCredentials, type CredentialListQuery, type IssuedCredential } from './issued-credentials.js';
import { IssuingUnit } from './issuing-unit.js';
import type { PresentationOptions } from './presentation.js';
import { createReplicaVerifier } from './replica-verifier.js';
import { ReissueService, type ReissueRowResult } from './reissue.js';
import type { SigningKeys } from './signers.js';
import { StatusListService } from './status-lists.service.js';
import type { StatusListRegistry } from './status-registry.js';
import type { Freshness, Verifier, VerificationReport } from './verify.js';

export type { BatchJob, BatchRowResult } from './batch-jobs.js';
export type { IssueRequest } from './issuance.js';
export type { CredentialListQuery, CredentialStatus, IssuedCredential } from './issued-credentials.js';
export type { ReissueRowResult } from './reissue.js';
export type { SigningKeys } from './signers.js';

export interface CredentialServiceDeps {
  store: Store;
  feed: FeedService;
  keystore: Keystore;
  keys: SigningKeys;
  catalogue: CatalogueService;
  institutions: InstitutionDirectory;
  issuerKeys: IssuerKeyRegistry;
  membership: MembershipService;
  statusLists: StatusListRegistry;
  clock: Clock;
  logger: Logger;
  documentLoader: DocumentLoader;
  /** Base URL others use to reach this node (verification links, status list URLs). */
  publicUrl: () => string;
  /** How current this node's replica is (set by the composition root once replication runs). */
  freshness?: () => Freshness;
}

export class CredentialService {
  readonly unit: IssuingUnit;
  readonly issued: IssuedCredentials;
  readonly lists: StatusListService;
  readonly issuance: IssuanceService;
  readonly reissues: ReissueService;
  readonly jobs: BatchJobService;
  private readonly verifier: Verifier;
  private stopping = false;

  constructor(d: CredentialServiceDeps) {
    const isStopping = () => this.stopping;
    this.unit = new IssuingUnit(d);
    this.issued = new IssuedCredentials({ store: d.store, unit: this.unit });
    this.lists = new StatusListService({ ...d, unit: this.unit, issued: this.issued });
    this.issuance = new IssuanceService({ ...d, unit: this.unit, issued: this.issued, lists: this.lists });
    this.reissues = new ReissueService({ ...d, unit: this.unit, issued: this.issued, lists: this.lists, isStopping });
    this.jobs = new BatchJobService({ ...d, issuance: this.issuance, isStopping });
    this.verifier = createReplicaVerifier(d);
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

  issue(req: IssueRequest, opts: { jobId?: string; jobRow?: { idx: number; line: number } } = {}): Promise<IssuedCredential> {
    return this.issuance.issue(req, opts);
  }

  revoke(id: string, reason?: string): Promise<IssuedCredential> {
    return this.lists.revoke(id, reason);
  }

  suspend(id: string, reason?: string): Promise<IssuedCredential> {
    return this.lists.suspend(id, reason);
  }

  reinstate(id: string, reason?: string): Promise<IssuedCredential> {
    return this.lists.reinstate(id, reason);
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

  list(q: CredentialListQuery = {}): { items: Omit<IssuedCredential, 'credential'>[]; total: number } {
    return this.issued.list(q);
  }

  statusListCredential(globalId: string): Record<string, unknown> | null {
    return this.lists.statusListCredential(globalId);
  }

  issueRows(rows: CohortRow[], opts: { microcredential?: string; jobId?: string; onProgress?: (done: number, last: BatchRowResult) => void } = {}): Promise<BatchRowResult[]> {
    return this.jobs.issueRows(rows, opts);
  }

  startBatch(csv: string, opts: { microcredential?: string } = {}): BatchJob {
    return this.jobs.startBatch(csv, opts);
  }

  job(id: string, from = 0): BatchJob | null {
    return this.jobs.job(id, from);
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
