// Batch jobs: each row's result is stored as the row is processed (an issued row in the same transaction as its
// credential); jobs interrupted by a stop or a crash are marked failed on the next start with their rows intact; and
// migration 0008 carries the old JSON results over, reporting credentials issued after a job's last 2-second save.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../node/store/database.js';
import { memoryServices } from '../helpers/nodes.js';
import { databaseBefore } from '../helpers/migrations.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');

describe('batch jobs', () => {
  it('marks jobs left running by a stop as failed, with their rows and a reason', () => {
    const s = memoryServices();
    const now = new Date().toISOString();
    const job = s.store.sqlite.prepare("INSERT INTO jobs (id, kind, status, total, created_at, updated_at) VALUES (?, 'credential-batch', ?, ?, ?, ?)");
    const row = s.store.sqlite.prepare('INSERT INTO job_rows (job_id, idx, line, status, credential_id, name, error) VALUES (?, ?, ?, ?, ?, ?, ?)');
    job.run('j1', 'running', 5, now, now);
    row.run('j1', 0, 2, 'issued', 'urn:uuid:1', 'Ana', null);
    row.run('j1', 1, 3, 'failed', null, null, 'no name');
    job.run('j2', 'queued', 3, now, now);
    job.run('j3', 'done', 1, now, now);
    row.run('j3', 0, 2, 'skipped', 'urn:uuid:1', 'Ana', 'already issued');
    expect(s.credentials.recoverInterruptedJobs()).toBe(2);
    const j1 = s.credentials.job('j1')!;
    expect(j1.state).toBe('failed');
    expect(j1.rows).toEqual([
      { line: 2, status: 'issued', id: 'urn:uuid:1', name: 'Ana' },
      { line: 3, status: 'failed', error: 'no name' },
    ]);
    expect({ processed: j1.processed, issued: j1.issued, skipped: j1.skipped, failed: j1.failed }).toEqual({ processed: 2, issued: 1, skipped: 0, failed: 1 });
    expect(j1.error).toMatch(/interrupted/);
    expect(s.credentials.job('j2')!.state).toBe('failed');
    expect(s.credentials.job('j3')!.state).toBe('done');
    expect(s.credentials.job('j3')!.skipped).toBe(1);
    expect(s.credentials.job('j1', 1)!.rows).toEqual([{ line: 3, status: 'failed', error: 'no name' }]);
    expect(s.credentials.job('j1', 2)!.rows).toEqual([]);
    s.store.close();
  });

  it('stores an issued row with its credential or not at all', async () => {
    const s = memoryServices();
    const load = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'mx-uan', f), 'utf8')) as unknown;
    s.institution.ensureIssuerKeyPublished();
    s.institution.publishProfile(load('profile.json'));
    const mc = s.catalogue.create((load('catalogue.json') as unknown[])[0]);
    const now = new Date().toISOString();
    s.store.sqlite.prepare("INSERT INTO jobs (id, kind, status, total, created_at, updated_at) VALUES ('j', 'credential-batch', 'running', 3, ?, ?)").run(now, now);
    // the row's result cannot be written (its slot is taken): the credential must not be stored either
    s.store.sqlite.prepare("INSERT INTO job_rows (job_id, idx, line, status) VALUES ('j', 1, 3, 'failed')").run();
    const rows = [
      { line: 2, name: 'Ana Pérez', email: 'ana@correo.example.mx' },
      { line: 3, name: 'Luis Gómez', email: 'luis@correo.example.mx' },
    ];
    const out = await s.credentials.issueRows(rows, { microcredential: mc.id, jobId: 'j' });
    expect(out.map((r) => r.status)).toEqual(['issued', 'failed']);
    const held = s.store.sqlite.prepare('SELECT id, learner_name AS name, job_id AS job FROM issued_credentials').all();
    expect(held).toEqual([{ id: out[0]!.id, name: 'Ana Pérez', job: 'j' }]);
    const job = s.credentials.job('j')!;
    expect({ issued: job.issued, failed: job.failed }).toEqual({ issued: 1, failed: 1 });
    expect(job.rows).toEqual([
      { line: 2, status: 'issued', id: out[0]!.id, name: 'Ana Pérez' },
      { line: 3, status: 'failed' },
    ]);
    s.store.close();
  });
});

describe('migration 0008 (job rows in their own table)', () => {
  it('carries old JSON results over and reports credentials issued after the last save', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-migrate-jobs-'));
    try {
      const { raw, file, index } = databaseBefore(dir, '0008_');
      expect(index).toBe(8);
      const job = raw.prepare("INSERT INTO jobs (id, kind, status, total, done, result, created_at, updated_at) VALUES (?, 'credential-batch', ?, ?, ?, ?, '2026-01-01', '2026-01-01')");
      // killed: saved two rows, but issued a third credential after the save
      job.run('killed', 'failed', 10, 2, JSON.stringify({ rows: [{ line: 2, status: 'issued', id: 'urn:uuid:a', name: 'Ana' }, { line: 3, status: 'failed', name: 'X', error: 'bad e-mail' }], error: 'interrupted' }));
      job.run('legacy', 'done', 1, 1, JSON.stringify([{ line: 2, status: 'skipped', id: 'urn:uuid:a', name: 'Ana', error: 'already issued' }]));
      const cred = raw.prepare(
        "INSERT INTO issued_credentials (id, microcredential_id, microcredential_version, learner_name, learner_key, dedupe_key, credential, issuer_key, issued_at, revocation_list, revocation_index, job_id) VALUES (?, 'mc', 1, ?, ?, ?, '{}', 'k', ?, 'r1', 0, ?)",
      );
      cred.run('urn:uuid:a', 'Ana', 'ka', 'da', '2026-01-01T00:00:01Z', 'killed');
      cred.run('urn:uuid:b', 'Beto', 'kb', 'db', '2026-01-01T00:00:02Z', 'killed');
      cred.run('urn:uuid:c', 'Ceci', 'kc', 'dc', '2026-01-01T00:00:03Z', null);
      raw.close();

      const s = openStore(file);
      const rows = s.sqlite.prepare('SELECT job_id, idx, line, status, credential_id, name, error FROM job_rows ORDER BY job_id, idx').all();
      expect(rows).toEqual([
        { job_id: 'killed', idx: 0, line: 2, status: 'issued', credential_id: 'urn:uuid:a', name: 'Ana', error: null },
        { job_id: 'killed', idx: 1, line: 3, status: 'failed', credential_id: null, name: 'X', error: 'bad e-mail' },
        { job_id: 'killed', idx: 2, line: 0, status: 'issued', credential_id: 'urn:uuid:b', name: 'Beto', error: null },
        { job_id: 'legacy', idx: 0, line: 2, status: 'skipped', credential_id: 'urn:uuid:a', name: 'Ana', error: 'already issued' },
      ]);
      expect(s.sqlite.prepare('SELECT id, status, total, error FROM jobs ORDER BY id').all()).toEqual([
        { id: 'killed', status: 'failed', total: 10, error: 'interrupted' },
        { id: 'legacy', status: 'done', total: 1, error: null },
      ]);
      s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
