// authentication.k8s.io/v1: TokenReview and SelfSubjectReview; v1beta1's SelfSubjectReview (kubectl 1.27's auth whoami).
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, list, map, object, ref, str } from './model';

export const authenticationV1beta1 = definitions('io.k8s.api.authentication.v1beta1', {
  SelfSubjectReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    status: ref('SelfSubjectReviewStatus'),
  }),
  SelfSubjectReviewStatus: object({
    userInfo: ref('io.k8s.api.authentication.v1.UserInfo'),
  }),
});

export const authentication = definitions('io.k8s.api.authentication.v1', {
  SelfSubjectReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    status: ref('SelfSubjectReviewStatus'),
  }),
  SelfSubjectReviewStatus: object({
    userInfo: ref('UserInfo'),
  }),
  TokenReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('TokenReviewSpec'),
    status: ref('TokenReviewStatus'),
  }),
  TokenReviewSpec: object({
    audiences: list(str()),
    token: str(),
  }),
  TokenReviewStatus: object({
    audiences: list(str()),
    authenticated: bool(),
    error: str(),
    user: ref('UserInfo'),
  }),
  UserInfo: object({
    extra: map(list(str())),
    groups: list(str()),
    uid: str(),
    username: str(),
  }),
});
