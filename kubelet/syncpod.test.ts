import type { Pod } from '../shared/api/core';
import { Backoff } from './backoff';
import { groupByPod } from './podruntime';
import type { RuntimeContainer } from './runtime/interface';
import { generatePodStatus, podPhase } from './status';
import { computePodActions } from './syncpod';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', ...extra },
  spec: { restartPolicy, containers: [{ name: 'app', image: 'busybox' }] },
});

const ctr = (name: string, state: RuntimeContainer['state'], extra: Partial<RuntimeContainer> = {}): RuntimeContainer => ({
  id: `${name}-${extra.attempt ?? 0}`,
  name,
  podUid: 'u1',
  podName: 'web',
  podNamespace: 'default',
  attempt: 0,
  state,
  createdAt: iso(0),
  image: 'busybox',
  imageID: 'sha256:abc',
  ...extra,
});

const sandbox = (state: RuntimeContainer['state'] = 'running') => ctr('POD', state, { ip: '10.244.1.2' });
const rt = (...cs: RuntimeContainer[]) => groupByPod(cs).get('u1')!;
const ctx = (now = 0, unhealthy: string[] = [], backoff = new Backoff()) => ({
  now: T0 + now,
  unhealthy: new Set(unhealthy),
  started: () => true,
  backOffUntil: (n: string, f: number) => backoff.backOffSince(`u1/${n}`, f, T0 + now),
});

describe('computePodActions', () => {
  it('creates the sandbox and every container for a new pod', () => {
    const a = computePodActions(pod(), { sandboxes: [], containers: new Map() }, ctx());
    expect(a.createSandbox).toBe(true);
    expect(a.start.map((c) => c.name)).toEqual(['app']);
  });

  it('restarts a crashed container at once, then backs off 10 s, then 20 s', () => {
    const backoff = new Backoff();
    const crashed = (attempt: number, finished: number) =>
      rt(sandbox(), ctr('app', 'exited', { attempt, exitCode: 1, finishedAt: iso(finished) }));
    // The runtime manager counts each restart, from the time the previous attempt exited.
    const restarted = (finished: number) => backoff.next('u1/app', T0 + finished);
    expect(computePodActions(pod(), crashed(0, 0), ctx(1, [], backoff)).start).toHaveLength(1);
    restarted(0);
    const second = computePodActions(pod(), crashed(1, 1000), ctx(2000, [], backoff));
    expect(second.start).toHaveLength(0);
    expect(second.backoff).toEqual([{ name: 'app', until: T0 + 11_000 }]);
    expect(computePodActions(pod(), crashed(1, 1000), ctx(11_000, [], backoff)).start).toHaveLength(1);
    restarted(1000);
    expect(computePodActions(pod(), crashed(2, 12_000), ctx(13_000, [], backoff)).backoff).toEqual([{ name: 'app', until: T0 + 32_000 }]);
  });

  it('follows restartPolicy: OnFailure restarts only failures, Never restarts nothing', () => {
    const exited = (code: number) => rt(sandbox(), ctr('app', 'exited', { exitCode: code, finishedAt: iso(0) }));
    expect(computePodActions(pod('OnFailure'), exited(0), ctx(1)).start).toHaveLength(0);
    expect(computePodActions(pod('OnFailure'), exited(2), ctx(1)).start).toHaveLength(1);
    expect(computePodActions(pod('Never'), exited(2), ctx(1)).start).toHaveLength(0);
  });

  it('kills a running container whose liveness probe failed', () => {
    const a = computePodActions(pod(), rt(sandbox(), ctr('app', 'running')), ctx(0, ['app-0']));
    expect(a.kill.map((k) => k.container.id)).toEqual(['app-0']);
  });

  it('recreates a dead sandbox, but leaves a finished pod alone', () => {
    expect(computePodActions(pod(), rt(sandbox('exited'), ctr('app', 'exited', { exitCode: 137 })), ctx()).createSandbox).toBe(true);
    expect(computePodActions(pod('Never'), rt(sandbox('exited'), ctr('app', 'exited', { exitCode: 0 })), ctx()).createSandbox).toBe(false);
  });
});

describe('pod status', () => {
  const statusCtx = { hostIP: '127.0.0.1', now: T0, waiting: new Map(), ready: () => true, started: () => true };

  it('reports Running with the pod IP, docker container IDs and Ready conditions', () => {
    const s = generatePodStatus(pod(), rt(sandbox(), ctr('app', 'running', { startedAt: iso(0) })), statusCtx);
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('10.244.1.2');
    expect(s.containerStatuses![0]).toMatchObject({
      name: 'app',
      ready: true,
      restartCount: 0,
      containerID: 'docker://app-0',
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    });
    expect(s.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
  });

  it('reports CrashLoopBackOff with the last termination and the restart count', () => {
    const waiting = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s' }]]);
    const s = generatePodStatus(
      pod(),
      rt(
        sandbox(),
        ctr('app', 'exited', { attempt: 1, exitCode: 3, finishedAt: iso(5) }),
        ctr('app', 'exited', { attempt: 0, exitCode: 3 }),
      ),
      { ...statusCtx, waiting },
    );
    expect(s.containerStatuses![0]).toMatchObject({
      restartCount: 1,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
    });
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
  });

  it('derives the phase from the containers and the restart policy', () => {
    expect(podPhase(pod('Never'), rt(sandbox(), ctr('app', 'exited', { exitCode: 0 })))).toBe('Succeeded');
    expect(podPhase(pod('Never'), rt(sandbox(), ctr('app', 'exited', { exitCode: 1 })))).toBe('Failed');
    expect(podPhase(pod('OnFailure'), rt(sandbox(), ctr('app', 'exited', { exitCode: 1 })))).toBe('Running');
    expect(podPhase(pod(), { sandboxes: [], containers: new Map() })).toBe('Pending');
  });

  it('keeps lastTransitionTime of conditions that did not change', () => {
    const before = pod();
    before.status = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] };
    const s = generatePodStatus(before, rt(sandbox(), ctr('app', 'running')), statusCtx);
    expect(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
  });
});
