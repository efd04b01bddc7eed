/**
 * The `mochila` command as tests run it. `mochila(...args)` spawns the real binary (bin/mochila.js, what `npx mochila`
 * runs): one process per command, which proves the entry point, the argument parsing and that the command exits on its
 * own. `cliSession()` runs many commands in ONE child process (test/helpers/cli-session.ts calls the CLI's own main()
 * with each command's arguments), because every real start-up loads the TypeScript and the whole module graph (seconds
 * of CPU, ten seconds and more on a loaded machine). A test file keeps at least one real spawn per command it runs
 * through a session. A session must never run a command that starts a long-lived node (start, demo, devnet).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/mochila.js');
/** A hang detector, not a figure: a command on an overloaded 2-core machine may take a minute. */
const COMMAND_TIMEOUT_MS = 180_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One real `mochila` process (cwd: the repository root). */
export function mochila(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface CliSession {
  /** Runs one command (commands run one at a time, in call order); same result shape as `mochila`. */
  run(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

interface Reply extends CliResult {
  id: number;
}

/** A child process that runs `mochila` commands one after another, each with its own captured output and exit code. */
export function cliSession(): CliSession {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'test/helpers/cli-session.ts')], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let log = ''; // what the child wrote outside a command's capture (e.g. a crash)
  child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const waiting = new Map<number, { resolve: (r: CliResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const fail = (why: string) => {
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(`${why}\n${log.slice(-3000)}`));
    }
    waiting.clear();
  };
  child.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    clearTimeout(w.timer);
    w.resolve({ code: m.code, stdout: m.stdout, stderr: m.stderr });
  });
  child.on('exit', (code, signal) => fail(`the mochila session exited (${code ?? signal}) with commands pending`));
  let next = 0;
  return {
    run(...args: string[]) {
      const id = next++;
      return new Promise<CliResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`mochila ${args.join(' ')}: no answer within ${COMMAND_TIMEOUT_MS} ms\n${log.slice(-3000)}`));
        }, COMMAND_TIMEOUT_MS);
        waiting.set(id, { resolve, reject, timer });
        child.send({ id, args });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (waiting.size) throw new Error(`mochila session closed with ${waiting.size} command(s) still running`);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.disconnect(); // the child exits once its IPC channel closes and its last command is done
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
