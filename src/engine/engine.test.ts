import { describe, expect, it } from 'vitest';
import { testEngine } from './testing.ts';

describe('engine core on the software adapter', () => {
  it('uploads, copies and reads back in command order', async () => {
    const e = await testEngine();
    const a = e.fromArray([1, 2, 3, 4, 5], [5], 'a');
    const b = e.zeros([5], 'b');
    e.copy(a, b);
    e.write(a, [9, 9, 9, 9, 9]); // must land after the copy above
    const [ra, rb] = await e.readMany([a, b]);
    expect(Array.from(ra)).toEqual([9, 9, 9, 9, 9]);
    expect(Array.from(rb)).toEqual([1, 2, 3, 4, 5]);
    a.dispose();
    b.dispose();
  });

  it('sums gradient contributions with addInto over more than one workgroup', async () => {
    const e = await testEngine();
    const n = 1000;
    const acc = e.fromArray(Array.from({ length: n }, (_, i) => i), [n]);
    const x = e.fromArray(Array.from({ length: n }, (_, i) => 2 * i), [n]);
    e.addInto(acc, x);
    const r = await acc.toArray();
    expect(r[999]).toBe(2997);
    expect(r[0]).toBe(0);
    acc.dispose();
    x.dispose();
  });

  it('tidy disposes intermediates and keeps what is returned; the pool accounts bytes', async () => {
    const e = await testEngine();
    const before = e.stats.liveBytes;
    const kept = e.tidy(() => {
      e.zeros([100]);
      e.zeros([50]);
      return e.zeros([10]);
    });
    expect(e.stats.liveBytes - before).toBe(40);
    kept.dispose();
    expect(e.stats.liveBytes).toBe(before);
    expect(e.stats.peakLiveBytes).toBeGreaterThanOrEqual(before + 640);
  });

  it('turns a GPU validation error into an error that names the op', async () => {
    const e = await testEngine();
    const t = e.zeros([4]);
    // binding 2 is missing: the accumulate kernel's bind group is invalid
    e.dispatch({ kernel: { name: 'accumulate', code: 'x', entry: 'nope' }, buffers: [t], workgroups: [1], label: 'broken op' });
    await expect(e.sync()).rejects.toThrow(/GPU validation error.*broken op/s);
    t.dispose();
  });
});
