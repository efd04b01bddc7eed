/**
 * Starts real nodes (temp folders, SQLite, libp2p on 127.0.0.1, HTTP on a free port) for federation tests, and a
 * bounded `waitFor`. Every network has `close()`; tests never sleep a fixed time where a condition can be awaited.
 * Also the set-up the credential and recognition network tests share: the demo units' catalogues, the admin API, and
 * two connected nodes one of which has issued a credential (`startIssuingNetwork`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../node/core/logger.js';
import type { Clock } from '../../node/core/clock.js';
import type { ReferenceData } from '../../node/catalogue/reference-data.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { createManifest, type Manifest } from '../../node/trust/manifest.js';
import { loadConfig, type NodeConfig } from '../../node/config.js';
import { startNode, type MochilaNode } from '../../node/context.js';
import { initMirror, initNode } from '../../node/init.js';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { libp2pPrivateKey } from '../../node/federation/peer-ids.js';
import type { ReplicatorOptions } from '../../node/federation/replicator.js';
import { syncProtocolId } from '../../node/federation/sync-protocol.js';
import { lpStream } from '@libp2p/utils';
import type { Stream } from '@libp2p/interface';

/**
 * How long a test waits for something that must happen but whose speed is not what the test is about (convergence,
 * a round, a restart): generous, so a busy machine slows the suite down instead of failing it. Figures (how fast
 * gossip delivers, how soon peers come back) are asserted with their own bounds or measured by `npm run bench`.
 */
export const LIVENESS_MS = 60_000;

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = LIVENESS_MS, what = 'condition'): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A libp2p host with no mochila node behind it, on 127.0.0.1: for tests that speak the sync protocol by hand, or
 * (with `gossip`) publish on the heads topic by hand; `key`: the institution key it speaks for (default a new one).
 */
export async function bareLibp2p(o?: { key?: Ed25519Key }): Promise<Libp2p>;
export async function bareLibp2p(o: { gossip: true; key?: Ed25519Key }): Promise<Libp2p<{ pubsub: GossipSub }>>;
export async function bareLibp2p(o: { gossip?: boolean; key?: Ed25519Key } = {}): Promise<Libp2p> {
  const base = {
    privateKey: await libp2pPrivateKey((o.key ?? generateKey()).seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  };
  if (o.gossip) return createLibp2p({ ...base, services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, floodPublish: true }) } }) as unknown as Promise<Libp2p>;
  return createLibp2p({ ...base, services: { identify: identify() } });
}

export interface NetNode {
  name: string;
  key: Ed25519Key;
  dir: string;
  token: string;
  node: MochilaNode;
  url: string;
  addr: string; // a dialable multiaddr with /p2p/
  /**
   * Starts (again) from the same folder and keys; `samePort`: on the libp2p port it listened on before.
   * `standalone` (default true: a test network's nodes are fresh and publish before they are connected): false makes
   * the node confirm its own feed with a peer before it publishes; `bootstrap` replaces its configured peers.
   */
  start(o?: { samePort?: boolean; standalone?: boolean; bootstrap?: string[] }): Promise<void>;
  stop(): Promise<void>;
}

export interface TestNet {
  manifest: Manifest;
  nodes: NetNode[];
  /** `bootstrap`: the node's configured bootstrap addresses; `p2pPort`: a fixed libp2p port (default: any free one). */
  /** `config`: more node settings (e.g. p2pListen, p2pWs); `manifest`: the network's manifest with another bootstrap list. */
  add(name: string, opts?: { member?: boolean; key?: Ed25519Key; bootstrap?: string[]; p2pPort?: number; config?: Partial<NodeConfig>; manifest?: Manifest }): Promise<NetNode>;
  connect(a: NetNode, b: NetNode): Promise<void>;
  digests(): string[];
  converged(nodes?: NetNode[]): boolean;
  close(): Promise<void>;
}

export async function startNet(
  n: number,
  opts: {
    syncIntervalMs?: number;
    extraFounders?: Ed25519Key[];
    replication?: Partial<ReplicatorOptions>;
    /** Configured bootstrap addresses of the first `n` nodes. */
    bootstrap?: string[];
    /** Logger of every node (default silent). */
    logger?: Logger;
    /** Clock of every node (default the system's). */
    clock?: Clock;
    /** Which of the first `n` nodes (by index) the manifest authorises to publish reference data. */
    referencePublishers?: number[];
    /** The bundled reference data of every node (default schemas/reference). */
    referenceData?: ReferenceData;
  } = {},
): Promise<TestNet> {
  const keys = Array.from({ length: n }, () => generateKey());
  const manifest = createManifest({
    name: `fed test ${Date.now()}`,
    founders: [...keys, ...(opts.extraFounders ?? [])].map((k) => k.did),
    endorsements: 2,
    ...(opts.referencePublishers ? { referencePublishers: opts.referencePublishers.map((i) => keys[i]!.did) } : {}),
  });
  const dirs: string[] = [];
  const nodes: NetNode[] = [];

  const make = async (name: string, key: Ed25519Key, o: { bootstrap?: string[]; p2pPort?: number; config?: Partial<NodeConfig>; manifest?: Manifest } = {}): Promise<NetNode> => {
    const dir = mkdtempSync(path.join(tmpdir(), `mochila-fed-${name}-`));
    dirs.push(dir);
    const r = initNode({ dir, name: `Universidad ${name}`, country: 'CL', manifest: o.manifest ?? manifest, institutionKey: key, profile: { shortName: name } });
    const nn: NetNode = {
      name,
      key,
      dir,
      token: r.token,
      node: undefined as unknown as MochilaNode,
      url: '',
      addr: '',
      start: async (so = {}) => {
        const port = so.samePort && nn.addr ? Number(nn.addr.split('/')[4]) : (o.p2pPort ?? 0);
        const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: port, bootstrap: so.bootstrap ?? o.bootstrap ?? [], standalone: so.standalone ?? true, ...o.config }, {});
        nn.node = await startNode(config, { logger: opts.logger ?? silentLogger, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.referenceData ? { referenceData: opts.referenceData } : {}), replication: { syncIntervalMs: opts.syncIntervalMs ?? 1_000, redialMinMs: 100, redialMaxMs: 1_000, ...opts.replication } });
        nn.url = nn.node.httpUrl;
        nn.addr = nn.node.replicator!.addresses().find((a) => a.includes('127.0.0.1'))!;
      },
      stop: async () => {
        await nn.node.stop();
      },
    };
    await nn.start();
    return nn;
  };

  for (const [i, k] of keys.entries()) nodes.push(await make(String.fromCharCode(65 + i), k, opts.bootstrap ? { bootstrap: opts.bootstrap } : {}));

  const net: TestNet = {
    manifest,
    nodes,
    add: async (name, o = {}) => {
      const nn = await make(name, o.key ?? generateKey(), { ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}), ...(o.p2pPort !== undefined ? { p2pPort: o.p2pPort } : {}), ...(o.config ? { config: o.config } : {}), ...(o.manifest ? { manifest: o.manifest } : {}) });
      nodes.push(nn);
      return nn;
    },
    connect: async (a, b) => {
      await a.node.replicator!.dial(b.addr);
    },
    digests: () => nodes.map((x) => x.node.services.feed.headsDigest()),
    converged: (subset = nodes) => new Set(subset.map((x) => x.node.services.feed.headsDigest())).size === 1,
    close: async () => {
      await Promise.all(nodes.map((x) => x.node.stop().catch(() => {})));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return net;
}

/** The microcredential records of a demo unit (fixtures/units/<slug>/catalogue.json), as `catalogue.create` takes them. */
export function unitCatalogue(slug: string): { code: string }[] {
  return JSON.parse(readFileSync(new URL(`../../fixtures/units/${slug}/catalogue.json`, import.meta.url), 'utf8')) as { code: string }[];
}

/** A call to a node's admin API with its token (JSON body). */
export function adminFetch(n: NetNode, p: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${n.url}/api/v1/admin${p}`, { method, headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export interface IssuingNetwork {
  net: TestNet;
  /** The node that issued the credential. */
  issuer: NetNode;
  /** The other node, connected to the issuer, holding its replica. */
  other: NetNode;
  /** The credential as issued (its id, the microcredential's network-wide id, the signed credential). */
  issued: Awaited<ReturnType<MochilaNode['services']['credentials']['issue']>>;
}

/**
 * Two connected founder nodes for the credential and recognition flows: the issuer publishes `issuerRecords` of its
 * demo unit's catalogue (default all), the other node all of `otherUnit`'s (if given), the issuer issues
 * `microcredential` (a code; default the first record's) to `learner`, and both replicas converge before it returns.
 */
export async function startIssuingNetwork(o: {
  issuerUnit: string;
  issuerRecords?: number;
  otherUnit?: string;
  microcredential?: string;
  learner: { name: string; email: string };
}): Promise<IssuingNetwork> {
  const net = await startNet(2);
  try {
    const [issuer, other] = net.nodes as [NetNode, NetNode];
    await net.connect(issuer, other);
    const records = unitCatalogue(o.issuerUnit).slice(0, o.issuerRecords);
    for (const r of records) issuer.node.services.catalogue.create(r);
    if (o.otherUnit) for (const r of unitCatalogue(o.otherUnit)) other.node.services.catalogue.create(r);
    const issued = await issuer.node.services.credentials.issue({ microcredential: o.microcredential ?? records[0]!.code, learner: o.learner });
    await waitFor(() => net.converged(), LIVENESS_MS, 'the issuer’s key, catalogue and status lists to replicate');
    return { net, issuer, other, issued };
  } catch (e) {
    await net.close();
    throw e;
  }
}

export interface MirrorNode {
  name: string;
  key: Ed25519Key;
  dir: string;
  node: MochilaNode;
  url: string;
  addr: string;
  close(): Promise<void>;
}

/**
 * A read mirror of `net` (like `mochila init --mirror` then `mochila start`): its own key, node.json `"mirror": true`,
 * libp2p on 127.0.0.1 with `bootstrap` as its peers, HTTP on a free port. Not added to `net.nodes`: close it yourself.
 */
export async function startMirror(net: TestNet, name: string, o: { bootstrap: string[]; replication?: Partial<ReplicatorOptions>; logger?: Logger }): Promise<MirrorNode> {
  const dir = mkdtempSync(path.join(tmpdir(), `mochila-mirror-${name}-`));
  const key = generateKey();
  initMirror({ dir, manifest: net.manifest, institutionKey: key });
  const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0, bootstrap: o.bootstrap }, {});
  const node = await startNode(config, { logger: o.logger ?? silentLogger, replication: { syncIntervalMs: 1_000, redialMinMs: 100, redialMaxMs: 1_000, ...o.replication } });
  return {
    name,
    key,
    dir,
    node,
    url: node.httpUrl,
    addr: node.replicator!.addresses().find((a) => a.includes('127.0.0.1'))!,
    close: async () => {
      await node.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A peer that speaks the sync protocol as a test scripts it, to play a lying or broken peer: for the n-th round it is
 * asked for (from 0), `serve(n)` gives the heads it claims and the frames it sends for the request it then reads
 * (strings as UTF-8, bytes as they are). It verifies nothing and stores nothing.
 */
export async function scriptedSyncPeer(
  network: string,
  serve: (round: number) => { heads: unknown; frames: (want: unknown) => (Uint8Array | string)[] },
): Promise<{ node: Libp2p; addr: string; close: () => Promise<void> }> {
  const node = await bareLibp2p();
  let round = 0;
  await node.handle(syncProtocolId(network), async (stream: Stream) => {
    const { heads, frames } = serve(round++);
    try {
      const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 });
      await lp.read();
      await lp.write(new TextEncoder().encode(JSON.stringify({ t: 'heads', digest: 'scripted', heads })));
      const want: unknown = JSON.parse(new TextDecoder().decode((await lp.read()).subarray()));
      for (const f of frames(want)) await lp.write(typeof f === 'string' ? new TextEncoder().encode(f) : f);
      await stream.close();
    } catch {
      stream.abort(new Error('scripted peer done'));
    }
  });
  return {
    node,
    addr: node.getMultiaddrs()[0]!.toString(),
    close: async () => {
      await node.stop();
    },
  };
}
