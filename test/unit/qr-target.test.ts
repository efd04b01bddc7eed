// What a scanned QR code may open on the verify page (web/src/qr-target.ts): a credential id or a link of this node
// opens in the app, a link of a known node of the network is offered, and every other scheme or host is refused.
import { describe, expect, it } from 'vitest';
import { qrTarget } from '../../web/src/qr-target.js';

const HERE = 'https://registro.uac.example.cl';
const KNOWN = ['https://mochila.uan.example.mx', 'http://127.0.0.1:8081'];
const ID = 'urn:uuid:0b7a4c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('qrTarget', () => {
  it('opens a verification link or a credential id of this node', () => {
    expect(qrTarget(`${HERE}/verify?credential=${encodeURIComponent(ID)}`, HERE, KNOWN)).toEqual({ kind: 'credential', id: ID });
    expect(qrTarget(`  ${ID}\n`, HERE, KNOWN)).toEqual({ kind: 'credential', id: ID });
    expect(qrTarget(`${HERE}/claim/abcdefghijABCDEFGHIJ0123456789_-abcdefghijk`, HERE, KNOWN)).toEqual({ kind: 'local', href: '/claim/abcdefghijABCDEFGHIJ0123456789_-abcdefghijk' });
  });

  it('offers a link of another node of the network, never opens it by itself', () => {
    const url = `https://mochila.uan.example.mx/verify?credential=${encodeURIComponent(ID)}`;
    expect(qrTarget(url, HERE, KNOWN)).toEqual({ kind: 'remote', url, host: 'mochila.uan.example.mx' });
    expect(qrTarget(`http://127.0.0.1:8081/verify?credential=x`, HERE, KNOWN)).toMatchObject({ kind: 'remote', host: '127.0.0.1:8081' });
  });

  it('refuses other schemes, unknown hosts, credentials in the URL, other paths of this node and garbage', () => {
    for (const s of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'intent://scan/#Intent;scheme=zxing;end', 'file:///etc/passwd', 'mailto:a@b.c', 'tel:+56912345678'])
      expect(qrTarget(s, HERE, KNOWN), s).toEqual({ kind: 'refused', reason: 'scheme' });
    expect(qrTarget('https://evil.example.com/verify?credential=x', HERE, KNOWN)).toEqual({ kind: 'refused', reason: 'unknownHost', host: 'evil.example.com' });
    // a look-alike: same host name under another scheme or port is another origin
    expect(qrTarget('http://registro.uac.example.cl/verify?credential=x', HERE, KNOWN)).toMatchObject({ kind: 'refused', reason: 'unknownHost' });
    expect(qrTarget('https://registro.uac.example.cl.evil.example/verify?credential=x', HERE, KNOWN)).toMatchObject({ kind: 'refused', reason: 'unknownHost' });
    expect(qrTarget(`https://user:pw@mochila.uan.example.mx/verify`, HERE, KNOWN)).toEqual({ kind: 'refused', reason: 'unreadable' });
    expect(qrTarget(`${HERE}/admin?tab=keys`, HERE, KNOWN)).toMatchObject({ kind: 'refused' });
    for (const s of ['', '   ', 'hola mundo', '/verify?credential=x', 'x'.repeat(5000)]) expect(qrTarget(s, HERE, KNOWN).kind, s).toBe('refused');
  });
});
