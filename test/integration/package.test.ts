// Install without a clone (issue 16): the npm package is built (`npm run build:node`: the web app, already built by
// `pretest`, and node/ compiled to dist/), packed with `npm pack`, installed into an empty folder with `npm install
// ./mochila-registry-*.tgz` (dependencies from the npm cache, as on a machine with only the registry), and its
// `mochila` command initialises a node and starts it: /healthz answers, the web app and the API are served, and the
// process runs the compiled JavaScript (the package holds no TypeScript and no tsx). Slow by nature (an npm install
// with native better-sqlite3): one test, a generous limit, conditions polled, never fixed sleeps. node/ is compiled
// without a second type check (`pack.mjs --no-typecheck`: the same JavaScript, a third of tsc's CPU time; the types are
// `npm run typecheck`'s job), so a type error elsewhere does not fail the packaging test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports.js';
import { readmeShBlocks } from '../helpers/readme.js';

const ROOT = path.resolve(__dirname, '../..');
const NPM_TIMEOUT_MS = 600_000;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the npm package', () => {
  let tmp: string;
  let child: ChildProcess | null = null;
  let log = '';
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'mochila-pkg-'));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('packs, installs into an empty folder, and its mochila command initialises and starts a node from compiled JavaScript', { timeout: 1_200_000 }, async () => {
    // the release step (web app built by `pretest`): node compiled, shrinkwrap written, packed
    const pack = await run(process.execPath, [path.join(ROOT, 'scripts/build/pack.mjs'), '--skip-web', '--no-typecheck', '--out', tmp], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const tgz = pack.stdout.trim().split('\n').pop()!;
    expect(existsSync(path.join(ROOT, 'npm-shrinkwrap.json'))).toBe(false); // the repository keeps one lock file
    const list = await run('tar', ['tzf', tgz], tmp);
    const files = list.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    // what the package holds: the command, the compiled node, its data, the web app and the pinned dependency tree;
    // no sources, tests or secrets
    expect(files).toContain('bin/mochila.js');
    expect(files).toContain('npm-shrinkwrap.json');
    expect(files).toContain('dist/node/cli.js');
    expect(files).toContain('dist/web/dist/index.html');
    expect(files).toContain('dist/schemas/manifest.schema.json');
    expect(files.some((f) => f.startsWith('dist/node/store/migrations/'))).toBe(true);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|node|web\/src|\.ci)\//.test(f) || /(^|\/)(keystore\.json|passphrase)$|\.db(-wal|-shm)?$/.test(f))).toEqual([]);

    // the README's install block, as written, with only its placeholders replaced (the folder, the tarball's path)
    const app = path.join(tmp, 'opt-mochila');
    const [block] = readmeShBlocks('Install a node from the package (no clone on the server)');
    expect(block, 'the README install block').toBeDefined();
    const script = block!.replaceAll('/opt/mochila', app).replace(/\/path\/to\/mochila-registry-[^\s]+\.tgz/g, tgz);
    expect(script).toContain(`npm install --omit=dev ${tgz}`);
    // npm settings, the README's command itself unchanged: prefer the npm cache (CI machines reach only the registry),
    // and give the SQLite driver's installer (prebuild-install) a local prebuilt binary made from this repository's own
    // build of the same version for this Node, instead of compiling SQLite a second time (minutes on a busy 2-core
    // machine). Without it npm compiles the driver from source, as it did for `npm ci`.
    const sqlite = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
    const prebuilds = path.join(tmp, 'prebuilds');
    mkdirSync(prebuilds);
    const libc = process.report.getReport && (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime ? '' : 'musl';
    const prebuilt = path.join(prebuilds, `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`);
    const tarred = await run('tar', ['czf', prebuilt, '-C', path.join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'], tmp);
    expect(tarred.code, tarred.stderr).toBe(0);
    const install = await run('sh', ['-ec', script], tmp, {
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_better_sqlite3_local_prebuilds: prebuilds,
    });
    expect(install.code, install.stderr.slice(-4000)).toBe(0);
    const installed = path.join(app, 'node_modules/mochila-registry');
    expect(existsSync(path.join(installed, 'dist/node/cli.js'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules/tsx'))).toBe(false); // production needs no TypeScript loader

    const bin = path.join(app, 'node_modules/.bin/mochila');
    const dir = path.join(app, 'data');
    const [httpPort, p2pPort] = [await freePort(), await freePort()];
    const init = await run(bin, ['init', '--dir', dir, '--name', 'Universidad del Paquete', '--country', 'CL', '--http-port', String(httpPort), '--p2p-port', String(p2pPort)], app);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^did: did:key:z6Mk/m);

    child = spawn(bin, ['start', '--dir', dir, '--standalone', '--http-host', '127.0.0.1'], { cwd: app, env: { ...process.env, NO_COLOR: '1' } });
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const base = `http://127.0.0.1:${httpPort}`;
    const health = await waitFor('the packaged node to answer /healthz', async () => {
      expect(child!.exitCode, `the packaged node exited: ${log}`).toBeNull();
      const r = await fetch(`${base}/healthz`).catch(() => null);
      return r?.ok ? ((await r.json()) as { status: string; version: string }) : null;
    });
    expect(health.status).toBe('ok');
    expect(health.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="es">');
    const search = await fetch(`${base}/api/v1/microcredentials?q=datos`);
    expect(search.status).toBe(200);
    expect((await search.json()) as { total: number }).toHaveProperty('total', 0);
    // the process runs dist/ (no source file of the package is TypeScript)
    expect(readdirSync(path.join(installed, 'dist/node')).some((f) => f.endsWith('.ts'))).toBe(false);
  });
});
