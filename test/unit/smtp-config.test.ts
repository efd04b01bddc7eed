// node.json "smtp" is checked at start (every bad setting refused with what is wrong), the password file is resolved
// against the node folder and never read into the config; the claim-link message is in the learner's language and
// no credential field can break a mail header.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { smtpFrom } from '../../node/config.js';
import { claimMessage, Mailer, type MailerDeps } from '../../node/credentials/mailer.js';
import { deliveryLanguage } from '../../node/credentials/deliveries.js';

describe('node.json smtp settings', () => {
  const dir = '/srv/mochila/uach';
  const ok = { host: 'smtp.uach.example', port: 587, from: 'Registro <registro@uach.example>' };

  it('accepts a minimal and a full setting, resolving passFile against the node folder', () => {
    expect(smtpFrom(undefined, dir)).toBeUndefined();
    expect(smtpFrom(ok, dir)).toEqual({ ...ok, secure: false });
    expect(
      smtpFrom({ ...ok, secure: true, user: 'registro', passFile: 'smtp-pass.txt', maxAttempts: 3, retryBaseMs: 1000, pollMs: 200 }, dir),
    ).toEqual({
      ...ok,
      secure: true,
      user: 'registro',
      passFile: path.join(dir, 'smtp-pass.txt'),
      maxAttempts: 3,
      retryBaseMs: 1000,
      pollMs: 200,
    });
  });

  it.each([
    ['not an object', 'smtp', /must be an object/],
    ['no host', { ...ok, host: '' }, /host is required/],
    ['bad port', { ...ok, port: 70000 }, /port must be/],
    ['secure not boolean', { ...ok, secure: 'yes' }, /secure must be/],
    ['from without an address', { ...ok, from: 'Registro' }, /from must be/],
    ['from with a line break', { ...ok, from: 'a@b.c\r\nBcc: x@y.z' }, /from must be/],
    ['a password in node.json', { ...ok, pass: 'secret' }, /unknown setting pass/],
    ['maxAttempts 0', { ...ok, maxAttempts: 0 }, /maxAttempts must be/],
  ])('refuses %s', (_what, v, msg) => {
    expect(() => smtpFrom(v, dir)).toThrow(msg);
  });
});

describe('the mailer at start', () => {
  it('refuses a password file it cannot read, naming the setting', () => {
    const deps = {
      smtp: { host: '127.0.0.1', port: 25, secure: false, from: 'a@b.example', passFile: '/nonexistent/mochila-smtp-pass' },
    } as unknown as MailerDeps;
    expect(() => new Mailer(deps)).toThrow(
      /cannot read the SMTP password file \/nonexistent\/mochila-smtp-pass \(node.json smtp.passFile\)/,
    );
  });
});

describe('claim-link message', () => {
  const facts = { learnerName: 'María José Muñoz', achievement: 'Prevención de riesgos', issuer: 'Universidad Austral' };
  const url = 'https://registro.uach.example/claim/' + 'A'.repeat(43);

  it('is written in Spanish or English with the link on its own line', () => {
    const es = claimMessage('es', facts, url);
    expect(es.subject).toBe('Tu credencial «Prevención de riesgos» de Universidad Austral');
    expect(es.text).toContain('Hola, María José Muñoz:');
    expect(es.text.split('\n')).toContain(url);
    const en = claimMessage('en', facts, url);
    expect(en.subject).toBe('Your credential "Prevención de riesgos" from Universidad Austral');
    expect(en.text).toContain('Hello María José Muñoz,');
    expect(en.text.split('\n')).toContain(url);
  });

  it('is written in Brazilian Portuguese for pt, and pt / pt-BR / português name that language', () => {
    const pt = claimMessage('pt', facts, url);
    expect(pt.subject).toBe('Sua credencial «Prevención de riesgos» de Universidad Austral');
    expect(pt.text).toContain('Olá, María José Muñoz:');
    expect(pt.text).toContain('Universidad Austral concedeu a você a credencial');
    expect(pt.text.split('\n')).toContain(url);
    for (const v of ['pt', 'PT-BR', 'Português', 'portugues']) expect(deliveryLanguage(v), v).toBe('pt');
    expect(deliveryLanguage('fr')).toBeNull();
  });

  it('keeps line breaks and control characters of credential fields out of the subject and the body lines', () => {
    const m = claimMessage('es', { learnerName: 'Ana\r\nBcc: x@evil.example', achievement: 'Curso\nX-Header: 1', issuer: 'U\u0000' }, url);
    for (const c of ['\r', '\n', '\u0000']) expect(m.subject).not.toContain(c);
    expect(m.subject).toBe('Tu credencial «Curso X-Header: 1» de U');
    expect(m.text.split('\n')).not.toContain('Bcc: x@evil.example');
    expect(m.text).toContain('Hola, Ana Bcc: x@evil.example:');
  });
});
