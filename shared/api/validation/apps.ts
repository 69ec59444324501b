// apps/v1 validation: ReplicaSets and Deployments (Kubernetes' pkg/apis/apps/validation).
import type { Deployment, ReplicaSet } from '../apps';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { selectorFromLabelSelector } from '../../labels';
import { append, goMap, labelSelectorErrors, objectMetaErrors } from './meta';
import { podTemplateErrors } from './pods';

/** What ReplicaSets and Deployments share: replicas, a selector matching the template's labels, which never changes. */
function workloadErrors(obj: ReplicaSet | Deployment, old?: ReplicaSet | Deployment): StatusCause[] {
  const spec = obj.spec;
  const errors = objectMetaErrors(obj.metadata);
  if (spec.replicas !== undefined && spec.replicas < 0)
    errors.push(fieldError.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const selectorErrors = labelSelectorErrors('spec.selector', spec.selector);
  append(errors, selectorErrors);
  const templateLabels = spec.template?.metadata?.labels;
  if (!selectorErrors.length && !selectorFromLabelSelector(spec.selector).matches(templateLabels)) {
    errors.push(fieldError.invalid('spec.template.metadata.labels', goMap(templateLabels), '`selector` does not match template `labels`'));
  }
  append(errors, podTemplateErrors('spec.template', spec.template, ['Always']));
  if (old && selectorFromLabelSelector(old.spec.selector).toString() !== selectorFromLabelSelector(spec.selector).toString()) {
    errors.push(fieldError.invalid('spec.selector', JSON.stringify(spec.selector), 'field is immutable'));
  }
  return errors;
}

export const validateReplicaSet = (rs: ReplicaSet, old?: ReplicaSet): StatusCause[] => workloadErrors(rs, old);

function percentOrInt(v: number | string | undefined, replicas: number): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Math.ceil((parseInt(v, 10) * replicas) / 100);
}

export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  const errors = workloadErrors(d, old);
  const s = d.spec.strategy;
  if (s?.type && !['RollingUpdate', 'Recreate'].includes(s.type))
    errors.push(fieldError.notSupported('spec.strategy.type', s.type, ['Recreate', 'RollingUpdate']));
  if (s?.type === 'Recreate' && s.rollingUpdate)
    errors.push(fieldError.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  const ru = s?.rollingUpdate;
  if (s?.type === 'RollingUpdate' && ru) {
    for (const [f, v] of [
      ['maxSurge', ru.maxSurge],
      ['maxUnavailable', ru.maxUnavailable],
    ] as const) {
      if (typeof v === 'string' && !/^\d+%$/.test(v))
        errors.push(
          fieldError.invalid(
            `spec.strategy.rollingUpdate.${f}`,
            v,
            "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
          ),
        );
    }
    if (percentOrInt(ru.maxSurge, 100) === 0 && percentOrInt(ru.maxUnavailable, 100) === 0) {
      errors.push(fieldError.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  return errors;
}
