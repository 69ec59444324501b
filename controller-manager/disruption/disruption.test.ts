import type { Deployment, ReplicaSet } from '../../shared/api/apps';
import type { Pod } from '../../shared/api/core';
import type { PodDisruptionBudget } from '../../shared/api/policy';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { countHealthyPods, DisruptionController, disruptedPodMap, expectedPodCount, nextStatus, ScaleFinder } from './disruption';

const NOW = '2026-03-01T10:00:00Z';
const t = (offsetSeconds: number) => new Date(Date.parse(NOW) + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pod = (name: string, opts: { ready?: boolean; owner?: string; labels?: Record<string, string>; deleting?: boolean } = {}): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels: opts.labels ?? { app: 'web' },
    ...(opts.owner === undefined
      ? {}
      : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: `uid-${opts.owner}`, controller: true }] }),
    ...(opts.deleting ? { deletionTimestamp: t(0) } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'i' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});

const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  metadata: { name: 'web', namespace: 'default', uid: 'uid-pdb', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});

/** Every pod belongs to one controller of scale `scale`. */
const scaleOf =
  (scale: number): ScaleFinder =>
  () => ({ uid: 'uid-rs', scale });

describe('expectedPodCount', () => {
  const pods = [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' }), pod('c', { owner: 'rs' })];

  it('counts the selected pods for a minAvailable number, and wants that many healthy', () => {
    expect(expectedPodCount(pdb({ minAvailable: 2 }), pods, scaleOf(5))).toEqual({
      expectedCount: 3,
      desiredHealthy: 2,
      unmanagedPods: [],
    });
  });

  it.each([
    // percentages of the controllers' scale, rounded up for minAvailable and maxUnavailable alike
    [{ minAvailable: '50%' }, 5, { expectedCount: 5, desiredHealthy: 3 }],
    [{ minAvailable: '100%' }, 3, { expectedCount: 3, desiredHealthy: 3 }],
    [{ maxUnavailable: 1 }, 3, { expectedCount: 3, desiredHealthy: 2 }],
    [{ maxUnavailable: '25%' }, 3, { expectedCount: 3, desiredHealthy: 2 }], // ceil(0.75) = 1 unavailable
    [{ maxUnavailable: '10%' }, 10, { expectedCount: 10, desiredHealthy: 9 }],
    [{ maxUnavailable: 5 }, 3, { expectedCount: 3, desiredHealthy: 0 }], // never below 0
  ])('%j with scale %i', (spec, scale, want) => {
    expect(expectedPodCount(pdb(spec), pods, scaleOf(scale))).toMatchObject(want);
  });

  it('reports pods without a controller, and fails on a controller it cannot scale', () => {
    const counted = expectedPodCount(pdb({ maxUnavailable: 1 }), [...pods, pod('bare')], scaleOf(3));
    expect(counted).toEqual({ expectedCount: 3, desiredHealthy: 2, unmanagedPods: ['bare'] });
    expect(() => expectedPodCount(pdb({ maxUnavailable: 1 }), pods, () => undefined)).toThrow('found no controllers for pod "a"');
  });
});

describe('disrupted pods and healthy pods', () => {
  const now = Date.parse(NOW);

  it('keeps an evicted pod out of the healthy count for two minutes, unless it is terminating already', () => {
    const pods = [pod('a'), pod('b'), pod('c'), pod('d', { deleting: true }), pod('e', { ready: false })];
    const budget = pdb(
      { minAvailable: 1 },
      {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
        disruptedPods: { a: t(-60), b: t(-121), d: t(-10) },
      },
    );
    const { disrupted, recheckAt, overdue } = disruptedPodMap(pods, budget, now);
    expect(disrupted).toEqual({ a: t(-60) });
    expect(recheckAt).toBe(now + 60_000); // a's two minutes are up then
    expect(overdue.map((p) => p.metadata.name)).toEqual(['b']);
    expect(countHealthyPods(pods, disrupted, now)).toBe(2); // b and c; a was evicted, d terminates, e is unready
  });
});

describe('nextStatus', () => {
  const now = Date.parse(NOW);
  const counts = { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disrupted: {} };

  it('allows the healthy pods beyond the desired ones, with the DisruptionAllowed condition', () => {
    expect(nextStatus(pdb({ minAvailable: 2 }), counts, now)).toEqual({
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'True',
          reason: 'SufficientPods',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: NOW,
        },
      ],
    });
  });

  it('allows nothing while it expects no pods or has too few, and writes nothing when nothing changed', () => {
    expect(nextStatus(pdb({ minAvailable: 0 }), { ...counts, expectedCount: 0, desiredHealthy: 0 }, now)).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [{ status: 'False', reason: 'InsufficientPods' }],
    });
    expect(nextStatus(pdb({ minAvailable: 3 }), { ...counts, currentHealthy: 2, desiredHealthy: 3 }, now)?.disruptionsAllowed).toBe(0);
    const stored = pdb({ minAvailable: 2 }, nextStatus(pdb({ minAvailable: 2 }), counts, now - 5000));
    expect(nextStatus(stored, counts, now)).toBeUndefined();
    // A new generation of the spec is a change even with the same counts.
    expect(nextStatus({ ...stored, metadata: { ...stored.metadata, generation: 2 } }, counts, now)).toMatchObject({
      observedGeneration: 2,
    });
  });
});

describe('DisruptionController', () => {
  const rs: ReplicaSet = {
    metadata: {
      name: 'rs',
      namespace: 'default',
      uid: 'uid-rs',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true }],
    },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } },
  };
  const deployment = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web' }, spec: { ...rs.spec, replicas: 4 } } as Deployment;

  async function setup(budgets: PodDisruptionBudget[], pods: Pod[], fail = false) {
    const informers = fakeInformers({ poddisruptionbudgets: budgets, pods, replicasets: [rs], deployments: [deployment] });
    const written: PodDisruptionBudget[] = [];
    const writer = {
      updateStatus: async (p: PodDisruptionBudget) => {
        if (fail) throw new Error('apiserver unavailable');
        written.push(p);
      },
    };
    const recorder = fakeRecorder();
    const c = new DisruptionController(informers, writer, recorder, clockAt(NOW));
    await synced(informers);
    return { c, written, recorder };
  }

  it("counts a Deployment's pods against its scale for maxUnavailable, through their ReplicaSet", async () => {
    const pods = ['a', 'b', 'c'].map((n) => pod(n, { owner: 'rs' }));
    const { c, written } = await setup([pdb({ maxUnavailable: 1 })], pods);
    await c.sync('default/web');
    expect(written[0].status).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
  });

  it('says so with events when no pod matches or a pod has no controller', async () => {
    const { c, recorder } = await setup([pdb({ minAvailable: 1, selector: { matchLabels: { app: 'none' } } })], []);
    await c.sync('default/web');
    expect(recorder.events).toEqual(['NoPods: No matching pods found']);
    const unmanaged = await setup([pdb({ maxUnavailable: '50%' })], [pod('bare')]);
    await unmanaged.c.sync('default/web');
    expect(unmanaged.recorder.events[0]).toMatch(
      /^UnmanagedPods: Pods selected by this PodDisruptionBudget \(selector: app=web\) were found to be unmanaged/,
    );
  });

  it('falls safe to no disruptions when it cannot count, naming the failure in the condition', async () => {
    const stray = pod('a');
    stray.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'uid-ds', controller: true }];
    const { c, written, recorder } = await setup(
      [pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 })],
      [stray],
    );
    await c.sync('default/web');
    expect(recorder.events).toEqual([
      'CalculateExpectedPodCountFailed: Failed to calculate the number of expected pods: found no controllers for pod "a"',
    ]);
    expect(written[0].status).toMatchObject({
      disruptionsAllowed: 0,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"' }],
    });
  });

  it('checks again when an evicted pod is due, and gives up on a budget that is gone', async () => {
    const budget = pdb(
      { minAvailable: 1 },
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 2, disruptedPods: { a: t(-30) } },
    );
    const { c, written } = await setup([budget], [pod('a'), pod('b')]);
    const addAfter = jest.spyOn(c.queue, 'addAfter');
    await c.sync('default/web');
    expect(written[0].status).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0, disruptedPods: { a: t(-30) } });
    expect(addAfter).toHaveBeenCalledWith('default/web', 90_000);
    await c.sync('default/gone');
    expect(written).toHaveLength(1);
  });
});
