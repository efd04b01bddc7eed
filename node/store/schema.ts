/**
 * Drizzle table definitions: storage only. Shapes of entries and API bodies live in `schemas/` (JSON Schema);
 * this file must never become a second source of truth for them (JSON columns hold schema-validated documents).
 * After changing it run `npm run db:generate` (drizzle-kit) to add a migration; it must report "No schema changes"
 * for this file as committed. Only in hand-written migrations, because drizzle-kit cannot declare them: the FTS5
 * virtual table `microcredentials_fts` (0001; written and read with raw SQL by catalogue.projector.ts and search.ts),
 * the expression indexes on `documents` (0003), the search indexes on `microcredentials` (0004) and `search_rows`,
 * the narrow copy of the searched catalogue columns kept by triggers (0011; read with raw SQL by search.ts).
 */
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, blob, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Key/value facts about this node and database (network id, manifest hash, created-at). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Every verified entry of every feed, the replicated data. Projections are derived from this table alone. */
export const entries = sqliteTable(
  'entries',
  {
    // no AUTOINCREMENT: entries are never deleted, so rowids grow with arrival order anyway, and AUTOINCREMENT
    // costs an extra write per insert (sqlite_sequence)
    rowid: integer('rowid').primaryKey(),
    id: text('id').notNull(),
    // the id's first 13 hex characters (52 bits) as an integer: the key of the id lookup index (see below)
    idKey: integer('id_key').notNull(),
    author: text('author').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    // The whole signed entry as JSON, its body in canonical form: exactly what sync serves, so serving a batch is
    // one string aggregate in SQLite with no per-entry work in JavaScript. The columns above index it.
    entry: text('entry').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  // Lookups by id go through an integer holding 52 bits of the hash: an index entry of ~8 bytes instead of 64 (or
  // 16 for a prefix), so it stays in the page cache far longer as the replica grows (ids arrive in random order,
  // so every batch touches pages all over this index). An id is a hash of the entry, author and seq included, so
  // (author, seq) being unique makes ids unique too; a lookup compares the whole id after the key.
  (t) => [index('entries_id_key').on(t.idKey), uniqueIndex('entries_author_seq').on(t.author, t.seq)],
);

/** Head of each feed held, and whether the author is frozen (equivocation). */
export const feeds = sqliteTable('feeds', {
  author: text('author').primaryKey(),
  headSeq: integer('head_seq').notNull(),
  headId: text('head_id').notNull(),
  frozen: integer('frozen', { mode: 'boolean' }).notNull().default(false),
  frozenReason: text('frozen_reason'),
  updatedAt: text('updated_at').notNull(),
});

/** Proof of equivocation: two signed entries with the same (author, seq) and different ids. */
export const equivocations = sqliteTable(
  'equivocations',
  {
    rowid: integer('rowid').primaryKey({ autoIncrement: true }),
    author: text('author').notNull(),
    seq: integer('seq').notNull(),
    storedId: text('stored_id').notNull(),
    conflictingId: text('conflicting_id').notNull(),
    storedEntry: text('stored_entry').notNull(),
    conflictingEntry: text('conflicting_entry').notNull(),
    detectedAt: text('detected_at').notNull(),
  },
  (t) => [uniqueIndex('equivocations_pair').on(t.author, t.seq, t.conflictingId)],
);

// ---- projections (rebuilt from `entries` by `mochila rebuild`) ----

export const members = sqliteTable('members', {
  did: text('did').primaryKey(),
  status: text('status').notNull(), // founder | admitted | candidate
  since: text('since').notNull(),
});

export const endorsements = sqliteTable(
  'endorsements',
  {
    author: text('author').notNull(),
    subject: text('subject').notNull(),
    entryId: text('entry_id').notNull(),
    ts: text('ts').notNull(),
    body: text('body').notNull(),
  },
  (t) => [primaryKey({ columns: [t.author, t.subject] }), index('endorsements_subject').on(t.subject)],
);

export const institutions = sqliteTable('institutions', {
  did: text('did').primaryKey(),
  profile: text('profile').notNull(),
  country: text('country').notNull(),
  kind: text('kind').notNull(),
  nameEs: text('name_es'),
  nameEn: text('name_en'),
  updatedAt: text('updated_at').notNull(),
  entryId: text('entry_id').notNull(),
});

export const issuerKeys = sqliteTable(
  'issuer_keys',
  {
    keyId: text('key_id').primaryKey(), // the issuer key's did:key
    institution: text('institution').notNull(),
    publicKeyMultibase: text('public_key_multibase').notNull(),
    validFrom: text('valid_from').notNull(),
    publishedAt: text('published_at').notNull(),
    entryId: text('entry_id').notNull(),
    revokedAt: text('revoked_at'),
    revocationReason: text('revocation_reason'),
    revocationEntryId: text('revocation_entry_id'),
  },
  (t) => [index('issuer_keys_institution').on(t.institution)],
);

export const microcredentials = sqliteTable(
  'microcredentials',
  {
    id: text('id').primaryKey(), // global id: <code>.<16 hex of sha256(author)>
    author: text('author').notNull(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    record: text('record').notNull(),
    status: text('status').notNull(), // active | withdrawn
    withdrawal: text('withdrawal'),
    titleSort: text('title_sort').notNull(),
    country: text('country').notNull(),
    field: text('field').notNull(),
    levelFramework: text('level_framework').notNull(),
    levelValue: text('level_value').notNull(),
    participation: text('participation').notNull(),
    hours: real('hours').notNull(),
    languages: text('languages').notNull(), // ",es,en,"
    pilotArea: text('pilot_area'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    entryId: text('entry_id').notNull(),
  },
  (t) => [
    uniqueIndex('microcredentials_author_code').on(t.author, t.code),
    index('microcredentials_country').on(t.country),
    index('microcredentials_field').on(t.field),
    index('microcredentials_hours').on(t.hours),
  ],
);

export const microcredentialVersions = sqliteTable(
  'microcredential_versions',
  {
    id: text('id').notNull(),
    version: integer('version').notNull(),
    record: text('record').notNull(),
    entryId: text('entry_id').notNull(),
    ts: text('ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

export const statusLists = sqliteTable('status_lists', {
  listId: text('list_id').primaryKey(), // global: <author multibase>/<local list id>
  author: text('author').notNull(),
  purpose: text('purpose').notNull(),
  body: text('body').notNull(),
  updatedAt: text('updated_at').notNull(),
  entryId: text('entry_id').notNull(),
});

/** Generic projection for entry types whose own tables arrive with their feature (recognition, agreement, accreditation, membership). */
export const documents = sqliteTable(
  'documents',
  {
    type: text('type').notNull(),
    author: text('author').notNull(),
    key: text('key').notNull(),
    body: text('body').notNull(),
    entryId: text('entry_id').notNull(),
    ts: text('ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.type, t.author, t.key] })],
);

// ---- local-only state (never replicated) ----

export const adminTokens = sqliteTable('admin_tokens', {
  id: text('id').primaryKey(),
  hash: text('hash').notNull(),
  label: text('label').notNull(),
  createdAt: text('created_at').notNull(),
  revokedAt: text('revoked_at'),
});

/** Credentials this node issued. Personal data: kept only at the issuing node, never replicated. */
export const issuedCredentials = sqliteTable(
  'issued_credentials',
  {
    id: text('id').primaryKey(), // the credential id (urn:uuid:...)
    microcredentialId: text('microcredential_id').notNull(),
    microcredentialVersion: integer('microcredential_version').notNull(),
    learnerName: text('learner_name').notNull(),
    learnerKey: text('learner_key').notNull(), // sha256 of the normalised e-mail or the DID (for de-duplication)
    dedupeKey: text('dedupe_key').notNull(), // microcredential + version + learner key (+ cohort)
    credential: text('credential').notNull(), // the signed credential JSON
    issuerKey: text('issuer_key').notNull(),
    issuedAt: text('issued_at').notNull(),
    revocationList: text('revocation_list').notNull(),
    revocationIndex: integer('revocation_index').notNull(),
    suspensionList: text('suspension_list'),
    suspensionIndex: integer('suspension_index'),
    revokedAt: text('revoked_at'),
    suspendedAt: text('suspended_at'),
    reason: text('reason'),
    jobId: text('job_id'),
    replacedBy: text('replaced_by'), // the credential that re-issued this one (this one is then revoked)
    // the replicated category of the last revoke / suspend (schemas/status-reason.schema.json); `reason` stays here
    reasonCategory: text('reason_category'),
  },
  (t) => [
    // one credential in force per learner and microcredential version: a revoked one can be issued again
    uniqueIndex('issued_credentials_dedupe_in_force').on(t.dedupeKey).where(sql`revoked_at IS NULL`),
    index('issued_credentials_dedupe').on(t.dedupeKey),
    index('issued_credentials_mc').on(t.microcredentialId),
    index('issued_credentials_key').on(t.issuerKey, t.issuedAt),
    index('issued_credentials_revocation_category').on(t.revocationList).where(sql`reason_category IS NOT NULL`),
    index('issued_credentials_suspension_category').on(t.suspensionList).where(sql`reason_category IS NOT NULL`),
  ],
);

/** This node's own status lists (bit allocation and current bits); each change is published as a status-list entry. */
export const statusListState = sqliteTable(
  'status_list_state',
  {
    listId: text('list_id').primaryKey(),
    // the issuer key whose credentials the list holds (and which signs it, unless that key was declared compromised)
    issuerKey: text('issuer_key'),
    purpose: text('purpose').notNull(),
    size: integer('size').notNull(),
    nextIndex: integer('next_index').notNull(),
    encodedList: text('encoded_list').notNull(),
    dirty: integer('dirty', { mode: 'boolean' }).notNull().default(false),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('status_list_state_key').on(t.issuerKey, t.purpose)],
);

/** Background jobs (CSV batch issuance): state and counts; the per-row results are in job_rows. Local only. */
export const jobs = sqliteTable('jobs', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(),
  status: text('status').notNull(), // queued | running | done | failed
  total: integer('total').notNull(),
  error: text('error'), // why a failed job stopped
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(), // last change of status
});

/**
 * One result per processed row of a job. An issued row is written in the same transaction as its credential, so
 * after any crash the job reports exactly the credentials it issued (job state and issued_credentials never disagree).
 */
export const jobRows = sqliteTable(
  'job_rows',
  {
    jobId: text('job_id').notNull(),
    idx: integer('idx').notNull(), // position of the row in the job's file (0-based), the order rows are reported in
    line: integer('line').notNull(), // line in the CSV file
    status: text('status').notNull(), // issued | skipped | failed
    credentialId: text('credential_id'),
    name: text('name'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.idx] })],
);

/**
 * Claim links of issued credentials (issue 15): a capability URL `/claim/<token>` per link. Only the SHA-256 of the
 * token is stored; the token itself is derived from the row id with this node's secret (node/credentials/claims.ts),
 * so the mailer can write it into a message without it ever being at rest. Local only, never replicated.
 */
export const credentialClaims = sqliteTable(
  'credential_claims',
  {
    id: text('id').primaryKey(), // random row id (the token is derived from it)
    tokenHash: text('token_hash').notNull(), // hex SHA-256 of the token
    credentialId: text('credential_id').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('credential_claims_token').on(t.tokenHash), index('credential_claims_credential').on(t.credentialId)],
);

/** The learner's public share page of a credential: off until the holder of a claim link turns it on. Local only. */
export const credentialShares = sqliteTable(
  'credential_shares',
  {
    credentialId: text('credential_id').primaryKey(),
    shareId: text('share_id').notNull(), // random, stable: the page's URL /share/<shareId>
    published: integer('published', { mode: 'boolean' }).notNull().default(false),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('credential_shares_share_id').on(t.shareId)],
);

/** E-mail deliveries of claim links: one per credential and message, with its state and retries. Local only. */
export const mailDeliveries = sqliteTable(
  'mail_deliveries',
  {
    id: text('id').primaryKey(),
    credentialId: text('credential_id').notNull(),
    claimId: text('claim_id').notNull(), // the claim link the message carries
    email: text('email').notNull(), // personal data: the learner's address, kept only for delivery
    language: text('language').notNull(), // es | en
    status: text('status').notNull(), // queued | sending | sent | failed | bounced
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'), // when a queued message is due (ISO 8601, injected clock)
    lastError: text('last_error'), // the SMTP server's answer to the last failed attempt, or the bounce reason
    messageId: text('message_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [index('mail_deliveries_due').on(t.status, t.nextAttemptAt), index('mail_deliveries_credential').on(t.credentialId)],
);

/**
 * Evidence files attached to credentials at issuance (issue 15), content-addressed by the SHA-256 of their bytes
 * (the digest each credential names them by); one row per distinct content. Stored in the credential's transaction,
 * so a failed issuance leaves none. Personal data (a learner's portfolio): local only, never replicated.
 */
export const evidenceFiles = sqliteTable('evidence_files', {
  digest: text('digest').primaryKey(), // hex SHA-256 of content
  mediaType: text('media_type').notNull(), // one of the allow-list (node/credentials/evidence-files.ts)
  size: integer('size').notNull(),
  content: blob('content', { mode: 'buffer' }).notNull(),
  createdAt: text('created_at').notNull(),
});

/** Which credential names which evidence file, under which file name (the download's name). Local only. */
export const credentialEvidence = sqliteTable(
  'credential_evidence',
  {
    credentialId: text('credential_id').notNull(),
    digest: text('digest').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.digest] }), index('credential_evidence_digest').on(t.digest)],
);
