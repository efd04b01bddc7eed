// The registrar's lookup (node/recognition/registrar-lookup.ts) is the one flow behind the HTTP lookup, the printable
// report and `mochila recognize`: these tests pin its rule for a credential given with a typed id (the credential's
// own microcredential wins) and its answers for hostile or incomplete requests.
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../node/core/errors.js';
import { lookupAnswer, registrarLookup, type LookupFound, type LookupVerifier } from '../../node/recognition/registrar-lookup.js';

const KNOWN = ['mx-unam:data-101', 'cl-uch:stats-200'];

/** A replica holding KNOWN; records which ids were looked up. */
function replica() {
  const asked: string[] = [];
  return {
    asked,
    recognition: {
      lookup: (id: string) => {
        asked.push(id);
        return KNOWN.includes(id) ? ({ microcredential: { id }, decisions: [] } as unknown as LookupFound) : null;
      },
    },
  };
}

/** A verifier that reports every credential verified and naming `names`. */
const verifierNaming = (names: string | null): LookupVerifier => ({
  verify: async () => ({ report: { verified: true, checks: [] }, microcredentialId: names }),
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e.code;
    throw e;
  }
  return 'no error';
}

describe("the registrar's lookup", () => {
  it("looks up the credential's own microcredential when a different id is typed beside it", async () => {
    const r = replica();
    const l = await registrarLookup(
      { ...r, verifier: verifierNaming('cl-uch:stats-200') },
      { credential: { any: 'thing' }, microcredential: 'mx-unam:data-101' },
    );
    expect(l.microcredentialId).toBe('cl-uch:stats-200');
    expect(r.asked).toEqual(['cl-uch:stats-200']);
    expect(l.verification?.verified).toBe(true);
    expect(lookupAnswer(l)).toMatchObject({ microcredentialId: 'cl-uch:stats-200', microcredential: { id: 'cl-uch:stats-200' } });
  });

  it('does not fall back to the typed id when the credential names no microcredential: the verification alone is answered', async () => {
    const r = replica();
    const l = await registrarLookup({ ...r, verifier: verifierNaming(null) }, { credential: {}, microcredential: 'mx-unam:data-101' });
    expect(l.microcredentialId).toBeNull();
    expect(l.found).toBeNull();
    expect(r.asked).toEqual([]);
    const answer = lookupAnswer(l);
    expect(answer).toMatchObject({ microcredential: null, accreditations: [], decisions: [], agreements: [], comparison: [] });
    expect(answer).toHaveProperty('note');
  });

  it('answers a credential whose microcredential the replica does not hold with its verification, not an error', async () => {
    const l = await registrarLookup({ ...replica(), verifier: verifierNaming('gt-usac:unknown') }, { credential: {} });
    expect(l).toMatchObject({ microcredentialId: 'gt-usac:unknown', found: null, verification: { verified: true } });
  });

  it('looks up a typed id alone, and refuses one the replica does not hold with not_found', async () => {
    const r = replica();
    const l = await registrarLookup({ ...r, verifier: null }, { microcredential: 'mx-unam:data-101' });
    expect(l.found).not.toBeNull();
    expect(l.verification).toBeNull();
    expect(await codeOf(registrarLookup({ ...r, verifier: null }, { microcredential: 'nowhere:x' }))).toBe('not_found');
  });

  it('refuses requests with neither a credential nor a well-formed id, and a credential on a node that cannot verify', async () => {
    const d = { ...replica(), verifier: verifierNaming('mx-unam:data-101') };
    for (const bad of [
      null,
      undefined,
      'text',
      [],
      {},
      { microcredential: '' },
      { microcredential: 'x'.repeat(201) },
      { microcredential: 42 },
    ])
      expect(await codeOf(registrarLookup(d, bad)), JSON.stringify(bad)).toBe('validation_failed');
    expect(await codeOf(registrarLookup({ ...replica(), verifier: null }, { credential: {} }))).toBe('unsupported');
  });
});
