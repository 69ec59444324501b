// autoscaling/v2 validation: HorizontalPodAutoscalers.
import type { HorizontalPodAutoscaler } from '../autoscaling';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { objectMetaErrors } from './meta';

export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): StatusCause[] {
  const errors = objectMetaErrors(hpa.metadata);
  const min = hpa.spec.minReplicas ?? 1;
  if (min < 1) errors.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (hpa.spec.maxReplicas < min)
    errors.push(fieldError.invalid('spec.maxReplicas', hpa.spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  return errors;
}
