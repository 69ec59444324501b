// What every controller of this process shares: a name, a queue of keys, and a sync function run by a
// few workers once the informer caches have synced.
import type { Pod } from '../shared/api/core';
import type { Condition, KubeObject } from '../shared/api/meta';
import { controllerOf } from '../shared/api/meta';
import type { Logger } from '../shared/log';
import { RateLimitingQueue, runWorkers } from '../shared/workqueue';

export interface Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  sync(key: string): Promise<void>;
}

export function runController(c: Controller, workers: number, log: Logger, signal: AbortSignal): Promise<void> {
  signal.addEventListener('abort', () => c.queue.shutDown(), { once: true });
  return runWorkers(c.queue, workers, (key) => c.sync(key), log.child({ controller: c.name }));
}

/** `namespace/name` of the object's controller of the given kind, if it has one. */
export function ownerKey(obj: KubeObject, kind: string): string | undefined {
  const ref = controllerOf(obj);
  return ref?.kind === kind ? `${obj.metadata.namespace}/${ref.name}` : undefined;
}

export const isPodActive = (pod: Pod): boolean =>
  !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  return !!since && Date.parse(since) + minReadySeconds * 1000 <= now;
}

/** Sets a condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(conditions: Condition[] | undefined, next: Condition): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  if (i >= 0 && list[i].status === next.status) next.lastTransitionTime = list[i].lastTransitionTime;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/**
 * slowStartBatch: runs `fn` `count` times in batches of 1, 2, 4, ... and stops at the first batch with a
 * failure, so that a create that cannot succeed (quota, an invalid template) fails fast. Returns how many
 * succeeded and the first error.
 */
export async function slowStartBatch(count: number, fn: (i: number) => Promise<void>): Promise<{ done: number; error?: unknown }> {
  let started = 0;
  let done = 0;
  for (let batch = 1; started < count; batch *= 2) {
    const size = Math.min(batch, count - started);
    const results = await Promise.allSettled(Array.from({ length: size }, (_, j) => fn(started + j)));
    started += size;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { done, error: failed.reason };
  }
  return { done };
}
