// authorization.k8s.io/v1: SubjectAccessReview, SelfSubjectAccessReview and SelfSubjectRulesReview.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, list, map, object, ref, str } from './model';

export const authorization = definitions('io.k8s.api.authorization.v1', {
  FieldSelectorAttributes: object({
    rawSelector: str(),
    requirements: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement')),
  }),
  LabelSelectorAttributes: object({
    rawSelector: str(),
    requirements: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement')),
  }),
  NonResourceAttributes: object({
    path: str(),
    verb: str(),
  }),
  NonResourceRule: object({
    nonResourceURLs: list(str()),
    verbs: list(str()),
  }),
  ResourceRule: object({
    apiGroups: list(str()),
    resourceNames: list(str()),
    resources: list(str()),
    verbs: list(str()),
  }),
  SelfSubjectRulesReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('SelfSubjectRulesReviewSpec'),
    status: ref('SubjectRulesReviewStatus'),
  }),
  SelfSubjectRulesReviewSpec: object({
    namespace: str(),
  }),
  SubjectRulesReviewStatus: object({
    evaluationError: str(),
    incomplete: bool(),
    nonResourceRules: list(ref('NonResourceRule')),
    resourceRules: list(ref('ResourceRule')),
  }),
  ResourceAttributes: object({
    fieldSelector: ref('FieldSelectorAttributes'),
    group: str(),
    labelSelector: ref('LabelSelectorAttributes'),
    name: str(),
    namespace: str(),
    resource: str(),
    subresource: str(),
    verb: str(),
    version: str(),
  }),
  SelfSubjectAccessReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('SelfSubjectAccessReviewSpec'),
    status: ref('SubjectAccessReviewStatus'),
  }),
  SelfSubjectAccessReviewSpec: object({
    nonResourceAttributes: ref('NonResourceAttributes'),
    resourceAttributes: ref('ResourceAttributes'),
  }),
  SubjectAccessReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('SubjectAccessReviewSpec'),
    status: ref('SubjectAccessReviewStatus'),
  }),
  SubjectAccessReviewSpec: object({
    extra: map(list(str())),
    groups: list(str()),
    nonResourceAttributes: ref('NonResourceAttributes'),
    resourceAttributes: ref('ResourceAttributes'),
    uid: str(),
    user: str(),
  }),
  SubjectAccessReviewStatus: object({
    allowed: bool(),
    denied: bool(),
    evaluationError: str(),
    reason: str(),
  }),
});
