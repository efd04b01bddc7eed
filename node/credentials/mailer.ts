/**
 * The Mailer (issue 15 item 3): a long-lived sender of claim-link messages over SMTP (nodemailer), started and
 * stopped by the composition root. It takes due messages from the delivery queue (node/credentials/deliveries.ts),
 * writes each in the learner's language (Spanish, English or Brazilian Portuguese, plain text), and records the outcome: sent; a
 * permanent refusal (5xx for the recipient or the message) failed at once with the server's answer; anything else
 * queued again with exponential backoff on the injected clock, failed after `maxAttempts`. Issuance only queues (in
 * its transaction) and kicks: sending never blocks it. Must never log a token or a link (nodemailer's own logger
 * stays off), never put a credential field into a mail header unfiltered, and never send for a revoked link.
 */
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ClaimService } from './claims.js';
import type { DeliveryLanguage, DeliveryQueue, DueDelivery } from './deliveries.js';

/** node.json "smtp": where and as whom the node sends its e-mail. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  /** File holding the SMTP password (not the password itself: node.json may be shared). */
  passFile?: string;
  /** The From address, e.g. "Registro UACh <registro@uach.example>". */
  from: string;
  /** Attempts before a message is failed for good (default 6). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled at each attempt, at most 6 h (default 60 000). */
  retryBaseMs?: number;
  /** How often the queue is looked at when nothing wakes the mailer, in ms (default 5 000). */
  pollMs?: number;
}

/** What a message says about its credential. */
export interface ClaimMailFacts {
  learnerName: string;
  achievement: string;
  issuer: string;
}

export interface MailerDeps {
  smtp: SmtpConfig;
  queue: DeliveryQueue;
  claims: Pick<ClaimService, 'tokenFor' | 'urlFor' | 'active'>;
  /** The facts of a credential for its message, or null when it is gone. */
  facts: (credentialId: string) => ClaimMailFacts | null;
  clock: Clock;
  logger: Logger;
}

const MAX_BACKOFF_MS = 6 * 3600_000;
const CONCURRENCY = 4;

/** Text safe for a header or a line: no control characters (no header injection), bounded. */
function clean(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The message of a claim link in the learner's language (plain text). */
export function claimMessage(lang: DeliveryLanguage, f: ClaimMailFacts, url: string): { subject: string; text: string } {
  const name = clean(f.learnerName, 300);
  const ach = clean(f.achievement);
  const issuer = clean(f.issuer);
  if (lang === 'en')
    return {
      subject: `Your credential "${ach}" from ${issuer}`,
      text: [
        `Hello ${name},`,
        '',
        `${issuer} has awarded you the credential "${ach}".`,
        '',
        'You can view, download, verify and share it at this personal link:',
        url,
        '',
        'This link is for you alone: whoever holds it can see your credential. Do not forward it; to share the credential, publish its share page from that same link.',
        '',
        '— MOCHILA registry',
      ].join('\n'),
    };
  if (lang === 'pt')
    return {
      subject: `Sua credencial «${ach}» de ${issuer}`,
      text: [
        `Olá, ${name}:`,
        '',
        `${issuer} concedeu a você a credencial «${ach}».`,
        '',
        'Você pode vê-la, baixá-la, verificá-la e compartilhá-la neste link pessoal:',
        url,
        '',
        'Este link é só seu: quem o tiver pode ver sua credencial. Não o encaminhe; para compartilhar a credencial, publique a página dela a partir desse mesmo link.',
        '',
        '— Registro MOCHILA',
      ].join('\n'),
    };
  return {
    subject: `Tu credencial «${ach}» de ${issuer}`,
    text: [
      `Hola, ${name}:`,
      '',
      `${issuer} te ha otorgado la credencial «${ach}».`,
      '',
      'Puedes verla, descargarla, verificarla y compartirla en este enlace personal:',
      url,
      '',
      'Este enlace es solo para ti: quien lo tenga puede ver tu credencial. No lo reenvíes; para compartirla, publica su página desde ese mismo enlace.',
      '',
      '— Registro MOCHILA',
    ].join('\n'),
  };
}

/** Whether an SMTP error refuses this message for good (5xx to the recipient or the message itself). */
function permanent(e: { code?: string; responseCode?: number }): boolean {
  return (
    typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600 && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')
  );
}

export class Mailer {
  private readonly transport: ReturnType<typeof createTransport>;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private looked = 0;

  constructor(private readonly d: MailerDeps) {
    const s = d.smtp;
    let pass: string | undefined;
    try {
      pass = s.passFile ? readFileSync(s.passFile, 'utf8').trim() : undefined;
    } catch (e) {
      throw new RegistryError(
        'validation_failed',
        `cannot read the SMTP password file ${s.passFile} (node.json smtp.passFile): ${(e as Error).message}`,
      );
    }
    this.transport = createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      ...(s.user ? { auth: { user: s.user, ...(pass !== undefined ? { pass } : {}) } } : {}),
      pool: true,
      maxConnections: 2,
      connectionTimeout: 20_000,
      greetingTimeout: 20_000,
      socketTimeout: 60_000,
      logger: false,
      debug: false,
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const recovered = this.d.queue.recover();
    if (recovered) this.d.logger.warn('messages left sending by the last stop are queued again', { messages: recovered });
    this.loop = this.run().catch((e: unknown) => this.d.logger.error('mailer stopped on an error', { error: String(e) }));
  }

  /** Stops after the messages being sent; closes the SMTP connections. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.kick();
    await this.loop;
    this.transport.close();
  }

  /** How many times the mailer has looked at the queue (tests wait on it instead of sleeping). */
  passes(): number {
    return this.looked;
  }

  /** Looks at the queue now (after issuing, a retry, or a clock change in tests). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      const due = this.d.queue.take(CONCURRENCY * 4);
      this.looked++;
      if (due.length) {
        for (let i = 0; i < due.length; i += CONCURRENCY) await Promise.all(due.slice(i, i + CONCURRENCY).map((m) => this.send(m)));
        continue;
      }
      if (this.kicked || !this.running) continue;
      // nothing due: sleep until the next message is due (by the injected clock) or the poll interval, or a kick
      const next = this.d.queue.nextDue();
      const poll = this.d.smtp.pollMs ?? 5_000;
      const wait = next ? Math.max(20, Math.min(poll, Date.parse(next) - this.d.clock.now().getTime())) : poll;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        t.unref?.();
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async send(m: DueDelivery): Promise<void> {
    const log = { delivery: m.id, credential: m.credentialId, attempt: m.attempts + 1 };
    const facts = this.d.facts(m.credentialId);
    if (!facts || !this.d.claims.active(m.claimId)) {
      this.d.queue.attemptFailed(m.id, facts ? 'the claim link was revoked before the message was sent' : 'the credential is gone', null);
      return;
    }
    const { subject, text } = claimMessage(m.language, facts, this.d.claims.urlFor(this.d.claims.tokenFor(m.claimId)));
    try {
      const info = await this.transport.sendMail({
        from: this.d.smtp.from,
        to: m.email,
        subject,
        text,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      this.d.queue.sent(m.id, typeof info.messageId === 'string' ? info.messageId : null);
      this.d.logger.info('claim link sent', log);
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
      const reason = clean(`${e.responseCode ?? e.code ?? 'error'} ${e.response ?? e.message ?? String(err)}`, 1000);
      const attempts = m.attempts + 1;
      const max = this.d.smtp.maxAttempts ?? 6;
      const retryAt =
        permanent(e) || attempts >= max
          ? null
          : new Date(this.d.clock.now().getTime() + Math.min(MAX_BACKOFF_MS, (this.d.smtp.retryBaseMs ?? 60_000) * 2 ** (attempts - 1)));
      this.d.queue.attemptFailed(m.id, reason, retryAt);
      this.d.logger.warn(retryAt ? 'claim link not sent; will retry' : 'claim link not sent; failed', {
        ...log,
        error: reason,
        ...(retryAt ? { retryAt: retryAt.toISOString() } : {}),
      });
    }
  }
}
