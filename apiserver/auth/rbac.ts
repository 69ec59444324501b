// The RBAC authorizer: a request is allowed when a binding that names the user (or one of its groups)
// grants a role with a rule covering the verb, API group, resource (and subresource), name or path.
// ClusterRoleBindings grant everywhere; RoleBindings only in their own namespace.
import type { UserInfo } from '../../shared/api/authentication';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../shared/api/rbac';
import { ALLOW, Attributes, Authorizer, Decision, noOpinion } from './authorizer';

/** Where the authorizer reads roles and bindings from (a watch-fed cache in the apiserver). */
export interface PolicySource {
  clusterRoleBindings(): ClusterRoleBinding[];
  roleBindings(namespace: string): RoleBinding[];
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

const has = (list: string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const requested = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === requested || (subresource !== '' && r === `*/${subresource}`));
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** Whether one rule covers the request. */
export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!attrs.isResourceRequest) return nonResourceURLMatches(rule, attrs.path);
  if (!has(rule.apiGroups, attrs.apiGroup) || !resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(attrs.name);
}

export function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.username;
    case 'Group':
      return !!user.groups?.includes(subject.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${subject.namespace ?? bindingNamespace}:${subject.name}`;
    default:
      return false;
  }
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly policy: PolicySource) {}

  authorize(attrs: Attributes): Decision {
    for (const binding of this.policy.clusterRoleBindings()) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, attrs.user))) continue;
      const role = this.policy.clusterRole(binding.roleRef.name);
      if (role?.rules?.some((r) => ruleAllows(r, attrs))) return ALLOW;
    }
    if (attrs.namespace) {
      for (const binding of this.policy.roleBindings(attrs.namespace)) {
        if (!(binding.subjects ?? []).some((s) => subjectMatches(s, attrs.user, attrs.namespace))) continue;
        const role =
          binding.roleRef.kind === 'Role'
            ? this.policy.role(attrs.namespace, binding.roleRef.name)
            : this.policy.clusterRole(binding.roleRef.name);
        if (role?.rules?.some((r) => ruleAllows(r, attrs))) return ALLOW;
      }
    }
    return noOpinion();
  }
}
