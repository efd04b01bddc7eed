/**
 * Limits of the public endpoints that cost CPU (verification, the recognition lookup, the printable report): a
 * per-client rate limit for each (`express-rate-limit`, in memory) and one node-wide bound on how many of them run
 * at once, with a short queue. Over a limit the answer is 429 rate_limited or 503 busy, both problem+json with
 * Retry-After, through the error mapping of node/http/problem.ts. Values come from the config (node/config.ts).
 * Must never decide anything about the request itself, nor hold a request once its client has gone.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RegistryError } from '../core/errors.js';
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
      next(new RegistryError('rate_limited', `Too many ${what} requests from this client: at most ${limit} every ${Math.round(windowMs / 1000)} s. Retry after ${retryAfterSeconds} s.`, { retryAfterSeconds }));
    },
  }) as unknown as RequestHandler;
}

/**
 * At most `concurrent` requests through the gate at once, node-wide; up to `queue` more wait (first come, first
 * served) for at most `queueWaitMs`. A request that finds the queue full, or waits too long, gets 503 busy with
 * Retry-After. A slot is freed when the response is finished or the client disconnects.
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
    const busy = (why: string) => new RegistryError('busy', `This node is busy verifying other requests (${why}). Retry after ${retryAfterSeconds} s.`, { retryAfterSeconds });
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
        res.once('finish', release);
        res.once('close', release);
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

/** The middlewares for one public endpoint: its per-client rate, then the shared concurrency gate. */
export interface PublicLimiters {
  verify: RequestHandler[];
  lookup: RequestHandler[];
  report: RequestHandler[];
  gate: ConcurrencyGate;
}

export function publicLimiters(l: PublicLimits): PublicLimiters {
  const gate = new ConcurrencyGate(l);
  const g = gate.middleware();
  return {
    verify: [perClientRate(l.verify, l.windowMs, 'verification'), g],
    lookup: [perClientRate(l.lookup, l.windowMs, 'recognition lookup'), g],
    report: [perClientRate(l.report, l.windowMs, 'recognition report'), g],
    gate,
  };
}
