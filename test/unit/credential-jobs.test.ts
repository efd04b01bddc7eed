// Batch jobs interrupted by a stop are marked failed on the next start, keeping the rows already reported.
import { describe, expect, it } from 'vitest';
import { memoryServices } from '../helpers/nodes.js';

describe('batch jobs', () => {
  it('marks jobs left running by a stop as failed, with their rows and a reason', () => {
    const s = memoryServices();
    const now = new Date().toISOString();
    const rows = [{ line: 2, status: 'issued', id: 'urn:uuid:1' }];
    s.store.sqlite
      .prepare("INSERT INTO jobs (id, kind, status, total, done, result, created_at, updated_at) VALUES ('j1', 'credential-batch', 'running', 5, 1, ?, ?, ?)")
      .run(JSON.stringify({ rows }), now, now);
    s.store.sqlite
      .prepare("INSERT INTO jobs (id, kind, status, total, done, result, created_at, updated_at) VALUES ('j2', 'credential-batch', 'queued', 3, 0, '[]', ?, ?)")
      .run(now, now);
    s.store.sqlite
      .prepare("INSERT INTO jobs (id, kind, status, total, done, result, created_at, updated_at) VALUES ('j3', 'credential-batch', 'done', 1, 1, ?, ?, ?)")
      .run(JSON.stringify({ rows }), now, now);
    expect(s.credentials.recoverInterruptedJobs()).toBe(2);
    const j1 = s.credentials.job('j1')!;
    expect(j1.state).toBe('failed');
    expect(j1.rows).toEqual(rows);
    expect(j1.error).toMatch(/interrupted/);
    expect(s.credentials.job('j2')!.state).toBe('failed');
    expect(s.credentials.job('j3')!.state).toBe('done');
    expect(s.credentials.job('j1', 1)!.rows).toEqual([]);
    s.store.close();
  });
});
