// storage.k8s.io/v1 validation: StorageClasses (pkg/apis/storage/validation), with Kubernetes' wording.
// The provisioner, its parameters and the reclaim policy are fixed once the class exists.
import type { StatusCause } from '../meta';
import type { StorageClass } from '../storage';
import { semanticallyEqual } from '../../equality';
import { fieldError } from '../../errors';
import { append, objectMetaErrors, qualifiedNameErrors } from './meta';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PROVISIONER_PARAMETER_SIZE = 256 * 1024;
const MAX_PROVISIONER_PARAMETERS = 512;

export function validateStorageClass(sc: StorageClass, old?: StorageClass): StatusCause[] {
  const errors = objectMetaErrors(sc.metadata);
  if (!sc.provisioner) errors.push(fieldError.required('provisioner'));
  else append(errors, qualifiedNameErrors('provisioner', sc.provisioner.toLowerCase()));
  const params = sc.parameters ?? {};
  if (Object.keys(params).length > MAX_PROVISIONER_PARAMETERS) errors.push(fieldError.tooLong('parameters', MAX_PROVISIONER_PARAMETERS));
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (!k) errors.push(fieldError.invalid('parameters', k, 'field can not be empty.'));
    size += k.length + v.length;
  }
  if (size > MAX_PROVISIONER_PARAMETER_SIZE) errors.push(fieldError.tooLong('parameters', MAX_PROVISIONER_PARAMETER_SIZE));
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy))
    errors.push(fieldError.notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (!sc.volumeBindingMode) errors.push(fieldError.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode))
    errors.push(fieldError.notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  for (const [i, term] of (sc.allowedTopologies ?? []).entries())
    for (const [j, req] of (term.matchLabelExpressions ?? []).entries()) {
      if (!req.values?.length)
        errors.push(fieldError.required(`allowedTopologies[${i}].matchLabelExpressions[${j}].values`, 'must specify as least one value'));
    }
  if (old) {
    if (!semanticallyEqual(sc.parameters ?? {}, old.parameters ?? {}))
      errors.push(fieldError.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) errors.push(fieldError.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy)
      errors.push(fieldError.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode)
      errors.push(fieldError.invalid('volumeBindingMode', sc.volumeBindingMode, 'field is immutable'));
  }
  return errors;
}
