// rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { definitions, list, object, ref, str } from './model';

export const rbac = definitions('io.k8s.api.rbac.v1', {
  AggregationRule: object({
    clusterRoleSelectors: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')),
  }),
  ClusterRole: object({
    aggregationRule: ref('AggregationRule'),
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    rules: list(ref('PolicyRule')),
  }),
  ClusterRoleBinding: object(
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      roleRef: ref('RoleRef'),
      subjects: list(ref('Subject')),
    },
    { required: ['roleRef'] },
  ),
  PolicyRule: object(
    {
      apiGroups: list(str()),
      nonResourceURLs: list(str()),
      resourceNames: list(str()),
      resources: list(str()),
      verbs: list(str()),
    },
    { required: ['verbs'] },
  ),
  Role: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    rules: list(ref('PolicyRule')),
  }),
  RoleBinding: object(
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      roleRef: ref('RoleRef'),
      subjects: list(ref('Subject')),
    },
    { required: ['roleRef'] },
  ),
  RoleRef: object(
    {
      apiGroup: str(),
      kind: str(),
      name: str(),
    },
    { required: ['apiGroup', 'kind', 'name'] },
  ),
  Subject: object(
    {
      apiGroup: str(),
      kind: str(),
      name: str(),
      namespace: str(),
    },
    { required: ['kind', 'name'] },
  ),
});
