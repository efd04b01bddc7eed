// The programme rule on its own (node/credentials/programmes.ts): which presented module credentials count — fully
// verified by the replica verifier, of a module of the programme at its minVersion, naming the same learner by DID
// or e-mail hash — and how hostile input is refused. Real signed credentials and the real verifier (credential-world).
import { describe, expect, it } from 'vitest';
import { buildOpenBadgeCredential } from '../../node/credentials/ob3.js';
import { checkModules, sameLearner, MAX_PRESENTED_MODULES } from '../../node/credentials/programmes.js';
import { createVerifier } from '../../node/credentials/verify.js';
import { isRegistryError } from '../../node/core/errors.js';
import { makeCredentialWorld, WORLD_INSTITUTION, WORLD_MC_ID, WORLD_RECORD } from '../helpers/credential-world.js';

const LEARNER = { name: 'Ana Pérez', email: 'ana@example.org' };

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; details: { missing: { id: string }[]; failed: { index: number; reasons: string[] }[] } }> {
  try {
    await p;
  } catch (e) {
    if (isRegistryError(e)) return e as never;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('programme modules: what counts', () => {
  it('matches the learner by DID or by the hash of the e-mail with the identifier’s salt, never by name', async () => {
    const w = await makeCredentialWorld();
    const c = await w.issue();
    expect(sameLearner(c, { email: 'ANA@example.org ' })).toBe(true);
    expect(sameLearner(c, { email: 'otra@example.org' })).toBe(false);
    expect(sameLearner(c, {})).toBe(false);
    const withDid = buildOpenBadgeCredential({
      record: WORLD_RECORD,
      microcredentialId: WORLD_MC_ID,
      institution: WORLD_INSTITUTION,
      issuerDid: w.signer.did,
      learner: { name: 'Ana Pérez', did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' },
      issuedAt: '2026-02-01T10:00:00Z',
    });
    expect(sameLearner(withDid, { did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' })).toBe(true);
    expect(sameLearner(withDid, { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', email: 'ana@example.org' })).toBe(false);
    // a hostile identifier (not hashed, huge salt, wrong type) never matches
    expect(sameLearner({ credentialSubject: { identifier: [{ identityType: 'emailAddress', hashed: false, identityHash: 'ana@example.org' }] } }, { email: 'ana@example.org' })).toBe(false);
    expect(sameLearner({ credentialSubject: { identifier: [{ identityType: 'emailAddress', hashed: true, identityHash: 'x', salt: 'a'.repeat(10_000) }] } }, { email: 'a' })).toBe(false);
    expect(sameLearner({ credentialSubject: null }, { email: 'a@b.c' })).toBe(false);
  });

  it('counts a verified credential of the module; refuses a revoked one, an unknown module, an older version than minVersion, another learner’s', async () => {
    const w = await makeCredentialWorld();
    const verifier = createVerifier(w.deps);
    const verify = (c: unknown) => verifier.verify(c);
    const held = await w.issue();
    const links = await checkModules({ programme: 'prog.0011223344556677', modules: [{ id: WORLD_MC_ID }], presented: [held], learner: LEARNER, verify });
    expect(links).toEqual([expect.objectContaining({ credentialId: held['id'], microcredentialId: WORLD_MC_ID, name: 'Seguridad en obras de construcción', issuedAt: '2026-02-01T10:00:00Z' })]);

    // version 1 held, the programme counts version 2 or later
    let r = await refusal(checkModules({ programme: 'prog.0011223344556677', modules: [{ id: WORLD_MC_ID, minVersion: 2 }], presented: [held], learner: LEARNER, verify }));
    expect(r.code).toBe('programme_modules_not_held');
    expect(r.details.failed[0]!.reasons.join(' ')).toMatch(/version 1 .*version 2 or later/);
    // another learner's
    r = await refusal(checkModules({ programme: 'p', modules: [{ id: WORLD_MC_ID }], presented: [held], learner: { email: 'beto@example.org' }, verify }));
    expect(r.details.failed[0]!.reasons.join(' ')).toMatch(/does not name this learner/);
    // a module the programme does not have
    r = await refusal(checkModules({ programme: 'p', modules: [{ id: 'otro-modulo.0011223344556677' }], presented: [held], learner: LEARNER, verify }));
    expect(r.details.missing.map((m) => m.id)).toEqual(['otro-modulo.0011223344556677']);
    expect(r.details.failed[0]!.reasons.join(' ')).toMatch(/not a module of p/);
    // revoked
    const revoked = await w.issue();
    const index = Number((revoked['credentialStatus'] as { statusListIndex: string }).statusListIndex);
    w.revocation.set(index, true);
    r = await refusal(checkModules({ programme: 'p', modules: [{ id: WORLD_MC_ID }], presented: [revoked], learner: LEARNER, verify }));
    expect(r.details.failed).toEqual([expect.objectContaining({ index: 0, credential: revoked['id'] })]);
    expect(r.details.failed[0]!.reasons.join(' ')).toMatch(/^status failed/);
    // a second, valid credential of the same module next to the revoked one: counts
    expect(await checkModules({ programme: 'p', modules: [{ id: WORLD_MC_ID }], presented: [revoked, held], learner: LEARNER, verify })).toHaveLength(1);
  });

  it('refuses hostile input with a clear code: not a list, too many, not objects, a presentation, nothing', async () => {
    const w = await makeCredentialWorld();
    const verifier = createVerifier(w.deps);
    const verify = (c: unknown) => verifier.verify(c);
    const base = { programme: 'p', modules: [{ id: WORLD_MC_ID }], learner: LEARNER, verify };
    expect((await refusal(checkModules({ ...base, presented: { a: 1 } }))).code).toBe('validation_failed');
    expect((await refusal(checkModules({ ...base, presented: Array.from({ length: MAX_PRESENTED_MODULES + 1 }, () => ({})) }))).code).toBe('validation_failed');
    let r = await refusal(checkModules({ ...base, presented: [null, 'x', 7, []] }));
    expect(r.details.failed.map((f) => f.reasons)).toEqual([['not a credential object'], ['not a credential object'], ['not a credential object'], ['not a credential object']]);
    r = await refusal(checkModules({ ...base, presented: [{ '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [await w.issue()] }] }));
    expect(r.details.failed[0]!.reasons.join(' ')).toMatch(/a presentation, not a credential/);
    r = await refusal(checkModules({ ...base, presented: undefined }));
    expect(r.details.missing.map((m) => m.id)).toEqual([WORLD_MC_ID]);
    expect(r.message).toContain(WORLD_MC_ID);
  });
});
