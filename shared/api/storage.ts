// storage.k8s.io/v1: StorageClasses, which name a provisioner that makes volumes on demand for the claims
// asking for the class, and the annotations by which the PV controller, the scheduler and provisioners
// talk about claims and volumes (Kubernetes' pkg/controller/volume/persistentvolume/util and
// k8s.io/component-helpers/storage/volume).
import type { PersistentVolumeReclaimPolicy, NodeSelectorRequirement } from './core';
import type { KubeObject } from './meta';

export type VolumeBindingMode = 'Immediate' | 'WaitForFirstConsumer';

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: PersistentVolumeReclaimPolicy;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: VolumeBindingMode;
  allowedTopologies?: { matchLabelExpressions?: Pick<NodeSelectorRequirement, 'key' | 'values'>[] }[];
}

/** "true" on the class that claims without a storageClassName get. */
export const IS_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';
/** The pre-1.6 name, still honoured. */
export const BETA_IS_DEFAULT_STORAGE_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultStorageClass = (sc: StorageClass): boolean =>
  sc.metadata.annotations?.[IS_DEFAULT_STORAGE_CLASS] === 'true' || sc.metadata.annotations?.[BETA_IS_DEFAULT_STORAGE_CLASS] === 'true';

/** The provisioner a class names that nobody runs: volumes of the class are made by hand. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

// Annotations on PersistentVolumes and PersistentVolumeClaims.
/** On a claim: the controller has bound it (it stays bound to its volume from then on). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume: the controller (not the user) set its volumeName or claimRef. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a claim: the provisioner asked to make its volume. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim of a WaitForFirstConsumer class: the node the scheduler chose for its first pod. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** On a volume: the provisioner that made it (and deletes it). */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

/** Kept on a claim while a pod uses it, and on a volume while it is bound (StorageObjectInUseProtection). */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The provisioner of the cluster's default class (k3s's local-path-provisioner's name) and the class. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';
