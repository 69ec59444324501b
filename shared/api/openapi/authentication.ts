// authentication.k8s.io/v1: TokenRequest (serviceaccounts/<name>/token), TokenReview and SelfSubjectReview; v1beta1's SelfSubjectReview (kubectl 1.27's auth whoami).
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int64, list, map, object, ref, str } from './model';

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
  BoundObjectReference: object({
    apiVersion: str('API version of the referent: v1.'),
    kind: str('Kind of the referent: Pod or Secret.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
  }),
  SelfSubjectReview: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    status: ref('SelfSubjectReviewStatus'),
  }),
  SelfSubjectReviewStatus: object({
    userInfo: ref('UserInfo'),
  }),
  TokenRequest: object(
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
      spec: ref('TokenRequestSpec'),
      status: ref('TokenRequestStatus'),
    },
    { description: 'A request for a ServiceAccount token: POST serviceaccounts/<name>/token.' },
  ),
  TokenRequestSpec: object({
    audiences: list(str(), "Whom the token is for; empty: the apiserver's own audiences (--api-audiences)."),
    boundObjectRef: ref('BoundObjectReference', 'The object the token is bound to: its deletion ends the token.'),
    expirationSeconds: int64('The requested lifetime: 3600 by default, at least 600.'),
  }),
  TokenRequestStatus: object({
    expirationTimestamp: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'When the token expires.'),
    token: str('The opaque bearer token.'),
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
