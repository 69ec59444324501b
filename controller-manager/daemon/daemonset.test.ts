import type { ControllerRevision, DaemonSet } from '../../shared/api/apps';
import type { Node, Pod, Taint } from '../../shared/api/core';
import { FakePodControl } from '../podcontrol';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { FakeRevisionClient, hashRevisionData, templatePatch } from '../history/history';
import { DaemonSetsController } from './daemonset';
import { daemonPodTemplateFor, nodeShouldRunDaemonPod, rollingUpdateActions } from './util';

const NOW = '2026-01-01T00:10:00Z';

function daemonSet(opts: Partial<DaemonSet['spec']> & { image?: string } = {}): DaemonSet {
  const { image, ...spec } = opts;
  return {
    metadata: {
      name: 'agent',
      namespace: 'default',
      uid: 'ds-uid',
      generation: 1,
      annotations: { 'deprecated.daemonset.template.generation': '1' },
    },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: image ?? 'agent:1' }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      ...spec,
    },
  };
}

const node = (name: string, opts: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
  spec: { taints: opts.taints, unschedulable: opts.unschedulable },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

const hashOf = (ds: DaemonSet) => hashRevisionData(templatePatch(ds.spec.template));

function pod(name: string, nodeName: string, opts: { hash?: string; ready?: boolean; phase?: string; created?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'agent', 'controller-revision-hash': opts.hash ?? 'old' },
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }],
    },
    spec: { containers: [{ name: 'c', image: 'agent:0' }], nodeName },
    status: {
      phase: (opts.phase ?? 'Running') as 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:01:00Z' }],
    },
  };
}

async function setup(ds: DaemonSet, nodes: Node[], pods: Pod[] = [], revisions: ControllerRevision[] = []) {
  const informers = fakeInformers({ daemonsets: [ds], nodes, pods, controllerrevisions: revisions });
  const control = new FakePodControl();
  const history = new FakeRevisionClient(revisions);
  const statuses: DaemonSet[] = [];
  const recorder = fakeRecorder();
  const c = new DaemonSetsController(
    informers,
    control,
    history,
    { updateStatus: async (d) => void statuses.push(d), patchPodOwners: async () => undefined },
    recorder,
    clockAt(NOW),
  );
  await synced(informers);
  return { c, control, history, statuses, recorder };
}

describe('which nodes run a daemon pod', () => {
  const ds = daemonSet();

  it('runs on a plain node, and on one whose labels match the nodeSelector and node affinity', () => {
    expect(nodeShouldRunDaemonPod(node('n1'), ds)).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const selecting = daemonSet();
    selecting.spec.template.spec.nodeSelector = { disk: 'ssd' };
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { disk: 'ssd' } }), selecting).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n2'), selecting)).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const affine = daemonSet();
    affine.spec.template.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
        },
      },
    };
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { zone: 'a' } }), affine).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(node('n1', { labels: { zone: 'b' } }), affine).shouldRun).toBe(false);
  });

  it('keeps off a node with an untolerated NoSchedule taint but lets a pod there stay; NoExecute evicts', () => {
    const noSchedule = node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(noSchedule, ds)).toEqual({ shouldRun: false, shouldContinueRunning: true });
    const noExecute = node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    expect(nodeShouldRunDaemonPod(noExecute, ds)).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const tolerant = daemonSet();
    tolerant.spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    expect(nodeShouldRunDaemonPod(noExecute, tolerant).shouldRun).toBe(true);
    const prefer = node('n1', { taints: [{ key: 'dedicated', effect: 'PreferNoSchedule' }] });
    expect(nodeShouldRunDaemonPod(prefer, ds).shouldRun).toBe(true);
  });

  it('tolerates what Kubernetes lets daemons tolerate: not-ready, unreachable, pressure, unschedulable', () => {
    for (const taint of [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ] as Taint[])
      expect([taint.key, nodeShouldRunDaemonPod(node('n1', { taints: [taint] }), ds).shouldRun]).toEqual([taint.key, true]);
    const unavailable = node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(unavailable, ds).shouldRun).toBe(false);
    const hostNetwork = daemonSet();
    hostNetwork.spec.template.spec.hostNetwork = true;
    expect(nodeShouldRunDaemonPod(unavailable, hostNetwork).shouldRun).toBe(true);
  });

  it('makes pods that tolerate those taints and are pinned to their node by node affinity', () => {
    const affine = daemonSet();
    affine.spec.template.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }],
        },
      },
    };
    const t = daemonPodTemplateFor(affine, 'h4sh', 'n2');
    expect(t.metadata?.labels).toEqual({ app: 'agent', 'controller-revision-hash': 'h4sh', 'pod-template-generation': '1' });
    expect(t.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
    ]);
    expect(t.spec.nodeName).toBeUndefined();
    expect(t.spec.tolerations?.map((x) => `${x.key}:${x.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });
});

describe('DaemonSet controller', () => {
  it('creates one pod per eligible node, the first revision, and counts them in status', async () => {
    const ds = daemonSet();
    ds.spec.template.spec.nodeSelector = { role: 'worker' };
    const nodes = [node('n1', { labels: { role: 'worker' } }), node('n2', { labels: { role: 'worker' } }), node('n3')];
    const { c, control, history, statuses, recorder } = await setup(ds, nodes);
    await c.sync('default/agent');
    const hash = hashOf(ds);
    expect(history.calls).toEqual([`create agent-${hash} 1`]);
    const revision = history.store.get(`agent-${hash}`)!;
    expect(revision.metadata.labels).toEqual({ app: 'agent', 'controller-revision-hash': hash });
    expect(revision.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });
    expect(control.created.map((p) => p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)).toEqual([
      { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] },
      { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] },
    ]);
    expect(control.created.map((p) => p.metadata.generateName)).toEqual(['agent-', 'agent-']);
    expect(recorder.events).toEqual(['SuccessfulCreate: Created pod: agent-0', 'SuccessfulCreate: Created pod: agent-1']);
    expect(statuses[0].status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
    });
  });

  it('removes the pods of a node that no longer matches, or that is gone', async () => {
    const ds = daemonSet();
    ds.spec.template.spec.nodeSelector = { role: 'worker' };
    const hash = hashOf(ds);
    const pods = [pod('agent-a', 'n1', { hash }), pod('agent-b', 'n2', { hash }), pod('agent-c', 'gone', { hash })];
    const { c, control, statuses } = await setup(ds, [node('n1', { labels: { role: 'worker' } }), node('n2')], pods);
    await c.sync('default/agent');
    expect(control.created).toEqual([]);
    expect(control.deleted.sort()).toEqual(['agent-b', 'agent-c (force)']);
    expect(statuses[0].status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberMisscheduled: 1,
      numberReady: 1,
      numberAvailable: 1,
      updatedNumberScheduled: 1,
      observedGeneration: 1,
    });
  });

  it('replaces a failed daemon pod, then backs off before the next one', async () => {
    const ds = daemonSet();
    const { c, control, recorder } = await setup(ds, [node('n1')], [pod('agent-a', 'n1', { hash: hashOf(ds), phase: 'Failed' })]);
    await c.sync('default/agent');
    expect(control.deleted).toEqual(['agent-a']);
    expect(recorder.events).toContain('FailedDaemonPod: Found failed daemon pod default/agent-a on node n1, will try to kill it');
    c.expectations.forget('default/agent');
    await c.sync('default/agent');
    expect(control.deleted).toEqual(['agent-a']);
  });

  it('rolls out a new template one node at a time with maxUnavailable 1', async () => {
    const ds = daemonSet({ image: 'agent:2' });
    const pods = ['n1', 'n2', 'n3'].map((n) => pod(`agent-${n}`, n));
    const { c, control } = await setup(ds, [node('n1'), node('n2'), node('n3')], pods);
    await c.sync('default/agent');
    expect(control.deleted).toEqual(['agent-n1']);
    expect(control.created).toEqual([]);
  });
});

describe('rolling update steps', () => {
  const now = Date.parse(NOW);
  const nodesToPods = (entries: [string, Pod[]][]) => new Map(entries);

  it('without surge: waits while a node is unavailable, replaces unavailable old pods at once', () => {
    const ds = daemonSet();
    const waiting = nodesToPods([
      ['n1', [pod('a', 'n1', { hash: 'new', ready: false })]],
      ['n2', [pod('b', 'n2')]],
    ]);
    expect(rollingUpdateActions(ds, waiting, 2, 'new', now)).toEqual({ create: [], delete: [] });
    const broken = nodesToPods([
      ['n1', [pod('a', 'n1', { ready: false })]],
      ['n2', [pod('b', 'n2')]],
      ['n3', [pod('c', 'n3')]],
    ]);
    expect(rollingUpdateActions(ds, broken, 3, 'new', now)).toEqual({ create: [], delete: ['a', 'b'] });
    const twoAtOnce = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } } });
    const three = nodesToPods(['n1', 'n2', 'n3'].map((n) => [n, [pod(n, n)]]));
    expect(rollingUpdateActions(twoAtOnce, three, 3, 'new', now).delete).toEqual(['n1', 'n2']);
  });

  it('with maxSurge: starts a new pod beside the old, and deletes the old once the new is available', () => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const start = nodesToPods([
      ['n1', [pod('a', 'n1')]],
      ['n2', [pod('b', 'n2')]],
    ]);
    expect(rollingUpdateActions(ds, start, 2, 'new', now)).toEqual({ create: ['n1'], delete: [] });
    const surging = nodesToPods([
      ['n1', [pod('a', 'n1'), pod('a2', 'n1', { hash: 'new', ready: false })]],
      ['n2', [pod('b', 'n2')]],
    ]);
    expect(rollingUpdateActions(ds, surging, 2, 'new', now)).toEqual({ create: [], delete: [] });
    const surged = nodesToPods([
      ['n1', [pod('a', 'n1'), pod('a2', 'n1', { hash: 'new' })]],
      ['n2', [pod('b', 'n2')]],
    ]);
    expect(rollingUpdateActions(ds, surged, 2, 'new', now)).toEqual({ create: ['n2'], delete: ['a'] });
  });
});
