// The demo's mail (issue 15 "Done when"): the demo network starts a real SMTP server on loopback, its units e-mail
// the demo cohorts' claim links to it, the printed output says where the mail can be read, and the read-only page
// lists each message with a claim link that opens the learner's credential; the messages are .eml files in the
// demo's folder and are listed again after a restart. Waits on conditions (a deadline), never a fixed time.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDevnet, type Devnet } from '../../node/devnet.js';
import { summarize } from '../../node/ops/demo-mailbox.js';
import { LIVENESS_MS } from '../federation/net.js';
import { readmeSection } from '../helpers/readme.js';
import { buildCli } from '../../node/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mochila-demo-mail-'));
let net: Devnet | null = null;

afterAll(async () => {
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, f: () => Promise<T | null | undefined> | T | null | undefined): Promise<T> {
  const deadline = Date.now() + LIVENESS_MS;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the demo's mail", () => {
  it('sends the demo cohort its claim links to a local SMTP server and says where to read them', async () => {
    const lines: string[] = [];
    net = await runDevnet({ dir, units: 1, httpPort: 0, p2pPort: -1, fresh: true, logLevel: 'error', log: (l) => lines.push(l) });
    const mailbox = net.mailbox;
    const line = lines.find((l) => l.startsWith("The demo's mail"));
    expect(line, lines.join('\n')).toBe(`The demo's mail (the learners' claim links, kept on this machine): ${mailbox.pageUrl} — .eml files in ${path.join(dir, 'mail')}`);
    const cohort = readFileSync(path.join(__dirname, '../../fixtures/learners/cohort-cl-uac.csv'), 'utf8').trim().split('\n').length - 1;
    // every learner of the cohort gets one message (the mailer sends in the background)
    const msgs = await until('the cohort mail', () => (mailbox.messages().length >= cohort ? mailbox.messages() : null));
    expect(msgs).toHaveLength(cohort);
    expect(readdirSync(path.join(dir, 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(cohort);
    const m = msgs.find((x) => x.to.includes('mj.munoz@correo.example.cl'))!;
    expect(m.subject).toMatch(/^Tu credencial «.+» de /);
    expect(m.claimLinks).toHaveLength(1);
    // the page lists it, with the link; the link opens María José's credential
    const page = await fetch(mailbox.pageUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const body = await page.text();
    expect(body).toContain(`href="${m.claimLinks[0]!.replace(/\//g, '&#47;')}"`);
    const token = /\/claim\/([A-Za-z0-9_-]{43})$/.exec(m.claimLinks[0]!)![1]!;
    const claim = await fetch(`${net.units[0]!.node.httpUrl}/api/v1/claims/${token}`);
    expect(claim.status).toBe(200);
    expect(((await claim.json()) as { learnerName: string }).learnerName).toBe('María José Muñoz Pérez');
    // the raw message, and nothing outside the kept messages
    const raw = await fetch(new URL(`/messages/${m.file}`, mailbox.pageUrl));
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain('Subject:');
    expect((await fetch(new URL('/messages/..%2F..%2Fdevnet.json', mailbox.pageUrl))).status).toBe(404);
    expect((await fetch(mailbox.pageUrl, { method: 'POST', body: 'x' })).status).toBe(405);
    // the delivery is recorded as sent at the unit
    const admin = { authorization: `Bearer ${net.units[0]!.token}` };
    const list = (await (await fetch(`${net.units[0]!.node.httpUrl}/api/v1/admin/credentials?q=${encodeURIComponent('María José')}`, { headers: admin })).json()) as {
      items: { id: string }[];
    };
    const delivery = await until('the delivery marked sent', async () => {
      const d = (await (await fetch(`${net!.units[0]!.node.httpUrl}/api/v1/admin/credentials/${encodeURIComponent(list.items[0]!.id)}/delivery`, { headers: admin })).json()) as {
        deliveries: { status: string }[];
      };
      return d.deliveries[0]?.status === 'sent' ? d : null;
    });
    expect(delivery.deliveries).toHaveLength(1);

    // a restart lists the kept messages again (the cohort is not issued twice, so nothing new is sent)
    await net.close();
    net = await runDevnet({ dir, units: 1, httpPort: 0, p2pPort: -1, logLevel: 'error' });
    expect(net.mailbox.messages().map((x) => x.file).sort()).toEqual(msgs.map((x) => x.file).sort());
  });

  it("is where the README's quick start says: the demo's first port + 25, and .mochila-demo/mail/", () => {
    const demo = buildCli().commands.find((c) => c.name() === 'demo')!;
    const opt = (flag: string) => demo.options.find((x) => x.long === flag)!.defaultValue as string | number;
    const quick = readmeSection('Quick start');
    expect(quick).toContain(`<http://127.0.0.1:${Number(opt('--http-port')) + 25}/>`);
    expect(quick).toContain(`\`${opt('--dir')}/mail/\``);
    expect(readmeSection('The demo network')).toContain(`<http://127.0.0.1:${Number(opt('--http-port')) + 25}/>`);
  });

  it('reads subjects, quoted-printable and base64 bodies, and multipart messages, without trusting them', () => {
    const link = `http://127.0.0.1:8080/claim/${'a'.repeat(43)}`;
    const qp = summarize(
      'x.eml',
      [
        'From: =?UTF-8?Q?Registro_Universidad_Austral?= <r@x.invalid>',
        'To: ana@x.invalid',
        'Subject: =?UTF-8?Q?Tu_credencial_=C2=ABControl=C2=BB?=',
        ' =?UTF-8?Q?_de_la_UAC?=',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        `Hola, Ana: ${link.slice(0, 40)}=`,
        `${link.slice(40)}`,
        '',
      ].join('\r\n'),
      '2026-01-01T00:00:00.000Z',
    );
    expect(qp.subject).toBe('Tu credencial «Control» de la UAC');
    expect(qp.from).toBe('Registro Universidad Austral <r@x.invalid>');
    expect(qp.claimLinks).toEqual([link]);
    const b64 = summarize(
      'y.eml',
      ['Subject: =?UTF-8?B?w5FhbmTDug==?=', 'Content-Type: multipart/alternative; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(`Link: ${link}\n`).toString('base64'), '--b1--', ''].join('\r\n'),
      '2026-01-01T00:00:00.000Z',
    );
    expect(b64.subject).toBe('Ñandú');
    expect(b64.claimLinks).toEqual([link]);
    // a link to something else, or a token of the wrong length, is not a claim link
    expect(summarize('z.eml', `Subject: x\r\n\r\nhttp://evil.example/claim/${'a'.repeat(44)} javascript:alert(1)`, '').claimLinks).toEqual([]);
  });
});
