import pino from 'pino';
import { FakeClock } from '../shared/clock';
import { STATS_PERIOD_MS, StatsCollector, usageNanoCores } from './stats';
import { FakeRuntime } from './runtime/fake';
import { ContainerStats, INFRA_NAME, LABELS } from './runtime/interface';

/** A fake runtime with `n` running pods (sandbox and app container each) whose stats calls wait to be answered. */
function setUp(n: number) {
  const clock = new FakeClock(0);
  const runtime = new FakeRuntime(clock);
  for (let i = 0; i < n; i++)
    for (const name of [INFRA_NAME, 'app'])
      void runtime.runContainer('', {
        name,
        image: 'busybox',
        env: [],
        mounts: [],
        labels: {
          [LABELS.podUid]: `u${i}`,
          [LABELS.podName]: `pod-${i}`,
          [LABELS.podNamespace]: 'default',
          [LABELS.containerName]: name,
          [LABELS.restartCount]: '0',
          [LABELS.nodeName]: 'node-1',
        },
      });
  const asked: string[] = [];
  const waiting: (() => void)[] = [];
  const engine = {
    stats: (id: string) => (asked.push(id), new Promise<ContainerStats>((resolve) => waiting.push(() => resolve(runtime.stats())))),
  };
  const pods = { containers: () => [...runtime.containers.values()], podsStarting: () => false };
  const collector = new StatsCollector('node-1', engine, pods, 2, clock, pino({ level: 'silent' }));
  /** Answers every stats call waiting, and lets the collector go on. */
  const answer = async () => {
    waiting.splice(0).forEach((resolve) => resolve());
    await settle();
  };
  /** Moves the fake clock on in half-second steps (each wait the collector starts is a timer set after the last), letting the collector go on. */
  const step = async (ms: number) => {
    for (let left = ms; left > 0; left -= 500) {
      clock.step(Math.min(500, left));
      await settle();
    }
  };
  return { pods, collector, asked, answer, step };
}

/** Lets the promise callbacks queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StatsCollector', () => {
  it('samples every running app container in one round, the sandboxes not', async () => {
    const { collector, asked, answer } = setUp(3);
    const round = collector.collect();
    await settle();
    expect(asked).toHaveLength(3); // at once: the engine's stats collector answers them in one pass
    await answer();
    await round;
    const pods = collector.summary().pods;
    expect(pods.map((p) => [p.podRef.name, p.containers.map((c) => c.name)])).toEqual([
      ['pod-0', ['app']],
      ['pod-1', ['app']],
      ['pod-2', ['app']],
    ]);
  });

  it('starts the next round a period after the last one ended, however long that took', async () => {
    const { collector, asked, answer, step } = setUp(1);
    const stop = new AbortController();
    const running = collector.run(stop.signal);
    await settle();
    expect(asked).toHaveLength(1);
    await step(3 * STATS_PERIOD_MS); // a slow engine: no second round starts beside the first
    expect(asked).toHaveLength(1);
    await answer();
    await step(STATS_PERIOD_MS - 1);
    expect(asked).toHaveLength(1);
    await step(1);
    expect(asked).toHaveLength(2);
    await answer();
    stop.abort(); // during the wait: the loop ends
    await running;
  });

  it('holds a round that falls due while pods are being started, at most one period more', async () => {
    const { pods, collector, asked, answer, step } = setUp(1);
    const stop = new AbortController();
    const running = collector.run(stop.signal);
    await answer();
    pods.podsStarting = () => true;
    await step(STATS_PERIOD_MS);
    expect(asked).toHaveLength(1);
    await step(STATS_PERIOD_MS - 1);
    expect(asked).toHaveLength(1);
    await step(1); // pods are still being started, but the samples are two periods old
    expect(asked).toHaveLength(2);
    await answer();
    await step(STATS_PERIOD_MS + 1000);
    expect(asked).toHaveLength(2);
    pods.podsStarting = () => false; // the pods are started: the round goes at the next look
    await step(500);
    expect(asked).toHaveLength(3);
    await answer();
    stop.abort();
    await running;
  });
});

describe('usageNanoCores', () => {
  it('is the CPU time used between two samples over the time between them', () => {
    const previous = { timestampMs: 10_000, usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    const current = { timestampMs: 15_000, usageCoreNanoSeconds: 3.5e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, previous)).toBe(0.5e9);
  });

  it('with no earlier sample, is the average since the container started', () => {
    const current = { timestampMs: Date.parse('2026-12-03T10:00:04Z'), usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, undefined, '2026-12-03T10:00:00Z')).toBe(0.25e9);
  });

  it('is 0 when nothing can be said: no start time, no time passed, or a counter that went back', () => {
    const current = { timestampMs: 5_000, usageCoreNanoSeconds: 1e9, workingSetBytes: 0 };
    expect(usageNanoCores(current, undefined)).toBe(0);
    expect(usageNanoCores(current, current)).toBe(0);
    expect(usageNanoCores(current, { timestampMs: 1_000, usageCoreNanoSeconds: 2e9, workingSetBytes: 0 })).toBe(0);
  });
});
