// Internal QA gets structure (issue 18 item 4): a catalogue entry's qualityAssurance.procedure (review cycle in
// months, last review date, reviewer roles, procedure URL) is optional and validated on publishing through the admin
// API — the cycle 1–120, reviewers from the list of roles (never a person's name), an http(s) URL, and the last review
// not after today on the node's injected clock — and the detail API serves it as published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../node/core/clock.js';
import { unitCatalogue } from '../federation/net.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe("a catalogue entry's internal QA procedure", () => {
  let n: TestNode;
  const clock = fixedClock(new Date('2026-06-15T12:00:00Z'));
  beforeAll(async () => {
    n = await startTestNode({ clock });
  });
  afterAll(async () => {
    await n?.close();
  });
  const publish = (body: unknown) =>
    fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const record = (code: string, procedure: unknown) => {
    const r = structuredClone(unitCatalogue('cl-uac')[0]) as { code: string; qualityAssurance: Record<string, unknown> };
    r.code = code;
    r.qualityAssurance = { ...r.qualityAssurance, procedure };
    return r;
  };

  it('is published and served as given when valid', async () => {
    const procedure = { reviewCycleMonths: 24, lastReview: '2026-06-15', reviewers: ['academic-committee', 'external-expert'], url: 'https://example.org/calidad/procedimiento' };
    const r = await publish(record('qa-ok', procedure));
    expect(r.status, await r.clone().text()).toBe(201);
    const id = ((await r.json()) as { id: string }).id;
    const d = (await (await fetch(`${n.url}/api/v1/microcredentials/${encodeURIComponent(id)}`)).json()) as { qualityAssurance: { procedure: unknown } };
    expect(d.qualityAssurance.procedure).toEqual(procedure);
  });

  it('refuses a last review after today on the node clock, a cycle outside 1–120, a person as reviewer, a non-http URL', async () => {
    const bad: [string, unknown][] = [
      ['future', { lastReview: '2026-06-16' }],
      ['cycle0', { reviewCycleMonths: 0 }],
      ['cycle121', { reviewCycleMonths: 121 }],
      ['person', { reviewers: ['Dra. Ana Pérez'] }],
      ['url', { url: 'javascript:alert(1)' }],
      ['empty', {}],
    ];
    for (const [code, procedure] of bad) {
      const r = await publish(record(`qa-${code}`, procedure));
      expect(r.status, `${code}: ${await r.clone().text()}`).toBe(400);
      expect(((await r.json()) as { code: string }).code, code).toBe('validation_failed');
    }
    // the same date is accepted once the node's clock has reached it
    clock.advance(86_400_000);
    const r = await publish(record('qa-future-now', { lastReview: '2026-06-16' }));
    expect(r.status, await r.clone().text()).toBe(201);
  });
});
