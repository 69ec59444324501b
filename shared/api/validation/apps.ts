// apps/v1 validation: ReplicaSets, Deployments, DaemonSets, StatefulSets and ControllerRevisions (Kubernetes'
// pkg/apis/apps/validation).
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../apps';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { selectorFromLabelSelector } from '../../labels';
import { semanticallyEqual } from '../../equality';
import { append, goMap, intOrPercentErrors, labelSelectorErrors, objectMetaErrors } from './meta';
import { validatePersistentVolumeClaim } from './persistentvolumes';
import { podTemplateErrors } from './pods';

type Workload = ReplicaSet | Deployment | DaemonSet | StatefulSet;

const nonNegative = (errors: StatusCause[], field: string, v: number | undefined) => {
  if (v !== undefined && v < 0) errors.push(fieldError.invalid(field, v, 'must be greater than or equal to 0'));
};

/** What the workloads share: replicas, a selector matching the template's labels, which never changes. */
function workloadErrors(obj: Workload, old?: Workload): StatusCause[] {
  const spec = obj.spec;
  const errors = objectMetaErrors(obj.metadata);
  nonNegative(errors, 'spec.replicas', (spec as { replicas?: number }).replicas);
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

/** What DaemonSets and StatefulSets add: pods that run forever, revisionHistoryLimit and minReadySeconds. */
function revisionedErrors(obj: DaemonSet | StatefulSet, old?: DaemonSet | StatefulSet): StatusCause[] {
  const errors = workloadErrors(obj, old);
  const podSpec = obj.spec.template?.spec;
  if (podSpec?.activeDeadlineSeconds !== undefined)
    errors.push(
      fieldError.invalid(
        'spec.template.spec.activeDeadlineSeconds',
        podSpec.activeDeadlineSeconds,
        `activeDeadlineSeconds in ${obj.kind === 'DaemonSet' ? 'DaemonSet' : 'StatefulSet'} is not Supported`,
      ),
    );
  nonNegative(errors, 'spec.minReadySeconds', obj.spec.minReadySeconds);
  nonNegative(errors, 'spec.revisionHistoryLimit', obj.spec.revisionHistoryLimit);
  return errors;
}

const isZero = (v: number | string | undefined) => v === undefined || v === 0 || v === '0%';

export function validateDaemonSet(ds: DaemonSet, old?: DaemonSet): StatusCause[] {
  const errors = revisionedErrors({ ...ds, kind: 'DaemonSet' }, old);
  const s = ds.spec.updateStrategy ?? {};
  const path = 'spec.updateStrategy';
  if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate;
    if (!ru) errors.push(fieldError.required(`${path}.rollingUpdate`));
    else {
      if (ru.maxUnavailable !== undefined) append(errors, intOrPercentErrors(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable));
      if (ru.maxSurge !== undefined) append(errors, intOrPercentErrors(`${path}.rollingUpdate.maxSurge`, ru.maxSurge));
      if (!isZero(ru.maxUnavailable) && !isZero(ru.maxSurge))
        errors.push(fieldError.invalid(`${path}.rollingUpdate.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge))
        errors.push(fieldError.required(`${path}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (s.type !== 'OnDelete') {
    errors.push(fieldError.notSupported(path, s.type ?? '', ['RollingUpdate', 'OnDelete']));
  }
  return errors;
}

/** The spec fields of a StatefulSet an update may change (ValidateStatefulSetUpdate). */
const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
] as const;

/**
 * The set with its template as its pods will have it: each claim template is a volume of theirs, in place
 * of a template volume of the same name (the controller's updateStorage), so mounts may name it.
 */
function withClaimVolumes(sts: StatefulSet): StatefulSet {
  const claims = (sts.spec.volumeClaimTemplates ?? []).flatMap((t) => (t.metadata?.name ? [t.metadata.name] : []));
  const podSpec = sts.spec.template?.spec;
  if (!claims.length || !podSpec) return sts;
  const volumes = [
    ...(podSpec.volumes ?? []).filter((v) => !claims.includes(v.name)),
    ...claims.map((name) => ({ name, persistentVolumeClaim: { claimName: `${name}-${sts.metadata.name}-0` } })),
  ];
  return { ...sts, spec: { ...sts.spec, template: { ...sts.spec.template, spec: { ...podSpec, volumes } } } };
}

export function validateStatefulSet(sts: StatefulSet, old?: StatefulSet): StatusCause[] {
  const errors = revisionedErrors({ ...withClaimVolumes(sts), kind: 'StatefulSet' }, old && withClaimVolumes(old));
  const spec = sts.spec;
  const policy = spec.podManagementPolicy;
  if (!policy) errors.push(fieldError.required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel')
    errors.push(fieldError.notSupported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  const s = spec.updateStrategy ?? {};
  if (s.type === 'RollingUpdate') {
    nonNegative(errors, 'spec.updateStrategy.rollingUpdate.partition', s.rollingUpdate?.partition);
  } else if (s.type === 'OnDelete') {
    if (s.rollingUpdate)
      errors.push(
        fieldError.invalid('spec.updateStrategy.rollingUpdate', s.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"),
      );
  } else {
    errors.push(fieldError.notSupported('spec.updateStrategy.type', s.type ?? '', ['OnDelete', 'RollingUpdate']));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = retention[f];
    if (v !== undefined && v !== 'Retain' && v !== 'Delete')
      errors.push(fieldError.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ['Retain', 'Delete']));
  }
  nonNegative(errors, 'spec.ordinals.start', spec.ordinals?.start);
  // Each claim template is a claim but for its namespace: validated as one, at its place in the set.
  (spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const at = `spec.volumeClaimTemplates[${i}]`;
    if (!t.metadata?.name) errors.push(fieldError.required(`${at}.metadata.name`));
    else
      for (const c of validatePersistentVolumeClaim({ ...t, spec: t.spec ?? {}, metadata: { ...t.metadata } }))
        errors.push({ ...c, field: `${at}.${c.field}` });
  });
  if (old) {
    const strip = (x: StatefulSet['spec']) => {
      const rest: Record<string, unknown> = { ...x };
      for (const f of STATEFULSET_MUTABLE) delete rest[f];
      return rest;
    };
    if (!semanticallyEqual(strip(spec), strip(old.spec)))
      errors.push(
        fieldError.forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
  }
  return errors;
}

export function validateControllerRevision(cr: ControllerRevision, old?: ControllerRevision): StatusCause[] {
  const errors = objectMetaErrors(cr.metadata);
  if (cr.data === undefined || cr.data === null) errors.push(fieldError.required('data', 'data is mandatory'));
  nonNegative(errors, 'revision', cr.revision);
  if (old && !semanticallyEqual(cr.data, old.data)) errors.push(fieldError.invalid('data', cr.data, 'field is immutable'));
  return errors;
}
