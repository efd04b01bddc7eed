import { describe, expect, it } from 'vitest';
import canonicalizeImport from 'canonicalize';
import { canonicalJson } from '../../node/core/canonical.js';

const reference = canonicalizeImport as unknown as (v: unknown) => string | undefined;

/** Deterministic pseudo-random JSON values, keys in random order, with the awkward cases JCS cares about. */
function* values(seed: number, n: number): Generator<unknown> {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const strings = ['', 'a', 'é', 'Ω', '\u2028', '\ud800', '"\\\n', '😀', 'z', 'A', '10', '9', '__proto_', 'ñandú'];
  const numbers = [0, -0, 1, -1, 1e21, 1e-7, 0.1 + 0.2, 123456789.125, Number.MAX_SAFE_INTEGER, 5e-324];
  const gen = (d: number): unknown => {
    const r = rnd();
    if (d > 3 || r < 0.35) {
      const p = rnd();
      if (p < 0.4) return strings[Math.floor(rnd() * strings.length)];
      if (p < 0.8) return numbers[Math.floor(rnd() * numbers.length)];
      return p < 0.9 ? rnd() < 0.5 : null;
    }
    if (r < 0.55) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(d + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rnd() * 5); i > 0; i--) o[strings[Math.floor(rnd() * strings.length)]! + String(Math.floor(rnd() * 3))] = gen(d + 1);
    return o;
  };
  for (let i = 0; i < n; i++) yield gen(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('equals the reference implementation on random data, sorted or not, and on its own output re-parsed', () => {
    let n = 0;
    for (const v of values(7, 3000)) {
      const want = reference(v)!;
      expect(canonicalJson(v)).toBe(want);
      // already-canonical data (the fast path)
      expect(canonicalJson(JSON.parse(want))).toBe(want);
      n++;
    }
    expect(n).toBe(3000);
  });

  it('handles the cases where JSON.stringify alone would be wrong', () => {
    // integer-like keys: V8 enumerates them first in numeric order, JCS sorts them as strings
    expect(canonicalJson({ '9': 1, '10': 2, a: 3 })).toBe('{"10":2,"9":1,"a":3}');
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ a: new Date(0) })).toBe('{"a":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson({ toJSON: () => ({ z: 1, y: 2 }) })).toBe('{"y":2,"z":1}');
    expect(canonicalJson([1, undefined, 3])).toBe('[1,null,3]');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson({ s: '\ud800é' })).toBe('{"s":"\\ud800é"}');
    expect(() => canonicalJson({ a: NaN })).toThrow();
    expect(() => canonicalJson(Infinity)).toThrow();
  });
});
