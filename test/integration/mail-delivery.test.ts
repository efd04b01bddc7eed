// E-mail delivery of claim links through a real started node and a REAL SMTP server on loopback (smtp-server, no
// mock of the mailer): a CSV cohort of 50 with notify gets 50 messages, each to its learner, in the row's language,
// carrying a link that opens that learner's credential through the claim API; a permanent refusal (550 to RCPT)
// marks that credential's delivery failed with the server's answer and the unit's retry later sends it; a temporary
// refusal (451) is retried with backoff on the node's injected clock; no token is at rest in the delivery queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { fixedClock } from '../../node/core/clock.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';
import { createLogger } from '../../node/core/logger.js';
import { unitOfCountry } from '../helpers/fixtures.js';

const { catalogue } = unitOfCountry('CL');

interface Received {
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/** The decoded text body and subject of a single-part text message as nodemailer writes it. */
function decode(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
  // RFC 2047 encoded words (=?UTF-8?Q?...?= or =?UTF-8?B?...?=)
  const subject = header('Subject')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? qp(body.replace(/=\r?\n/g, ''))
        : body;
  return { subject, text };
}
function qp(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('claim-link e-mail through a real SMTP server', () => {
  const inbox: Received[] = [];
  const refusePermanently = new Set<string>();
  const refuseForNow = new Set<string>();
  let smtp: SMTPServer;
  let n: TestNode;
  const clock = fixedClock(new Date());
  // every line the node logs, at debug: no token or claim link may be among them
  const logLines: string[] = [];
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown) => fetch(`${n.url}${p}`, { method: 'POST', headers: admin(), body: JSON.stringify(body) });
  const get = async (p: string) => (await fetch(`${n.url}${p}`, { headers: admin() })).json();
  const delivery = async (id: string) =>
    (await get(`/api/v1/admin/credentials/${encodeURIComponent(id)}/delivery`)) as {
      deliveries: {
        status: string;
        attempts: number;
        lastError: string | null;
        nextAttemptAt: string | null;
        email: string;
        language: string;
      }[];
    };
  const messagesTo = (addr: string) => inbox.filter((m) => m.to.includes(addr));
  const linkIn = (m: Received) => {
    const links = m.text.match(/https?:\/\/\S+\/claim\/[A-Za-z0-9_-]{43}/g) ?? [];
    expect(links).toHaveLength(1);
    return links[0]!;
  };
  const claimOf = async (link: string) => {
    const token = link.split('/claim/')[1]!;
    const r = await fetch(`${n.url}/api/v1/claims/${token}`);
    expect(r.status).toBe(200);
    return (await r.json()) as { id: string; learnerName: string; verification: { verified: boolean } };
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        const a = address.address.toLowerCase();
        if (refusePermanently.has(a)) return cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        if (refuseForNow.has(a)) return cb(Object.assign(new Error('4.2.0 try again later'), { responseCode: 451 }));
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw, ...decode(raw) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    n = await startTestNode({
      name: 'Universidad Austral de Prueba',
      country: 'CL',
      clock,
      logger: createLogger('debug', {}, (line) => logLines.push(line)),
      config: {
        smtp: {
          host: '127.0.0.1',
          port,
          secure: false,
          from: 'Registro UACh <registro@uach.example>',
          pollMs: 100,
          retryBaseMs: 60_000,
          maxAttempts: 4,
        },
      },
    });
    const r = await post('/api/v1/admin/microcredentials', catalogue[0]);
    expect(r.status, await r.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await n?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it("sends a cohort of 50 their claim links, each in its language, each link opening that learner's credential", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({
      name: `Estudiante Ñandú ${i + 1}`,
      email: `estudiante${i + 1}@alumnos.example.cl`,
      lang: i % 5 === 0 ? 'en' : '',
    }));
    const csv = 'nombre;correo;idioma\n' + rows.map((r) => `${r.name};${r.email};${r.lang}`).join('\n') + '\n';
    const r = await post('/api/v1/admin/credentials/batch', { csv, microcredential: catalogue[0]!.code, notify: true, language: 'es' });
    expect(r.status, await r.clone().text()).toBe(202);
    const job = (await r.json()) as { id: string };
    const done = await waitFor('the job', async () => {
      const j = await get(`/api/v1/admin/jobs/${job.id}`);
      return j.state === 'done' || j.state === 'failed' ? j : undefined;
    });
    expect(done.state).toBe('done');
    expect(done.issued).toBe(50);
    await waitFor('50 messages', () => (inbox.length >= 50 ? true : undefined));
    expect(inbox).toHaveLength(50);
    const byId = new Map<string, string>((done.rows as { id: string; name: string }[]).map((x) => [x.name, x.id]));
    for (const row of rows) {
      const msgs = messagesTo(row.email);
      expect(msgs, row.email).toHaveLength(1);
      const m = msgs[0]!;
      if (row.lang === 'en') {
        expect(m.subject).toMatch(/^Your credential "/);
        expect(m.text).toContain(`Hello ${row.name},`);
      } else {
        expect(m.subject).toMatch(/^Tu credencial «/);
        expect(m.text).toContain(`Hola, ${row.name}:`);
      }
      expect(m.raw).toMatch(/^From: Registro UACh <registro@uach\.example>/im);
      const c = await claimOf(linkIn(m));
      expect(c.learnerName).toBe(row.name);
      expect(c.id).toBe(byId.get(row.name));
    }
    // one opened link verifies
    expect((await claimOf(linkIn(inbox[0]!))).verification.verified).toBe(true);
    // every credential's delivery is sent, in the admin list and per credential
    const list = (await get(`/api/v1/admin/credentials?limit=100`)) as { items: { id: string; delivery: { status: string } | null }[] };
    new SchemaRegistry().assertValid('api/issued-credential-list', list);
    const statuses = list.items.filter((i) => [...byId.values()].includes(i.id)).map((i) => i.delivery?.status);
    expect(statuses).toHaveLength(50);
    expect(new Set(statuses)).toEqual(new Set(['sent']));
    const one = await delivery(byId.get(rows[0]!.name)!);
    expect(one.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1, lastError: null, language: 'en' });
    // no token or link is at rest in the delivery queue
    const dump = JSON.stringify(n.node.services.store.sqlite.prepare('SELECT * FROM mail_deliveries').all());
    for (const m of inbox.slice(0, 10)) expect(dump).not.toContain(linkIn(m).split('/claim/')[1]!);
    // nor in the node's log, which did log the deliveries
    expect(logLines.filter((l) => l.includes('claim link sent'))).toHaveLength(50);
    const log = logLines.join('\n');
    expect(log).not.toContain('/claim/');
    for (const m of inbox) expect(log).not.toContain(linkIn(m).split('/claim/')[1]!);
  });

  it("marks a refused address failed with the server's answer, and the unit's retry later sends it", async () => {
    const addr = 'rechazado@alumnos.example.cl';
    refusePermanently.add(addr);
    const r = await post('/api/v1/admin/credentials', {
      microcredential: catalogue[0]!.code,
      learner: { name: 'Ignacio Rechazado', email: addr },
      notify: true,
      language: 'es',
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const issued = (await r.json()) as { id: string; claimUrl: string; delivery: string };
    expect(issued.delivery).toBe('queued');
    const failed = await waitFor('the failure', async () => {
      const d = (await delivery(issued.id)).deliveries[0];
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.lastError).toMatch(/^550 /);
    expect(failed.nextAttemptAt).toBeNull();
    expect(messagesTo(addr)).toHaveLength(0);
    // the admin list shows the failure
    const list = (await get(`/api/v1/admin/credentials?q=${encodeURIComponent('Ignacio Rechazado')}`)) as {
      items: { delivery: { status: string; lastError: string } }[];
    };
    expect(list.items[0]!.delivery.status).toBe('failed');

    refusePermanently.delete(addr);
    const retry = await post(`/api/v1/admin/credentials/${encodeURIComponent(issued.id)}/delivery/retry`, {});
    expect(await retry.json()).toEqual({ requeued: 1 });
    await waitFor('the retried message', () => (messagesTo(addr).length ? true : undefined));
    const d = (await delivery(issued.id)).deliveries[0]!;
    expect(d).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    const link = linkIn(messagesTo(addr)[0]!);
    // the message carries the link issuance answered
    expect(link).toBe(issued.claimUrl);
    expect((await claimOf(link)).id).toBe(issued.id);
    // a bounce reported afterwards is shown as such
    const b = await post(`/api/v1/admin/credentials/${encodeURIComponent(issued.id)}/delivery/bounce`, {
      reason: '5.1.1 user unknown (DSN)',
    });
    expect(b.status).toBe(200);
    expect((await delivery(issued.id)).deliveries[0]).toMatchObject({ status: 'bounced', lastError: '5.1.1 user unknown (DSN)' });
  });

  it('queues the e-mail of a credential issued from the CLI, which the running node then sends', async () => {
    // the CLI reads node.json: the same SMTP settings as the running node
    const port = (smtp.server.address() as AddressInfo).port;
    const cfgFile = path.join(n.dir, 'node.json');
    const cfg = existsSync(cfgFile) ? (JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(
      cfgFile,
      JSON.stringify({ ...cfg, smtp: { host: '127.0.0.1', port, secure: false, from: 'Registro UACh <registro@uach.example>' } }),
    );
    const addr = 'desde.cli@alumnos.example.cl';
    const args = [
      'issue',
      '--dir',
      n.dir,
      '--microcredential',
      catalogue[0]!.code,
      '--name',
      'Desde La Terminal',
      '--email',
      addr,
      '--notify',
      '--language',
      'en',
    ];
    const out = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [path.resolve(__dirname, '../../bin/mochila.js'), ...args],
        { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
        (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(out.code, out.stderr).toBe(0);
    const printed = /claim link \(personal, shown this once; queued for e-mail\): (\S+)/.exec(out.stderr)?.[1];
    expect(printed).toMatch(/\/claim\/[A-Za-z0-9_-]{43}$/);
    // the CLI dated the message by the system clock; the node reads the queue by its injected one
    clock.set(new Date(Math.max(Date.now(), clock.now().getTime())));
    n.node.services.mailer!.kick();
    await waitFor('the message queued by the CLI', () => (messagesTo(addr).length ? true : undefined));
    const m = messagesTo(addr)[0]!;
    expect(m.subject).toMatch(/^Your credential "/);
    expect(linkIn(m).split('/claim/')[1]).toBe(printed!.split('/claim/')[1]);
    expect((await claimOf(linkIn(m))).learnerName).toBe('Desde La Terminal');
  });

  it("retries a temporary refusal with backoff on the node's clock", async () => {
    const addr = 'lento@alumnos.example.cl';
    refuseForNow.add(addr);
    const r = await post('/api/v1/admin/credentials', {
      microcredential: catalogue[0]!.code,
      learner: { name: 'Lenta Espera', email: addr },
      notify: true,
      language: 'en',
    });
    expect(r.status).toBe(201);
    const issued = (await r.json()) as { id: string };
    const first = await waitFor('the first attempt', async () => {
      const d = (await delivery(issued.id)).deliveries[0];
      return d && d.attempts === 1 ? d : undefined;
    });
    // still queued, due one backoff step later by the node's clock, with the server's answer
    expect(first.status).toBe('queued');
    expect(first.lastError).toMatch(/^451 /);
    expect(Date.parse(first.nextAttemptAt!)).toBe(clock.now().getTime() + 60_000);
    refuseForNow.delete(addr);
    // the mailer looks at the queue again (kick) but the message is not due yet on the node's clock
    n.node.services.mailer!.kick();
    await waitFor('a mailer pass', () => (n.node.services.mailer!.passes() >= 2 ? true : undefined));
    const passes = n.node.services.mailer!.passes();
    n.node.services.mailer!.kick();
    await waitFor('another mailer pass', () => (n.node.services.mailer!.passes() > passes ? true : undefined));
    expect((await delivery(issued.id)).deliveries[0]!.status).toBe('queued');
    expect(messagesTo(addr)).toHaveLength(0);
    // the clock reaches the retry time: sent
    clock.advance(60_001);
    n.node.services.mailer!.kick();
    await waitFor('the retried message', () => (messagesTo(addr).length ? true : undefined));
    expect(messagesTo(addr)[0]!.subject).toMatch(/^Your credential "/);
    await waitFor('the sent status', async () => ((await delivery(issued.id)).deliveries[0]!.status === 'sent' ? true : undefined));
    expect((await delivery(issued.id)).deliveries[0]!.attempts).toBe(2);
  });
});
