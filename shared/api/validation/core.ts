// core/v1 validation (Kubernetes' pkg/apis/core/validation) for every core kind but pods (./pods.ts).
import type { ConfigMap, Endpoints, Namespace, Node, ReplicationController, Secret, Service, ServiceAccount } from '../core';
import type { StatusCause } from '../meta';
import { isCIDR } from '../../cidr';
import { fieldError } from '../../errors';
import { semanticallyEqual } from '../../equality';
import { selectorFromSet } from '../../labels';
import {
  append,
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  goMap,
  labelErrors,
  nonNegativeErrors,
  objectMetaErrors,
} from './meta';
import { nonSpecialIPErrors, portErrors, PROTOCOLS } from './network';
import { podTemplateErrors } from './pods';

/** Namespaces are named as DNS labels: their names become parts of DNS names. */
export const validateNamespace = (ns: Namespace): StatusCause[] => objectMetaErrors(ns.metadata, dns1123LabelErrors);

// ---- services ------------------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export function validateService(svc: Service, old?: Service): StatusCause[] {
  const spec = svc.spec;
  const errors = objectMetaErrors(svc.metadata, dns1035LabelErrors);
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errors.push(fieldError.notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    // The target may end in a dot (fully qualified); DNS-1123 subdomain rules do not cap labels at 63.
    const target = (spec.externalName ?? '').replace(/\.$/, '');
    if (!target) errors.push(fieldError.required('spec.externalName'));
    else append(errors, dns1123SubdomainErrors('spec.externalName', target));
  } else if (!spec.ports?.length && spec.clusterIP !== 'None') {
    errors.push(fieldError.required('spec.ports'));
  }
  const names = new Set<string>();
  const ports = spec.ports ?? [];
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errors.push(fieldError.required(`${path}.name`));
    if (p.name) {
      if (names.has(p.name)) errors.push(fieldError.duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    errors.push(...portErrors(`${path}.port`, p.port));
    if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol))
      errors.push(fieldError.notSupported(`${path}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof p.targetPort === 'number') errors.push(...portErrors(`${path}.targetPort`, p.targetPort));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer')
        errors.push(fieldError.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    }
  });
  (spec.externalIPs ?? []).forEach((ip, i) => append(errors, nonSpecialIPErrors(`spec.externalIPs[${i}]`, ip)));
  if (spec.sessionAffinity && !['None', 'ClientIP'].includes(spec.sessionAffinity))
    errors.push(fieldError.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  append(errors, labelErrors('spec.selector', spec.selector));
  if (old && old.spec.clusterIP && spec.clusterIP && old.spec.clusterIP !== spec.clusterIP && type !== 'ExternalName') {
    errors.push(fieldError.invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
  }
  return errors;
}

// ---- configmaps and secrets ------------------------------------------------------------------------------

/** Kubernetes' IsConfigMapKey: a key becomes a file name in configMap and secret volumes. */
function configKeyErrors(field: string, key: string): StatusCause[] {
  const errors: StatusCause[] = [];
  const invalidKey = (detail: string) => fieldError.invalid(`${field}[${key}]`, key, detail);
  if (key.length > 253) errors.push(invalidKey('must be no more than 253 characters'));
  if (!/^[-._a-zA-Z0-9]+$/.test(key))
    errors.push(
      invalidKey(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ),
    );
  if (key === '.' || key === '..') errors.push(invalidKey(`must not be '${key}'`));
  else if (key.startsWith('..')) errors.push(invalidKey("must not start with '..'"));
  return errors;
}

export function validateConfigMap(cm: ConfigMap): StatusCause[] {
  const errors = objectMetaErrors(cm.metadata);
  for (const key of Object.keys(cm.data ?? {})) {
    errors.push(...configKeyErrors('data', key));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, key))
      errors.push(fieldError.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
  }
  for (const key of Object.keys(cm.binaryData ?? {})) errors.push(...configKeyErrors('binaryData', key));
  return errors;
}

/** Kubernetes' ValidateServiceAccount: its name is a DNS subdomain, as any object's, and nothing more. */
export function validateServiceAccount(sa: ServiceAccount): StatusCause[] {
  return objectMetaErrors(sa.metadata);
}

/** stringData has been folded into data by defaulting, so its keys are checked here too. */
export function validateSecret(secret: Secret): StatusCause[] {
  const errors = objectMetaErrors(secret.metadata);
  for (const key of Object.keys(secret.data ?? {})) append(errors, configKeyErrors('data', key));
  return errors;
}

// ---- nodes -------------------------------------------------------------------------------------------

const CIDR_DETAIL = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const SET_ONCE = (field: string) => `node updates may not change ${field} except from "" to valid`;

export function validateNode(node: Node, old?: Node): StatusCause[] {
  const errors = objectMetaErrors(node.metadata);
  const spec = node.spec ?? {};
  if (spec.podCIDR && !isCIDR(spec.podCIDR)) errors.push(fieldError.invalid('spec.podCIDR', spec.podCIDR, CIDR_DETAIL));
  (spec.podCIDRs ?? []).forEach((c, i) => {
    if (!isCIDR(c)) errors.push(fieldError.invalid(`spec.podCIDRs[${i}]`, c, CIDR_DETAIL));
  });
  if (!old) return errors;
  // The controller-manager assigns a podCIDR once; routes and pod addresses are made from it.
  if (old.spec?.podCIDR && old.spec.podCIDR !== spec.podCIDR) errors.push(fieldError.forbidden('spec.podCIDR', SET_ONCE('podCIDR')));
  if (old.spec?.podCIDRs?.length && !semanticallyEqual(old.spec.podCIDRs, spec.podCIDRs))
    errors.push(fieldError.forbidden('spec.podCIDRs', SET_ONCE('podCIDR')));
  if (old.spec?.providerID && old.spec.providerID !== spec.providerID)
    errors.push(fieldError.forbidden('spec.providerID', SET_ONCE('providerID')));
  return errors;
}

// ---- endpoints ---------------------------------------------------------------------------------------

export function endpointPortErrors(
  path: string,
  p: { name?: string | null; port?: number | null; protocol?: string | null },
  requireName: boolean,
) {
  const errors: StatusCause[] = [];
  if (requireName && !p.name) errors.push(fieldError.required(`${path}.name`));
  else if (p.name) append(errors, dns1123LabelErrors(`${path}.name`, p.name));
  if (p.port !== undefined && p.port !== null) append(errors, portErrors(`${path}.port`, p.port));
  if (!p.protocol) errors.push(fieldError.required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(p.protocol)) errors.push(fieldError.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  return errors;
}

export function validateEndpoints(ep: Endpoints): StatusCause[] {
  const errors = objectMetaErrors(ep.metadata);
  (ep.subsets ?? []).forEach((subset, i) => {
    const path = `subsets[${i}]`;
    if (!subset.addresses?.length && !subset.notReadyAddresses?.length)
      errors.push(fieldError.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      (subset[list] ?? []).forEach((a, j) => {
        append(errors, nonSpecialIPErrors(`${path}.${list}[${j}].ip`, a.ip));
        if (a.hostname) append(errors, dns1123LabelErrors(`${path}.${list}[${j}].hostname`, a.hostname));
      });
    }
    const ports = subset.ports ?? [];
    ports.forEach((p, j) => append(errors, endpointPortErrors(`${path}.ports[${j}]`, p, ports.length > 1)));
  });
  return errors;
}

// ---- replication controllers ---------------------------------------------------------------------------

/** ValidateReplicationController: a non-empty equality selector that the template's labels satisfy. */
export function validateReplicationController(rc: ReplicationController): StatusCause[] {
  const spec = rc.spec;
  const errors = objectMetaErrors(rc.metadata);
  append(errors, nonNegativeErrors('spec.minReadySeconds', spec.minReadySeconds));
  const selector = spec.selector ?? {};
  if (!Object.keys(selector).length) errors.push(fieldError.required('spec.selector'));
  else append(errors, labelErrors('spec.selector', selector));
  append(errors, nonNegativeErrors('spec.replicas', spec.replicas));
  if (!spec.template) {
    errors.push(fieldError.required('spec.template'));
    return errors;
  }
  const labels = spec.template.metadata?.labels;
  if (Object.keys(selector).length && !selectorFromSet(selector).matches(labels))
    errors.push(fieldError.invalid('spec.template.metadata.labels', goMap(labels), 'selector does not match labels in spec.template'));
  append(errors, podTemplateErrors('spec.template', spec.template, ['Always']));
  return errors;
}
