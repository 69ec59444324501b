// rbac.authorization.k8s.io/v1 validation: Roles, ClusterRoles and their bindings, named like path segments.
import type { PolicyRule, Role, RoleBinding } from '../rbac';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { append, objectMetaErrors, pathSegmentNameErrors } from './meta';

function policyRuleErrors(kind: string, rules: PolicyRule[] | undefined): StatusCause[] {
  const errors: StatusCause[] = [];
  (rules ?? []).forEach((rule, i) => {
    const f = `rules[${i}]`;
    if (!rule.verbs?.length) errors.push(fieldError.required(`${f}.verbs`, 'verbs must contain at least one value'));
    if (rule.nonResourceURLs?.length) {
      if (kind === 'Role')
        errors.push(fieldError.invalid(`${f}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (rule.resources?.length || rule.apiGroups?.length)
        errors.push(
          fieldError.invalid(
            `${f}.nonResourceURLs`,
            rule.nonResourceURLs,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
    } else {
      if (!rule.apiGroups?.length) errors.push(fieldError.required(`${f}.apiGroups`, 'resource rules must supply at least one api group'));
      if (!rule.resources?.length) errors.push(fieldError.required(`${f}.resources`, 'resource rules must supply at least one resource'));
    }
  });
  return errors;
}

function roleBindingErrors(kind: string, binding: RoleBinding, old: RoleBinding | undefined): StatusCause[] {
  const errors: StatusCause[] = [];
  const ref = binding.roleRef;
  if (ref?.apiGroup !== 'rbac.authorization.k8s.io')
    errors.push(fieldError.notSupported('roleRef.apiGroup', ref?.apiGroup ?? '', ['rbac.authorization.k8s.io']));
  const kinds = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref?.kind)) errors.push(fieldError.notSupported('roleRef.kind', ref?.kind ?? '', kinds));
  if (!ref?.name) errors.push(fieldError.required('roleRef.name'));
  if (old && (old.roleRef.kind !== ref?.kind || old.roleRef.name !== ref?.name || old.roleRef.apiGroup !== ref?.apiGroup)) {
    errors.push(fieldError.invalid('roleRef', ref, 'cannot change roleRef'));
  }
  (binding.subjects ?? []).forEach((s, i) => {
    if (!['User', 'Group', 'ServiceAccount'].includes(s.kind))
      errors.push(fieldError.notSupported(`subjects[${i}].kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
    if (!s.name) errors.push(fieldError.required(`subjects[${i}].name`));
    if (s.kind === 'ServiceAccount' && !s.namespace && kind === 'ClusterRoleBinding')
      errors.push(fieldError.required(`subjects[${i}].namespace`));
  });
  return errors;
}

const validateRules =
  (kind: 'Role' | 'ClusterRole') =>
  (role: Role): StatusCause[] => {
    const errors = objectMetaErrors(role.metadata, pathSegmentNameErrors);
    append(errors, policyRuleErrors(kind, role.rules));
    return errors;
  };

const validateBinding =
  (kind: 'RoleBinding' | 'ClusterRoleBinding') =>
  (binding: RoleBinding, old?: RoleBinding): StatusCause[] => {
    const errors = objectMetaErrors(binding.metadata, pathSegmentNameErrors);
    append(errors, roleBindingErrors(kind, binding, old));
    return errors;
  };

export const validateRole = validateRules('Role');
export const validateClusterRole = validateRules('ClusterRole');
export const validateRoleBinding = validateBinding('RoleBinding');
export const validateClusterRoleBinding = validateBinding('ClusterRoleBinding');
