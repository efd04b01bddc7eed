/**
 * The child process behind `cliSession()` (test/helpers/cli.ts), started with `node bin/run-ts.js` (tsx and the compat
 * shim, as bin/mochila.js loads them). Receives `{ id, args }` over the IPC channel, runs the CLI's main() with those
 * arguments, one command at a time, and answers `{ id, code, stdout, stderr }`: what the command wrote to
 * process.stdout / process.stderr (console.* included) and process.exitCode. Must never run a command that starts a
 * long-lived node; a command that calls process.exit ends the session (the parent reports it).
 */
import { main } from '../../node/cli.js';

interface Command {
  id: number;
  args: string[];
}

const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);

function capture(into: string[]): (chunk: unknown, ...rest: unknown[]) => boolean {
  return (chunk: unknown, ...rest: unknown[]) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    if (cb) queueMicrotask(cb);
    return true;
  };
}

async function runOne(c: Command): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  process.exitCode = 0;
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  try {
    await main([process.execPath, 'mochila', ...c.args]);
  } catch (e) {
    err.push(`session: main threw: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  process.send!({ id: c.id, code, stdout: out.join(''), stderr: err.join('') });
}

let queue: Promise<void> = Promise.resolve();
process.on('message', (c: Command) => {
  queue = queue.then(() => runOne(c));
});
// the parent closes the channel when it is done: leave once the last command has answered
process.on('disconnect', () => {
  void queue.then(() => process.exit(0));
});
