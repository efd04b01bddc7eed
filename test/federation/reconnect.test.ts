// Peers always come back: a restarted bootstrap node is redialled and sync resumes; a node started before its
// bootstrap peer connects once that peer listens; failed dials are logged at warn with the reason and counted in
// /api/v1/network. Every wait is a condition polled with a deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { createLogger } from '../../node/core/logger.js';
import { didToPeerId } from '../../node/federation/peer-ids.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { LIVENESS_MS, startNet, waitFor, type NetNode, type TestNet } from './net.js';
import { freePort } from '../helpers/ports.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const records = JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[];

let net: TestNet | null = null;
afterEach(async () => {
  await net?.close();
  net = null;
});

const connectedTo = (x: NetNode, y: NetNode) => x.node.replicator!.status().peers.some((p) => p.did === y.key.did && p.connected);
const holds = (x: NetNode, author: NetNode, seq: number) => (x.node.services.feed.head(author.key.did)?.seq ?? 0) >= seq;

describe('peers always come back', () => {
  it('restarting the bootstrap node of a three-node network (then another node): connections and replication resume within 10 s', async () => {
    const kB = generateKey();
    const kC = generateKey();
    net = await startNet(1, { extraFounders: [kB, kC] });
    const a = net.nodes[0]!;
    const b = await net.add('B', { key: kB, bootstrap: [a.addr] });
    const c = await net.add('C', { key: kC, bootstrap: [a.addr] });
    const all = () => connectedTo(a, b) && connectedTo(a, c) && connectedTo(b, a) && connectedTo(c, a);
    await waitFor(all, LIVENESS_MS, 'B and C connected to their bootstrap node A');
    await waitFor(() => net!.converged(), LIVENESS_MS, 'initial convergence');

    await a.stop();
    await waitFor(() => !connectedTo(b, a) && !connectedTo(c, a), LIVENESS_MS, 'B and C see A gone');
    // B publishes while A is down: it can reach C only through A once A is back
    b.node.services.catalogue.create(records[0]);
    const bSeq = b.node.services.feed.head(b.key.did)!.seq;

    await a.start({ samePort: true });
    const t0 = Date.now();
    await waitFor(all, 10_000, 'every connection back after A restarted');
    await waitFor(() => holds(a, b, bSeq) && holds(c, b, bSeq), 10_000 - (Date.now() - t0), "B's entry on A and C after the restart");
    // and A's new entries flow to both again
    a.node.services.catalogue.create(records[1]);
    const aSeq = a.node.services.feed.head(a.key.did)!.seq;
    await waitFor(() => holds(b, a, aSeq) && holds(c, a, aSeq) && net!.converged(), 10_000, "A's entry after the restart on B and C");

    // any other peer too: C restarts on another port and comes back through its bootstrap list
    await c.stop();
    await waitFor(() => !connectedTo(a, c), LIVENESS_MS, 'A sees C gone');
    a.node.services.catalogue.create(records[2]);
    const aSeq2 = a.node.services.feed.head(a.key.did)!.seq;
    await c.start();
    const t1 = Date.now();
    await waitFor(() => connectedTo(a, c) && connectedTo(c, a), 10_000, 'C back after its restart');
    await waitFor(() => holds(c, a, aSeq2) && net!.converged(), 10_000 - (Date.now() - t1), "A's entry on C after C's restart");
  }, 120_000); // starting four nodes takes most of it on a loaded machine; the deadlines that matter are the 10 s above

  it('a node started before its bootstrap peer connects within 10 s of that peer listening; its failed dials are logged at warn and counted', async () => {
    const kA = generateKey();
    const port = await freePort();
    const addrA = `/ip4/127.0.0.1/tcp/${port}/p2p/${didToPeerId(kA.did).toString()}`;
    const lines: string[] = [];
    net = await startNet(1, { extraFounders: [kA], bootstrap: [addrA], logger: createLogger('warn', {}, (l) => lines.push(l)) });
    const b = net.nodes[0]!;
    const failedDials = async () => (await (await fetch(`${b.url}/api/v1/network`)).json()).totals.dialFailures as number;
    await waitFor(async () => (await failedDials()) >= 2, LIVENESS_MS, 'B failing to dial A (not listening yet)');
    const warned = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'warn' && l.msg === 'dial failed');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]!.peer).toBe(didToPeerId(kA.did).toString());
    expect(String(warned[0]!.error)).toMatch(/ECONNREFUSED|refused/i);
    const s = await (await fetch(`${b.url}/api/v1/network`)).json();
    // the response is described by its schema in schemas/, which the OpenAPI document points to
    expect(new SchemaRegistry().validate('api/network-status', s)).toEqual({ ok: true });
    const doc = await (await fetch(`${b.url}/openapi.json`)).json();
    expect(doc.paths['/api/v1/network'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/api.network-status');
    expect(doc.components.schemas['api.network-status'].properties.totals.properties.dialFailures.type).toBe('integer');
    const peerA = s.peers.find((p: { did: string }) => p.did === kA.did);
    expect(peerA.connected).toBe(false);
    expect(peerA.dialFailures).toBeGreaterThan(0);
    expect(peerA.lastDialError).toMatch(/ECONNREFUSED|refused/i);

    const a = await net.add('A', { key: kA, p2pPort: port });
    const t0 = Date.now();
    await waitFor(() => connectedTo(b, a) && connectedTo(a, b), 10_000, 'B connected to A once A listens');
    await waitFor(() => net!.converged(), 10_000 - (Date.now() - t0), 'A and B converged');
    const after = (await (await fetch(`${b.url}/api/v1/network`)).json()).peers.find((p: { did: string }) => p.did === kA.did);
    expect(after.connected).toBe(true);
    expect(after.nextDialAt).toBeNull();
  }, 90_000);
});
