import { describe, expect, it } from 'vitest';
import { missingGcFlag, SINGLE_THREADED_GC_FLAG, singleThreadedGcRecommended } from '../../node/core/gc-mode.js';

describe('GC mode', () => {
  it('recommends the single-threaded GC on two cores or fewer, and notices when a process lacks it', () => {
    expect([1, 2, 3, 8].map((c) => singleThreadedGcRecommended(c))).toEqual([true, true, false, false]);
    expect(missingGcFlag([], 2)).toBe(true);
    expect(missingGcFlag([SINGLE_THREADED_GC_FLAG], 2)).toBe(false);
    expect(missingGcFlag([], 8)).toBe(false);
  });
});
