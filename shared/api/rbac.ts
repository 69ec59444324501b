// rbac.authorization.k8s.io/v1: who may do what. Roles and ClusterRoles hold rules; RoleBindings and
// ClusterRoleBindings grant a role to users, groups and service accounts.
import type { KubeObject } from './meta';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  /** Paths outside the resource API (`/healthz`, `/api/*`); only in ClusterRoles. */
  nonResourceURLs?: string[];
}

export interface Role extends KubeObject {
  rules?: PolicyRule[];
}

export type ClusterRole = Role;

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole';
  name: string;
}

export interface RoleBinding extends KubeObject {
  subjects?: Subject[];
  roleRef: RoleRef;
}

export type ClusterRoleBinding = RoleBinding;
