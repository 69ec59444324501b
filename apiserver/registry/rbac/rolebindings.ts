// RoleBindings and ClusterRoleBindings: a role granted to subjects; the role they name never changes.
// Who may write them is checked by ./policybased.ts.
import type { RoleBinding } from '../../../shared/api/rbac';
import { ClusterRoleBindings, RoleBindings } from '../../../shared/api/resources';
import { validateClusterRoleBinding, validateRoleBinding } from '../../../shared/api/validation/rbac';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

/** `kubectl get rolebindings`: the role; with -o wide also the users, groups and service accounts. */
const roleBindingPrinter: Printer<RoleBinding> = {
  columns: [col('Role'), col('Age'), col('Users', 1), col('Groups', 1), col('ServiceAccounts', 1)],
  cells(b, now) {
    const names = (kind: string) =>
      (b.subjects ?? [])
        .filter((s) => s.kind === kind)
        .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
        .join(', ');
    return [
      `${b.roleRef.kind}/${b.roleRef.name}`,
      age(b.metadata.creationTimestamp, now),
      names('User'),
      names('Group'),
      names('ServiceAccount'),
    ];
  },
};

export const roleBindingStrategy: Strategy<RoleBinding> = {
  resource: RoleBindings,
  validate: validateRoleBinding,
  printer: roleBindingPrinter,
};
export const clusterRoleBindingStrategy: Strategy<RoleBinding> = {
  resource: ClusterRoleBindings,
  validate: validateClusterRoleBinding,
  printer: roleBindingPrinter,
};
