import type { ContainerStatus, Pod, Service } from '../../shared/api/core';
import { humanDuration } from './age';
import { toTable, wantsTable } from './index';
import { podPrinter, podStatusReason } from '../registry/core/pods';
import { servicePrinter } from '../registry/core/services';

const now = new Date('2026-01-01T00:10:00Z');

const pod = (status: Pod['status'], extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z', ...extra },
  spec: {
    containers: [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ],
    nodeName: 'node-1',
  },
  status,
});

describe('tables', () => {
  it("recognises kubectl's Table Accept header", () => {
    expect(
      wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'),
    ).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
  });

  it('prints pods as NAME READY STATUS RESTARTS AGE with wide columns', () => {
    const t = toTable(
      podPrinter,
      [
        pod({
          phase: 'Running',
          podIP: '10.244.1.5',
          containerStatuses: [
            {
              name: 'a',
              ready: true,
              restartCount: 2,
              image: 'x',
              imageID: '',
              state: { running: {} },
              lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:09:30Z' } },
            },
            { name: 'b', ready: false, restartCount: 0, image: 'y', imageID: '', state: { running: {} } },
          ],
        }),
      ],
      { now },
    );
    expect(t.columnDefinitions.map((c) => c.name.toUpperCase())).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(t.columnDefinitions[0].format).toBe('name');
    expect(t.rows[0].cells).toEqual(['web', '1/2', 'Running', '2 (30s ago)', '10m', '10.244.1.5', 'node-1', '<none>', '<none>']);
    expect(t.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web' } });
  });

  it('shows container waiting reasons and Terminating, as kubectl does', () => {
    const waiting = {
      name: 'a',
      ready: false,
      restartCount: 3,
      image: 'x',
      imageID: '',
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    };
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: [waiting] }))).toBe('CrashLoopBackOff');
    expect(podStatusReason(pod({ phase: 'Running' }, { deletionTimestamp: '2026-01-01T00:10:00Z' }))).toBe('Terminating');
    const done = {
      name: 'a',
      ready: false,
      restartCount: 0,
      image: 'x',
      imageID: '',
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    };
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [done] }))).toBe('Completed');
  });

  describe('pods with init containers', () => {
    type State = NonNullable<ContainerStatus['state']>;
    const cs = (name: string, state: State, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
      name,
      state,
      ready: !!state.running,
      restartCount: 0,
      image: 'busybox',
      imageID: '',
      ...extra,
    });
    const waiting = (reason: string): State => ({ waiting: { reason } });
    const completed: State = { terminated: { exitCode: 0, reason: 'Completed' } };
    const initPod = (inits: ContainerStatus[], apps: ContainerStatus[], initialized = false, sidecar = false): Pod => ({
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        initContainers: [
          { name: 'init-1', image: 'busybox', ...(sidecar ? { restartPolicy: 'Always' as const } : {}) },
          { name: 'init-2', image: 'busybox' },
        ],
        containers: [{ name: 'app', image: 'busybox' }],
      },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: initialized ? 'True' : 'False' }],
        initContainerStatuses: inits,
        containerStatuses: apps,
      },
    });
    const cells = (p: Pod) => toTable(podPrinter, [p], { now }).rows[0].cells.slice(1, 4);
    const app = cs('app', waiting('PodInitializing'));

    it('prints Init:N/M while the init containers run, then PodInitializing', () => {
      expect(cells(initPod([cs('init-1', waiting('PodInitializing')), cs('init-2', waiting('PodInitializing'))], [app]))).toEqual([
        '0/1',
        'Init:0/2',
        '0',
      ]);
      expect(cells(initPod([cs('init-1', completed), cs('init-2', { running: {} })], [app]))).toEqual(['0/1', 'Init:1/2', '0']);
      expect(cells(initPod([cs('init-1', completed), cs('init-2', completed)], [app], true))).toEqual(['0/1', 'PodInitializing', '0']);
    });

    it('prints Init:<reason> for a failed or waiting init container, with the init restarts while initializing', () => {
      const error: State = { terminated: { exitCode: 1, reason: 'Error' } };
      expect(cells(initPod([cs('init-1', error), cs('init-2', waiting('PodInitializing'))], [app]))[1]).toBe('Init:Error');
      expect(cells(initPod([cs('init-1', { terminated: { exitCode: 3 } }), cs('init-2', waiting('PodInitializing'))], [app]))[1]).toBe(
        'Init:ExitCode:3',
      );
      const looping = cs('init-1', waiting('CrashLoopBackOff'), {
        restartCount: 2,
        lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:09:30Z' } },
      });
      expect(cells(initPod([looping, cs('init-2', waiting('PodInitializing'))], [app]))).toEqual([
        '0/1',
        'Init:CrashLoopBackOff',
        '2 (30s ago)',
      ]);
    });

    it('counts a started sidecar in READY, and only sidecar and app restarts once initialized', () => {
      const side = cs('init-1', { running: {} }, { started: true, restartCount: 1 });
      const done = cs('init-2', completed, { restartCount: 4 });
      expect(cells(initPod([side, cs('init-2', { running: {} })], [app], false, true))).toEqual(['1/2', 'Init:1/2', '1']);
      const running = initPod([side, done], [cs('app', { running: {} })], true, true);
      running.status!.phase = 'Running';
      expect(cells(running)).toEqual(['2/2', 'Running', '1']);
    });
  });

  it('prints service ports with node ports and a pending load balancer', () => {
    const svc: Service = {
      metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.10',
        ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
        selector: { app: 'web' },
      },
    };
    expect(toTable(servicePrinter, [svc], { now }).rows[0].cells).toEqual([
      'web',
      'LoadBalancer',
      '10.96.0.10',
      '<pending>',
      '80:30080/TCP',
      '10m',
      'app=web',
    ]);
  });

  it("formats ages like Kubernetes' HumanDuration", () => {
    expect([5, 119, 200, 600, 3 * 3600 + 600, 9 * 3600, 50 * 3600].map((s) => humanDuration(s * 1000))).toEqual([
      '5s',
      '119s',
      '3m20s',
      '10m',
      '3h10m',
      '9h',
      '2d2h',
    ]);
  });
});
