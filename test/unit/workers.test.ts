// Starting a worker thread is bounded: a worker that never gets ready, fails to load or says something else first is
// terminated and reported with a RegistryError (the caller then works in its own thread); a ready one is handed over.
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../node/core/errors.js';
import { startWorker } from '../../node/core/workers.js';

const READY = `require('node:worker_threads').parentPort.postMessage({ ready: true }); setInterval(() => {}, 1000);`;
const NEVER_READY = `setInterval(() => {}, 1000);`;
const THROWS = `throw new Error('cannot load');`;
const SAYS_OTHER = `require('node:worker_threads').parentPort.postMessage({ hello: 1 }); setInterval(() => {}, 1000);`;

async function start(code: string, timeoutMs = 60_000) {
  const failures: RegistryError[] = [];
  const worker = await startWorker(code, {}, (e) => failures.push(e), { timeoutMs, what: 'the test worker' });
  return { worker, failures };
}

describe('startWorker', () => {
  it('hands over a worker that posts { ready: true } and reports no failure', async () => {
    const { worker, failures } = await start(READY);
    expect(worker).not.toBeNull();
    expect(failures).toEqual([]);
    await worker!.terminate();
  });

  it('stops a worker that is not ready within the time limit and reports a timeout that says what to do', async () => {
    const { worker, failures } = await start(NEVER_READY, 300);
    expect(worker).toBeNull();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(RegistryError);
    expect(failures[0]!.code).toBe('timeout');
    expect(failures[0]!.message).toMatch(/the test worker was not ready within 300 ms.*main thread.*check its load/);
  });

  it('reports a worker that fails to load as an internal error carrying the cause', async () => {
    const { worker, failures } = await start(THROWS);
    expect(worker).toBeNull();
    expect(failures.map((f) => f.code)).toEqual(['internal']);
    expect(failures[0]!.message).toMatch(/the test worker failed to load: cannot load/);
  });

  it('refuses a worker whose first message is not { ready: true }', async () => {
    const { worker, failures } = await start(SAYS_OTHER);
    expect(worker).toBeNull();
    expect(failures.map((f) => f.code)).toEqual(['internal']);
    expect(failures[0]!.message).toContain('said {"hello":1} before it was ready');
  });
});
