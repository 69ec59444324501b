// Init containers and sidecars: what computePodActions starts, kills and backs off at each step of a
// pod's initialization, and the status the kubelet reports meanwhile (which `kubectl get pods` prints as
// Init:0/2, Init:Error, Init:CrashLoopBackOff, PodInitializing: apiserver/printers/printers.test.ts).
import type { Container, Pod } from '../shared/api/core';
import { Backoff } from './backoff';
import { groupByPod, PodRuntime } from './podruntime';
import type { WaitingReason } from './reasoncache';
import type { RuntimeContainer } from './runtime/interface';
import { generatePodStatus } from './status';
import { computePodActions, PodActions, SyncContext } from './syncpod';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

const init1: Container = { name: 'init-1', image: 'busybox' };
const init2: Container = { name: 'init-2', image: 'busybox' };
const sidecar: Container = { name: 'side', image: 'busybox', restartPolicy: 'Always' };

const pod = (initContainers: Container[], restartPolicy: RestartPolicy = 'Always'): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', creationTimestamp: iso(0) },
  spec: { restartPolicy, initContainers, containers: [{ name: 'app', image: 'busybox' }] },
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
  startedAt: iso(0),
  image: 'busybox',
  imageID: 'sha256:abc',
  ...(state === 'exited' ? { finishedAt: iso(1000) } : {}),
  ...extra,
});
const ok = (name: string, extra: Partial<RuntimeContainer> = {}) => ctr(name, 'exited', { exitCode: 0, ...extra });
const failed = (name: string, extra: Partial<RuntimeContainer> = {}) => ctr(name, 'exited', { exitCode: 1, ...extra });
const running = (name: string, extra: Partial<RuntimeContainer> = {}) => ctr(name, 'running', extra);

const rt = (...cs: RuntimeContainer[]): PodRuntime => groupByPod([ctr('POD', 'running', { ip: '10.244.1.2' }), ...cs]).get('u1')!;

function actions(p: Pod, r: PodRuntime, opts: { now?: number; unhealthy?: string[]; notStarted?: string[]; backoff?: Backoff } = {}) {
  const now = T0 + (opts.now ?? 2000);
  const backoff = opts.backoff ?? new Backoff();
  const ctx: SyncContext = {
    now,
    unhealthy: new Set(opts.unhealthy ?? []),
    started: (_c, id) => !(opts.notStarted ?? []).includes(id),
    backOffUntil: (name, finishedAt) => backoff.backOffSince(`u1/${name}`, finishedAt, now),
  };
  return computePodActions(p, r, ctx);
}
const names = (a: PodActions) => ({ init: a.startInit.map((c) => c.name), app: a.start.map((c) => c.name) });

describe('computePodActions with init containers', () => {
  it('runs the init containers one at a time, in order, then starts the app containers', () => {
    const p = pod([init1, init2]);
    const fresh = actions(p, { sandboxes: [], containers: new Map() });
    expect(fresh.createSandbox).toBe(true);
    expect(names(fresh)).toEqual({ init: ['init-1'], app: [] });
    expect(names(actions(p, rt(running('init-1'))))).toEqual({ init: [], app: [] });
    expect(names(actions(p, rt(ok('init-1'))))).toEqual({ init: ['init-2'], app: [] });
    expect(names(actions(p, rt(ok('init-1'), running('init-2'))))).toEqual({ init: [], app: [] });
    expect(names(actions(p, rt(ok('init-1'), ok('init-2'))))).toEqual({ init: [], app: ['app'] });
  });

  it('does not run init containers again once an app container runs, even when their attempts are gone', () => {
    expect(names(actions(pod([init1, init2]), rt(running('app'))))).toEqual({ init: [], app: [] });
  });

  it('runs a failed init container again unless restartPolicy is Never, which ends the pod', () => {
    for (const policy of ['Always', 'OnFailure'] as const)
      expect(names(actions(pod([init1, init2], policy), rt(failed('init-1'))))).toEqual({ init: ['init-1'], app: [] });
    const never = actions(pod([init1, init2], 'Never'), rt(failed('init-1')));
    expect(names(never)).toEqual({ init: [], app: [] });
    expect(never.killPod).toBe(false); // nothing runs any more
    const deadSandbox = groupByPod([ctr('POD', 'exited'), failed('init-1')]).get('u1')!;
    expect(actions(pod([init1], 'Never'), deadSandbox).createSandbox).toBe(false);
  });

  it('backs off an init container that keeps failing', () => {
    const backoff = new Backoff();
    backoff.next('u1/init-1', T0); // it was restarted once already
    const a = actions(pod([init1]), rt(failed('init-1', { attempt: 1 })), { now: 2000, backoff });
    expect(names(a)).toEqual({ init: [], app: [] });
    expect(a.backoff).toEqual([{ name: 'init-1', until: T0 + 11_000 }]);
  });

  it('starts the next init container once a sidecar has started, and keeps the sidecar running with the app', () => {
    const p = pod([sidecar, init2]);
    expect(names(actions(p, rt(running('side')), { notStarted: ['side-0'] }))).toEqual({ init: [], app: [] });
    expect(names(actions(p, rt(running('side'))))).toEqual({ init: ['init-2'], app: [] });
    expect(names(actions(p, rt(running('side'), ok('init-2'))))).toEqual({ init: [], app: ['app'] });
    expect(names(actions(p, rt(running('side'), ok('init-2'), running('app'))))).toEqual({ init: [], app: [] });
  });

  it('restarts a sidecar that exits, whatever the restartPolicy, and kills one whose probe failed', () => {
    for (const policy of ['Always', 'OnFailure', 'Never'] as const)
      expect(names(actions(pod([sidecar], policy), rt(ok('side'), running('app'))))).toEqual({ init: ['side'], app: [] });
    const unhealthy = actions(pod([sidecar]), rt(running('side'), running('app')), { unhealthy: ['side-0'] });
    expect(unhealthy.kill.map((k) => k.container.id)).toEqual(['side-0']);
    const startupFailed = actions(pod([sidecar, init2]), rt(running('side')), { unhealthy: ['side-0'], notStarted: ['side-0'] });
    expect(startupFailed.kill.map((k) => k.container.id)).toEqual(['side-0']);
    expect(names(startupFailed)).toEqual({ init: [], app: [] });
  });

  it('stops the sidecars once the app containers have finished for good', () => {
    expect(actions(pod([sidecar], 'Never'), rt(running('side'), ok('app'))).killPod).toBe(true);
    expect(actions(pod([sidecar], 'OnFailure'), rt(running('side'), ok('app'))).killPod).toBe(true);
    expect(actions(pod([sidecar], 'OnFailure'), rt(running('side'), failed('app'))).killPod).toBe(false);
  });
});

function status(p: Pod, r: PodRuntime, waiting: Record<string, WaitingReason> = {}) {
  return generatePodStatus(p, r, {
    hostIP: '10.0.0.1',
    now: T0 + 2000,
    waiting: new Map(Object.entries(waiting)),
    ready: () => true,
    started: () => true,
  });
}
/** Each container's state as `name:state[:reason]`, init containers first. */
const states = (p: Pod, r: PodRuntime, waiting: Record<string, WaitingReason> = {}) => {
  const s = status(p, r, waiting);
  return [...(s.initContainerStatuses ?? []), ...s.containerStatuses!].map((c) => {
    const [state, detail] = Object.entries(c.state!)[0] as [string, { reason?: string }];
    return [c.name, state, detail.reason].filter(Boolean).join(':');
  });
};

describe('pod status with init containers', () => {
  it('shows every container waiting as PodInitializing until it runs, and completed init containers as Completed', () => {
    const p = pod([init1, init2]);
    expect(states(p, rt())).toEqual(['init-1:waiting:PodInitializing', 'init-2:waiting:PodInitializing', 'app:waiting:PodInitializing']);
    expect(states(p, rt(ok('init-1'), running('init-2')))).toEqual([
      'init-1:terminated:Completed',
      'init-2:running',
      'app:waiting:PodInitializing',
    ]);
    expect(states(p, rt(ok('init-1'), ok('init-2'), running('app')))).toEqual([
      'init-1:terminated:Completed',
      'init-2:terminated:Completed',
      'app:running',
    ]);
  });

  it('keeps the pod Pending and not Initialized until the last init container completed', () => {
    const s = status(pod([init1, init2]), rt(running('init-1')));
    expect(s.phase).toBe('Pending');
    expect(s.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init-1 init-2]',
    });
    expect(s.initContainerStatuses!.map((c) => Object.keys(c.state!)[0])).toEqual(['running', 'waiting']);
    expect(s.initContainerStatuses![1].state!.waiting!.reason).toBe('PodInitializing');
    expect(s.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    const done = status(pod([init1, init2]), rt(ok('init-1'), ok('init-2'), running('app')));
    expect(done.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('True');
    expect(done.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('fails the pod when an init container fails under restartPolicy Never: it stays terminated with Error', () => {
    const p = pod([init1, init2], 'Never');
    expect(status(p, rt(failed('init-1'))).phase).toBe('Failed');
    expect(states(p, rt(failed('init-1')))).toEqual([
      'init-1:terminated:Error',
      'init-2:waiting:PodInitializing',
      'app:waiting:PodInitializing',
    ]);
  });

  it('shows a failed init container as Error until it is restarted or waits in CrashLoopBackOff, the pod Pending', () => {
    const p = pod([init1, init2]);
    const r = rt(failed('init-1', { attempt: 2 }), failed('init-1', { attempt: 1 }));
    expect(states(p, r)[0]).toBe('init-1:terminated:Error');
    const s = status(p, r, { 'init-1': { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses![0]).toMatchObject({
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
    });
  });

  it('reports a started sidecar ready and running, and the pod Running with its app containers', () => {
    const p = pod([sidecar]);
    const s = status(p, rt(running('side'), running('app')));
    expect(s.initContainerStatuses![0]).toMatchObject({ name: 'side', ready: true, started: true, state: { running: {} } });
    expect(s.phase).toBe('Running');
    expect(s.conditions!.filter((c) => c.status === 'True').map((c) => c.type)).toEqual([
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ]);
    expect(status(p, rt(running('side'))).phase).toBe('Pending');
  });
});
