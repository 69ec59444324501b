// Every definition the apiserver knows, and which one describes a kind. A kind `K` of group `g.example.io`
// version `v1` is the definition `io.k8s.api.g.v1.K` (the core group is `core`), as in Kubernetes.
import type { ResourceInfo } from '../resources';
import { apiextensions } from './apiextensions';
import { apps } from './apps';
import { authentication, authenticationV1beta1 } from './authentication';
import { authorization } from './authorization';
import { autoscalingV1, autoscalingV2 } from './autoscaling';
import { batch } from './batch';
import { certificates } from './certificates';
import { coordination } from './coordination';
import { core } from './core';
import { discovery } from './discovery';
import { intstr, meta, metaExtra, resource, runtime } from './meta';
import type { Definitions } from './model';
import { persistentVolumes } from './persistentvolumes';
import { policy } from './policy';
import { rbac } from './rbac';
import { storage, storageCore } from './storage';

export type { Definitions, GroupVersionKind, Schema } from './model';
export { decodeWithSchema } from './structural';
export type { DecodeReport } from './structural';

export const DEFINITIONS: Definitions = {
  ...meta,
  ...metaExtra,
  ...resource,
  ...intstr,
  ...runtime,
  ...core,
  ...apps,
  ...autoscalingV1,
  ...autoscalingV2,
  ...batch,
  ...coordination,
  ...discovery,
  ...rbac,
  ...authentication,
  ...authenticationV1beta1,
  ...authorization,
  ...certificates,
  ...policy,
  ...persistentVolumes,
  ...storage,
  ...storageCore,
  ...apiextensions,
};

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The name of a kind's definition: `io.k8s.api.apps.v1.Deployment`. */
export function definitionName(r: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'definition'>): string {
  if (r.definition) return r.definition;
  return `io.k8s.api.${r.group ? r.group.split('.')[0] : 'core'}.${r.version}.${r.kind}`;
}
