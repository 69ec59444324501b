import type { Pod } from '../../../shared/api/core';
import type { PodDisruptionBudget } from '../../../shared/api/policy';
import { StatusError } from '../../../shared/errors';
import { MemoryStorage } from '../../storage/memory';
import { budgetsFor, evictPod, spendDisruption } from './eviction';
import { podDisruptionBudgetStrategy } from '../policy/poddisruptionbudgets';
import { podStrategy } from './pods';
import { Store } from '../store';

const NOW = new Date('2026-03-01T10:00:00Z');

const budget = (
  status: Partial<NonNullable<PodDisruptionBudget['status']>>,
  spec: PodDisruptionBudget['spec'] = {},
): PodDisruptionBudget => ({
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, ...status },
});

function statusOf(fn: () => unknown): StatusError['status'] {
  try {
    fn();
  } catch (err) {
    return (err as StatusError).status;
  }
  throw new Error('did not throw');
}

describe('spendDisruption', () => {
  it('spends one disruption and records the pod, flipping the condition when none is left', () => {
    const next = spendDisruption(budget({}), 'web-1', NOW);
    expect(next.status).toMatchObject({
      disruptionsAllowed: 0,
      disruptedPods: { 'web-1': '2026-03-01T10:00:00Z' },
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }],
    });
    expect(spendDisruption(budget({ disruptionsAllowed: 2 }), 'web-1', NOW).status?.conditions).toBeUndefined();
  });

  it('refuses with 429 and the DisruptionBudget cause kubectl drain prints', () => {
    expect(statusOf(() => spendDisruption(budget({ disruptionsAllowed: 0, currentHealthy: 2 }), 'web-1', NOW))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: 'TooManyRequests',
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] },
      code: 429,
    });
  });

  it('waits for the controller to observe a changed spec, and refuses a broken budget with 403', () => {
    const stale = { ...budget({}), metadata: { name: 'web', namespace: 'default', generation: 2 } };
    expect(statusOf(() => spendDisruption(stale, 'web-1', NOW))).toMatchObject({
      code: 429,
      details: { retryAfterSeconds: 10, causes: [{ message: 'The disruption budget web is still being processed by the server.' }] },
    });
    expect(statusOf(() => spendDisruption(budget({ disruptionsAllowed: -1 }), 'web-1', NOW))).toMatchObject({
      code: 403,
      message: 'poddisruptionbudget.policy "web" is forbidden: pdb disruptions allowed is negative',
    });
  });
});

describe('budgetsFor', () => {
  it('takes the budgets whose selector matches the pod, never an empty or missing one', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [] } } as Pod;
    const named = (name: string, selector: PodDisruptionBudget['spec']['selector']) => ({
      ...budget({}, { selector }),
      metadata: { name },
    });
    const found = budgetsFor(pod, [
      named('match', { matchLabels: { app: 'web' } }),
      named('other', { matchLabels: { app: 'db' } }),
      named('empty', {}),
      named('none', undefined),
    ]);
    expect(found.map((b) => b.metadata.name)).toEqual(['match']);
  });
});

describe('evictPod', () => {
  async function setup(pods: Partial<Pod['status']>[], pdb?: PodDisruptionBudget) {
    const storage = new MemoryStorage();
    const stores = {
      pods: new Store(
        storage,
        podStrategy(async () => ({ metadata: { name: 'default' } })),
      ),
      podDisruptionBudgets: new Store(storage, podDisruptionBudgetStrategy),
    };
    for (const [i, status] of pods.entries()) {
      const name = `web-${i}`;
      await stores.pods.create('default', {
        metadata: { name, labels: { app: 'web' } },
        spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'i' }] },
      });
      await stores.pods.guaranteedUpdate('default', name, (p) => ({ ...p, status }), 'status');
    }
    if (pdb) {
      await stores.podDisruptionBudgets.create('default', { ...pdb, status: undefined });
      await stores.podDisruptionBudgets.guaranteedUpdate('default', 'web', (p) => ({ ...p, status: pdb.status }), 'status');
    }
    return stores;
  }
  const running = (ready: boolean) => ({
    phase: 'Running' as const,
    conditions: [{ type: 'Ready', status: ready ? ('True' as const) : ('False' as const) }],
  });
  const eviction = (name: string, deleteOptions = {}) => ({
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace: 'default' },
    deleteOptions,
  });
  const evict = (stores: Awaited<ReturnType<typeof setup>>, name: string, opts = {}) =>
    evictPod(stores, 'default', name, eviction(name, { gracePeriodSeconds: 5 }), opts, () => NOW);

  it('spends the budget atomically and deletes the pod gracefully, marked DisruptionTarget', async () => {
    const stores = await setup([running(true), running(true), running(true)], budget({}));
    await expect(evict(stores, 'web-0')).resolves.toMatchObject({ status: 'Success' });
    const pod = (await stores.pods.get('default', 'web-0')) as Pod;
    expect(pod.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(pod.status?.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', reason: 'EvictionByEvictionAPI' }));
    const pdb = (await stores.podDisruptionBudgets.get('default', 'web')) as PodDisruptionBudget;
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { 'web-0': '2026-03-01T10:00:00Z' } });
    // The next eviction finds the budget spent.
    await expect(evict(stores, 'web-1')).rejects.toMatchObject({ status: { code: 429, reason: 'TooManyRequests' } });
    expect(((await stores.pods.get('default', 'web-1')) as Pod).metadata.deletionTimestamp).toBeUndefined();
  });

  it('lets go pods that disrupt nothing, and unready ones while the application meets its budget', async () => {
    const stores = await setup(
      [{ phase: 'Pending' }, running(false), running(false)],
      budget({ disruptionsAllowed: 0, currentHealthy: 2 }),
    );
    await evict(stores, 'web-0');
    await evict(stores, 'web-1'); // unready, 2 healthy of 2 desired: free
    const pdb = (await stores.podDisruptionBudgets.get('default', 'web')) as PodDisruptionBudget;
    expect(pdb.status?.disruptionsAllowed).toBe(0);
    expect(pdb.status?.disruptedPods).toBeUndefined();
  });

  it('refuses an unready pod when the budget is not met, unless unhealthyPodEvictionPolicy is AlwaysAllow', async () => {
    const short = budget({ disruptionsAllowed: 0, currentHealthy: 1 });
    await expect(evict(await setup([running(false)], short), 'web-0')).rejects.toMatchObject({ status: { code: 429 } });
    const always = budget({ disruptionsAllowed: 0, currentHealthy: 1 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    await expect(evict(await setup([running(false)], always), 'web-0')).resolves.toMatchObject({ status: 'Success' });
  });

  it('deletes a pod no budget covers, and checks a dry run without writing anything', async () => {
    const stores = await setup([running(true), running(true)]);
    await evict(stores, 'web-0');
    expect(((await stores.pods.get('default', 'web-0')) as Pod).metadata.deletionTimestamp).toBeDefined();
    const guarded = await setup([running(true)], budget({}));
    await evict(guarded, 'web-0', { dryRun: true });
    expect(((await guarded.pods.get('default', 'web-0')) as Pod).metadata.deletionTimestamp).toBeUndefined();
    expect(((await guarded.podDisruptionBudgets.get('default', 'web')) as PodDisruptionBudget).status?.disruptionsAllowed).toBe(1);
  });

  it('refuses a body for another pod, and a pod that two budgets cover', async () => {
    const stores = await setup([running(true)], budget({}));
    await expect(evictPod(stores, 'default', 'web-0', eviction('other'), {})).rejects.toMatchObject({
      status: { code: 400, message: 'name in URL does not match name in Eviction object' },
    });
    await stores.podDisruptionBudgets.create('default', { ...budget({}), metadata: { name: 'second' } });
    await expect(evict(stores, 'web-0')).rejects.toMatchObject({
      status: { code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' },
    });
  });
});
