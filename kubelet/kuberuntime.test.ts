// The runtime manager's SyncPod against the fake runtime: what it creates, starts, kills and reports
// waiting, sync after sync, with a fake clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ConfigMap, Container, Pod, Secret, Service } from '../shared/api/core';
import { FakeClock } from '../shared/clock';
import { notFound } from '../shared/errors';
import { Backoff } from './backoff';
import { ObjectManager } from './configmapsecret';
import { ImageManager } from './imagemanager';
import { KubeRuntimeManager } from './kuberuntime';
import { PodIPAM } from './network';
import { GenericPLEG } from './pleg';
import { latest } from './podruntime';
import { ReasonCache } from './reasoncache';
import { FakeRuntime, recordReads } from './runtime/fake';
import { VolumeManager } from './volumemanager';

const log = pino({ level: 'silent' });
let rootDir: string;
beforeEach(() => (rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kuberuntime-'))));
afterEach(() => fs.rmSync(rootDir, { recursive: true, force: true }));

const objects = <T extends ConfigMap | Secret>(items: Record<string, T>, clock: FakeClock) =>
  new ObjectManager<T>({ get: async (_ns, name) => items[name] ?? Promise.reject(notFound('configmaps', name)) }, clock);

function setUp(configMaps: Record<string, ConfigMap> = {}, services: Service[] = []) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const runtime = new FakeRuntime(clock);
  runtime.images.add('pause').add('busybox');
  const events: string[] = [];
  const event = (_pod: Pod, _type: string, reason: string, message: string) => void events.push(`${reason}: ${message}`);
  const managers = { configMaps: objects(configMaps, clock), secrets: objects<Secret>({}, clock) };
  const reasons = new ReasonCache();
  const pleg = new GenericPLEG(runtime, 'node-1');
  const manager = new KubeRuntimeManager({
    runtime,
    config: {
      nodeName: 'node-1',
      nodeIP: '10.0.0.1',
      rootDir,
      podNetwork: 'kube-pods',
      infraImage: 'pause',
      clusterDomain: 'cluster.local',
    },
    podCIDR: () => '10.244.1.0/24',
    pleg,
    ipam: new PodIPAM(),
    images: new ImageManager(runtime, clock, event),
    volumes: new VolumeManager(rootDir, managers),
    managers,
    services: () => services,
    backoff: new Backoff(),
    reasons,
    unhealthy: () => new Set(),
    started: () => true,
    event,
    clock,
  });
  // As in the kubelet: the PLEG relists (seeing what the test changed), then the pod worker syncs from its cache.
  const sync = async (pod: Pod) => {
    await pleg.relist();
    return manager.syncPod(pod, pleg.podRuntime(pod.metadata.uid!), log);
  };
  return { clock, runtime, events, reasons, pleg, manager, sync };
}

const pod = (containers: Container[], extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1' },
  spec: { restartPolicy: 'Always', containers, ...extra },
});
const app: Container = { name: 'app', image: 'busybox' };

describe('KubeRuntimeManager.syncPod', () => {
  it('creates the sandbox of a new pod, then starts its containers in it', async () => {
    const { runtime, events, sync } = setUp();
    const { rt } = await sync(pod([app, { name: 'side', image: 'busybox' }]));
    expect(runtime.calls).toEqual(['runSandbox', 'run app', 'run side']);
    expect(rt.sandbox?.ip).toBe('10.244.1.2');
    expect(events).toContain('Started: Started container app');
  });

  it('starts a new pod from the pod cache: no list of the node or the pod, one image check per image, the new containers inspected', async () => {
    const { runtime, pleg, manager } = setUp();
    const reads = recordReads(runtime);
    const p = pod([app, { name: 'side', image: 'busybox' }]);
    const { rt } = await manager.syncPod(p, pleg.podRuntime('u1'), log);
    expect(reads).toEqual(['image pause', 'status c1', 'image busybox', 'status c2', 'status c3']);
    expect([...rt.containers.keys()]).toEqual(['app', 'side']);
    expect(pleg.podRuntime('u1')).toBe(rt); // the next sync starts from what this one made
    // The next pod asks nothing more about images.
    await manager.syncPod({ ...p, metadata: { ...p.metadata, uid: 'u2' } }, pleg.podRuntime('u2'), log);
    expect(reads.filter((r) => r.startsWith('image'))).toHaveLength(2);
  });

  it('asks about an image again after a container of it failed to start', async () => {
    const { runtime, pleg, sync } = setUp();
    const reads = recordReads(runtime);
    const runContainer = runtime.runContainer.bind(runtime);
    runtime.runContainer = () => Promise.reject(new Error('No such image: busybox'));
    await sync(pod([app]));
    runtime.runContainer = runContainer;
    await sync(pod([app]));
    expect(reads.filter((r) => r === 'image busybox')).toHaveLength(2);
    expect(latest(pleg.podRuntime('u1'), 'app')?.state).toBe('running');
  });

  it("gives containers the Service variables, the container's own value of one winning, and expands $(VAR) with them", async () => {
    const kubernetes: Service = {
      metadata: { namespace: 'default', name: 'kubernetes' },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    };
    const { runtime, sync } = setUp({}, [kubernetes]);
    const env = [
      { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' },
      { name: 'KUBERNETES_PORT', value: 'mine' },
    ];
    await sync(pod([{ ...app, env }], { enableServiceLinks: false }));
    const vars = runtime.specs.get(runtime.latest('app')!.id)!.env;
    expect(vars).toEqual(
      expect.arrayContaining([
        'API=https://10.96.0.1:443',
        'KUBERNETES_PORT=mine',
        'KUBERNETES_SERVICE_PORT_HTTPS=443',
        'KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1',
      ]),
    );
    expect(vars).not.toContain('KUBERNETES_PORT=tcp://10.96.0.1:443');
  });

  it('restarts a crashed container at once, then reports CrashLoopBackOff and syncs again when the back-off ends', async () => {
    const { clock, runtime, reasons, sync } = setUp();
    const p = pod([app]);
    await sync(p);
    clock.step(1000);
    runtime.exit(runtime.latest('app')!.id, 1);
    await sync(p);
    expect(runtime.latest('app')).toMatchObject({ attempt: 1, state: 'running' });
    clock.step(1000);
    runtime.exit(runtime.latest('app')!.id, 1);
    const { requeueAfterMs } = await sync(p);
    expect(runtime.latest('app')).toMatchObject({ attempt: 1, state: 'exited' });
    expect(reasons.forPod('u1').get('app')).toMatchObject({ reason: 'CrashLoopBackOff', message: expect.stringMatching(/^back-off 10s/) });
    expect(requeueAfterMs).toBe(10_000);
    clock.step(10_000);
    await sync(p);
    expect(runtime.latest('app')).toMatchObject({ attempt: 2, state: 'running' });
  });

  it('shows ErrImagePull, then ImagePullBackOff, and pulls again only when the back-off ends', async () => {
    const { clock, runtime, reasons, sync } = setUp();
    runtime.unpullable.add('missing:1');
    const p = pod([{ name: 'app', image: 'missing:1' }]);
    expect((await sync(p)).requeueAfterMs).toBe(2_000);
    expect(reasons.forPod('u1').get('app')).toMatchObject({
      reason: 'ErrImagePull',
      message: 'Failed to pull image "missing:1": manifest unknown',
    });
    clock.step(2_000);
    expect((await sync(p)).requeueAfterMs).toBe(8_000);
    expect(reasons.forPod('u1').get('app')).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "missing:1"' });
    expect(runtime.calls.filter((c) => c.startsWith('pull'))).toHaveLength(1);
    clock.step(8_000);
    await sync(p);
    expect(runtime.calls.filter((c) => c.startsWith('pull'))).toHaveLength(2);
  });

  it('waits in ContainerCreating with a FailedMount event while a configMap volume is missing', async () => {
    const { runtime, events, reasons, sync } = setUp();
    const p = pod([{ ...app, volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }] }], {
      volumes: [{ name: 'cfg', configMap: { name: 'app' } }],
    });
    expect((await sync(p)).requeueAfterMs).toBe(5_000);
    expect(runtime.calls).toEqual(['runSandbox']);
    expect(reasons.forPod('u1').get('app')).toEqual({ reason: 'ContainerCreating' });
    expect(events).toContain('FailedMount: MountVolume.SetUp failed: configmap "app" not found');
  });

  it('runs the init containers one after the other before the app, and again from the first in a new sandbox', async () => {
    const { runtime, sync } = setUp();
    const p = pod([app], {
      initContainers: [
        { name: 'init-1', image: 'busybox' },
        { name: 'init-2', image: 'busybox' },
      ],
    });
    await sync(p);
    expect(runtime.calls).toEqual(['runSandbox', 'run init-1']);
    await sync(p);
    expect(runtime.calls).toHaveLength(2); // init-1 still runs
    runtime.exit(runtime.latest('init-1')!.id, 0);
    await sync(p);
    runtime.exit(runtime.latest('init-2')!.id, 0);
    await sync(p);
    expect(runtime.calls).toEqual(['runSandbox', 'run init-1', 'run init-2', 'run app']);
    runtime.exit(runtime.latest('POD')!.id, 137);
    await sync(p);
    expect(runtime.calls.slice(4)).toEqual(['stop app', 'remove POD', 'remove init-1', 'remove init-2', 'runSandbox', 'run init-1']);
  });

  it('starts a sidecar and keeps it running; stops it when the app containers have finished for good', async () => {
    const { runtime, events, sync } = setUp();
    const p = pod([app], { restartPolicy: 'Never', initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }] });
    await sync(p);
    await sync(p);
    expect(runtime.calls).toEqual(['runSandbox', 'run side', 'run app']);
    runtime.exit(runtime.latest('app')!.id, 0);
    await sync(p);
    expect(runtime.latest('side')).toMatchObject({ state: 'exited', attempt: 0 });
    expect(events).toContain('Killing: Stopping container side');
    await sync(p);
    expect(runtime.calls.filter((c) => c === 'run side')).toHaveLength(1);
  });
});
