import { FakeClock } from './clock';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter } from './ratelimiter';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from the base delay per failure of an item, and starts over once forgotten', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1000);
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('b')]).toEqual([5, 10, 20, 5]);
    expect(l.numRequeues('a')).toBe(3);
    l.forget('a');
    expect([l.numRequeues('a'), l.when('a')]).toEqual([0, 5]);
  });

  it('caps the delay at the maximum', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 100);
    const delays = Array.from({ length: 30 }, () => l.when('c')); // 5 * 2^29 ms without the cap
    expect(delays.slice(0, 6)).toEqual([5, 10, 20, 40, 80, 100]);
    expect(delays[29]).toBe(100);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces items at 1/qps, refilling as time passes', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(10, 2, clock);
    expect([l.when(), l.when(), l.when(), l.when()]).toEqual([0, 0, 100, 200]);
    clock.step(1000); // refills 10 tokens, capped at the burst of 2, minus the 2 owed
    expect(l.when()).toBe(0);
  });
});

describe('MaxOfRateLimiter', () => {
  it('waits for the slowest limiter and forgets in all of them', () => {
    const clock = new FakeClock();
    const l = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1000), new BucketRateLimiter(10, 1, clock));
    expect(l.when('a')).toBe(5); // the bucket had a token; the per-item back-off is slower
    expect(l.when('b')).toBe(100); // the bucket is empty: slower than b's 5 ms
    expect(l.numRequeues('a')).toBe(1);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('is what controllers use by default: 5 ms per item under a 10 qps bucket with a burst of 100', () => {
    const l = defaultControllerRateLimiter(new FakeClock());
    const delays = Array.from({ length: 101 }, (_, i) => l.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBe(100);
  });
});
