// A CSV batch job on a real `mochila start` process killed with SIGKILL (as a power cut would) mid-job: on the next
// start the job reports exactly the credentials that exist (each row's result commits with its credential), and
// re-running the same file issues exactly the rest.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { initNode } from '../../node/init.js';
import { loadConfig } from '../../node/config.js';
import { startNode } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { waitFor } from '../federation/net.js';

const ROOT = path.resolve(__dirname, '../..');
const catalogue = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/units/mx-uan/catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];

describe('a batch job killed with SIGKILL', () => {
  let child: ChildProcess | undefined;
  const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-batch-kill-'));
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reports exactly the credentials it issued, and a re-run issues exactly the rest', async () => {
    const dir = path.join(tmp, 'node');
    const { token } = initNode({ dir, name: 'Universidad Autónoma del Norte', country: 'MX' });
    child = spawn(process.execPath, [path.join(ROOT, 'bin/mochila.js'), 'start', '--dir', dir, '--http-port', '0', '--http-host', '127.0.0.1', '--p2p-port', '-1', '--log-level', 'error'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (b: Buffer) => {
        out += b.toString('utf8');
        const m = /web and API: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`mochila start exited: ${out}`)));
    });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const mc = await fetch(`${url}/api/v1/admin/microcredentials`, { method: 'POST', headers, body: JSON.stringify(catalogue[0]) });
    expect(mc.status, await mc.clone().text()).toBe(201);

    const N = 200;
    const csv = ['nombre,correo', ...Array.from({ length: N }, (_, i) => `Estudiante ${i + 1} Pérez,estudiante${i + 1}@correo.example.mx`)].join('\n');
    const post = await fetch(`${url}/api/v1/admin/credentials/batch`, { method: 'POST', headers, body: JSON.stringify({ csv, microcredential: catalogue[0]!.code }) });
    expect(post.status, await post.clone().text()).toBe(202);
    const jobId = ((await post.json()) as { id: string }).id;

    // the credentials that exist, read from the database file as any other process would
    const db = path.join(dir, 'registry.db');
    const issuedIn = (job: string): string[] => {
      const d = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (d.prepare('SELECT id FROM issued_credentials WHERE job_id = ? ORDER BY id').all(job) as { id: string }[]).map((r) => r.id);
      } finally {
        d.close();
      }
    };
    await waitFor(() => issuedIn(jobId).length >= 25, 60_000, 'the job to issue some credentials');
    child.kill('SIGKILL');
    await exited;

    const existing = issuedIn(jobId);
    expect(existing.length).toBeGreaterThanOrEqual(25);
    expect(existing.length, 'killed before it finished (otherwise this test proves nothing)').toBeLessThan(N);

    const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {});
    const node = await startNode(config, { logger: silentLogger });
    try {
      const credentials = node.services.credentials;
      const job = credentials.job(jobId)!;
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/interrupted/);
      // exactly what exists: the same count and the same credentials, each on the line it came from
      expect(job.issued).toBe(existing.length);
      const issuedRows = job.rows.filter((r) => r.status === 'issued');
      expect(issuedRows.map((r) => r.id).sort()).toEqual(existing);
      expect(job.failed + job.skipped).toBe(0);
      expect(job.processed).toBe(existing.length);
      for (const r of issuedRows) expect(credentials.get(r.id!)!.learnerName).toBe(`Estudiante ${r.line - 1} Pérez`);

      // the same file again: the rest, and nothing twice
      const again = credentials.startBatch(csv, { microcredential: catalogue[0]!.code });
      await waitFor(() => credentials.job(again.id)!.state !== 'running' && credentials.job(again.id)!.state !== 'queued', 110_000, 'the re-run to finish');
      const rerun = credentials.job(again.id)!;
      expect(rerun.state).toBe('done');
      expect(rerun.issued).toBe(N - existing.length);
      expect(rerun.skipped).toBe(existing.length);
      expect(rerun.failed).toBe(0);
      expect(rerun.rows.filter((r) => r.status === 'skipped').map((r) => r.id).sort()).toEqual(existing);
      const all = node.services.store.sqlite.prepare('SELECT count(*) AS n, count(DISTINCT dedupe_key) AS k FROM issued_credentials').get() as { n: number; k: number };
      expect(all).toEqual({ n: N, k: N });
    } finally {
      await node.stop();
    }
  }, 180_000);
});
