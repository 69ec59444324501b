// The claims of a ServiceAccount token (Kubernetes' pkg/serviceaccount/claims.go): who it is for, for
// how long, for which audiences, and the objects it is bound to, under the private claim "kubernetes.io":
//
//   {"aud":["https://kubernetes.default.svc.cluster.local"],"exp":1700003600,"iat":1700000000,
//    "iss":"https://kubernetes.default.svc.cluster.local","jti":"<uuid>",
//    "kubernetes.io":{"namespace":"default","node":{"name":"node-1","uid":"..."},"pod":{"name":"web","uid":"..."},
//                     "serviceaccount":{"name":"default","uid":"..."}},
//    "nbf":1700000000,"sub":"system:serviceaccount:default:default"}
//
// Pure functions: making the claims, reading them back from a verified token (hostile until checked),
// the time checks with go-jose's leeway, and the user a valid token authenticates as.
import type { UserInfo } from '../../shared/api/authentication';
import type { ServiceAccount } from '../../shared/api/core';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
/** --service-account-issuer's default here (kubeadm's): the in-cluster name of the API. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** go-jose's DefaultLeeway: clocks may differ by a minute. */
export const LEEWAY_SECONDS = 60;

/** The user extra keys a ServiceAccount token adds (k8s.io/apiserver/pkg/authentication/serviceaccount). */
export const EXTRA = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUID: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUID: 'authentication.kubernetes.io/node-uid',
  credentialID: 'authentication.kubernetes.io/credential-id',
} as const;

export interface ObjectRef {
  name: string;
  uid: string;
}

/** What a token is bound to besides its ServiceAccount: a pod (and the node it runs on) or a secret. */
export interface BoundObjects {
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The pod's node; its uid is left out when the Node object does not exist. */
  node?: { name: string; uid?: string };
}

export interface KubernetesClaims {
  namespace: string;
  node?: { name: string; uid?: string };
  pod?: ObjectRef;
  secret?: ObjectRef;
  serviceaccount: ObjectRef;
}

/** In the order go-jose writes them (a Go map's, sorted). Times are seconds since the epoch. */
export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaims;
  nbf: number;
  sub: string;
}

/** `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUsername = (namespace: string, name: string) => `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;

export interface ClaimsRequest {
  issuer: string;
  serviceAccount: ServiceAccount;
  bound: BoundObjects;
  audiences: string[];
  expirationSeconds: number;
  /** Milliseconds since the epoch. */
  now: number;
  jti: string;
}

export function serviceAccountClaims(r: ClaimsRequest): ServiceAccountClaims {
  const { namespace = '', name = '', uid = '' } = r.serviceAccount.metadata;
  const now = Math.floor(r.now / 1000);
  return {
    aud: r.audiences,
    exp: now + r.expirationSeconds,
    iat: now,
    iss: r.issuer,
    jti: r.jti,
    'kubernetes.io': {
      namespace,
      ...(r.bound.node ? { node: r.bound.node } : {}),
      ...(r.bound.pod ? { pod: r.bound.pod } : {}),
      ...(r.bound.secret ? { secret: r.bound.secret } : {}),
      serviceaccount: { name, uid },
    },
    nbf: now,
    sub: serviceAccountUsername(namespace, name),
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ref = (v: unknown): ObjectRef | undefined =>
  isObject(v) && isString(v.name) && isString(v.uid) && v.name !== '' ? { name: v.name, uid: v.uid } : undefined;

/**
 * The claims of a verified token when they have the shape Kubernetes writes, else undefined. A single
 * audience may be a string (RFC 7519 allows it). The subject must name the ServiceAccount of the private claims.
 */
export function parseClaims(raw: Record<string, unknown>): ServiceAccountClaims | undefined {
  const k = raw['kubernetes.io'];
  const aud = isString(raw.aud) ? [raw.aud] : Array.isArray(raw.aud) && raw.aud.every(isString) ? raw.aud : undefined;
  const times = [raw.exp, raw.iat, raw.nbf];
  if (!aud || !isString(raw.iss) || !isString(raw.sub) || !isObject(k) || !isString(k.namespace) || k.namespace === '') return undefined;
  if (!times.every((t) => t === undefined || (typeof t === 'number' && Number.isFinite(t))) || raw.exp === undefined) return undefined;
  const serviceaccount = ref(k.serviceaccount);
  if (!serviceaccount || raw.sub !== serviceAccountUsername(k.namespace, serviceaccount.name)) return undefined;
  const [pod, secret] = [ref(k.pod), ref(k.secret)];
  if ((k.pod !== undefined && !pod) || (k.secret !== undefined && !secret)) return undefined;
  const node =
    isObject(k.node) && isString(k.node.name) ? { name: k.node.name, ...(isString(k.node.uid) ? { uid: k.node.uid } : {}) } : undefined;
  return {
    aud,
    exp: raw.exp as number,
    iat: (raw.iat as number | undefined) ?? 0,
    iss: raw.iss,
    jti: isString(raw.jti) ? raw.jti : '',
    'kubernetes.io': {
      namespace: k.namespace,
      ...(node ? { node } : {}),
      ...(pod ? { pod } : {}),
      ...(secret ? { secret } : {}),
      serviceaccount,
    },
    nbf: (raw.nbf as number | undefined) ?? 0,
    sub: raw.sub,
  };
}

/** Why the token is not valid at `now` (ms), in Kubernetes' words, or undefined when it is. */
export function timeError(claims: ServiceAccountClaims, now: number): string | undefined {
  const seconds = now / 1000;
  if (claims.exp < seconds - LEEWAY_SECONDS) return 'service account token has expired';
  if (claims.nbf > seconds + LEEWAY_SECONDS) return 'service account token is not valid yet';
  if (claims.iat > seconds + LEEWAY_SECONDS) return 'service account token is issued in the future';
  return undefined;
}

/**
 * The audiences both the token and the request accept (Audiences.Intersect); a token without audiences
 * is taken to be for the apiserver's own (`implicit`).
 */
export function acceptedAudiences(tokenAudiences: string[], requested: string[], implicit: string[]): string[] {
  const token = tokenAudiences.length ? tokenAudiences : implicit;
  return token.filter((a) => requested.includes(a));
}

/** The user of a valid token: the ServiceAccount's name and uid, its groups, and the bound objects as extra. */
export function serviceAccountUser(claims: ServiceAccountClaims): UserInfo {
  const { namespace, serviceaccount, pod, node } = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (pod) Object.assign(extra, { [EXTRA.podName]: [pod.name], [EXTRA.podUID]: [pod.uid] });
  if (claims.jti) extra[EXTRA.credentialID] = [`JTI=${claims.jti}`];
  if (node) {
    extra[EXTRA.nodeName] = [node.name];
    if (node.uid) extra[EXTRA.nodeUID] = [node.uid];
  }
  return {
    username: serviceAccountUsername(namespace, serviceaccount.name),
    uid: serviceaccount.uid,
    groups: [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
