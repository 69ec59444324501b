// storage.k8s.io/v1: StorageClasses. Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, list, map, object, ref, str } from './model';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const storage = definitions('io.k8s.api.storage.v1', {
  StorageClass: object(
    {
      allowVolumeExpansion: bool('Whether claims of the class may grow.'),
      allowedTopologies: list(ref('io.k8s.api.core.v1.TopologySelectorTerm'), 'Where provisioned volumes may be.'),
      apiVersion: str(),
      kind: str(),
      metadata: ref(`${META}.ObjectMeta`),
      mountOptions: list(str()),
      parameters: map(str(), 'For the provisioner.'),
      provisioner: str('Who makes the volumes of the class (rancher.io/local-path), or kubernetes.io/no-provisioner.'),
      reclaimPolicy: str('The reclaim policy of the volumes it makes: Delete (the default) or Retain.', {
        enum: ['Delete', 'Recycle', 'Retain'],
      }),
      volumeBindingMode: str(
        'Immediate (the default): claims bind when created; WaitForFirstConsumer: when the first pod using one is scheduled, on its node.',
        { enum: ['Immediate', 'WaitForFirstConsumer'] },
      ),
    },
    {
      required: ['provisioner'],
      description: 'A class of storage: the provisioner that makes volumes for the claims asking for it, and how.',
    },
  ),
});

export const storageCore = definitions('io.k8s.api.core.v1', {
  TopologySelectorLabelRequirement: object({ key: str(), values: list(str()) }, { required: ['key', 'values'] }),
  TopologySelectorTerm: object({ matchLabelExpressions: list(ref('TopologySelectorLabelRequirement')) }),
});
