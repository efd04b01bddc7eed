/**
 * Freshness for people: relative times counted from a clock that is passed in (never the reader's), and the network
 * status carrying what the page needs for them (the node's clock, this node's institution, when each feed last grew).
 */
import { describe, expect, it } from 'vitest';
import { relativeTime } from '../../web/src/i18n/format.js';
import { networkRoutes, type NetworkRouteDeps } from '../../node/http/routes/network.routes.js';

describe('relative time from a passed clock', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  it('says how long ago in each language, "now" under ten seconds', () => {
    expect(relativeTime('es', '2026-12-02T09:58:00Z', now)).toBe('hace 2 min');
    expect(relativeTime('en', '2026-12-02T09:58:00Z', now)).toMatch(/^2 min\.? ago$/);
    expect(relativeTime('pt', '2026-12-02T09:58:00Z', now)).toMatch(/^há 2 min\.?$/);
    expect(relativeTime('es', '2026-12-02T09:59:55Z', now)).toBe('ahora');
    expect(relativeTime('es', '2026-12-02T07:00:00Z', now)).toBe('hace 3 h');
    expect(relativeTime('es', '2026-12-01T10:00:00Z', now)).toBe('ayer');
    // the same instant read against another clock reads differently: nothing comes from Date.now()
    expect(relativeTime('es', '2026-12-02T09:58:00Z', now + 3_600_000)).toBe('hace 1 h');
    expect(relativeTime('es', 'not a date', now)).toBe('not a date');
  });
});

describe('network status for the people page', () => {
  it("answers with the node's clock, this node's institution and when each feed last grew here", () => {
    const me = 'did:key:z6MkMe';
    const other = 'did:key:z6MkOther';
    const names: Record<string, { es: string }> = { [me]: { es: 'Universidad Austral del Centro' }, [other]: { es: 'Universidad de San Marcos' } };
    const deps: NetworkRouteDeps = {
      network: 'net',
      manifest: { name: 'Red' },
      clock: { now: () => new Date('2026-12-02T10:00:00Z') },
      feed: {
        author: me,
        heads: () => [
          { author: me, seq: 4, id: 'a' },
          { author: other, seq: 9, id: 'b' },
        ],
        headsDigest: () => 'd',
        isFrozen: () => false,
        equivocations: () => [],
        headTimes: () => new Map([[other, '2026-12-02T09:58:00.000Z']]),
      },
      institutions: { get: (did: string) => (names[did] ? ({ profile: { name: names[did] } } as never) : null) },
      membership: { statusOf: () => 'admitted', directoryMembers: () => ({ members: [{ did: other, status: 'admitted', since: '2026-01-01', endorsedBy: [] }], candidates: 0 }) },
      ownFeed: { state: () => null as never },
    } as unknown as NetworkRouteDeps;
    let body: Record<string, unknown> = {};
    const [route] = networkRoutes(deps, null);
    void route!.handler({} as never, { json: (b: Record<string, unknown>) => (body = b) } as never);
    expect(body.now).toBe('2026-12-02T10:00:00.000Z');
    expect((body.self as { institution: unknown }).institution).toEqual({ es: 'Universidad Austral del Centro' });
    const feeds = body.feeds as { author: string; updatedAt: string | null }[];
    expect(feeds.find((f) => f.author === other)!.updatedAt).toBe('2026-12-02T09:58:00.000Z');
    expect(feeds.find((f) => f.author === me)!.updatedAt).toBeNull();
  });
});
