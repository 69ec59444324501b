import { Registry } from 'prom-client';
import { FakeClock } from './clock';
import { RateLimitingQueue, WorkqueueMetrics } from './workqueue';

/** A series of a metric: the metric's own, or e.g. `<histogram>_sum`. */
async function sample(registry: Registry, name: string, series = name): Promise<number | undefined> {
  const { values } = await registry.getSingleMetric(name)!.get();
  return values.find((v) => ((v as { metricName?: string }).metricName ?? name) === series)?.value;
}

describe('workqueue metrics', () => {
  it('reports depth, adds, work duration and retries of a named queue, as client-go does', async () => {
    const registry = new Registry();
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock, name: 'test', metrics: new WorkqueueMetrics(registry) });
    q.add('a');
    q.add('b');
    q.add('a'); // collapsed: not an add
    expect(await sample(registry, 'workqueue_depth')).toBe(2);
    expect(await sample(registry, 'workqueue_adds_total')).toBe(2);
    const key = await q.get();
    expect(await sample(registry, 'workqueue_depth')).toBe(1);
    clock.step(250);
    q.addRateLimited(key!);
    q.done(key!);
    expect(await sample(registry, 'workqueue_retries_total')).toBe(1);
    expect(await sample(registry, 'workqueue_work_duration_seconds', 'workqueue_work_duration_seconds_sum')).toBe(0.25);
  });

  it('creates the series of a named queue at zero', async () => {
    const registry = new Registry();
    new RateLimitingQueue({ clock: new FakeClock(), name: 'test', metrics: new WorkqueueMetrics(registry) });
    expect(await sample(registry, 'workqueue_depth')).toBe(0);
    expect(await sample(registry, 'workqueue_adds_total')).toBe(0);
    expect(await sample(registry, 'workqueue_work_duration_seconds', 'workqueue_work_duration_seconds_count')).toBe(0);
  });

  it('reports nothing for an unnamed queue', async () => {
    const registry = new Registry();
    const q = new RateLimitingQueue({ clock: new FakeClock(), metrics: new WorkqueueMetrics(registry) });
    q.add('a');
    expect((await registry.getMetricsAsJSON()).flatMap((m) => m.values)).toEqual([]);
  });
});
