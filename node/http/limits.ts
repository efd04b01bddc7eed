/**
 * Limits of the public endpoints that cost CPU (verification, the recognition lookup, the printable report): a
 * per-client rate limit for each (`express-rate-limit`, in memory) and one node-wide bound on how many of them run
 * at once, with a short queue. Over a limit the answer is 429 rate_limited or 503 busy, both problem+json with
 * Retry-After, through the error mapping of node/http/problem.ts. Values come from the config (node/config.ts).
 * Must never decide anything about the request itself, nor keep a queued request once its client has gone, nor
 * free a slot before the work in it has ended.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { userError } from '../core/messages/index.js';
import type { PublicLimits } from '../config.js';

/** A per-client rate limit: `limit` requests per `windowMs`, then 429 with Retry-After and RateLimit headers. */
export function perClientRate(limit: number, windowMs: number, what: string): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // the client's address as express derives it (trust proxy: loopback, so a local reverse proxy's X-Forwarded-For)
    handler: (_req, res, next) => {
      const retryAfterSeconds = Number(res.getHeader('Retry-After')) || Math.ceil(windowMs / 1000);
      next(userError('rate_limited', 'http.rateLimited', { limit, window: Math.round(windowMs / 1000), seconds: retryAfterSeconds }, { retryAfterSeconds, what }));
    },
  }) as unknown as RequestHandler;
}

/**
 * At most `concurrent` requests through the gate at once, node-wide; up to `queue` more wait (first come, first
 * served) for at most `queueWaitMs`. A request that finds the queue full, or waits too long, gets 503 busy with
 * Retry-After. A queued request whose client disconnects leaves the queue; an admitted one keeps its slot until its
 * handler has ended the response (a client that hangs up does not stop the work, so it must not free the slot).
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: { admit: () => void; drop: () => void }[] = [];

  constructor(private readonly limits: Pick<PublicLimits, 'concurrent' | 'queue' | 'queueWaitMs'>) {}

  /** Requests being worked on and requests waiting (for status and tests). */
  get stats(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  middleware(): RequestHandler {
    const retryAfterSeconds = Math.max(1, Math.ceil(this.limits.queueWaitMs / 1000));
    const busy = (why: string) => userError('busy', 'http.busy', { seconds: retryAfterSeconds }, { retryAfterSeconds, why });
    return (_req, res, next) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        this.next();
      };
      const enter = () => {
        this.active++;
        // the slot is held until the handler ends its response, even if the client has gone meanwhile (its work
        // goes on, so letting it go would let clients that hang up escape the bound): ending the response (res.end,
        // also on a closed socket) or 'finish' frees it; a 'close' frees it only once headers were sent (the
        // handler is answering, or the error handler gave up on a response already started)
        const end = res.end;
        res.end = function (this: typeof res, ...args: Parameters<typeof res.end>) {
          release();
          return end.apply(this, args);
        } as typeof res.end;
        res.once('finish', release);
        res.once('close', () => {
          if (res.headersSent) release();
        });
        next();
      };
      if (this.active < this.limits.concurrent && this.waiting.length === 0) return enter();
      if (this.waiting.length >= this.limits.queue) return next(busy('the queue is full'));
      const waiter = {
        admit: () => {
          cleanup();
          enter();
        },
        drop: () => {
          cleanup();
          next(busy(`no slot within ${this.limits.queueWaitMs} ms`));
        },
      };
      // the client went away while waiting: leave the queue (a response's 'close' before it is sent means that)
      const gone = () => cleanup();
      const timer = setTimeout(() => waiter.drop(), this.limits.queueWaitMs);
      timer.unref?.();
      const cleanup = () => {
        clearTimeout(timer);
        res.off('close', gone);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      res.once('close', gone);
      this.waiting.push(waiter);
    };
  }

  private next(): void {
    while (this.active < this.limits.concurrent && this.waiting.length > 0) {
      const w = this.waiting[0]!;
      w.admit(); // removes itself from the queue; enters unless its client has gone
    }
  }
}

/** What the limited endpoints may also answer, for their OpenAPI operations. */
export const LIMIT_RESPONSES: Record<string, string> = {
  '429': 'rate_limited: too many requests from this client in the window (problem+json; Retry-After, RateLimit and RateLimit-Policy headers)',
  '503': 'busy: the node is working on as many of these requests as it allows and its queue is full or was too slow (problem+json; Retry-After)',
};

/**
 * The middlewares for one public endpoint: its per-client rate (before any body is read), then `readBody` (the
 * body parsers, with their size caps), then the shared concurrency gate: a slow body waits on its own socket, never
 * in a slot or a queue place.
 */
export interface PublicLimiters {
  verify: RequestHandler[];
  lookup: RequestHandler[];
  report: RequestHandler[];
  /** A learner's claim link and share page (each verifies the credential). */
  claim: RequestHandler[];
  gate: ConcurrencyGate;
}

export function publicLimiters(l: PublicLimits, readBody: readonly RequestHandler[] = []): PublicLimiters {
  const gate = new ConcurrencyGate(l);
  const g = gate.middleware();
  return {
    verify: [perClientRate(l.verify, l.windowMs, 'verification'), ...readBody, g],
    lookup: [perClientRate(l.lookup, l.windowMs, 'recognition lookup'), ...readBody, g],
    report: [perClientRate(l.report, l.windowMs, 'recognition report'), ...readBody, g],
    claim: [perClientRate(l.claim, l.windowMs, 'claim link'), ...readBody, g],
    gate,
  };
}
