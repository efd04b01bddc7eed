// The verification result says what failed and why (web/src/pages/verify.tsx): the headline names the most telling
// failed check with its date or cause, and every check shows the sentence of its own outcome — a failed or unchecked
// check never shows its success sentence — in every interface language.
import { describe, expect, it } from 'vitest';
import { makeI18n } from '../../web/src/i18n/index.js';
import { checkSentence, headline } from '../../web/src/pages/verify.js';
import type { VerificationReport } from '../../web/src/types.js';
import reasonSchema from '../../schemas/status-reason.schema.json' with { type: 'json' };

type Check = VerificationReport['checks'][number];
const IDS: Check['id'][] = ['parse', 'contexts', 'proof', 'issuer_known', 'key_valid_at_issuance', 'status', 'validity_period', 'schema', 'microcredential_listed', 'holder_authenticated'];
const es = makeI18n('es', () => {});
const en = makeI18n('en', () => {});
const pt = makeI18n('pt', () => {});

function report(changes: Partial<Record<Check['id'], Partial<Check>>>, extra: Partial<VerificationReport> = {}): VerificationReport {
  const checks = IDS.filter((id) => id !== 'holder_authenticated').map<Check>((id) => ({ id, status: 'ok', reason: 'x', ...changes[id] }));
  const failed = checks.some((c) => c.status === 'failed');
  const unchecked = checks.some((c) => c.status === 'unchecked');
  return {
    kind: 'credential',
    verified: !failed && !unchecked,
    outcome: failed ? 'failed' : unchecked ? 'incomplete' : 'verified',
    checks,
    freshness: null,
    checkedAt: '2026-12-05T10:00:00Z',
    ...extra,
  };
}
const issuer = { did: 'did:key:z6MkA', name: 'Universidad', country: 'CL', member: true, keyId: 'did:key:z6MkB' };

describe('verification headline', () => {
  it('says what failed and why', () => {
    expect(headline(report({}), es)).toBe('Credencial verificada');
    expect(headline(report({ proof: { status: 'failed' } }), es)).toMatch(/^Modificada después de emitirse/);
    expect(headline(report({ proof: { status: 'failed' } }), en)).toMatch(/^Changed after it was issued/);
    const revoked = report({ status: { status: 'failed', statusChange: { purpose: 'revocation', since: '2026-12-03T15:00:00Z' } } });
    expect(headline(revoked, es)).toBe(`Revocada el ${es.date('2026-12-03T15:00:00Z')}`);
    expect(headline(revoked, en)).toBe(`Revoked on ${en.date('2026-12-03T15:00:00Z')}`);
    expect(headline(report({ status: { status: 'failed', statusChange: { purpose: 'revocation', since: null } } }), es)).toBe('Revocada por su emisor');
    expect(headline(report({ status: { status: 'failed', statusChange: { purpose: 'suspension', since: '2026-12-03T15:00:00Z' } } }), es)).toMatch(/^Suspendida desde el /);
    // the issuer's reason category (never its free text), labelled in every language
    const withReason = report({ status: { status: 'failed', statusChange: { purpose: 'revocation', since: '2026-12-03T15:00:00Z', reason: 'issued-in-error' } } });
    expect(headline(withReason, es)).toBe(`Revocada el ${es.date('2026-12-03T15:00:00Z')} — motivo: emitida por error`);
    expect(headline(withReason, en)).toBe(`Revoked on ${en.date('2026-12-03T15:00:00Z')} — reason: issued in error`);
    expect(headline(withReason, pt)).toBe(`Revogada em ${pt.date('2026-12-03T15:00:00Z')} — motivo: emitida por erro`);
    expect(headline(report({ status: { status: 'failed', statusChange: { purpose: 'suspension', since: null, reason: 'superseded' } } }), es)).toBe(
      'Suspendida por su emisor — motivo: reemplazada por una nueva emisión',
    );
    for (const lang of [es, en, pt])
      for (const category of (reasonSchema as { enum: string[] }).enum) expect(lang.tx('verify.statusReason.', category), `${lang.lang} ${category}`).not.toBe(category);
    expect(headline(report({ key_valid_at_issuance: { status: 'failed' } }, { issuer: { ...issuer, keyRevokedAt: '2026-11-01T00:00:00Z', keyRevocationReason: 'rotated' } }), es)).toBe(
      'Firmada con una clave que el emisor retiró',
    );
    expect(headline(report({ key_valid_at_issuance: { status: 'failed' } }, { issuer }), es)).toBe('Firmada antes de que el emisor publicara su clave');
    expect(headline(report({ validity_period: { status: 'failed' } }, { credential: { type: ['VerifiableCredential'], validUntil: '2026-06-30T00:00:00Z' } }), es)).toBe(
      `Vencida el ${es.date('2026-06-30T00:00:00Z')}`,
    );
    expect(headline(report({ issuer_known: { status: 'failed' }, key_valid_at_issuance: { status: 'unchecked' } }), es)).toBe('Emisor desconocido en la red');
    expect(headline(report({ issuer_known: { status: 'failed' } }, { issuer: { ...issuer, member: false } }), es)).toMatch(/no es miembro de la red/);
    // the most telling reason leads: a changed document before an expired one
    expect(headline(report({ validity_period: { status: 'failed' }, proof: { status: 'failed' } }), es)).toMatch(/^Modificada/);
    expect(headline(report({ status: { status: 'unchecked' } }), es)).toBe('No se pudo comprobar: Revocación y suspensión');
    expect(headline(report({ key_valid_at_issuance: { status: 'unchecked' } }, { issuer: { ...issuer, keyRevokedAt: '2026-11-01T00:00:00Z', keyRevocationReason: 'compromised' } }), es)).toMatch(/declaró robada/);
  });

  it('shows a failed or unchecked check its own sentence, never the success sentence, in es, en and pt', () => {
    for (const lang of ['es', 'en', 'pt'] as const) {
      const i = makeI18n(lang, () => {});
      for (const id of IDS) {
        const ok = checkSentence({ id, status: 'ok', reason: '' }, i);
        const failed = checkSentence({ id, status: 'failed', reason: '' }, i);
        const unchecked = checkSentence({ id, status: 'unchecked', reason: '' }, i);
        expect(ok, `${lang} ${id}`).not.toMatch(/^verify\./);
        expect(failed, `${lang} ${id}`).not.toMatch(/^verify\.|^[a-z_]+$/);
        expect(unchecked, `${lang} ${id}`).not.toMatch(/^verify\.|^[a-z_]+$/);
        expect(new Set([ok, failed, unchecked]).size, `${lang} ${id}`).toBe(3);
      }
    }
    const revoked = checkSentence({ id: 'status', status: 'failed', reason: '', statusChange: { purpose: 'revocation', since: '2026-12-03T15:00:00Z' } }, es);
    expect(revoked).toContain('El emisor revocó la credencial');
    expect(revoked).not.toContain('no ha revocado');
  });
});
