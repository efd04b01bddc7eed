// Reason categories of revocations and suspensions: the closed list is the schema's (API, CLI and web read it from
// there), the companion list's codec, and what another node makes of a member's companion lists — an unknown code, a
// companion far larger than its list, an index out of range, a category for a clear bit, another purpose — the same
// (no category, never an error) whether the entries came by sync (ingestBatch) or by gossip (ingestOne). A `reasons`
// property in a status-list body (the design old nodes would refuse) is refused on both paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SchemaRegistry, SCHEMAS_DIR } from '../../node/core/schema-registry.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { signEntry } from '../../node/feed/entry.js';
import { createStatusList } from '../../node/credentials/status-list.js';
import { statusListGlobalId } from '../../node/credentials/status-registry.js';
import {
  CATEGORY_BITS,
  categoryAt,
  categoryListGlobalId,
  CHOSEN_REASON_CATEGORIES,
  decodeCategories,
  encodeCategories,
  REASON_CATEGORIES,
  reasonCode,
} from '../../node/credentials/status-reasons.js';
import type { Services } from '../../node/context.js';
import { memoryServices } from '../helpers/nodes.js';

const schemas = new SchemaRegistry();

describe('the closed list of reason categories', () => {
  it('is the schema enum, in wire order; administrators choose all but superseded', () => {
    const schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}/status-reason.schema.json`, 'utf8')) as { enum: string[] };
    expect(REASON_CATEGORIES).toEqual(schema.enum);
    expect(REASON_CATEGORIES).toEqual(['issued-in-error', 'superseded', 'learner-request', 'assessment-annulled', 'other']);
    expect(CHOSEN_REASON_CATEGORIES).toEqual(REASON_CATEGORIES.filter((c) => c !== 'superseded'));
    expect(REASON_CATEGORIES.map(reasonCode)).toEqual([1, 2, 3, 4, 5]);
  });

  it('the status-change body takes a chosen category and refuses any other value', () => {
    for (const c of CHOSEN_REASON_CATEGORIES)
      expect(schemas.validate('api/credential-status-change', { reason: 'x', reasonCategory: c }).ok).toBe(true);
    for (const bad of ['superseded', 'revoked', '', 1, null, ['other']])
      expect(schemas.validate('api/credential-status-change', { reasonCategory: bad }).ok).toBe(false);
  });

  it('the verification report allows statusChange.reason only as a category', () => {
    const report = (reason: unknown) => ({
      verified: false,
      checks: [
        {
          id: 'status',
          status: 'failed',
          reason: 'the credential is revoked',
          statusChange: { purpose: 'revocation', since: null, reason },
        },
      ],
    });
    const errorsAbout = (r: unknown) => {
      const v = schemas.validate('api/verification-report', r);
      return v.ok ? [] : v.errors.filter((e) => e.path.includes('statusChange'));
    };
    expect(errorsAbout(report('issued-in-error'))).toEqual([]);
    expect(errorsAbout(report('el estudiante copió')).length).toBeGreaterThan(0);
  });
});

describe('the companion codec', () => {
  it('round-trips categories at their indices and reads nothing elsewhere', () => {
    const list = createStatusList(131_072 * CATEGORY_BITS);
    encodeCategories(list, [
      { index: 0, category: 'issued-in-error' },
      { index: 7, category: 'other' },
      { index: 131_071, category: 'superseded' },
      { index: 131_072, category: 'other' }, // outside the list: not written
    ]);
    const bits = decodeCategories(list.encode(), 131_072)!;
    expect(categoryAt(bits, 0)).toBe('issued-in-error');
    expect(categoryAt(bits, 7)).toBe('other');
    expect(categoryAt(bits, 131_071)).toBe('superseded');
    expect(categoryAt(bits, 1)).toBeNull();
    expect(categoryAt(bits, 131_072)).toBeNull();
    expect(categoryAt(bits, -1)).toBeNull();
    expect(categoryAt(bits, Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it('a companion larger than CATEGORY_BITS bits per index of its list is not decoded', () => {
    const big = createStatusList(131_072 * CATEGORY_BITS * 2);
    expect(decodeCategories(big.encode(), 131_072)).toBeNull();
    expect(decodeCategories('unot-gzip', 131_072)).toBeNull();
  });
});

describe("a member's companion lists on another node", () => {
  const a = generateKey();
  const b = generateKey();
  const manifest = createManifest({
    name: 'reasons',
    founders: [a.did, b.did],
    endorsements: 1,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  let issuer: Services;
  let bySync: Services;
  let byGossip: Services;
  const url = (local: string) => `https://a.example/api/v1/status-lists/${encodeURIComponent(statusListGlobalId(a.did, local))}`;

  /** A companion of a 131,072-entry list with `codes` (raw wire codes, hostile ones included) at their indices. */
  const companion = (codes: [number, number][], bits = 131_072 * CATEGORY_BITS) => {
    const l = createStatusList(bits);
    for (const [index, code] of codes)
      for (let k = 0; k < CATEGORY_BITS; k++) l.set(index * CATEGORY_BITS + k, ((code >> (CATEGORY_BITS - 1 - k)) & 1) === 1);
    return { size: bits, encodedList: l.encode() };
  };

  beforeAll(() => {
    issuer = memoryServices({ key: a, manifest });
    bySync = memoryServices({ key: b, manifest });
    byGossip = memoryServices({ key: generateKey(), manifest });
    const revoked = createStatusList();
    for (const i of [5, 6, 8, 9, 131_071]) revoked.set(i); // 7 stays clear
    issuer.feed.append('status-list', { listId: 'r1', purpose: 'revocation', size: revoked.length, encodedList: revoked.encode() });
    issuer.feed.append('status-list', {
      listId: 'r1-c',
      purpose: 'revocation',
      // 5: a known code; 6: a code no category has; 7: a category for a clear bit; 8: the largest code 4 bits hold;
      // 131,071: the last index
      ...companion([
        [5, 1],
        [6, 9],
        [7, 1],
        [8, 15],
        [131_071, 4],
      ]),
    });
    // a suspension list whose companion says it is a revocation companion (another purpose): ignored
    const suspended = createStatusList();
    suspended.set(3);
    issuer.feed.append('status-list', { listId: 'r1-s', purpose: 'suspension', size: suspended.length, encodedList: suspended.encode() });
    issuer.feed.append('status-list', { listId: 'r1-s-c', purpose: 'revocation', ...companion([[3, 3]]) });
    // a list whose companion is far larger than 4 bits per index: never decoded past that bound
    const r2 = createStatusList();
    r2.set(2);
    issuer.feed.append('status-list', { listId: 'r2', purpose: 'revocation', size: r2.length, encodedList: r2.encode() });
    issuer.feed.append('status-list', { listId: 'r2-c', purpose: 'revocation', ...companion([[2, 1]], 16_777_216) });

    const entries = issuer.feed.read(a.did, 1, 1000);
    const sync = bySync.feed.ingestBatch(a.did, entries);
    expect(sync.rejected).toEqual([]);
    for (const e of entries) expect(byGossip.feed.ingestOne(JSON.parse(JSON.stringify(e))).rejected).toEqual([]);
  });
  afterAll(() => {
    for (const s of [issuer, bySync, byGossip]) s?.store.close();
  });

  it('shows a known category of a set bit, and nothing for the hostile ones, the same on every path', () => {
    const cases: [string, number, string | null][] = [
      ['r1', 5, 'issued-in-error'],
      ['r1', 6, null], // unknown code
      ['r1', 7, null], // the bit is clear
      ['r1', 8, null], // 15: no such category
      ['r1', 131_071, 'assessment-annulled'],
      ['r1', 131_072, null], // out of range
      ['r1', 9, null], // set, no category
      ['r1-s', 3, null], // companion of another purpose
      ['r2', 2, null], // companion too large
    ];
    for (const node of [issuer, bySync, byGossip])
      for (const [list, index, expected] of cases) expect(node.statusLists.reasonAt(url(list), index), `${list}#${index}`).toBe(expected);
  });

  it('the companion has the network-wide id <list>-c.<tag> and is an ordinary status-list body', () => {
    expect(categoryListGlobalId(statusListGlobalId(a.did, 'r1'))).toBe(statusListGlobalId(a.did, 'r1-c'));
    expect(bySync.statusLists.get(statusListGlobalId(a.did, 'r1-c'))?.purpose).toBe('revocation');
  });

  it('a status-list body with a reasons property is refused on the sync and the gossip path (old nodes refuse it too)', () => {
    const head = issuer.feed.head(a.did)!;
    const l = createStatusList();
    l.set(1);
    const entry = signEntry(a, {
      v: 2,
      net: head ? issuer.feed.read(a.did, 1, 1)[0]!.net : '',
      author: a.did,
      seq: head.seq + 1,
      prev: head.id,
      ts: new Date().toISOString(),
      type: 'status-list',
      body: { listId: 'r3', purpose: 'revocation', size: l.length, encodedList: l.encode(), reasons: { '1': 'other' } },
    });
    const sync = bySync.feed.ingestBatch(a.did, [entry]);
    const gossip = byGossip.feed.ingestOne(JSON.parse(JSON.stringify(entry)));
    expect(sync.accepted).toBe(0);
    expect(gossip.accepted).toBe(0);
    expect(sync.rejected[0]?.code).toBe('invalid_entry');
    expect(gossip.rejected[0]?.code).toBe('invalid_entry');
  });
});
