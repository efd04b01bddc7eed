/**
 * Structured logger: JSON lines through pino, on stderr by default (or to a `write` function: tests), one object per
 * line with `level` (its name), `time` (ISO 8601), `pid`, `msg` and the given fields. No global instance: it is
 * passed to services, which see only the `Logger` interface below (never pino itself). Must never throw on a bad
 * field value nor write anything but one JSON object per line.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

function wrap(p: PinoLogger): Logger {
  return {
    debug: (m, f) => (f ? p.debug(f, m) : p.debug(m)),
    info: (m, f) => (f ? p.info(f, m) : p.info(m)),
    warn: (m, f) => (f ? p.warn(f, m) : p.warn(m)),
    error: (m, f) => (f ? p.error(f, m) : p.error(m)),
    child: (f) => wrap(p.child(f)),
  };
}

/**
 * A logger at `level` (lower levels dropped), with `base` fields on every line. `write` receives each line without its
 * newline; without it, lines go to stderr synchronously (nothing is lost when the process exits right after).
 */
export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, write?: (line: string) => void): Logger {
  const dest: DestinationStream = write ? { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) } : pino.destination({ dest: 2, sync: true });
  const p = pino(
    {
      level: isLogLevel(level) ? level : 'info',
      base: { pid: process.pid, ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
  return wrap(p);
}

export const silentLogger: Logger = createLogger('silent');
