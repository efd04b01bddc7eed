/**
 * The demo's mailbox (`npm start` / `mochila demo` only; issue 15 "Done when"): a real SMTP server on loopback
 * (smtp-server) that the demo nodes send their claim-link e-mails to, keeping every message it receives as an .eml
 * file in the demo's folder, and a small read-only web page on loopback listing the messages (newest first) with
 * their claim links and the raw message. Must never be started for a production node (node.json has no setting
 * for it; only node/devnet.ts starts it), never listen beyond 127.0.0.1, never relay a message anywhere, and never
 * write received text into the page unescaped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface DemoMailboxOptions {
  /** Folder of the .eml files (created when missing; messages already there are listed too). */
  dir: string;
  /** SMTP port on 127.0.0.1 (0: any free port). */
  smtpPort?: number;
  /** Port of the read-only page on 127.0.0.1 (0: any free port; taken: any free port instead). */
  pagePort?: number;
  /** Largest message kept, in bytes (default 1 MiB; larger ones are refused with 552). */
  maxMessageBytes?: number;
  /** At most this many messages listed (the newest; default 2,000). */
  maxListed?: number;
}

export interface MailSummary {
  file: string;
  receivedAt: string;
  from: string;
  to: string;
  subject: string;
  /** The claim links in the message's text. */
  claimLinks: string[];
}

const EML = /^(\d{13})-(\d{1,9})\.eml$/;
const CLAIM_LINK = /\bhttps?:\/\/[A-Za-z0-9.:[\]-]+\/claim\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

const html = (s: unknown) => String(s ?? '').replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);

/** RFC 2047 encoded words (=?utf-8?Q?…?= / =?utf-8?B?…?=) of a header, decoded as UTF-8. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

function headersOf(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!out.has(k)) out.set(k, line.slice(i + 1).trim());
    }
  }
  return out;
}

/** The text of a message part: its transfer encoding undone (quoted-printable, base64), the first text part of a multipart. */
function textOf(raw: string, depth = 0): { headers: Map<string, string>; text: string } {
  const split = /\r?\n\r?\n/.exec(raw);
  const headers = headersOf(split ? raw.slice(0, split.index) : raw);
  const body = split ? raw.slice(split.index + split[0].length) : '';
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary && depth < 3) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      const p = textOf(part.replace(/^\r?\n/, ''), depth + 1);
      if (p.text) return { headers, text: p.text };
    }
    return { headers, text: '' };
  }
  if (!/^text\//i.test(type)) return { headers, text: '' };
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    enc === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : enc === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
        : Buffer.from(body, 'utf8');
  return { headers, text: bytes.toString('utf8') };
}

/** What the page lists of a raw message (never throws). */
export function summarize(file: string, raw: string, receivedAt: string): MailSummary {
  try {
    const { headers, text } = textOf(raw);
    return {
      file,
      receivedAt,
      from: decodeWords(headers.get('from') ?? ''),
      to: decodeWords(headers.get('to') ?? ''),
      subject: decodeWords(headers.get('subject') ?? ''),
      claimLinks: [...new Set(text.match(CLAIM_LINK) ?? [])],
    };
  } catch {
    return { file, receivedAt, from: '', to: '', subject: '', claimLinks: [] };
  }
}

export class DemoMailbox {
  private smtp: SMTPServer | null = null;
  private page: Server | null = null;
  private readonly list: MailSummary[] = [];
  private seq = 0;
  private readonly maxBytes: number;
  private readonly maxListed: number;

  constructor(private readonly o: DemoMailboxOptions) {
    this.maxBytes = o.maxMessageBytes ?? 1024 * 1024;
    this.maxListed = o.maxListed ?? 2000;
  }

  /** The SMTP port the demo nodes send to. */
  get smtpPort(): number {
    return (this.smtp?.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The read-only page listing the messages. */
  get pageUrl(): string {
    return `http://127.0.0.1:${(this.page?.address() as AddressInfo | null)?.port ?? 0}/`;
  }

  get dir(): string {
    return this.o.dir;
  }

  /** The messages received (this run and earlier ones in the folder), newest first. */
  messages(): MailSummary[] {
    return [...this.list];
  }

  async start(): Promise<void> {
    mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
    const files = readdirSync(this.o.dir)
      .filter((f) => EML.test(f))
      .sort((a, b) => Number(EML.exec(a)![1]) - Number(EML.exec(b)![1]) || Number(EML.exec(a)![2]) - Number(EML.exec(b)![2]))
      .slice(-this.maxListed);
    for (const f of files) {
      const p = path.join(this.o.dir, f);
      if (statSync(p).size > this.maxBytes) continue;
      this.add(summarize(f, readFileSync(p, 'utf8'), new Date(Number(EML.exec(f)![1])).toISOString()));
    }
    this.smtp = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: this.maxBytes,
      banner: 'MOCHILA demo mailbox (keeps messages, delivers nothing)',
      onData: (stream, _session, cb) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= this.maxBytes) chunks.push(c);
        });
        stream.on('end', () => {
          if (size > this.maxBytes) return cb(Object.assign(new Error('5.3.4 message too big for the demo mailbox'), { responseCode: 552 }));
          try {
            this.keep(Buffer.concat(chunks));
            cb();
          } catch (e) {
            cb(Object.assign(new Error(`4.3.0 could not keep the message: ${(e as Error).message}`), { responseCode: 451 }));
          }
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.smtp!.server.once('error', reject);
      this.smtp!.listen(this.o.smtpPort ?? 0, '127.0.0.1', () => resolve());
    });
    this.page = createServer((req, res) => this.answer(req.method ?? 'GET', req.url ?? '/', res));
    const listen = (port: number) =>
      new Promise<void>((resolve, reject) => {
        this.page!.once('error', reject);
        this.page!.listen(port, '127.0.0.1', () => resolve());
      });
    try {
      await listen(this.o.pagePort ?? 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      await listen(0);
    }
  }

  async stop(): Promise<void> {
    const smtp = this.smtp;
    const page = this.page;
    this.smtp = null;
    this.page = null;
    await Promise.all([
      smtp ? new Promise<void>((r) => smtp.close(() => r())) : undefined,
      page ? new Promise<void>((r) => { page.closeAllConnections(); page.close(() => r()); }) : undefined,
    ]);
  }

  private add(m: MailSummary): void {
    this.list.unshift(m);
    if (this.list.length > this.maxListed) this.list.length = this.maxListed;
  }

  private keep(raw: Buffer): void {
    const now = Date.now();
    const file = `${now}-${++this.seq}.eml`;
    writeFileSync(path.join(this.o.dir, file), raw, { mode: 0o600 });
    this.add(summarize(file, raw.toString('utf8'), new Date(now).toISOString()));
  }

  private answer(method: string, url: string, res: import('node:http').ServerResponse): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer'); // the claim links are capability URLs
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('read-only\n');
      return;
    }
    const pathname = url.split('?')[0]!;
    if (pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(method === 'HEAD' ? undefined : this.pageHtml());
      return;
    }
    const m = /^\/messages\/([^/]+)$/.exec(pathname);
    // a malformed escape (/messages/%) is a 404, never a throw: thrown here it would end the demo's process
    let file = '';
    try {
      file = m ? decodeURIComponent(m[1]!) : '';
    } catch {
      file = '';
    }
    if (EML.test(file) && this.list.some((x) => x.file === file) && existsSync(path.join(this.o.dir, file))) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(method === 'HEAD' ? undefined : readFileSync(path.join(this.o.dir, file)));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  private pageHtml(): string {
    const rows = this.list
      .map(
        (m) => `<tr>
<td><time datetime="${html(m.receivedAt)}">${html(m.receivedAt.replace('T', ' ').slice(0, 19))}</time></td>
<td>${html(m.to)}</td>
<td>${html(m.subject)}<br><small>${html(m.from)}</small></td>
<td>${m.claimLinks.map((l) => `<a href="${html(l)}">${html(l.replace(/^https?:\/\//, ''))}</a>`).join('<br>') || '—'}</td>
<td><a href="/messages/${html(encodeURIComponent(m.file))}">.eml</a></td>
</tr>`,
      )
      .join('\n');
    return `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Correo de la demo / Demo mail (${this.list.length})</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#14213d}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccd;padding:.4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}small{color:#555}</style>
</head>
<body>
<main>
<h1>Correo de la demo / Demo mail</h1>
<p>Lo que los nodos de la demo enviaron (nada sale de este equipo). / What the demo nodes sent (nothing leaves this machine).
${html(this.list.length)} mensajes / messages; archivos .eml / .eml files: <code>${html(this.o.dir)}</code></p>
<table>
<thead><tr><th>Recibido / Received</th><th>Para / To</th><th>Asunto / Subject</th><th>Enlaces de credencial / Claim links</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>
</body>
</html>
`;
  }
}
