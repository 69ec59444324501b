import { PerUserLimit } from './limits';

describe('PerUserLimit', () => {
  it('bounds each user separately and frees slots on release', () => {
    const limit = new PerUserLimit(2);
    expect([limit.acquire('a'), limit.acquire('a'), limit.acquire('a')]).toEqual([true, true, false]);
    expect(limit.acquire('b')).toBe(true);
    limit.release('a');
    expect(limit.acquire('a')).toBe(true);
    expect(limit.acquire('a')).toBe(false);
  });
});
