// POST pods/<name>/eviction (policy/v1 Eviction): deletes a pod only if its PodDisruptionBudget allows
// one more disruption, as Kubernetes' EvictionREST does. The budget is checked and spent in one
// compare-and-swap on its status (disruptionsAllowed - 1, the pod recorded in disruptedPods, so that the
// disruption controller does not count it healthy while it terminates); then the pod is deleted with the
// eviction's deleteOptions. A budget that allows nothing answers 429 TooManyRequests, which `kubectl
// drain` retries.
//
// Pods that disrupt nothing are deleted without asking: pending, finished or already terminating ones.
// An unready pod is let go without spending the budget when the application meets its budget anyway
// (unhealthyPodEvictionPolicy IfHealthyBudget, the default) or always (AlwaysAllow); that delete is made
// conditional on the pod's resourceVersion, so a pod that became ready meanwhile is not taken for free.
import type { Pod } from '../../../shared/api/core';
import type { DeleteOptions, KubeObject, Status } from '../../../shared/api/meta';
import { rfc3339 } from '../../../shared/api/meta';
import type { Eviction, PodDisruptionBudget } from '../../../shared/api/policy';
import { setDisruptionAllowedCondition } from '../../../shared/api/policy';
import { badRequest, conflict, forbidden, isConflict, StatusError, statusFailure } from '../../../shared/errors';
import { selectorFromLabelSelector } from '../../../shared/labels';
import type { Store, WriteOptions } from '../store';

/** Evictions the controller has not confirmed yet beyond which a budget refuses more (MaxDisruptedPodSize). */
export const MAX_DISRUPTED_PODS = 2000;
/** How often an eviction tries again after a conflicting write (EvictionsRetry's steps). */
const ATTEMPTS = 20;

const BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 with the DisruptionBudget cause kubectl drain prints, and a Retry-After when there is one. */
export function tooManyRequests(cause: string, retryAfterSeconds = 0): StatusError {
  return new StatusError({
    ...statusFailure(429, 'TooManyRequests', BUDGET_MESSAGE, {
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      causes: [{ reason: 'DisruptionBudget', message: cause }],
    }),
  });
}

const stillProcessing = (pdb: string) => tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`, 10);

const isReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** canIgnorePDB: a pod that is pending, finished or already terminating disrupts nothing more by going. */
function disruptsNothing(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** The budgets that cover a pod: those of its namespace whose selector, not empty, matches its labels. */
export function budgetsFor(pod: Pod, budgets: PodDisruptionBudget[]): PodDisruptionBudget[] {
  return budgets.filter((pdb) => {
    const s = pdb.spec.selector;
    const empty = !s || (!Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length);
    return !empty && selectorFromLabelSelector(s).matches(pod.metadata.labels ?? {});
  });
}

/**
 * checkAndDecrement: spends one disruption of the budget for `podName`, or throws the 429 (or 403)
 * that refuses it. Pure: the caller stores the result with a compare-and-swap.
 */
export function spendDisruption(pdb: PodDisruptionBudget, podName: string, now: Date): PodDisruptionBudget {
  const name = pdb.metadata.name!;
  const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
  const refuse = (why: string) =>
    forbidden(`poddisruptionbudget.policy "${name}" is forbidden: ${why}`, { name, group: 'policy', kind: 'poddisruptionbudget' });
  if (status.disruptionsAllowed < 0) throw refuse('pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS)
    throw refuse('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (status.disruptionsAllowed === 0) {
    throw tooManyRequests(
      `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
    );
  }
  const next = structuredClone(pdb);
  const s = (next.status = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 });
  if (s.disruptionsAllowed === 0) setDisruptionAllowedCondition(s, rfc3339(now));
  s.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(now) };
  return next;
}

export interface EvictionStores {
  pods: Store;
  podDisruptionBudgets: Store;
}

/** The eviction's deleteOptions, with the request's dryRun (they may not disagree). */
function evictionDeleteOptions(eviction: Eviction, dryRun: boolean): DeleteOptions {
  const options: DeleteOptions = { ...(eviction.deleteOptions ?? {}) };
  const inBody = (options.dryRun ?? []).length > 0;
  if (dryRun && inBody && !(options.dryRun ?? []).every((d) => d === 'All')) {
    throw badRequest('Eviction dryRun ("All") does not match the request dryRun');
  }
  if (dryRun) options.dryRun = ['All'];
  return options;
}

/** Handles POST pods/<name>/eviction; answers the Success Status (sent with 201) or throws. */
export async function evictPod(
  stores: EvictionStores,
  namespace: string,
  name: string,
  body: unknown,
  opts: WriteOptions,
  now: () => Date = () => new Date(),
): Promise<Status> {
  const eviction = body as Eviction;
  if (!eviction || typeof eviction !== 'object' || (eviction.kind !== undefined && eviction.kind !== 'Eviction')) {
    throw badRequest(`not a Eviction object: ${typeof eviction === 'object' && eviction ? eviction.kind : typeof eviction}`);
  }
  if (eviction.metadata?.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const options = evictionDeleteOptions(eviction, !!opts.dryRun);
  const dryRun = (options.dryRun ?? []).length > 0;
  const callerRV = options.preconditions?.resourceVersion;
  const deleteOpts: WriteOptions = { ...opts, dryRun };

  // Pods that disrupt nothing go at once (retried while their resourceVersion races with the kubelet's).
  let pod: Pod | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = (await stores.pods.get(namespace, name)) as Pod;
    if (!disruptsNothing(pod)) break;
    const terminal = ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') || !!pod.metadata.deletionTimestamp;
    const guarded = terminal || callerRV ? options : withResourceVersion(options, pod.metadata.resourceVersion!);
    try {
      await deletePod(stores.pods, pod, guarded, deleteOpts);
      return success();
    } catch (err) {
      if (!isConflict(err) || callerRV || attempt + 1 >= ATTEMPTS) throw err;
    }
  }

  const { items } = await stores.podDisruptionBudgets.list(namespace, () => true);
  const budgets = budgetsFor(pod, items as PodDisruptionBudget[]);
  if (budgets.length > 1) {
    throw new StatusError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    });
  }
  let free = false; // an unready pod that may go without spending the budget
  if (budgets.length === 1) {
    const pdb = budgets[0];
    const status = pdb.status;
    if (!isReady(pod)) {
      free =
        pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
        ((status?.currentHealthy ?? 0) >= (status?.desiredHealthy ?? 0) && (status?.desiredHealthy ?? 0) > 0);
    }
    if (!free) {
      const podName = pod.metadata.name!;
      if (dryRun)
        spendDisruption((await stores.podDisruptionBudgets.get(namespace, pdb.metadata.name!)) as PodDisruptionBudget, podName, now());
      else
        await stores.podDisruptionBudgets.guaranteedUpdate(
          namespace,
          pdb.metadata.name!,
          (current) => spendDisruption(current as PodDisruptionBudget, podName, now()),
          'status',
        );
    }
  }
  try {
    await deletePod(
      stores.pods,
      pod,
      free && !callerRV ? withResourceVersion(options, pod.metadata.resourceVersion!) : options,
      deleteOpts,
    );
  } catch (err) {
    // The unready pod changed (it may be ready now): the client asks again and the budget decides.
    if (isConflict(err) && free && !callerRV) throw stillProcessing(budgets[0].metadata.name!);
    throw err;
  }
  return success();
}

function withResourceVersion(options: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...options, preconditions: { ...options.preconditions, resourceVersion } };
}

const success = (): Status => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });

/**
 * addConditionAndDeletePod: marks the pod with DisruptionTarget (reason EvictionByEvictionAPI) through
 * its status, under the same preconditions, then deletes it; a dry run only checks.
 */
async function deletePod(pods: Store, pod: Pod, options: DeleteOptions, opts: WriteOptions): Promise<KubeObject> {
  const { namespace, name } = pod.metadata;
  if (!opts.dryRun) {
    const { uid, resourceVersion } = options.preconditions ?? {};
    const marked = await pods.guaranteedUpdate(
      namespace,
      name!,
      (current) => {
        const p = current as Pod;
        if ((uid && uid !== p.metadata.uid) || (resourceVersion && resourceVersion !== p.metadata.resourceVersion)) {
          throw conflict('pods', name!);
        }
        const status = (p.status ??= {});
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'EvictionByEvictionAPI',
          message: 'Eviction API: evicting',
          lastTransitionTime: rfc3339(),
          lastProbeTime: null,
        });
        status.conditions = conditions;
        return p;
      },
      'status',
    );
    // Our own write moved the resourceVersion a caller's precondition named.
    if (resourceVersion) options = withResourceVersion(options, marked.metadata.resourceVersion!);
  }
  return pods.delete(namespace, name!, options, opts);
}
