// core/v1 PersistentVolumes and PersistentVolumeClaims (the claim's spec is in core.ts, shared with
// ephemeral volumes). Of the volume sources only those this cluster mounts are here: hostPath and local
// (a directory on the node); others are unknown fields. Field names and types are Kubernetes'.
import { definitions, list, map, object, ref, str } from './model';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export const persistentVolumes = definitions('io.k8s.api.core.v1', {
  LocalVolumeSource: object(
    {
      fsType: str('The filesystem of the device, for a block device (not supported here).'),
      path: str('The full path of the directory (or device) on the node.'),
    },
    { required: ['path'] },
  ),
  ModifyVolumeStatus: object({ status: str(), targetVolumeAttributesClassName: str() }, { required: ['status'] }),
  PersistentVolume: object(
    {
      apiVersion: str("The group and version of this object's schema: v1."),
      kind: str('The kind of this object: PersistentVolume.'),
      metadata: ref(`${META}.ObjectMeta`),
      spec: ref('PersistentVolumeSpec', 'The storage and how it may be used. Set by the administrator or a provisioner.'),
      status: ref('PersistentVolumeStatus', 'Where the volume is in its life: Available, Bound, Released, Failed.'),
    },
    { description: 'A piece of storage in the cluster, made by an administrator or by a provisioner for a claim.' },
  ),
  PersistentVolumeClaim: object(
    {
      apiVersion: str("The group and version of this object's schema: v1."),
      kind: str('The kind of this object: PersistentVolumeClaim.'),
      metadata: ref(`${META}.ObjectMeta`),
      spec: ref('PersistentVolumeClaimSpec', 'The storage the user asks for.'),
      status: ref('PersistentVolumeClaimStatus', 'Whether the claim is bound, and what it got.'),
    },
    { description: "A user's request for storage, bound to one PersistentVolume that satisfies it." },
  ),
  PersistentVolumeClaimCondition: object(
    {
      lastProbeTime: ref(`${META}.Time`),
      lastTransitionTime: ref(`${META}.Time`),
      message: str(),
      reason: str(),
      status: str(),
      type: str(),
    },
    { required: ['type', 'status'] },
  ),
  PersistentVolumeClaimStatus: object({
    accessModes: list(str(), 'The access modes of the bound volume.'),
    allocatedResourceStatuses: map(str()),
    allocatedResources: map(ref(QUANTITY)),
    capacity: map(ref(QUANTITY), 'The capacity of the bound volume.'),
    conditions: list(ref('PersistentVolumeClaimCondition')),
    currentVolumeAttributesClassName: str(),
    modifyVolumeStatus: ref('ModifyVolumeStatus'),
    phase: str('Pending, Bound or Lost (its volume is gone).', { enum: ['Bound', 'Lost', 'Pending'] }),
  }),
  PersistentVolumeSpec: object({
    accessModes: list(str(), 'How the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
    capacity: map(ref(QUANTITY), "The volume's capacity: `storage`."),
    claimRef: ref('ObjectReference', 'The claim bound to this volume (or for which it is reserved).'),
    hostPath: ref('HostPathVolumeSource', 'A directory on the node (a single-node volume, for development and tests).'),
    local: ref('LocalVolumeSource', 'A directory on one node; needs nodeAffinity naming that node.'),
    mountOptions: list(str()),
    nodeAffinity: ref('VolumeNodeAffinity', 'The nodes from which the volume can be reached: pods of its claim run there.'),
    persistentVolumeReclaimPolicy: str('What happens when its claim is deleted: Retain (the default) or Delete.', {
      enum: ['Delete', 'Recycle', 'Retain'],
    }),
    storageClassName: str('The StorageClass the volume belongs to; empty for none.'),
    volumeAttributesClassName: str(),
    volumeMode: str('Filesystem (the default) or Block.', { enum: ['Block', 'Filesystem'] }),
  }),
  PersistentVolumeStatus: object({
    lastPhaseTransitionTime: ref(`${META}.Time`),
    message: str('Why the volume is in this phase.'),
    phase: str('Pending, Available, Bound, Released or Failed.', { enum: ['Available', 'Bound', 'Failed', 'Pending', 'Released'] }),
    reason: str(),
  }),
  VolumeNodeAffinity: object({
    required: ref('NodeSelector', 'The volume can be reached only from nodes matching one of these terms.'),
  }),
});
