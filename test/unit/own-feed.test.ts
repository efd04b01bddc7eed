/**
 * The own-feed gate (node/feed/own-feed.ts): what confirms that this node's database holds its own feed's latest
 * entries, what never does (hostile or incomplete heads from a peer, a stored state that does not parse), and the
 * lone node that lost its database.
 */
import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { RegistryError } from '../../node/core/errors.js';
import { silentLogger } from '../../node/core/logger.js';
import { systemClock } from '../../node/core/clock.js';
import { loadConfig } from '../../node/config.js';
import { startNode } from '../../node/context.js';
import { generateKey } from '../../node/identity/keys.js';
import { OwnFeedGate } from '../../node/feed/own-feed.js';
import { memoryServices, startTestNode } from '../helpers/nodes.js';

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof RegistryError ? e.code : String(e);
  }
}

describe('own feed gate', () => {
  it('with no entry of its own feed, only a peer that held the feed confirms it', () => {
    const s = memoryServices();
    const gate = new OwnFeedGate({ store: s.store, clock: systemClock, logger: silentLogger, author: s.feed.author, standalone: false });
    const peer = generateKey().did;
    expect(gate.observeRound(peer, { digestsEqual: true, remoteHeads: [] })).toBe(false);
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[peer, 4, 'a'.repeat(64)]] })).toBe(false);
    expect(gate.state().confirmed).toBe(false);
    // once pulled from a peer that held it, our head equals theirs
    s.institution.publishProfile({ name: { es: 'Universidad Uno' }, country: 'CL', kind: 'hei' });
    const head = s.feed.head(s.feed.author)!;
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[s.feed.author, head.seq, head.id]] })).toBe(true);
    s.store.close();
  });

  it('confirms only on heads that show the peer holds nothing of our feed beyond our head', () => {
    const s = memoryServices(); // standalone: its own appends pass; the gate under test is a second, strict one
    s.institution.publishProfile({ name: { es: 'Universidad Uno' }, country: 'CL', kind: 'hei' });
    const head = s.feed.head(s.feed.author)!;
    const gate = new OwnFeedGate({ store: s.store, clock: systemClock, logger: silentLogger, author: s.feed.author, standalone: false });
    expect(gate.state().confirmed).toBe(false);
    expect(code(() => gate.assertWritable())).toBe('own_feed_unconfirmed');
    let told = 0;
    gate.onConfirmed(() => told++);
    const peer = generateKey().did;
    const other = generateKey().did;
    // a peer that sent no heads vector tells nothing
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [] })).toBe(false);
    // a peer ahead of us on our own feed (we could not pull it all)
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[s.feed.author, head.seq + 1, 'f'.repeat(64)]] })).toBe(false);
    // the same seq with another id: a fork, never a confirmation
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[s.feed.author, head.seq, 'e'.repeat(64)]] })).toBe(false);
    expect(gate.state().confirmed).toBe(false);
    expect(told).toBe(0);
    // the peer holds exactly our head
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[other, 3, 'a'.repeat(64)], [s.feed.author, head.seq, head.id]] })).toBe(true);
    expect(gate.state()).toMatchObject({ confirmed: true, basis: 'peers', peer, seq: head.seq });
    expect(() => gate.assertWritable()).not.toThrow();
    expect(told).toBe(1);
    // confirmed once per start: a later round changes nothing and tells nobody again
    gate.observeRound(other, { digestsEqual: true, remoteHeads: [] });
    expect(told).toBe(1);
    // a start resets it; a peer that never saw our feed confirms it
    gate.unconfirm('waiting for a peer');
    expect(code(() => gate.assertWritable())).toBe('own_feed_unconfirmed');
    expect(gate.observeRound(peer, { digestsEqual: false, remoteHeads: [[other, 3, 'a'.repeat(64)]] })).toBe(true);
    // a stored state that does not parse is no confirmation
    s.store.sqlite.prepare("UPDATE meta SET value = '{not json' WHERE key = 'own_feed'").run();
    expect(gate.state().confirmed).toBe(false);
    s.store.sqlite.prepare("UPDATE meta SET value = '\"confirmed\"' WHERE key = 'own_feed'").run();
    expect(code(() => gate.assertWritable())).toBe('own_feed_unconfirmed');
    // the operator's word for this process
    const standalone = new OwnFeedGate({ store: s.store, clock: systemClock, logger: silentLogger, author: s.feed.author, standalone: true });
    expect(() => standalone.assertWritable()).not.toThrow();
    s.store.close();
  });

  it('a lone node writes; the same node after losing its database does not, until the operator says standalone', async () => {
    const n = await startTestNode();
    try {
      expect(n.node.services.ownFeed.state()).toMatchObject({ confirmed: true, basis: 'alone' });
      n.node.services.institution.publishProfile({ name: { es: 'Universidad Sola' }, country: 'CL', kind: 'hei' });
      await n.node.stop();
      for (const f of ['registry.db', 'registry.db-wal', 'registry.db-shm']) rmSync(path.join(n.dir, f), { force: true });
      const cfg = (standalone: boolean) => loadConfig(n.dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1, standalone }, {});
      const again = await startNode(cfg(false), { logger: silentLogger });
      try {
        // a single founder with no peers configured, but no entry of its own feed: someone may hold it (a member it
        // admitted, a mirror), so its keys sign nothing at once
        expect(again.services.feed.head(n.did)).toBeNull();
        expect(code(() => again.services.institution.publishProfile({ name: { es: 'Universidad Sola' }, country: 'CL', kind: 'hei' }))).toBe('own_feed_unconfirmed');
      } finally {
        await again.stop();
      }
      const forced = await startNode(cfg(true), { logger: silentLogger });
      try {
        expect(forced.services.ownFeed.state()).toMatchObject({ confirmed: true, basis: 'standalone' });
        forced.services.institution.publishProfile({ name: { es: 'Universidad Sola' }, country: 'CL', kind: 'hei' });
        expect(forced.services.feed.head(n.did)!.seq).toBeGreaterThanOrEqual(1);
      } finally {
        await forced.stop();
      }
    } finally {
      await n.close();
    }
  });
});
