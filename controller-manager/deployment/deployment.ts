// The Deployment controller: one ReplicaSet per pod template (named <deployment>-<pod-template-hash>),
// rolled from old to new with the Recreate or RollingUpdate strategy, and the status and conditions
// `kubectl rollout status` reads.
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../shared/api/apps';
import type { Condition, KubeObject } from '../../shared/api/meta';
import { controllerOf, objectKey, rfc3339, splitKey } from '../../shared/api/meta';
import { Deployments, ReplicaSets } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { EventRecorder } from '../../shared/events';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, ownerKey, setCondition } from '../controller';
import { controllerRef } from '../podcontrol';
import {
  CHANGE_CAUSE,
  DESIRED_REPLICAS,
  equalTemplates,
  MAX_REPLICAS,
  POD_TEMPLATE_HASH,
  REVISION,
  revisionOf,
  surgeAndUnavailable,
  templateHash,
} from './util';

/** The writes the controller makes; the real side goes through the API, tests record them. */
export interface DeploymentClient {
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;
  updateDeployment(d: Deployment): Promise<Deployment>;
  updateDeploymentStatus(d: Deployment): Promise<void>;
}

const replicasOf = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
const sum = (list: ReplicaSet[], f: (rs: ReplicaSet) => number) => list.reduce((s, rs) => s + f(rs), 0);
const byCreation = (a: ReplicaSet, b: ReplicaSet) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue: RateLimitingQueue;
  private readonly dLister: Lister<Deployment>;
  private readonly rsLister: Lister<ReplicaSet>;

  constructor(
    informers: SharedInformerFactory,
    private readonly api: DeploymentClient,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'deployment' });
    const dInformer = informers.informerFor<Deployment>(Deployments);
    const rsInformer = informers.informerFor<ReplicaSet>(ReplicaSets);
    this.dLister = dInformer.lister;
    this.rsLister = rsInformer.lister;
    const enqueue = (d: Deployment) => this.queue.add(objectKey(d));
    dInformer.addEventHandler({ add: enqueue, update: (_o, d) => enqueue(d), delete: enqueue });
    const enqueueOwner = (rs: ReplicaSet) => {
      const key = ownerKey(rs, 'Deployment');
      if (key) this.queue.add(key);
    };
    // Pod readiness changes a ReplicaSet's status, which requeues its Deployment.
    rsInformer.addEventHandler({ add: enqueueOwner, update: (_o, rs) => enqueueOwner(rs), delete: enqueueOwner });
  }

  private event(d: Deployment, reason: string, message: string): void {
    this.recorder.event({ ...d, kind: 'Deployment', apiVersion: 'apps/v1' } as KubeObject, 'Normal', reason, message);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const d = this.dLister.get(namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = this.rsLister.list(namespace).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    if (d.spec.paused) {
      await this.syncStatus(
        d,
        owned.find((rs) => equalTemplates(rs.spec.template, d.spec.template)),
        owned,
        false,
      );
      return;
    }
    const { rs: newRS, created } = await this.getNewReplicaSet(d, owned);
    const all = owned.some((rs) => rs.metadata.uid === newRS.metadata.uid)
      ? owned.map((rs) => (rs.metadata.uid === newRS.metadata.uid ? newRS : rs))
      : [...owned, newRS];
    const old = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);
    if (d.spec.strategy?.type === 'Recreate') await this.rolloutRecreate(d, newRS, old);
    else await this.rolloutRolling(d, newRS, old);
    await this.cleanupOldReplicaSets(d, old);
    await this.syncStatus(d, newRS, all, created);
  }

  /** The ReplicaSet for the current template: found (and its revision bumped if it was an old one) or created. */
  private async getNewReplicaSet(d: Deployment, owned: ReplicaSet[]): Promise<{ rs: ReplicaSet; created: boolean }> {
    const maxOld = Math.max(0, ...owned.map(revisionOf));
    const existing = owned.find((rs) => equalTemplates(rs.spec.template, d.spec.template));
    const [surge] = surgeAndUnavailable(d);
    const annotations = (rs: ReplicaSet, revision: number) => ({
      ...rs.metadata.annotations,
      [REVISION]: String(revision),
      [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1),
      [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + (d.spec.strategy?.type === 'Recreate' ? 0 : surge)),
      ...(d.metadata.annotations?.[CHANGE_CAUSE] ? { [CHANGE_CAUSE]: d.metadata.annotations[CHANGE_CAUSE] } : {}),
    });
    if (existing) {
      const revision = revisionOf(existing) < maxOld ? maxOld + 1 : revisionOf(existing);
      const wanted = annotations(existing, revision);
      if (semanticallyEqual(wanted, existing.metadata.annotations)) return { rs: existing, created: false };
      return {
        rs: await this.api.updateReplicaSet({ ...existing, metadata: { ...existing.metadata, annotations: wanted } }),
        created: false,
      };
    }
    const hash = templateHash(d.spec.template, d.status?.collisionCount ?? 0);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        annotations: {},
        ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec.minReadySeconds,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
        template,
      },
    };
    rs.metadata.annotations = annotations(rs, maxOld + 1);
    try {
      return { rs: await this.api.createReplicaSet(rs), created: true };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A ReplicaSet of that name with another template: a hash collision. Count it and try again.
      await this.api.updateDeploymentStatus({ ...d, status: { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 } });
      throw err;
    }
  }

  private async scale(d: Deployment, rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const from = replicasOf(rs);
    if (from === replicas) return rs;
    const updated = await this.api.updateReplicaSet({
      ...rs,
      spec: { ...rs.spec, replicas },
      metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1) } },
    });
    this.event(
      d,
      'ScalingReplicaSet',
      replicas > from
        ? `Scaled up replica set ${rs.metadata.name} to ${replicas} from ${from}`
        : `Scaled down replica set ${rs.metadata.name} to ${replicas} from ${from}`,
    );
    return updated;
  }

  /** Recreate: every old pod goes first; the new ReplicaSet is scaled up once none is left. */
  private async rolloutRecreate(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): Promise<void> {
    for (const rs of old) if (replicasOf(rs) > 0) await this.scale(d, rs, 0);
    if (old.some((rs) => (rs.status?.replicas ?? 0) > 0)) return; // wait for the old pods to be gone
    await this.scale(d, newRS, d.spec.replicas ?? 1);
  }

  /** RollingUpdate: reconcileNewReplicaSet, then reconcileOldReplicaSets, within maxSurge/maxUnavailable. */
  private async rolloutRolling(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): Promise<void> {
    const replicas = d.spec.replicas ?? 1;
    const [maxSurge, maxUnavailable] = surgeAndUnavailable(d);
    // reconcileNewReplicaSet
    const current = replicasOf(newRS) + sum(old, replicasOf);
    let newReplicas = replicasOf(newRS);
    if (newReplicas > replicas) newReplicas = replicas;
    else if (newReplicas < replicas) newReplicas = Math.min(replicas, newReplicas + Math.max(0, replicas + maxSurge - current));
    newRS = await this.scale(d, newRS, newReplicas);
    // reconcileOldReplicaSets
    const oldWithPods = old.filter((rs) => replicasOf(rs) > 0).sort(byCreation);
    if (!oldWithPods.length) return;
    const minAvailable = replicas - maxUnavailable;
    const allPods = replicasOf(newRS) + sum(old, replicasOf);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    let budget = allPods - minAvailable - newUnavailable;
    // First the old pods that are not available anyway (cleanupUnhealthyReplicas).
    for (const rs of oldWithPods) {
      if (budget <= 0) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      const down = Math.min(unhealthy, budget);
      if (down <= 0) continue;
      budget -= down;
      const scaled = await this.scale(d, rs, replicasOf(rs) - down);
      Object.assign(rs, scaled);
    }
    // Then healthy old pods, keeping minAvailable available across all ReplicaSets.
    const available =
      (newRS.status?.availableReplicas ?? 0) + sum(oldWithPods, (rs) => Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)));
    let toScaleDown = available - minAvailable;
    for (const rs of oldWithPods) {
      if (toScaleDown <= 0) break;
      const down = Math.min(replicasOf(rs), toScaleDown);
      if (down <= 0) continue;
      toScaleDown -= down;
      await this.scale(d, rs, replicasOf(rs) - down);
    }
  }

  /** Old ReplicaSets with no pods beyond revisionHistoryLimit are deleted, oldest first. */
  private async cleanupOldReplicaSets(d: Deployment, old: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = old
      .filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        await this.api.deleteReplicaSet(rs.metadata.namespace!, rs.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncStatus(d: Deployment, newRS: ReplicaSet | undefined, all: ReplicaSet[], created: boolean): Promise<void> {
    const replicas = d.spec.replicas ?? 1;
    const [, maxUnavailable] = surgeAndUnavailable(d);
    const now = rfc3339(new Date(this.clock.now()));
    const total = sum(all, (rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum(all, (rs) => rs.status?.readyReplicas ?? 0);
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    let conditions = d.status?.conditions;
    const availableOk = available >= replicas - (d.spec.strategy?.type === 'Recreate' ? 0 : maxUnavailable);
    conditions = setCondition(conditions, {
      type: 'Available',
      status: availableOk ? 'True' : 'False',
      reason: availableOk ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message: availableOk ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    const complete =
      updated === replicas &&
      available >= replicas &&
      total === replicas &&
      (newRS?.status?.observedGeneration ?? 0) >= (newRS?.metadata.generation ?? 0);
    const progressing = conditions.find((c) => c.type === 'Progressing');
    let next: Condition | undefined;
    if (d.spec.paused) {
      next = {
        type: 'Progressing',
        status: 'Unknown',
        reason: 'DeploymentPaused',
        message: 'Deployment is paused',
        lastUpdateTime: now,
        lastTransitionTime: now,
      };
    } else if (complete && newRS) {
      next = {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`,
        lastUpdateTime: progressing?.reason === 'NewReplicaSetAvailable' ? progressing.lastUpdateTime : now,
        lastTransitionTime: now,
      };
    } else if (newRS) {
      const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
      const since = Date.parse(progressing?.lastUpdateTime ?? now);
      const changed = created || progressing?.reason === 'NewReplicaSetAvailable' || !progressing;
      if (!changed && progressing?.status === 'True' && this.clock.now() - since > deadline) {
        next = {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.`,
          lastUpdateTime: now,
          lastTransitionTime: now,
        };
      } else if (progressing?.reason !== 'ProgressDeadlineExceeded' || changed) {
        const reason = created
          ? 'NewReplicaSetCreated'
          : progressing?.reason === 'NewReplicaSetAvailable' || !progressing
            ? 'FoundNewReplicaSet'
            : 'ReplicaSetUpdated';
        next = {
          type: 'Progressing',
          status: 'True',
          reason,
          message:
            reason === 'NewReplicaSetCreated'
              ? `Created new replica set "${newRS.metadata.name}"`
              : `ReplicaSet "${newRS.metadata.name}" is progressing.`,
          lastUpdateTime: changed || progressing?.reason !== reason ? now : progressing!.lastUpdateTime,
          lastTransitionTime: now,
        };
      }
      if (!complete && next?.status === 'True') this.queue.addAfter(objectKey(d), Math.min(deadline, 10_000));
    }
    if (next) conditions = setCondition(conditions, next);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
      conditions,
      ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
    };
    const strip = (s: DeploymentStatus | undefined) => ({
      ...s,
      conditions: s?.conditions?.map((c) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })),
    });
    const revision = newRS ? String(revisionOf(newRS)) : undefined;
    if (revision && d.metadata.annotations?.[REVISION] !== revision) {
      await this.api.updateDeployment({
        ...d,
        metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [REVISION]: revision } },
      });
      return; // the update requeues the deployment; status follows on the next sync
    }
    if (semanticallyEqual(strip(status), strip(d.status))) return;
    await this.api.updateDeploymentStatus({ ...d, status });
  }
}
