// Policy-based storage of Roles, ClusterRoles and their bindings (Kubernetes' pkg/registry/rbac/*/policybased):
// the right to write these objects is not the right to grant anything. A create or update is let through
// only when
//   - the user is in system:masters (the apiserver's own identity in Kubernetes), or
//   - for a Role or ClusterRole: the user may `escalate` roles/clusterroles; for a binding: the user may
//     `bind` the role it refers to; or
//   - the user already holds every rule it would grant (escalation.ts); a binding grants the rules of its role.
// Otherwise: 403 `... is forbidden: user "x" (groups=[...]) is attempting to grant RBAC permissions not currently held: ...`.
import type { UserInfo } from '../../../shared/api/authentication';
import type { KubeObject } from '../../../shared/api/meta';
import type { PolicyRule, Role, RoleBinding } from '../../../shared/api/rbac';
import { semanticallyEqual } from '../../../shared/equality';
import { AdmissionAttributes, admissionForbidden, ValidationPlugin } from '../../admission/admission';
import type { Authorizer } from '../../auth/authorizer';
import { escalationRefusal } from '../../auth/escalation';
import type { RuleResolver } from '../../auth/rbac';

const RBAC = 'rbac.authorization.k8s.io';
/** What it takes to set an aggregationRule, which can gather any rule there is. */
const FULL_AUTHORITY: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

/** Members of system:masters may grant anything. */
const escalationAllowed = (user: UserInfo) => !!user.groups?.includes('system:masters');

/** An update that only touches what the garbage collector changes (owner references, finalizers) grants nothing new. */
function onlyGarbageCollectorFields(obj: KubeObject, old: KubeObject): boolean {
  const comparable = (o: KubeObject, metaFrom: KubeObject) => {
    const { apiVersion: _a, kind: _k, metadata, ...rest } = o;
    const { resourceVersion: _r, generation: _g, ...meta } = metadata;
    return { ...rest, metadata: { ...meta, ownerReferences: metaFrom.metadata.ownerReferences, finalizers: metaFrom.metadata.finalizers } };
  };
  return semanticallyEqual(comparable(obj, old), comparable(old, old));
}

const hasAggregationRule = (role: KubeObject | undefined) =>
  ((role as { aggregationRule?: { clusterRoleSelectors?: unknown[] } } | undefined)?.aggregationRule?.clusterRoleSelectors?.length ?? 0) >
  0;

export class RbacEscalationCheck implements ValidationPlugin {
  constructor(
    private readonly rules: RuleResolver,
    private readonly authorizer: Authorizer,
  ) {}

  async validate(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.resource.group !== RBAC || attrs.operation === 'DELETE' || escalationAllowed(attrs.user)) return;
    if (attrs.oldObject && onlyGarbageCollectorFields(attrs.object!, attrs.oldObject)) return;
    if (attrs.resource.plural === 'roles' || attrs.resource.plural === 'clusterroles') await this.confirmRole(attrs);
    else if (attrs.resource.plural === 'rolebindings' || attrs.resource.plural === 'clusterrolebindings') await this.confirmBinding(attrs);
  }

  private async confirmRole(attrs: AdmissionAttributes): Promise<void> {
    // The name is the request's: a create names none, so `escalate` limited by resourceNames cannot create.
    if (await this.allowed(attrs.user, 'escalate', attrs.resource.plural, attrs.namespace, attrs.operation === 'CREATE' ? '' : attrs.name))
      return;
    this.confirmHeld(attrs, (attrs.object as Role).rules ?? []);
    if (hasAggregationRule(attrs.object) || hasAggregationRule(attrs.oldObject)) {
      if (escalationRefusal(this.rules, attrs.user, attrs.namespace, FULL_AUTHORITY))
        throw admissionForbidden(attrs, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }

  private async confirmBinding(attrs: AdmissionAttributes): Promise<void> {
    const { roleRef } = attrs.object as RoleBinding;
    const resource = roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
    if (await this.allowed(attrs.user, 'bind', resource, attrs.namespace, roleRef.name)) return;
    this.confirmHeld(attrs, this.rules.roleReferenceRules(roleRef, attrs.namespace));
  }

  private confirmHeld(attrs: AdmissionAttributes, granted: PolicyRule[]): void {
    const refusal = escalationRefusal(this.rules, attrs.user, attrs.namespace, granted);
    if (refusal) throw admissionForbidden(attrs, refusal);
  }

  /** Whether any authorizer lets `user` do `verb` on a role (Kubernetes asks the whole chain, not only RBAC). */
  private async allowed(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
    const decision = await this.authorizer.authorize({
      user,
      verb,
      isResourceRequest: true,
      path: '',
      apiGroup: RBAC,
      apiVersion: '*',
      namespace,
      resource,
      subresource: '',
      name,
    });
    return decision.decision === 'allow';
  }
}
