/**
 * The README's operator commands run as written (issue 16, item 1). The shell blocks of "Run a real node", "Back up and
 * restore", "Found a network on three machines" and "Join an existing network" are read from README.md by section
 * heading; a script replaces only the placeholders (folders, ports, domains, the catalogue file, and the `$MX_DID`-style
 * variables that stand for what `keygen` and `init` print) and runs every command through `node bin/mochila.js`, which
 * is what `npx mochila` runs (package.json "bin"), on node folders on loopback. `mochila start` runs as a child process;
 * the test waits on /healthz and /api/v1/network, never a fixed time, and stops every node at the end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIVENESS_MS } from '../federation/net.js';
import { freePort } from '../helpers/ports.js';
import { readmeShBlocks } from '../helpers/readme.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.mochila as string);

/** The ```sh blocks of a section, each as its commands (continuation lines joined; comments left to the shell). */
function shellBlocks(heading: string): string[][] {
  return readmeShBlocks(heading).map((b) =>
    b
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#')),
  );
}

interface Machine {
  name: string;
  dir: string;
  httpPort: number;
  p2pPort: number;
  catalogue: string;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-readme-'));
const work = path.join(tmp, 'work'); // where commands run (red-mochila.json lands here, "sent to the others")
mkdirSync(work);
const env: Record<string, string> = {};
const children: { name: string; proc: ChildProcess; out: string[] }[] = [];

afterAll(async () => {
  await Promise.all(children.map((c) => stop(c)));
  rmSync(tmp, { recursive: true, force: true });
});

async function machine(name: string, unit: string): Promise<Machine> {
  return { name, dir: path.join(tmp, name), httpPort: await freePort(), p2pPort: await freePort(), catalogue: path.join(ROOT, 'fixtures/units', unit, 'catalogue.json') };
}

const machines = new Map<string, Machine>();

/** Replaces the README's placeholders for a command run on machine m; nothing else of the command changes. */
function substitute(cmd: string, m: Machine): string {
  let c = cmd
    .replace(/\bnpx mochila /g, `node ${JSON.stringify(BIN)} `)
    .replace(/\/srv\/mochila-restored\b/g, `${m.dir}-restored`)
    .replace(/\/srv\/mochila\b/g, m.dir)
    .replace(/\/etc\/mochila\b/g, path.join(tmp, 'etc-mochila'))
    .replace(/\/var\/backups\/mochila\b/g, path.join(tmp, 'backups'))
    .replace(/\/dns4\/(mx|cl|gt)\.example\/tcp\/9090\//g, (_, host: string) => `/ip4/127.0.0.1/tcp/${machines.get(host)!.p2pPort}/`)
    .replace(/https:\/\/mochila\.(mx\.example|ejemplo\.cl)\b/g, `http://127.0.0.1:${m.httpPort}`)
    .replace(/--http-port 8080\b/g, `--http-port ${m.httpPort}`)
    .replace(/--p2p-port 9090\b/g, `--p2p-port ${m.p2pPort}`)
    .replace(/(?<![\w/.-])catalogo\.json\b/g, m.catalogue);
  // "Universidad …" is a name the reader changes; any other placeholder left would mean the README drifted
  for (const left of [/\/srv\//, /\/etc\/mochila/, /\/var\/backups/, /\.example\b/, /\b8080\b/, /\b9090\b/, /catalogo\.json/, /z6Mk…/, /12D3KooW…/])
    expect(left.test(c.replace(/\s#\s.*$/, '')), `placeholder ${String(left)} left in: ${c}`).toBe(false);
  c = c.replace(/\s+$/, '');
  return c;
}

function isStart(cmd: string): boolean {
  return /^npx mochila start\b/.test(cmd.trim());
}

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, env: { ...process.env, ...env }, timeout: WAIT_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function get(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** Generous: a node's start-up (TypeScript loaded at run time) takes seconds of CPU, minutes on an overloaded machine. */
const WAIT_MS = 3 * LIVENESS_MS;

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `mochila start` as a child process, up once its /healthz answers; it must not exit before. */
async function startNodeProcess(cmd: string, m: Machine): Promise<void> {
  const proc = spawn('bash', ['-c', `exec ${cmd}`], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const c = { name: m.name, proc, out: [] as string[] };
  children.push(c);
  proc.stdout!.on('data', (d: Buffer) => c.out.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => c.out.push(d.toString()));
  await waitFor(`${m.name}'s node to answer /healthz`, async () => {
    if (proc.exitCode !== null) throw new Error(`${m.name}'s node exited with ${proc.exitCode}:\n${c.out.join('').slice(-3000)}`);
    return (await fetch(`http://127.0.0.1:${m.httpPort}/healthz`)).ok;
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n${c.out.join('').slice(-3000)}`);
  });
}

async function stop(c: { proc: ChildProcess }): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

/**
 * Runs one README block on machine m: consecutive commands in one bash (so a variable set on one line holds on the
 * next), every `mochila start` as a node process. Returns what the commands printed.
 */
async function runBlock(block: string[], m: Machine): Promise<string> {
  let out = '';
  let pending: string[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const r = await bash(pending.join('\n'));
    expect(r.code, `on ${m.name}:\n${pending.join('\n')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    out += r.stdout;
    pending = [];
  };
  for (const cmd of block) {
    if (isStart(cmd)) {
      await flush();
      await startNodeProcess(substitute(cmd, m), m);
    } else pending.push(substitute(cmd, m));
  }
  await flush();
  return out;
}

function printed(out: string, label: string): string {
  const v = new RegExp(`^${label}: (\\S+)`, 'm').exec(out)?.[1];
  if (!v) throw new Error(`no "${label}:" in\n${out}`);
  return v;
}

interface NetworkStatus {
  self: { did: string };
  peers: { did: string | null; connected: boolean }[];
  members: { did: string; status: string }[];
  feeds: { author: string; head: { seq: number; id: string }; behind: number; frozen: boolean }[];
  equivocations: unknown[];
}

const network = (m: Machine) => get(`http://127.0.0.1:${m.httpPort}/api/v1/network`) as Promise<NetworkStatus>;
const catalogueTotal = async (m: Machine) => ((await get(`http://127.0.0.1:${m.httpPort}/api/v1/microcredentials?pageSize=1`)) as { total: number }).total;
const catalogueSize = (m: Machine) => (JSON.parse(readFileSync(m.catalogue, 'utf8')) as unknown[]).length;

describe('the README commands, as written', () => {
  it('runs a real node, backs it up and restores it, founds a network on three machines and admits a fourth', async () => {
    const t0 = Date.now();
    const blocks = {
      real: shellBlocks('Run a real node (an IT person at a university)'),
      backup: shellBlocks('Back up and restore'),
      found: shellBlocks('Found a network on three machines'),
      join: shellBlocks('Join an existing network'),
    };
    expect(blocks.real).toHaveLength(1);
    expect(blocks.backup).toHaveLength(1);
    expect(blocks.found).toHaveLength(3);
    expect(blocks.join).toHaveLength(2);

    // ---- Run a real node: a unit alone, its key file encrypted with a passphrase file the block creates
    const solo = await machine('solo', 'cl-uac');
    const out = await runBlock(blocks.real[0]!, solo);
    expect(printed(out, 'did')).toMatch(/^did:key:z6Mk/);
    expect(printed(out, 'admin token')).toMatch(/^mch_/);
    expect(out).toMatch(new RegExp(`created ${catalogueSize(solo)}, updated 0, unchanged 0, failed 0`));
    expect(JSON.parse(readFileSync(path.join(solo.dir, 'keystore.json'), 'utf8')).encrypted).toBe(true);
    expect(await catalogueTotal(solo)).toBe(catalogueSize(solo));

    // ---- Back up and restore, while that node runs
    const bout = await runBlock(blocks.backup[0]!, solo);
    expect(bout).toMatch(/backup written to /);
    expect(bout).toMatch(/^restored did:key:z6Mk/m);
    expect(readdirSync(path.join(tmp, 'backups')).filter((f) => f.endsWith('.tar.gz'))).toHaveLength(1);
    expect(readdirSync(`${solo.dir}-restored`).sort()).toEqual(['keystore.json', 'manifest.json', 'node.json', 'registry.db']);
    await Promise.all(children.splice(0).map((c) => stop(c)));

    const phase = (what: string) => console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    phase('a real node, backed up and restored');

    // ---- Found a network on three machines
    const [mx, cl, gt] = [await machine('mx', 'mx-uan'), await machine('cl', 'cl-uac'), await machine('gt', 'gt-uoc')];
    const three = [mx!, cl!, gt!];
    for (const m of three) machines.set(m.name, m);
    const keys = await Promise.all(three.map((m) => runBlock(blocks.found[0]!, m)));
    for (const [i, m] of three.entries()) {
      env[`${m.name.toUpperCase()}_DID`] = printed(keys[i]!, 'did');
      env[`${m.name.toUpperCase()}_PEER_ID`] = printed(keys[i]!, 'peer id');
    }
    await runBlock(blocks.found[1]!, mx!);
    expect(existsSync(path.join(work, 'red-mochila.json'))).toBe(true);
    const inits = await Promise.all(three.map((m) => runBlock(blocks.found[2]!, m)));
    for (const [i, m] of three.entries()) {
      expect(printed(inits[i]!, 'did')).toBe(env[`${m.name.toUpperCase()}_DID`]);
      expect(inits[i]).toMatch(/\(founder\)/);
      expect(inits[i]).toMatch(new RegExp(`created ${catalogueSize(m)}, updated 0`));
    }
    const dids = three.map((m) => env[`${m.name.toUpperCase()}_DID`]!);
    const total = three.reduce((n, m) => n + catalogueSize(m), 0);
    // "each node's GET /api/v1/network lists the other two as connected and their feeds at lag 0, and the catalogue
    // search shows all three catalogues"
    await waitFor('the three nodes to connect, converge and show every catalogue', async () => {
      const st = await Promise.all(three.map(network));
      for (const [i, s] of st.entries()) {
        const others = dids.filter((_, j) => j !== i);
        if (!others.every((d) => s.peers.some((p) => p.did === d && p.connected))) return false;
        if (!dids.every((d) => s.feeds.some((f) => f.author === d && f.behind === 0))) return false;
      }
      const heads = st.map((s) => JSON.stringify(dids.map((d) => s.feeds.find((f) => f.author === d)!.head)));
      if (new Set(heads).size !== 1) return false;
      return (await Promise.all(three.map(catalogueTotal))).every((t) => t === total);
    });

    phase('three machines');

    // ---- Join an existing network: a fourth university, endorsed by two members
    const nu = await machine('new', 'gt-usm');
    const joined = await runBlock(blocks.join[0]!, nu);
    expect(joined).toMatch(/not yet a member/);
    env.NEW_DID = printed(joined, 'did');
    const endorsed = await Promise.all([mx!, cl!].map((m) => runBlock(blocks.join[1]!, m)));
    for (const e of endorsed) expect(e).toMatch(new RegExp(`^endorsed ${env.NEW_DID}`, 'm'));
    await waitFor('every node to admit the newcomer', async () => {
      const st = await Promise.all([...three, nu].map(network));
      return st.every((s) => s.members.some((x) => x.did === env.NEW_DID && x.status === 'admitted'));
    });
    // it receives the whole registry, and nobody forked
    await waitFor('the newcomer to hold every catalogue', async () => (await catalogueTotal(nu)) === total);
    for (const s of await Promise.all([...three, nu].map(network))) {
      expect(s.equivocations).toEqual([]);
      expect(s.feeds.filter((f) => f.frozen)).toEqual([]);
    }
    phase('a fourth admitted: all README commands');
  }, 900_000);
});
