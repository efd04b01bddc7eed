// The claim page's "Añadir a LinkedIn" link: LinkedIn's add-to-profile URL with every certification field, each
// value encoded (hostile names cannot add or change parameters), a certUrl only when it is an absolute http(s) URL.
import { describe, expect, it } from 'vitest';
import { LINKEDIN_ADD, linkedInAddUrl } from '../../web/src/linkedin.js';

describe('LinkedIn add-to-profile URL', () => {
  it('carries the certification fields LinkedIn reads', () => {
    const u = new URL(
      linkedInAddUrl({
        name: 'Gestión de la calidad & evaluación',
        organizationName: 'Universidad Austral de Chile',
        issuedAt: '2026-03-15T10:00:00.000Z',
        validUntil: '2029-12-01T00:00:00Z',
        certUrl: 'https://registro.uach.example/share/AAAAAAAAAAAAAAAAAAAAAA',
        certId: 'urn:uuid:0b7f2c8e-1111-4222-8333-944445555666',
      }),
    );
    expect(`${u.origin}${u.pathname}`).toBe(LINKEDIN_ADD);
    expect(Object.fromEntries(u.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME',
      name: 'Gestión de la calidad & evaluación',
      organizationName: 'Universidad Austral de Chile',
      issueYear: '2026',
      issueMonth: '3',
      expirationYear: '2029',
      expirationMonth: '12',
      certUrl: 'https://registro.uach.example/share/AAAAAAAAAAAAAAAAAAAAAA',
      certId: 'urn:uuid:0b7f2c8e-1111-4222-8333-944445555666',
    });
  });

  it('encodes hostile values and drops a certUrl that is not http(s)', () => {
    const u = new URL(
      linkedInAddUrl({
        name: 'x&certUrl=javascript:alert(1)#',
        organizationName: 'O?a=b',
        issuedAt: 'not a date',
        certUrl: 'javascript:alert(1)',
        certId: 'id&x=1',
      }),
    );
    expect(u.searchParams.getAll('certUrl')).toEqual([]);
    expect(u.searchParams.get('name')).toBe('x&certUrl=javascript:alert(1)#');
    expect(u.searchParams.get('organizationName')).toBe('O?a=b');
    expect(u.searchParams.get('certId')).toBe('id&x=1');
    expect(u.searchParams.has('issueYear')).toBe(false);
    expect(u.hash).toBe('');
  });
});
