import type { Pod } from '../shared/api/core';
import { FakeClock } from '../shared/clock';
import { podStartDuration, PodStartupLatencyTracker, podWorkerStartDuration, PodWorkerStartTracker } from './metrics';

const CREATED = Date.parse('2024-01-01T00:00:00Z');

function pod(uid: string, running: boolean): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: uid, namespace: 'default', uid, creationTimestamp: new Date(CREATED).toISOString() },
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
    status: {
      containerStatuses: [{ name: 'app', state: running ? { running: { startedAt: '' } } : { waiting: { reason: 'ContainerCreating' } } }],
    },
  } as Pod;
}

async function observations(): Promise<{ count: number; sum: number }> {
  const { values } = await podStartDuration.get();
  const series = (s: string) => values.find((v) => v.metricName === `kubelet_pod_start_duration_seconds_${s}`)?.value ?? 0;
  return { count: series('count'), sum: series('sum') };
}

describe('PodStartupLatencyTracker', () => {
  beforeEach(() => podStartDuration.reset());

  it('observes once, from creation until every container runs', async () => {
    const clock = new FakeClock(CREATED + 1000);
    const tracker = new PodStartupLatencyTracker(clock);
    tracker.observedPodOnWatch(pod('a', false));
    clock.step(2000);
    tracker.observedPodOnWatch(pod('a', true));
    clock.step(5000);
    tracker.observedPodOnWatch(pod('a', true));
    expect(await observations()).toEqual({ count: 1, sum: 3 });
  });

  it('does not observe a pod already running when first seen (adopted after a restart)', async () => {
    const tracker = new PodStartupLatencyTracker(new FakeClock(CREATED + 60_000));
    tracker.observedPodOnWatch(pod('b', true));
    expect(await observations()).toEqual({ count: 0, sum: 0 });
  });
});

describe('PodWorkerStartTracker', () => {
  beforeEach(() => podWorkerStartDuration.reset());

  const observed = async () => {
    const { values } = await podWorkerStartDuration.get();
    const series = (s: string) => values.find((v) => v.metricName === `kubelet_pod_worker_start_duration_seconds_${s}`)?.value ?? 0;
    return { count: series('count'), sum: series('sum') };
  };

  it("observes once per pod, from the kubelet's first sight to its first sync", async () => {
    const clock = new FakeClock(CREATED);
    const tracker = new PodWorkerStartTracker(clock);
    tracker.podSeen('a');
    clock.step(250);
    tracker.podSeen('a'); // a later event of the same pod does not move its first sight
    clock.step(250);
    expect(tracker.workerStarted('a')).toBe(true);
    clock.step(1000);
    expect(tracker.workerStarted('a')).toBe(false);
    expect(await observed()).toEqual({ count: 1, sum: 0.5 });
  });

  it('does not observe a pod deleted before its first sync', async () => {
    const tracker = new PodWorkerStartTracker(new FakeClock(CREATED));
    tracker.podSeen('b');
    tracker.forget('b');
    expect(tracker.workerStarted('b')).toBe(false);
    expect(await observed()).toEqual({ count: 0, sum: 0 });
  });
});
