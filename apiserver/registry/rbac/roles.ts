// Roles and ClusterRoles: rules of what may be done. Who may write them is checked by ./policybased.ts.
// Printed as NAME CREATED AT.
import type { Role } from '../../../shared/api/rbac';
import { ClusterRoles, Roles } from '../../../shared/api/resources';
import { validateClusterRole, validateRole } from '../../../shared/api/validation/rbac';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

const rolePrinter: Printer<Role> = {
  columns: [col('Created At', 0, 'date')],
  cells: (r) => [r.metadata.creationTimestamp ?? ''],
};

export const roleStrategy: Strategy<Role> = { resource: Roles, validate: validateRole, printer: rolePrinter };
export const clusterRoleStrategy: Strategy<Role> = { resource: ClusterRoles, validate: validateClusterRole, printer: rolePrinter };
