// Pods, their containers and pod templates (Kubernetes' ValidatePod, ValidatePodSpec, ValidatePodTemplateSpec).
import type { Container, Pod, PodSpec, PodTemplateSpec } from '../core';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { semanticallyEqual } from '../../equality';
import { parseQuantity } from '../../quantity';
import { append, dns1123LabelErrors, labelErrors, objectMetaErrors } from './meta';
import { portErrors } from './network';
import { volumeMountErrors, volumeSourceErrors } from './volumes';

/** Kubernetes' ValidateResourceRequirements for the quantities (already known to parse): none negative, requests within limits. */
function resourceRequirementsErrors(path: string, resources: Container['resources']): StatusCause[] {
  const errors: StatusCause[] = [];
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  for (const [list, values] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, q] of Object.entries(values)) {
      if (parseQuantity(q) < 0)
        errors.push(fieldError.invalid(`${path}.${list}[${name}]`, String(q), 'must be greater than or equal to 0'));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit !== undefined && parseQuantity(q) > parseQuantity(limit))
      errors.push(fieldError.invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limit)}`));
  }
  return errors;
}

/** A container of the pod's spec.containers or spec.initContainers; a sidecar is an init container with restartPolicy Always. */
type ContainerKind = 'container' | 'init' | 'sidecar';

/** What an init container's restartPolicy makes of it: Always (a sidecar) is the only one allowed, as in Kubernetes. */
function containerKindErrors(path: string, c: Container, init: boolean): StatusCause[] {
  if (c.restartPolicy === undefined) return [];
  if (!init) return [fieldError.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers')];
  return c.restartPolicy === 'Always' ? [] : [fieldError.notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always'])];
}

function containerErrors(path: string, c: Container, volumeNames: Set<string>, kind: ContainerKind): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!c.name) errors.push(fieldError.required(`${path}.name`));
  else errors.push(...dns1123LabelErrors(`${path}.name`, c.name));
  if (!c.image || !c.image.trim()) errors.push(fieldError.required(`${path}.image`));
  (c.ports ?? []).forEach((p, i) => {
    errors.push(...portErrors(`${path}.ports[${i}].containerPort`, p.containerPort));
    if (p.hostPort !== undefined && p.hostPort !== 0) errors.push(...portErrors(`${path}.ports[${i}].hostPort`, p.hostPort));
    if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol))
      errors.push(fieldError.notSupported(`${path}.ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  errors.push(...volumeMountErrors(path, c, volumeNames));
  if (c.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
    errors.push(fieldError.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
  }
  for (const [name, probe] of [
    ['livenessProbe', c.livenessProbe],
    ['readinessProbe', c.readinessProbe],
    ['startupProbe', c.startupProbe],
  ] as const) {
    if (!probe) continue;
    if (kind === 'init') {
      errors.push(fieldError.forbidden(`${path}.${name}`, 'may not be set for init containers without restartPolicy=Always'));
      continue;
    }
    const handlers = [probe.exec, probe.httpGet, probe.tcpSocket].filter(Boolean).length;
    if (handlers === 0) errors.push(fieldError.required(`${path}.${name}`, 'must specify a handler type'));
    if (handlers > 1) errors.push(fieldError.forbidden(`${path}.${name}`, 'may not specify more than 1 handler type'));
  }
  if (kind === 'init' && c.lifecycle)
    errors.push(fieldError.forbidden(`${path}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
  errors.push(...resourceRequirementsErrors(`${path}.resources`, c.resources));
  return errors;
}

export function podSpecErrors(path: string, spec: PodSpec): StatusCause[] {
  const errors: StatusCause[] = [];
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (volumeNames.has(v.name)) errors.push(fieldError.duplicate(`${path}.volumes[${i}].name`, v.name));
    volumeNames.add(v.name);
    errors.push(...dns1123LabelErrors(`${path}.volumes[${i}].name`, v.name));
    errors.push(...volumeSourceErrors(`${path}.volumes[${i}]`, v));
  });
  if (!spec.containers?.length) errors.push(fieldError.required(`${path}.containers`));
  const names = new Set<string>();
  const all = [
    ...(spec.initContainers ?? []).map((c, i) => [c, `${path}.initContainers[${i}]`, true] as const),
    ...(spec.containers ?? []).map((c, i) => [c, `${path}.containers[${i}]`, false] as const),
  ];
  for (const [c, p, init] of all) {
    if (c.name && names.has(c.name)) errors.push(fieldError.duplicate(`${p}.name`, c.name));
    names.add(c.name);
    errors.push(...containerKindErrors(p, c, init));
    const kind = !init ? 'container' : c.restartPolicy === 'Always' ? 'sidecar' : 'init';
    errors.push(...containerErrors(p, c, volumeNames, kind));
  }
  if (spec.restartPolicy && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) {
    errors.push(fieldError.notSupported(`${path}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  if (spec.dnsPolicy && !['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'].includes(spec.dnsPolicy)) {
    errors.push(
      fieldError.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']),
    );
  }
  append(errors, labelErrors(`${path}.nodeSelector`, spec.nodeSelector));
  return errors;
}

/** Pod updates may change only a few spec fields, as in Kubernetes. */
function podUpdateErrors(spec: PodSpec, old: PodSpec): StatusCause[] {
  const strip = (s: PodSpec) => ({
    ...s,
    containers: s.containers.map((c) => ({ ...c, image: '' })),
    initContainers: s.initContainers?.map((c) => ({ ...c, image: '' })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
    nodeName: undefined,
  });
  if (semanticallyEqual(strip(spec), strip(old))) return [];
  return [
    fieldError.forbidden(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ),
  ];
}

/** ValidatePod, and ValidatePodUpdate when `old` is given. */
export function validatePod(pod: Pod, old?: Pod): StatusCause[] {
  const errors = objectMetaErrors(pod.metadata);
  append(errors, podSpecErrors('spec', pod.spec));
  if (old) append(errors, podUpdateErrors(pod.spec, old.spec));
  return errors;
}

/**
 * The pod template of a controller at `path` (`spec.template`): present, with a valid pod spec whose
 * restartPolicy is one the controller allows (a ReplicaSet's pods always restart, a Job's never do).
 */
export function podTemplateErrors(path: string, template: PodTemplateSpec | undefined, restartPolicies: string[]): StatusCause[] {
  if (!template?.spec) return [fieldError.required(path)];
  const errors = labelErrors(`${path}.metadata.labels`, template.metadata?.labels);
  append(errors, podSpecErrors(`${path}.spec`, template.spec));
  const rp = template.spec.restartPolicy;
  if (rp && !restartPolicies.includes(rp)) errors.push(fieldError.notSupported(`${path}.spec.restartPolicy`, rp, restartPolicies));
  return errors;
}
