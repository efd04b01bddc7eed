// The open-offer cap of OpenID4VCI counts open offers only: a code a wallet has redeemed is kept until it expires
// (to catch its replay) but no longer holds a place, so a node whose learners have just claimed their credentials
// still gives new offers. Redeemed codes are bounded as well (as many again as open ones).
import { describe, expect, it } from 'vitest';
import { Oid4vciService } from '../../node/credentials/oid4vci.js';
import { silentLogger } from '../../node/core/logger.js';

function service(maxOpenOffers: number) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const claims = new Map<string, string>(); // claim token → credential id
  const svc = new Oid4vciService({
    clock: { now: () => new Date(now) },
    logger: silentLogger,
    secret: new Uint8Array(32).fill(7),
    publicUrl: () => 'https://nodo.example.cl',
    issuerName: () => 'Universidad de Prueba',
    claim: (token) => {
      const id = claims.get(token);
      return id ? ({ credential: { id, status: { revoked: false, suspended: false } } } as unknown as ReturnType<ConstructorParameters<typeof Oid4vciService>[0]['claim']>) : null;
    },
    signer: () => Promise.reject(new Error('not used here')),
    limits: { maxOpenOffers },
  });
  const link = (n: number) => {
    claims.set(`claim-${n}`, `urn:uuid:credential-${n}`);
    return `claim-${n}`;
  };
  const redeem = (code: string) => svc.token({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code });
  const codeOf = (o: ReturnType<Oid4vciService['offer']>) => Object.values(o.offer.grants)[0]!['pre-authorized_code'];
  return { svc, link, redeem, codeOf, advance: (ms: number) => (now += ms) };
}

describe('OpenID4VCI open-offer cap', () => {
  it('redeemed codes do not count toward the cap; open ones do', () => {
    const { svc, link, redeem, codeOf } = service(3);
    for (let i = 0; i < 3; i++) expect(redeem(codeOf(svc.offer(link(i)))).ok).toBe(true);
    expect(svc.stats.openOffers).toBe(0);
    // three redeemed codes within their ten minutes: new offers are still given
    const open = [3, 4, 5].map((i) => svc.offer(link(i)));
    expect(svc.stats.openOffers).toBe(3);
    // the cap is reached by open offers alone
    expect(() => svc.offer(link(6))).toThrow(expect.objectContaining({ code: 'busy' }));
    // one redeemed frees a place
    expect(redeem(codeOf(open[0]!)).ok).toBe(true);
    expect(() => svc.offer(link(6))).not.toThrow();
  });

  it('a new offer for the same link replaces its open one without counting it', () => {
    const { svc, link } = service(2);
    const l = link(1);
    for (let i = 0; i < 5; i++) svc.offer(l);
    expect(svc.stats.openOffers).toBe(1);
    svc.offer(link(2));
    expect(svc.stats.openOffers).toBe(2);
  });

  it('redeemed codes are bounded: past as many again as the cap, the oldest are let go, and a replay of a recent one is still caught', () => {
    const { svc, link, redeem, codeOf } = service(2);
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const code = codeOf(svc.offer(link(i)));
      expect(redeem(code).ok).toBe(true);
      codes.push(code);
    }
    expect((svc as unknown as { codes: Map<string, unknown> }).codes.size).toBeLessThanOrEqual(4);
    const replay = redeem(codes.at(-1)!);
    expect(replay.ok).toBe(false);
  });
});
