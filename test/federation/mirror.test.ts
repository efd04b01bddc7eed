/**
 * Read mirrors (README, "Read mirrors"): nodes that are not members, publish nothing, replicate every member's feed and
 * serve the public API. Two mirrors of a small network serve the same search answers and feed heads, a member's new
 * entry reaches them, neither is counted as a member anywhere, and a mirror refuses admin writes over HTTP and the CLI.
 * Also the members' side of the bargain: rounds served to unlisted peers are bounded, a listed mirror is always served.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { didToPeerId } from '../../node/federation/peer-ids.js';
import { openServices } from '../../node/cli-common.js';
import { networkId } from '../../node/trust/manifest.js';
import { LIVENESS_MS, adminFetch, startMirror, startNet, unitCatalogue, waitFor, type MirrorNode, type NetNode, type TestNet } from './net.js';

const ROOT = path.resolve(__dirname, '../..');

function mochila(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/mochila.js'), ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Search queries of several kinds: full text, filters, sort, paging, another language. */
const QUERIES = ['q=infecciones', 'q=salud&sort=title', 'country=CL', 'country=CL&pageSize=3&page=2', 'q=care&lang=en', 'field=09&sort=hours', 'status=all&sort=recent'];

describe('read mirrors', () => {
  let net: TestNet;
  let a: NetNode;
  let b: NetNode;
  let m1: MirrorNode;
  let m2: MirrorNode;
  const all = () => [a.node, b.node, m1.node, m2.node].map((n) => n.services.feed.headsDigest());

  beforeAll(async () => {
    net = await startNet(2);
    [a, b] = net.nodes as [NetNode, NetNode];
    await net.connect(a, b);
    for (const r of unitCatalogue('cl-uac')) a.node.services.catalogue.create(r);
    for (const r of unitCatalogue('mx-uan')) b.node.services.catalogue.create(r);
    // each mirror knows one member only: what it holds of the other comes store-and-forward
    m1 = await startMirror(net, 'M1', { bootstrap: [a.addr] });
    m2 = await startMirror(net, 'M2', { bootstrap: [b.addr] });
    await waitFor(() => new Set(all()).size === 1, LIVENESS_MS, 'both mirrors to hold both members\' feeds');
  }, 180_000);

  afterAll(async () => {
    await Promise.all([m1?.close(), m2?.close()]);
    await net?.close();
  });

  it('two mirrors serve the same search answers as each other and as a member, and the same feed heads', async () => {
    expect(m1.node.services.catalogue.search({}).total).toBe(16);
    for (const q of QUERIES) {
      const [x, y, z] = await Promise.all([m1, m2, a].map((n) => getJson(`${n.url}/api/v1/microcredentials?${q}`)));
      expect(x!.status, q).toBe(200);
      expect((x!.body.items as unknown[]).length, `${q} finds something`).toBeGreaterThan(0);
      expect(y!.body, q).toEqual(x!.body);
      expect(z!.body, q).toEqual(x!.body);
    }
    const heads = async (url: string) => ((await getJson(`${url}/api/v1/network`)).body.feeds as { author: string; head: unknown }[]).map((f) => [f.author, f.head]).sort();
    const h1 = await heads(m1.url);
    expect(h1.map((h) => h[0])).toEqual([a.key.did, b.key.did].sort());
    expect(await heads(m2.url)).toEqual(h1);
    expect(await heads(a.url)).toEqual(h1);
  });

  it('a mirror is never counted as a member and has no feed of its own', async () => {
    const mirrors = [m1.node.did, m2.node.did];
    for (const n of [a, b, m1, m2]) {
      const st = (await getJson(`${n.url}/api/v1/network`)).body as { members: { did: string }[]; feeds: { author: string }[] };
      expect(st.members.map((m) => m.did).sort()).toEqual([a.key.did, b.key.did].sort());
      for (const d of mirrors) expect(st.feeds.map((f) => f.author)).not.toContain(d);
      const inst = (await getJson(`${n.url}/api/v1/institutions`)).body as { items: { did: string }[] };
      for (const d of mirrors) expect(inst.items.map((i) => i.did)).not.toContain(d);
    }
    const self = (await getJson(`${m1.url}/api/v1/node`)).body;
    expect(self).toMatchObject({ did: m1.node.did, member: false, memberStatus: 'none', mirror: true, feed: null });
    expect((await getJson(`${a.url}/api/v1/node`)).body).toMatchObject({ member: true, mirror: false });
    const own = (await getJson(`${m1.url}/api/v1/network`)).body.ownFeed as { confirmed: boolean; detail: string };
    expect(own.confirmed).toBe(false);
    expect(own.detail).toMatch(/read mirror/);
  });

  it('a member\'s new entry reaches both mirrors', async () => {
    const [first] = unitCatalogue('gt-uoc');
    const r = await adminFetch(a, '/microcredentials', first);
    expect(r.status).toBe(201);
    const created = (await r.json()) as { id: string };
    const head = a.node.services.feed.head(a.key.did)!.seq;
    await waitFor(() => [m1, m2].every((m) => (m.node.services.feed.head(a.key.did)?.seq ?? 0) >= head), LIVENESS_MS, 'the new entry on both mirrors');
    for (const m of [m1, m2]) {
      const got = await getJson(`${m.url}/api/v1/microcredentials/${encodeURIComponent(created.id)}`);
      expect(got.status).toBe(200);
    }
  });

  it('a mirror refuses every admin request with 403 mirror_read_only (token or not) and never appends', async () => {
    const before = m1.node.services.feed.heads();
    const tries: [string, string, unknown][] = [
      ['POST', '/api/v1/admin/microcredentials', unitCatalogue('cl-upn')[0]],
      ['PUT', '/api/v1/admin/profile', { name: { es: 'Espejo' }, country: 'CL', kind: 'hei' }],
      ['POST', '/api/v1/admin/endorsements', { subject: a.key.did }],
      ['GET', '/api/v1/admin/microcredentials', undefined],
    ];
    for (const [method, p, body] of tries) {
      for (const auth of [{ authorization: `Bearer ${a.token}` }, {}] as Record<string, string>[]) {
        const r = await fetch(`${m1.url}${p}`, { method, headers: { 'content-type': 'application/json', ...auth }, ...(body ? { body: JSON.stringify(body) } : {}) });
        expect(r.status, `${method} ${p}`).toBe(403);
        expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(((await r.json()) as { code: string }).code).toBe('mirror_read_only');
      }
    }
    // and in process: the feed itself refuses, whatever the caller
    expect(() => m1.node.services.feed.append('endorsement', { subject: a.key.did })).toThrow(expect.objectContaining({ code: 'mirror_read_only' }));
    expect(m1.node.services.feed.heads()).toEqual(before);
    expect(m1.node.services.feed.head(m1.node.did)).toBeNull();
  });

  it('mochila init --mirror makes a mirror folder: keys, manifest, node.json "mirror": true, an empty database, no token', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-mirror-cli-'));
    try {
      const manifestFile = path.join(tmp, 'manifest.json');
      writeFileSync(manifestFile, JSON.stringify(net.manifest));
      const dir = path.join(tmp, 'mirror');
      const r = await mochila('init', '--mirror', '--dir', dir, '--manifest', manifestFile, '--http-port', '8099');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/read mirror created in/);
      expect(r.stdout).toMatch(/peer id: 12D3KooW/);
      expect(r.stdout).not.toMatch(/admin token:/);
      expect(JSON.parse(readFileSync(path.join(dir, 'node.json'), 'utf8'))).toEqual({ httpPort: 8099, mirror: true });
      const s = openServices(dir, {});
      try {
        expect(s.config.mirror).toBe(true);
        expect(s.feed.heads()).toEqual([]);
        expect(s.network).toBe(networkId(net.manifest));
        expect(() => s.feed.append('endorsement', { subject: a.key.did })).toThrow(expect.objectContaining({ code: 'mirror_read_only' }));
      } finally {
        s.store.close();
      }
      // a mirror is no institution, and it mirrors an existing network
      expect((await mochila('init', '--mirror', '--dir', path.join(tmp, 'm2'), '--manifest', manifestFile, '--name', 'X', '--country', 'CL')).code).not.toBe(0);
      const noManifest = await mochila('init', '--mirror', '--dir', path.join(tmp, 'm3'));
      expect(noManifest.code).not.toBe(0);
      expect(noManifest.stderr).toMatch(/--manifest/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  it('the CLI refuses a command that appends on a mirror\'s folder', async () => {
    const file = path.join(m2.dir, 'catalogue-to-import.json');
    writeFileSync(file, JSON.stringify(unitCatalogue('cl-upn').slice(0, 1)));
    const r = await mochila('catalogue', 'import', '--dir', m2.dir, file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error \(mirror_read_only\): This node is a read mirror/);
    expect(r.stdout).not.toMatch(/created [1-9]/);
    expect(m2.node.services.feed.head(m2.node.did)).toBeNull();
  }, 120_000);
});

describe('members serving mirrors', () => {
  let net: TestNet | undefined;
  const mirrors: MirrorNode[] = [];
  afterAll(async () => {
    await Promise.all(mirrors.map((m) => m.close()));
    await net?.close();
  });

  it('serve unlisted peers only within maxUnlistedServes, and a mirror listed in node.json "mirrors" always', async () => {
    // no slot at all for unlisted peers: only a listed mirror can pull
    net = await startNet(1, { replication: { maxUnlistedServes: 0 } });
    const [a] = net.nodes as [NetNode];
    for (const r of unitCatalogue('cl-uac').slice(0, 3)) a.node.services.catalogue.create(r);
    const unlisted = await startMirror(net, 'U', { bootstrap: [a.addr] });
    mirrors.push(unlisted);
    await waitFor(() => (a.node.replicator!.status().totals.servesRefused ?? 0) >= 2, LIVENESS_MS, 'the member to refuse the unlisted mirror\'s rounds');
    expect(unlisted.node.services.feed.head(a.key.did)).toBeNull();

    // the member lists a mirror (its peer id, as the mirror prints it) and restarts: that mirror is served
    const listed = await startMirror(net, 'L', { bootstrap: [] });
    mirrors.push(listed);
    const cfgFile = path.join(a.dir, 'node.json');
    writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, 'utf8')), mirrors: [didToPeerId(listed.node.did).toString()] }));
    await a.stop();
    await a.start({ samePort: true });
    await listed.node.replicator!.dial(a.addr);
    await waitFor(() => listed.node.services.feed.headsDigest() === a.node.services.feed.headsDigest(), LIVENESS_MS, 'the listed mirror to catch up');
    expect(unlisted.node.services.feed.head(a.key.did)).toBeNull();
  }, 180_000);
});
