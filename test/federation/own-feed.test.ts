/**
 * A node never forks itself (issue 13, item 5): a unit that lost its database but kept its keys must not sign an
 * entry at a seq its network already holds. Real nodes on loopback: it refuses to publish until a peer confirms its
 * own feed's head, recovers that feed from its peers, and its next entry extends the network's head.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { RegistryError } from '../../node/core/errors.js';
import { silentLogger } from '../../node/core/logger.js';
import { loadConfig } from '../../node/config.js';
import { buildServices } from '../../node/context.js';
import { startNet, waitFor, type NetNode, type TestNet } from './net.js';

const FIX = path.resolve(__dirname, '../../fixtures/units');
const records = JSON.parse(readFileSync(path.join(FIX, 'cl-uac', 'catalogue.json'), 'utf8')) as Record<string, unknown>[];

let net: TestNet | null = null;
afterAll(async () => {
  await net?.close();
});

function refusal(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('the write was not refused');
}

function noForks(nodes: NetNode[], author: string): void {
  for (const n of nodes) {
    expect(n.node.services.feed.equivocations(), `equivocations on ${n.name}`).toEqual([]);
    expect(n.node.services.feed.isFrozen(author), `${author} frozen on ${n.name}`).toBe(false);
  }
}

describe('a node never forks itself', () => {
  it('after losing its database, or restoring an old copy, it publishes nothing until it has recovered its own feed from its peers', async () => {
    net = await startNet(3);
    const [a, b, c] = net.nodes as [NetNode, NetNode, NetNode];
    await net.connect(a, b);
    await net.connect(a, c);
    await net.connect(b, c);
    for (const r of records.slice(0, 3)) a.node.services.catalogue.create(r);
    // a credential: its status lists are entries of A's feed too
    const first = await a.node.services.credentials.issue({ microcredential: String(records[0]!.code), learner: { name: 'Ana Pérez', email: 'ana@example.org' } });
    const listsOf = (c: { credential: Record<string, unknown> }) =>
      [c.credential.credentialStatus as { statusListCredential: string }].map((x) => x.statusListCredential.split('/').pop()!);
    const oldLists = listsOf(first);
    const head = a.node.services.feed.head(a.key.did)!;
    expect(head.seq).toBeGreaterThanOrEqual(6); // init's entries and three microcredentials
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === head.id), 15_000, 'B and C to hold A\'s feed');

    // A loses its database; its keys, manifest and node.json stay
    await a.stop();
    for (const f of ['registry.db', 'registry.db-wal', 'registry.db-shm']) rmSync(path.join(a.dir, f), { force: true });

    // 1. no peer reachable (no bootstrap; B and C only know the port A listened on before): A publishes nothing
    await a.start({ standalone: false });
    const s = a.node.services;
    expect(s.feed.head(a.key.did), 'nothing signed at start (issuer key, status lists)').toBeNull();
    const err = refusal(() => s.catalogue.create(records[3]));
    expect(err.code).toBe('own_feed_unconfirmed');
    expect(err.message).toMatch(/recovers its own feed/);
    expect(err.message).toMatch(/--standalone/);
    // the admin API answers 503 with Retry-After and the same advice (admin tokens were in the lost database: a new one,
    // as `mochila token create` makes)
    const { token } = s.adminTokens.create('after the database was lost');
    const res = await fetch(`${a.url}/api/v1/admin/microcredentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify(records[3]),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('own_feed_unconfirmed');
    expect(problem.detail).toMatch(/--standalone/);
    const status = (await (await fetch(`${a.url}/api/v1/network`)).json()) as { ownFeed: { confirmed: boolean; detail: string } };
    expect(status.ownFeed.confirmed).toBe(false);
    expect(status.ownFeed.detail).toMatch(/no entry of this node's own feed/);
    // issuance is refused before anything is signed or stored
    await expect(s.credentials.issue({ microcredential: 'x', learner: { name: 'Ana', email: 'ana@example.org' } })).rejects.toMatchObject({ code: 'own_feed_unconfirmed' });
    // the CLI (another connection to the same database) obeys the same state
    const cli = buildServices(loadConfig(a.dir, {}, {}), { logger: silentLogger });
    try {
      expect(refusal(() => cli.catalogue.create(records[3])).code).toBe('own_feed_unconfirmed');
    } finally {
      cli.store.close();
    }
    expect(a.node.replicator!.status().peers.some((p) => p.connected), 'A was unreachable during the refusal checks').toBe(false);
    noForks([a, b, c], a.key.did);

    // 2. with its peers reachable: A recovers its own feed from them, then publishes at the next seq
    await a.stop();
    await a.start({ standalone: false, bootstrap: [b.addr, c.addr] });
    const s2 = a.node.services;
    await waitFor(() => s2.ownFeed.state().confirmed, 15_000, 'A to confirm its own feed with a peer');
    expect(s2.ownFeed.state()).toMatchObject({ confirmed: true, basis: 'peers', seq: head.seq });
    expect([b.key.did, c.key.did]).toContain(s2.ownFeed.state().peer);
    expect(s2.feed.head(a.key.did)).toEqual(head);
    expect(s2.catalogue.byInstitution(a.key.did)).toHaveLength(3);
    const mc = s2.catalogue.create(records[3]);
    const next = s2.feed.head(a.key.did)!;
    expect(next.seq).toBe(head.seq + 1);
    expect(s2.feed.get(next.id)!.prev).toBe(head.id);
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === next.id), 15_000, 'B and C to take A\'s next entry');
    // issuance resumes with new status lists: the old ones (in the recovered feed, their local state lost) keep their bits
    const oldBodies = oldLists.map((id) => c.node.services.statusLists.get(id)?.entryId);
    const second = await s2.credentials.issue({ microcredential: String(records[1]!.code), learner: { name: 'Bruno Díaz', email: 'bruno@example.org' } });
    expect(listsOf(second).some((id) => oldLists.includes(id)), 'a recovered node reuses no published status list id').toBe(false);
    const last = s2.feed.head(a.key.did)!;
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === last.id), 15_000, 'B and C to take the new lists');
    expect(oldLists.map((id) => c.node.services.statusLists.get(id)?.entryId)).toEqual(oldBodies);
    expect(c.node.services.catalogue.get(mc.id)).toBeTruthy();
    const net2 = (await (await fetch(`${a.url}/api/v1/network`)).json()) as { ownFeed: { confirmed: boolean; basis: string } };
    expect(net2.ownFeed).toMatchObject({ confirmed: true, basis: 'peers' });
    noForks([a, b, c], a.key.did);

    // 2b. restored from an old copy (taken while A was stopped, so it even says "confirmed"): A publishes more, then
    // its database is replaced by the copy; on start it pulls its newer entries back before it publishes again
    await a.stop();
    const DB = ['registry.db', 'registry.db-wal', 'registry.db-shm'];
    const backup = path.join(a.dir, 'backup');
    mkdirSync(backup);
    for (const f of DB) if (existsSync(path.join(a.dir, f))) copyFileSync(path.join(a.dir, f), path.join(backup, f));
    await a.start({ standalone: false, bootstrap: [b.addr, c.addr] });
    await waitFor(() => a.node.services.ownFeed.state().confirmed, 15_000, 'A to confirm its feed again');
    a.node.services.catalogue.create(records[5]);
    const newer = a.node.services.feed.head(a.key.did)!;
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === newer.id), 15_000, 'B and C to take A\'s newer entry');
    await a.stop();
    for (const f of DB) rmSync(path.join(a.dir, f), { force: true });
    for (const f of DB) if (existsSync(path.join(backup, f))) copyFileSync(path.join(backup, f), path.join(a.dir, f));
    await a.start({ standalone: false, bootstrap: [b.addr, c.addr] });
    await waitFor(() => a.node.services.ownFeed.state().confirmed, 15_000, 'A to confirm its restored feed with a peer');
    // confirmed only once it held the newer entry again (the copy's own "confirmed" was forgotten at start)
    expect(a.node.services.ownFeed.state()).toMatchObject({ basis: 'peers', seq: newer.seq });
    expect(a.node.services.feed.head(a.key.did)).toEqual(newer);
    a.node.services.catalogue.create(records[6]);
    const tip = a.node.services.feed.head(a.key.did)!;
    expect(tip.seq).toBe(newer.seq + 1);
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === tip.id), 15_000, 'B and C to take A\'s entry after the restore');
    noForks([a, b, c], a.key.did);

    // 3. restarted alone again it waits once more (a restored copy looks just as current locally) ...
    await a.stop();
    await a.start({ standalone: false });
    expect(refusal(() => a.node.services.catalogue.create(records[4])).message).toMatch(/waiting for a sync round/);
    // ... unless the operator says it is alone and current
    await a.stop();
    await a.start({ standalone: true });
    expect(a.node.services.ownFeed.state()).toMatchObject({ confirmed: true, basis: 'standalone' });
    a.node.services.catalogue.create(records[4]);
    expect(a.node.services.feed.head(a.key.did)!.seq).toBe(tip.seq + 1);
    noForks([a, b, c], a.key.did);
  }, 150_000);
});
