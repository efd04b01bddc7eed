import { describe, expect, it } from 'vitest';
import { createLogger } from '../../node/core/logger.js';
import { loadConfig } from '../../node/config.js';

describe('logger (pino, JSON lines)', () => {
  it('writes a warn line as one JSON object with level, msg, time and the fields', () => {
    const lines: string[] = [];
    const log = createLogger('info', { unit: 'test' }, (l) => lines.push(l));
    log.debug('below the level');
    log.warn('dial failed', { peer: '12D3KooW', error: 'ECONNREFUSED' });
    log.child({ part: 'replication' }).error('round failed');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toContain('\n');
    const warn = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(warn).toMatchObject({ level: 'warn', msg: 'dial failed', unit: 'test', peer: '12D3KooW', error: 'ECONNREFUSED' });
    expect(new Date(warn.time as string).toISOString()).toBe(warn.time);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'error', msg: 'round failed', unit: 'test', part: 'replication' });
  });

  it('drops everything at silent, and the level comes from the config (an unknown one is refused)', () => {
    const lines: string[] = [];
    createLogger('silent', {}, (l) => lines.push(l)).error('nothing');
    expect(lines).toEqual([]);
    expect(loadConfig('/nonexistent-mochila', {}, { MOCHILA_LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
    expect(() => loadConfig('/nonexistent-mochila', {}, { MOCHILA_LOG_LEVEL: 'verbose' })).toThrow(/invalid log level/);
  });
});
