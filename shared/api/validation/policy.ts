// policy/v1 validation: PodDisruptionBudgets, with Kubernetes' field paths and wording: minAvailable
// or maxUnavailable (not both), each a non-negative number or a percentage up to 100%, a well-formed
// selector, a known unhealthyPodEvictionPolicy, and non-negative counts in the status.
import type { StatusCause } from '../meta';
import type { PodDisruptionBudget } from '../policy';
import { fieldError } from '../../errors';
import { append, intOrPercentErrors, labelSelectorSyntaxErrors, objectMetaErrors } from './meta';

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): StatusCause[] {
  const spec = pdb.spec ?? {};
  const errors = objectMetaErrors(pdb.metadata);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errors.push(fieldError.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (spec.minAvailable !== undefined) append(errors, intOrPercentErrors('spec.minAvailable', spec.minAvailable));
  if (spec.maxUnavailable !== undefined) append(errors, intOrPercentErrors('spec.maxUnavailable', spec.maxUnavailable));
  append(errors, labelSelectorSyntaxErrors('spec.selector', spec.selector));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') {
    errors.push(fieldError.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  const status = pdb.status;
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    const v = status?.[f];
    if (v !== undefined && v < 0) errors.push(fieldError.invalid(`status.${f}`, v, 'must be greater than or equal to 0'));
  }
  return errors;
}
