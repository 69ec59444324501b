// The VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding), for the volumes this cluster
// has: a pod's PersistentVolumeClaims decide where it may run.
//   PreFilter  every claim exists and is not being deleted, and none of an Immediate class is unbound
//              (the PV controller binds those first): `pod has unbound immediate PersistentVolumeClaims`.
//   Filter     a bound claim's volume must be reachable from the node (its node affinity); an unbound
//              claim of a WaitForFirstConsumer class needs an available volume reachable from the node,
//              or a class with a provisioner that can make one there.
//   PreBind    on the chosen node, each unbound claim gets its volume: a static one is bound by writing
//              its claimRef (the PV controller finishes), otherwise the claim is annotated
//              volume.kubernetes.io/selected-node for the provisioner; then the pod waits, still
//              assumed on the node, until every claim is bound (at most BIND_TIMEOUT_MS).
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../shared/api/core';
import { podClaimNames } from '../../shared/api/references';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, NO_PROVISIONER, StorageClass } from '../../shared/api/storage';
import { checkNodeAffinity, claimClass, findMatchingVolume } from '../../shared/pvhelpers';
import { FilterPlugin, Status, SUCCESS, unresolvable, unschedulable } from '../framework';
import type { NodeInfo } from '../nodeinfo';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
/** How long PreBind waits for the claims to be bound (Kubernetes' default bindTimeoutSeconds). */
export const BIND_TIMEOUT_MS = 600_000;

/** What the plugin reads: the informers' caches of claims, volumes and classes. */
export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volumes(): PersistentVolume[];
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
}

/** What PreBind writes. */
export interface VolumeBinder {
  /** Writes the volume's claimRef (and bound-by-controller). */
  bindVolume(pv: PersistentVolume): Promise<void>;
  /** Writes the claim's selected-node annotation. */
  selectNode(pvc: PersistentVolumeClaim): Promise<void>;
}

const isBound = (pvc: PersistentVolumeClaim) => !!pvc.spec.volumeName;
const fullyBound = (pvc: PersistentVolumeClaim) => isBound(pvc) && pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === 'yes';

export class VolumeBinding implements FilterPlugin {
  readonly name = 'VolumeBinding';

  constructor(private readonly listers: VolumeListers) {}

  private claimsOf(pod: Pod): { claims: PersistentVolumeClaim[]; missing?: string } {
    const claims: PersistentVolumeClaim[] = [];
    for (const name of podClaimNames(pod)) {
      const claim = this.listers.claim(pod.metadata.namespace!, name);
      if (!claim) return { claims, missing: name };
      claims.push(claim);
    }
    return { claims };
  }

  private delayBinding(claim: PersistentVolumeClaim): boolean {
    const name = claimClass(claim);
    return !!name && this.listers.storageClass(name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  preFilter(pod: Pod): Status {
    const { claims, missing } = this.claimsOf(pod);
    if (missing) return unresolvable(`persistentvolumeclaim "${missing}" not found`);
    const deleting = claims.find((c) => c.metadata.deletionTimestamp);
    if (deleting) return unresolvable(`persistentvolumeclaim "${deleting.metadata.name}" is being deleted`);
    if (claims.some((c) => !isBound(c) && !this.delayBinding(c))) return unresolvable(ERR_UNBOUND_IMMEDIATE);
    return SUCCESS;
  }

  filter(pod: Pod, info: NodeInfo): Status {
    const { claims } = this.claimsOf(pod);
    const chosen = new Set<string>();
    for (const claim of claims) {
      if (isBound(claim)) {
        const pv = this.listers.volume(claim.spec.volumeName!);
        if (!pv) return unresolvable(ERR_REASON_PV_NOT_EXIST);
        if (!checkNodeAffinity(pv, info.node)) return unresolvable(ERR_REASON_NODE_CONFLICT);
        continue;
      }
      const pv = findMatchingVolume(claim, this.listers.volumes(), { node: info.node, delayBinding: true, excluded: chosen });
      if (pv) {
        chosen.add(pv.metadata.name!);
        continue;
      }
      if (!this.canProvision(claim, info.node)) return unschedulable(ERR_REASON_BIND_CONFLICT);
    }
    return SUCCESS;
  }

  /** A class with a provisioner may make a volume for the claim on this node (within its allowedTopologies). */
  private canProvision(claim: PersistentVolumeClaim, node: Node): boolean {
    const sc = this.listers.storageClass(claimClass(claim));
    if (!sc || sc.provisioner === NO_PROVISIONER) return false;
    const terms = sc.allowedTopologies ?? [];
    const labels = node.metadata.labels ?? {};
    return !terms.length || terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => (e.values ?? []).includes(labels[e.key])));
  }

  /** Whether PreBind has anything to do: a claim of the pod not bound yet. */
  needsBinding(pod: Pod): boolean {
    return this.claimsOf(pod).claims.some((c) => !fullyBound(c));
  }

  /**
   * PreBind on `node`: binds the static volumes chosen for the pod's unbound claims and asks for the others
   * to be provisioned there, then waits until every claim is bound. Throws when a claim cannot be bound
   * on the node any more or the wait times out; the pod is then scheduled again.
   */
  async preBind(pod: Pod, node: Node, binder: VolumeBinder, wait: (ms: number) => Promise<void>, now: () => number): Promise<void> {
    const chosen = new Set<string>();
    for (const claim of this.claimsOf(pod).claims) {
      if (isBound(claim)) continue;
      const pv = findMatchingVolume(claim, this.listers.volumes(), { node, delayBinding: true, excluded: chosen });
      if (pv) {
        chosen.add(pv.metadata.name!);
        if (pv.spec.claimRef) continue; // already ours
        const next = structuredClone(pv);
        next.spec.claimRef = {
          kind: 'PersistentVolumeClaim',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          apiVersion: 'v1',
          resourceVersion: claim.metadata.resourceVersion,
        };
        next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
        await binder.bindVolume(next);
      } else if (claim.metadata.annotations?.[ANN_SELECTED_NODE] !== node.metadata.name) {
        const next = structuredClone(claim);
        next.metadata.annotations = { ...next.metadata.annotations, [ANN_SELECTED_NODE]: node.metadata.name! };
        await binder.selectNode(next);
      }
    }
    const deadline = now() + BIND_TIMEOUT_MS;
    // Claims seen waiting for a volume on this node. The cache may not show the annotation just written yet;
    // once it has, its removal means the provisioner gave up on the node (it removes it to ask for another).
    const provisioning = new Set<string>();
    for (;;) {
      const { claims, missing } = this.claimsOf(pod);
      if (missing) throw new Error(`persistentvolumeclaim "${missing}" not found`);
      if (claims.every(fullyBound)) return;
      for (const c of claims) {
        const name = c.metadata.name!;
        if (isBound(c)) continue;
        if (c.metadata.annotations?.[ANN_SELECTED_NODE] === node.metadata.name) provisioning.add(name);
        else if (provisioning.has(name))
          throw new Error(`persistentvolumeclaim "${name}" was not provisioned on node "${node.metadata.name}"`);
      }
      if (now() >= deadline) throw new Error('binding volumes: context deadline exceeded');
      await wait(100);
    }
  }
}
