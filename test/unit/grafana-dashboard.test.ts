/**
 * docs/grafana-dashboard.json is built from the metrics the node exposes: every metric a panel queries exists in a
 * node's registry (node/ops/metrics.ts), and every mochila_* metric the node exposes is on some panel.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NodeMetrics } from '../../node/ops/metrics.js';
import { memoryServices } from '../helpers/nodes.js';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

describe('Grafana dashboard', () => {
  it('queries only metrics the node exposes, and shows each of the node’s own', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Panel[] };
    const s = memoryServices();
    try {
      const metrics = new NodeMetrics({ store: s.store, clock: s.clock, replication: () => null, ownFeedConfirmed: () => true });
      await metrics.scrape();
      const exposed = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)] as const));
      const used = new Set<string>();
      for (const p of dash.panels) {
        if (p.type === 'row') continue;
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets ?? []) for (const [name] of t.expr.matchAll(/\b(?:mochila|process|nodejs)_[a-z0-9_]+/g)) used.add(name);
      }
      for (const name of used) {
        const base = name.replace(/_(bucket|count|sum)$/, '');
        const known = exposed.has(name) || (exposed.get(base) === 'histogram' && base !== name);
        expect(known, `${name} is not a metric the node exposes`).toBe(true);
      }
      const usedBases = new Set([...used].map((n) => n.replace(/_(bucket|count|sum)$/, '')));
      for (const name of exposed.keys()) if (name.startsWith('mochila_') && name !== 'mochila_feed_head_seq') expect(usedBases.has(name), `${name} has no panel`).toBe(true);
    } finally {
      s.store.close();
    }
  });
});
