import type { UserInfo } from '../../../shared/api/authentication';
import type { KubeObject } from '../../../shared/api/meta';
import type { ClusterRole, PolicyRule, RoleBinding } from '../../../shared/api/rbac';
import { ClusterRoleBindings, ClusterRoles, RoleBindings, Roles } from '../../../shared/api/resources';
import type { ResourceInfo } from '../../../shared/api/resources';
import { StatusError } from '../../../shared/errors';
import type { AdmissionAttributes, Operation } from '../../admission/admission';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES } from '../../auth/bootstrappolicy';
import { PolicySource, RbacAuthorizer, RuleResolver } from '../../auth/rbac';
import { RbacEscalationCheck } from './policybased';

const RBAC = 'rbac.authorization.k8s.io';
const bob: UserInfo = { username: 'bob', groups: ['system:authenticated'] };
const admin: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** bob is admin of namespace team; `extra` ClusterRoles are bound to him in team too. */
function checker(extra: PolicyRule[] = []): RbacEscalationCheck {
  const roles: ClusterRole[] = [...CLUSTER_ROLES, { metadata: { name: 'extra' }, rules: extra }];
  const binding = (name: string, role: string): RoleBinding => ({
    metadata: { name, namespace: 'team' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'User', name: 'bob' }],
  });
  const policy: PolicySource = {
    clusterRoleBindings: () => CLUSTER_ROLE_BINDINGS,
    roleBindings: (ns) => (ns === 'team' ? [binding('bob-admin', 'admin'), binding('bob-extra', 'extra')] : []),
    clusterRole: (name) => roles.find((r) => r.metadata.name === name),
    role: (ns, name) =>
      ns === 'team' && name === 'reader'
        ? { metadata: { name }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }
        : undefined,
  };
  return new RbacEscalationCheck(new RuleResolver(policy), new RbacAuthorizer(policy));
}

const attrs = (
  resource: ResourceInfo,
  object: KubeObject,
  user = bob,
  operation: Operation = 'CREATE',
  oldObject?: KubeObject,
): AdmissionAttributes => ({
  operation,
  resource,
  subresource: '',
  namespace: resource.namespaced ? 'team' : '',
  name: object.metadata.name!,
  object,
  oldObject,
  user,
  dryRun: false,
});
const roleBinding = (role: string, kind: 'Role' | 'ClusterRole' = 'ClusterRole'): RoleBinding => ({
  metadata: { name: 'grant', namespace: 'team' },
  roleRef: { apiGroup: RBAC, kind, name: role },
  subjects: [{ kind: 'User', name: 'mallory' }],
});
const role = (rules: PolicyRule[], extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'custom', namespace: 'team' },
  rules,
  ...extra,
});
const NODES: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['nodes'] };

async function refusal(check: RbacEscalationCheck, a: AdmissionAttributes): Promise<StatusError | undefined> {
  try {
    await check.validate(a);
    return undefined;
  } catch (err) {
    return err as StatusError;
  }
}

describe('RBAC escalation check', () => {
  it('refuses a namespace admin binding cluster-admin, with the rules it lacks', async () => {
    const err = await refusal(checker(), attrs(RoleBindings, roleBinding('cluster-admin')));
    expect(err?.status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      details: { name: 'grant', group: RBAC, kind: 'rolebindings' },
      message:
        'rolebindings.rbac.authorization.k8s.io "grant" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    });
  });

  it('lets a namespace admin bind what it holds there: edit, view, a Role of the namespace', async () => {
    for (const ref of [roleBinding('edit'), roleBinding('view'), roleBinding('reader', 'Role')])
      expect(await refusal(checker(), attrs(RoleBindings, ref))).toBeUndefined();
  });

  it('lets a user with bind on that role bind it, and only that role', async () => {
    const check = checker([{ verbs: ['bind'], apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }]);
    expect(await refusal(check, attrs(RoleBindings, roleBinding('cluster-admin')))).toBeUndefined();
    expect((await refusal(check, attrs(RoleBindings, roleBinding('system:kube-scheduler'))))?.status.code).toBe(403);
  });

  it('answers 404 for a binding to a role that does not exist', async () => {
    expect((await refusal(checker(), attrs(RoleBindings, roleBinding('nope'))))?.status.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "nope" not found',
    );
  });

  it('refuses a Role or ClusterRole with rules the user lacks, unless it may escalate', async () => {
    const err = await refusal(checker(), attrs(Roles, role([NODES, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }])));
    expect(err?.status.message).toBe(
      'roles.rbac.authorization.k8s.io "custom" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    );
    const escalate = checker([{ verbs: ['escalate'], apiGroups: [RBAC], resources: ['roles'] }]);
    expect(await refusal(escalate, attrs(Roles, role([NODES])))).toBeUndefined();
    // A namespaced grant of escalate does not reach ClusterRoles.
    const clusterRole = { metadata: { name: 'custom' }, rules: [NODES] };
    expect((await refusal(escalate, attrs(ClusterRoles, clusterRole)))?.status.message).toMatch(
      /^clusterroles.rbac.authorization.k8s.io "custom" is forbidden: user "bob"/,
    );
  });

  it('checks updates, but not deletes or changes of only owner references and finalizers', async () => {
    const old = role([NODES]);
    expect(
      (await refusal(checker(), attrs(Roles, role([NODES], { metadata: { name: 'custom', labels: { a: 'b' } } }), bob, 'UPDATE', old)))
        ?.status.code,
    ).toBe(403);
    const gc = role([NODES], { metadata: { name: 'custom', namespace: 'team', finalizers: ['x'], ownerReferences: [] } });
    expect(await refusal(checker(), attrs(Roles, gc, bob, 'UPDATE', old))).toBeUndefined();
    expect(await refusal(checker(), { ...attrs(Roles, old, bob, 'DELETE'), object: undefined, oldObject: old })).toBeUndefined();
  });

  it('needs full authority for an aggregationRule', async () => {
    const aggregated = { metadata: { name: 'agg' }, rules: [], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } };
    expect((await refusal(checker(), attrs(ClusterRoles, aggregated)))?.status.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    expect(await refusal(checker(), attrs(ClusterRoles, aggregated, admin))).toBeUndefined();
  });

  it('lets system:masters grant anything', async () => {
    const crb = { metadata: { name: 'root' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [] };
    expect(await refusal(checker(), attrs(ClusterRoleBindings, crb, admin))).toBeUndefined();
    expect((await refusal(checker(), attrs(ClusterRoleBindings, crb)))?.status.code).toBe(403);
  });
});
