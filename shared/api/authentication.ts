// authentication.k8s.io/v1 and authorization.k8s.io/v1: the reviews a component sends to ask the
// apiserver who a token belongs to, and whether a user may do something.
import type { KubeObject } from './meta';

/** Who made a request, as the authenticator found it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface TokenReview extends KubeObject {
  spec: { token: string; audiences?: string[] };
  status?: { authenticated?: boolean; user?: UserInfo; error?: string };
}

/**
 * POST serviceaccounts/<name>/token: a signed, expiring token for the ServiceAccount (`kubectl create
 * token`; the kubelet asks one per pod, bound to it, for the projected serviceAccountToken volume).
 */
export interface TokenRequest extends KubeObject {
  spec: {
    /** Whom the token is for; empty: the apiserver's --api-audiences. */
    audiences?: string[];
    /** Defaults to 3600, at least 600. */
    expirationSeconds?: number;
    /** The object whose deletion ends the token: a Pod or a Secret of the namespace. */
    boundObjectRef?: BoundObjectReference;
  };
  status?: { token: string; expirationTimestamp: string };
}

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

/** "Can I ...?" for the caller itself (`kubectl auth can-i`). */
export interface SelfSubjectAccessReview extends KubeObject {
  spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  status?: SubjectAccessReviewStatus;
}

/** What the caller may do in a namespace (`kubectl auth can-i --list`): its rules, as RBAC grants them. */
export interface SelfSubjectRulesReview extends KubeObject {
  spec: { namespace?: string };
  status?: {
    resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
    nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
    incomplete: boolean;
    evaluationError?: string;
  };
}

/** "Who am I?" (`kubectl auth whoami`). */
export interface SelfSubjectReview extends KubeObject {
  status?: { userInfo: UserInfo };
}

/** "May this user ...?" asked on someone else's behalf (a kubelet checking a caller). */
export interface SubjectAccessReview extends KubeObject {
  spec: {
    resourceAttributes?: ResourceAttributes;
    nonResourceAttributes?: NonResourceAttributes;
    user?: string;
    uid?: string;
    groups?: string[];
  };
  status?: SubjectAccessReviewStatus;
}

/** The group of the read-only users this cluster's installers make (`.data/kubeconfig-viewer`): bound to view. */
export const VIEWERS_GROUP = 'mini-kubernetes:viewers';
