// The RBAC authorizer: a request is allowed when a binding that names the user (or one of its groups)
// grants a role with a rule covering the verb, API group, resource (and subresource), name or path.
// ClusterRoleBindings grant everywhere; RoleBindings only in their own namespace. The RuleResolver finds
// those rules; the privilege-escalation check of RBAC writes (registry/rbac.ts) asks it too.
import type { UserInfo } from '../../shared/api/authentication';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from '../../shared/api/rbac';
import { notFound } from '../../shared/errors';
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

/** The rules that apply to a user in a namespace (Kubernetes' DefaultRuleResolver). */
export class RuleResolver {
  constructor(private readonly policy: PolicySource) {}

  /**
   * Calls `visit` with every rule granted to `user` by ClusterRoleBindings and, in `namespace`, by
   * RoleBindings; stops as soon as `visit` returns false. A binding to a role that does not exist grants
   * nothing.
   */
  visitRulesFor(user: UserInfo, namespace: string, visit: (rule: PolicyRule) => boolean): void {
    for (const binding of this.policy.clusterRoleBindings()) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user))) continue;
      for (const rule of this.policy.clusterRole(binding.roleRef.name)?.rules ?? []) if (!visit(rule)) return;
    }
    if (!namespace) return;
    for (const binding of this.policy.roleBindings(namespace)) {
      if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
      for (const rule of this.roleOf(binding.roleRef, namespace)?.rules ?? []) if (!visit(rule)) return;
    }
  }

  /** Every rule `user` holds in `namespace` (cluster-wide ones included). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const rules: PolicyRule[] = [];
    this.visitRulesFor(user, namespace, (rule) => {
      rules.push(rule);
      return true;
    });
    return rules;
  }

  /** The rules of the role a binding in `namespace` ('' for a ClusterRoleBinding) refers to; 404 if there is none. */
  roleReferenceRules(ref: RoleRef, namespace: string): PolicyRule[] {
    const role = this.roleOf(ref, namespace);
    if (!role) throw notFound(ref.kind === 'Role' ? 'roles.rbac.authorization.k8s.io' : 'clusterroles.rbac.authorization.k8s.io', ref.name);
    return role.rules ?? [];
  }

  private roleOf(ref: RoleRef, namespace: string): Role | undefined {
    return ref.kind === 'Role' ? this.policy.role(namespace, ref.name) : this.policy.clusterRole(ref.name);
  }
}

export class RbacAuthorizer implements Authorizer {
  private readonly rules: RuleResolver;

  constructor(policy: PolicySource) {
    this.rules = new RuleResolver(policy);
  }

  authorize(attrs: Attributes): Decision {
    let allowed = false;
    this.rules.visitRulesFor(attrs.user, attrs.namespace, (rule) => !(allowed = ruleAllows(rule, attrs)));
    return allowed ? ALLOW : noOpinion();
  }
}
