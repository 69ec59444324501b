import { FakeClock } from './clock';
import { ItemExponentialFailureRateLimiter } from './ratelimiter';
import { RateLimitingQueue, runWorkers } from './workqueue';
import { newLogger } from './log';

const flush = () => new Promise((r) => setImmediate(r));

describe('RateLimitingQueue', () => {
  it('collapses bursts of the same key', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key to two workers, and re-runs a key added while it was processed', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    q.add('a'); // while processing
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flush();
    expect(second).toBeUndefined();
    q.done(first!);
    await flush();
    expect(second).toBe('a');
  });

  it('waits as its rate limiter says before re-adding a failed key, and an earlier pending wait wins', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    q.addRateLimited('a');
    q.addRateLimited('a'); // 10 ms, later than the pending 5 ms: the earlier one wins
    clock.step(4);
    expect(q.len()).toBe(0);
    clock.step(1);
    expect(q.len()).toBe(1);
    expect(q.numRequeues('a')).toBe(2);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
  });

  it('uses the controller rate limiter by default: the token bucket delays a burst of failures', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    for (let i = 0; i < 101; i++) q.addRateLimited(`k${i}`); // 100 tokens, then 100 ms for the next at 10 qps
    clock.step(5);
    expect(q.len()).toBe(100);
    clock.step(94);
    expect(q.len()).toBe(100);
    clock.step(1);
    expect(q.len()).toBe(101);
  });

  it('runWorkers retries a failing sync with back-off and stops on shutDown', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    const calls: string[] = [];
    let fail = true;
    const done = runWorkers(
      q,
      2,
      async (key) => {
        calls.push(key);
        if (fail) {
          fail = false;
          throw new Error('transient');
        }
      },
      newLogger('test').child({ level: 'silent' }),
    );
    q.add('k');
    await flush();
    expect(calls).toEqual(['k']);
    clock.step(5);
    await flush();
    expect(calls).toEqual(['k', 'k']);
    expect(q.numRequeues('k')).toBe(0);
    q.shutDown();
    await done;
  });
});
