// The apiserver's edge for object content: decodeObject (shape), applyDefaults (re-exported from
// defaults.ts) and validateObject (semantics), with Kubernetes' field paths and wording.
import type { ConfigMap, Container, DownwardAPIVolumeFile, Endpoints, KeyToPath, Node, PodSpec, Secret, Service, Volume } from './core';
import type { EndpointSlice } from './discovery';
import type { Deployment, ReplicaSet } from './apps';
import type { HorizontalPodAutoscaler } from './autoscaling';
import type { PolicyRule, Role, RoleBinding } from './rbac';
import type { CertificateSigningRequest } from './certificates';
import { certificateSigningRequestErrors } from './certificatesvalidation';
import type { KubeObject, LabelSelector, StatusCause } from './meta';
import { apiVersionOf, ResourceInfo } from './resources';
import { dns1035LabelMessages, dns1123LabelMessages, dns1123SubdomainMessages, labelValueMessages, qualifiedNameMessages } from './names';
import { decodeWithSchema, definitionName, DEFINITIONS } from './openapi';
import { isCIDR } from '../cidr';
import { badRequest, fieldError, invalid, StatusError } from '../errors';
import { semanticallyEqual } from '../equality';
import { selectorFromLabelSelector } from '../labels';
import { ipFamily, specialIPReason } from '../nonspecialip';
import { parseQuantity } from '../quantity';

export { applyDefaults } from './defaults';

/** How deep arrays and objects may nest in a request: far beyond any manifest, well within the stack of recursive code. */
export const MAX_NESTING_DEPTH = 100;

/** Throws 400 when `value` nests arrays and objects deeper than MAX_NESTING_DEPTH (walked without recursion). */
export function checkNestingDepth(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const stack: [object, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth >= MAX_NESTING_DEPTH)
      throw badRequest(`the body of the request nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep`);
    for (const key in v) {
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}

/** What the apiserver does with fields an object's schema does not know (`?fieldValidation=`); they never reach storage. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeOptions {
  /** Strict fails the request, Warn (Kubernetes' default) warns, Ignore drops unknown fields quietly. */
  fieldValidation?: FieldValidation;
  /** Receives each warning under Warn: `unknown field "spec.replicaz"`. */
  warn?: (warning: string) => void;
  /**
   * The error a Strict failure becomes, given the unknown fields' paths and the decoded object; by default
   * create's and update's 400: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...`.
   */
  strictError?: (unknownFields: string[], obj: KubeObject) => StatusError;
}

/** `strict decoding error: unknown field "spec.replicaz", unknown field "spec.x"`, as Kubernetes joins them. */
export function strictDecodingError(unknownFields: string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}

/**
 * Decodes an incoming object against its kind's schema (shared/api/openapi): JSON types, quantities and
 * required fields, unknown fields reported as `fieldValidation` says and pruned. Returns a copy. Throws 400 or 422.
 */
export function decodeObject(resource: ResourceInfo, body: unknown, options: DecodeOptions = {}): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`the body of the request must be a JSON object describing a ${resource.kind}`);
  }
  checkNestingDepth(body);
  const obj = structuredClone(body) as Partial<KubeObject>;
  const want = apiVersionOf(resource);
  if (obj.kind !== undefined && obj.kind !== resource.kind) {
    throw badRequest(
      `${obj.kind} in version "${obj.apiVersion ?? ''}" cannot be handled as a ${resource.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${resource.kind})`,
    );
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  const cannotHandle = (message: string) =>
    badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${message}`);
  const definition = definitionName(resource);
  if (DEFINITIONS[definition]) {
    const report = decodeWithSchema(DEFINITIONS, definition, obj as Record<string, unknown>);
    if (report.decodeError) throw cannotHandle(report.decodeError);
    const unknown = report.unknownFields;
    if (unknown.length && options.fieldValidation === 'Strict') {
      throw options.strictError?.(unknown, obj as KubeObject) ?? cannotHandle(strictDecodingError(unknown));
    }
    if (options.fieldValidation !== 'Ignore') for (const f of unknown) options.warn?.(`unknown field ${JSON.stringify(f)}`);
    if (report.missingFields.length) {
      throw invalid(
        resource.kind,
        obj.metadata?.name ?? '',
        report.missingFields.map((f) => fieldError.required(f)),
        resource.group || undefined,
      );
    }
  }
  if (obj.metadata === undefined) obj.metadata = {};
  return obj as KubeObject;
}

/** Appends `more` to `errors`; `errors.push(...more)` overflows the stack past ~100,000 causes. */
function append(errors: StatusCause[], more: StatusCause[]): void {
  for (const e of more) errors.push(e);
}

// ---- names -----------------------------------------------------------------------------------------

const invalidEach = (field: string, value: unknown, messages: string[]): StatusCause[] =>
  messages.map((m) => fieldError.invalid(field, value, m));

export const dns1123LabelErrors = (field: string, value: string) => invalidEach(field, value, dns1123LabelMessages(value));
export const dns1123SubdomainErrors = (field: string, value: string) => invalidEach(field, value, dns1123SubdomainMessages(value));
const dns1035LabelErrors = (field: string, value: string) => invalidEach(field, value, dns1035LabelMessages(value));
const labelKeyErrors = (field: string, key: string) => invalidEach(field, key, qualifiedNameMessages(key));

function labelErrors(field: string, labels: Record<string, string> | undefined | null): StatusCause[] {
  const errors: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    append(errors, labelKeyErrors(field, k));
    append(errors, invalidEach(field, v, labelValueMessages(v)));
  }
  return errors;
}

/** Kubernetes' TotalAnnotationSizeLimitB: keys and values together, in bytes. */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** ValidateAnnotations: keys are qualified names (checked lower-cased), and all of them fit in 256 KiB. */
function annotationErrors(field: string, annotations: Record<string, string> | undefined | null): StatusCause[] {
  const errors: StatusCause[] = [];
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    append(errors, invalidEach(field, k, qualifiedNameMessages(k.toLowerCase())));
    bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) errors.push(fieldError.tooLong(field, MAX_ANNOTATIONS_BYTES));
  return errors;
}

/** RBAC objects are named like path segments (`system:kube-scheduler` is fine). */
function pathSegmentNameErrors(field: string, name: string): StatusCause[] {
  if (name === '.' || name === '..') return [fieldError.invalid(field, name, `may not be '${name}'`)];
  const bad = ['/', '%'].find((c) => name.includes(c));
  return bad ? [fieldError.invalid(field, name, `may not contain '${bad}'`)] : [];
}

function metadataErrors(resource: ResourceInfo, obj: KubeObject): StatusCause[] {
  const m = obj.metadata;
  const errors: StatusCause[] = [];
  if (!m.name && !m.generateName) errors.push(fieldError.required('metadata.name', 'name or generateName is required'));
  if (m.name) {
    const nameRule =
      resource.kind === 'Namespace'
        ? dns1123LabelErrors
        : resource.kind === 'Service'
          ? dns1035LabelErrors
          : resource.group === 'rbac.authorization.k8s.io'
            ? pathSegmentNameErrors
            : dns1123SubdomainErrors;
    errors.push(...nameRule('metadata.name', m.name));
  }
  append(errors, labelErrors('metadata.labels', m.labels));
  append(errors, annotationErrors('metadata.annotations', m.annotations));
  return errors;
}

// ---- volumes -----------------------------------------------------------------------------------------
// Paths that name files inside a volume (subPath, items[].path) are joined onto host directories by the
// kubelet: they must stay below the volume's root, so absolute paths and `..` elements are refused here
// (the kubelet checks again when it resolves them, see kubelet/subpath.ts).

const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Kubernetes' validateLocalDescendingPath: relative, and no `..` element. */
function localDescendingPathErrors(field: string, target: string): StatusCause[] {
  const errors: StatusCause[] = [];
  if (target.startsWith('/')) errors.push(fieldError.invalid(field, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errors.push(fieldError.invalid(field, target, "must not contain '..'")); // one error is enough
  return errors;
}

/** ValidateLocalNonReservedPath: also not starting with `..`, which the kubelet's writer keeps for itself (`..data`). */
function localNonReservedPathErrors(field: string, target: string): StatusCause[] {
  const errors = localDescendingPathErrors(field, target);
  if (target.startsWith('..') && !target.startsWith('../')) errors.push(fieldError.invalid(field, target, "must not start with '..'"));
  return errors;
}

function fileModeErrors(field: string, mode: number | undefined): StatusCause[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [fieldError.invalid(field, mode, FILE_MODE_MESSAGE)] : [];
}

function keyToPathErrors(field: string, item: KeyToPath): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!item.key) errors.push(fieldError.required(`${field}.key`));
  if (!item.path) errors.push(fieldError.required(`${field}.path`));
  errors.push(...localNonReservedPathErrors(`${field}.path`, item.path ?? ''));
  errors.push(...fileModeErrors(`${field}.mode`, item.mode));
  return errors;
}

const itemsErrors = (field: string, items: KeyToPath[] | undefined) =>
  (items ?? []).flatMap((item, i) => keyToPathErrors(`${field}[${i}]`, item));

const DOWNWARD_API_VOLUME_FIELDS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const RESOURCE_FIELDS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

/** A downwardAPI file. As in Kubernetes, its errors are reported under the volume's path, not the item's. */
function downwardAPIFileErrors(field: string, file: DownwardAPIVolumeFile): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!file.path) errors.push(fieldError.required(`${field}.path`));
  errors.push(...localNonReservedPathErrors(`${field}.path`, file.path ?? ''));
  if (file.fieldRef) {
    const fieldPath = file.fieldRef.fieldPath;
    const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath ?? '');
    if (!fieldPath) errors.push(fieldError.required(`${field}.fieldRef.fieldPath`));
    else if (subscripted) errors.push(...labelKeyErrors(`${field}.fieldRef`, subscripted[2]));
    else if (!DOWNWARD_API_VOLUME_FIELDS.includes(fieldPath))
      errors.push(fieldError.notSupported(`${field}.fieldRef.fieldPath`, fieldPath, DOWNWARD_API_VOLUME_FIELDS));
    if (file.resourceFieldRef)
      errors.push(fieldError.invalid(field, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    const ref = file.resourceFieldRef;
    if (!ref.containerName) errors.push(fieldError.required(`${field}.resourceFieldRef.containerName`));
    if (!ref.resource) errors.push(fieldError.required(`${field}.resourceFieldRef.resource`));
    else if (!RESOURCE_FIELDS.includes(ref.resource))
      errors.push(fieldError.notSupported(`${field}.resourceFieldRef.resource`, ref.resource, RESOURCE_FIELDS));
  } else {
    errors.push(fieldError.required(field, 'one of fieldRef and resourceFieldRef is required'));
  }
  errors.push(...fileModeErrors(`${field}.mode`, file.mode));
  return errors;
}

/** The sources of a projected volume, whose paths must not collide. */
function projectionErrors(field: string, projected: NonNullable<Volume['projected']>): StatusCause[] {
  const errors = fileModeErrors(`${field}.defaultMode`, projected.defaultMode);
  const paths = new Set<string>();
  const claim = (p: string | undefined, value: string) => {
    if (!p) return;
    if (paths.has(p)) errors.push(fieldError.invalid(field, value, 'conflicting duplicate paths'));
    paths.add(p);
  };
  (projected.sources ?? []).forEach((source, i) => {
    const src = `${field}.sources[${i}]`;
    let types = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const ref = source[kind];
      if (!ref) continue;
      types++;
      if (!ref.name) errors.push(fieldError.required(`${src}.${kind}.name`));
      errors.push(...itemsErrors(`${src}.${kind}.items`, ref.items));
      for (const item of ref.items ?? []) claim(item.path, ref.name);
    }
    if (source.downwardAPI) {
      types++;
      for (const file of source.downwardAPI.items ?? []) {
        errors.push(...downwardAPIFileErrors(`${src}.downwardAPI`, file));
        claim(file.path, file.path);
      }
    }
    if (source.serviceAccountToken) {
      types++;
      const token = source.serviceAccountToken;
      if (!token.path) errors.push(fieldError.required(`${field}.path`));
      else errors.push(...localNonReservedPathErrors(`${field}.path`, token.path));
      claim(token.path, token.path);
    }
    if (types > 1) errors.push(fieldError.forbidden(src, 'may not specify more than 1 volume type'));
  });
  return errors;
}

/** The volume types this cluster knows, in the order Kubernetes checks them. */
const VOLUME_TYPES = ['emptyDir', 'hostPath', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'configMap', 'projected'] as const;

/** Kubernetes' validateVolumeSource, for the volume types this cluster knows. */
function volumeSourceErrors(field: string, v: Volume): StatusCause[] {
  const errors: StatusCause[] = [];
  const types = VOLUME_TYPES.filter((t) => v[t]);
  for (const extra of types.slice(1)) errors.push(fieldError.forbidden(`${field}.${extra}`, 'may not specify more than 1 volume type'));
  if (v.configMap) {
    if (!v.configMap.name) errors.push(fieldError.required(`${field}.configMap.name`));
    errors.push(...fileModeErrors(`${field}.configMap.defaultMode`, v.configMap.defaultMode));
    errors.push(...itemsErrors(`${field}.configMap.items`, v.configMap.items));
  }
  if (v.secret) {
    if (!v.secret.secretName) errors.push(fieldError.required(`${field}.secret.secretName`));
    errors.push(...fileModeErrors(`${field}.secret.defaultMode`, v.secret.defaultMode));
    errors.push(...itemsErrors(`${field}.secret.items`, v.secret.items));
  }
  if (v.downwardAPI) {
    errors.push(...fileModeErrors(`${field}.downwardAPI.defaultMode`, v.downwardAPI.defaultMode));
    for (const file of v.downwardAPI.items ?? []) errors.push(...downwardAPIFileErrors(`${field}.downwardAPI`, file));
  }
  if (v.projected) errors.push(...projectionErrors(`${field}.projected`, v.projected));
  return errors;
}

/**
 * A container's volumeMounts. Kubernetes reports subPath errors under `volumeMounts.subPath`, without the
 * mount's index (its field path is built that way), and so do we: the message is what kubectl users know.
 */
function volumeMountErrors(path: string, c: Container, volumeNames: Set<string>): StatusCause[] {
  const errors: StatusCause[] = [];
  const mountPoints = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const idx = `${path}.volumeMounts[${i}]`;
    if (!volumeNames.has(m.name)) errors.push({ reason: 'FieldValueNotFound', field: `${idx}.name`, message: `Not found: "${m.name}"` });
    if (!m.mountPath) errors.push(fieldError.required(`${idx}.mountPath`));
    else if (mountPoints.has(m.mountPath)) errors.push(fieldError.invalid(`${idx}.mountPath`, m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
    if (m.subPath) errors.push(...localDescendingPathErrors(`${path}.volumeMounts.subPath`, m.subPath));
    if (m.subPathExpr) {
      if (m.subPath) errors.push(fieldError.invalid(`${idx}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errors.push(...localDescendingPathErrors(`${path}.volumeMounts.subPathExpr`, m.subPathExpr));
    }
  });
  return errors;
}

// ---- pods -------------------------------------------------------------------------------------------

function portErrors(field: string, port: number | undefined): StatusCause[] {
  if (port === undefined) return [fieldError.required(field)];
  return port >= 1 && port <= 65535 ? [] : [fieldError.invalid(field, port, 'must be between 1 and 65535, inclusive')];
}

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

// ---- workloads ----------------------------------------------------------------------------------------

function selectorErrors(path: string, selector: LabelSelector | undefined): StatusCause[] {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) {
    return [fieldError.required(path)];
  }
  return labelErrors(`${path}.matchLabels`, selector.matchLabels);
}

function goMap(labels: Record<string, string> | undefined): string {
  return `map[string]string{${Object.entries(labels ?? {})
    .sort()
    .map(([k, v]) => `"${k}":"${v}"`)
    .join(', ')}}`;
}

function workloadErrors(obj: ReplicaSet | Deployment, old?: ReplicaSet | Deployment): StatusCause[] {
  const spec = obj.spec;
  const errors: StatusCause[] = [];
  if (spec.replicas !== undefined && spec.replicas < 0)
    errors.push(fieldError.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  append(errors, selectorErrors('spec.selector', spec.selector));
  const templateLabels = spec.template?.metadata?.labels;
  if (!errors.length && !selectorFromLabelSelector(spec.selector).matches(templateLabels)) {
    errors.push(fieldError.invalid('spec.template.metadata.labels', goMap(templateLabels), '`selector` does not match template `labels`'));
  }
  if (spec.template?.spec) {
    append(errors, podSpecErrors('spec.template.spec', spec.template.spec));
    const rp = spec.template.spec.restartPolicy;
    if (rp && rp !== 'Always') errors.push(fieldError.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  } else {
    errors.push(fieldError.required('spec.template'));
  }
  if (old && selectorFromLabelSelector(old.spec.selector).toString() !== selectorFromLabelSelector(spec.selector).toString()) {
    errors.push(fieldError.invalid('spec.selector', JSON.stringify(spec.selector), 'field is immutable'));
  }
  return errors;
}

function percentOrInt(v: number | string | undefined, replicas: number): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Math.ceil((parseInt(v, 10) * replicas) / 100);
}

function deploymentErrors(d: Deployment, old?: Deployment): StatusCause[] {
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

// ---- services ------------------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function serviceErrors(svc: Service, old?: Service): StatusCause[] {
  const spec = svc.spec;
  const errors: StatusCause[] = [];
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

function hpaErrors(hpa: HorizontalPodAutoscaler): StatusCause[] {
  const errors: StatusCause[] = [];
  const min = hpa.spec.minReplicas ?? 1;
  if (min < 1) errors.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (hpa.spec.maxReplicas < min)
    errors.push(fieldError.invalid('spec.maxReplicas', hpa.spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
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

function configMapErrors(cm: ConfigMap): StatusCause[] {
  const errors: StatusCause[] = [];
  for (const key of Object.keys(cm.data ?? {})) {
    errors.push(...configKeyErrors('data', key));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, key))
      errors.push(fieldError.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
  }
  for (const key of Object.keys(cm.binaryData ?? {})) errors.push(...configKeyErrors('binaryData', key));
  return errors;
}

/** stringData has been folded into data by defaulting, so its keys are checked here too. */
const secretErrors = (secret: Secret) => Object.keys(secret.data ?? {}).flatMap((key) => configKeyErrors('data', key));

// ---- nodes -------------------------------------------------------------------------------------------

const CIDR_DETAIL = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const SET_ONCE = (field: string) => `node updates may not change ${field} except from "" to valid`;

function nodeErrors(node: Node, old: Node | undefined): StatusCause[] {
  const errors: StatusCause[] = [];
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

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** An IP that may be dialled as a workload: valid, and not unspecified, loopback or link-local. */
function nonSpecialIPErrors(field: string, ip: string): StatusCause[] {
  if (!ipFamily(ip)) return [fieldError.invalid(field, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  const reason = specialIPReason(ip);
  return reason ? [fieldError.invalid(field, ip, reason)] : [];
}

function endpointPortErrors(
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

function endpointsErrors(ep: Endpoints): StatusCause[] {
  const errors: StatusCause[] = [];
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

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function endpointSliceErrors(slice: EndpointSlice, old?: EndpointSlice): StatusCause[] {
  const errors: StatusCause[] = [];
  const type = slice.addressType;
  if (!ADDRESS_TYPES.includes(type)) errors.push(fieldError.notSupported('addressType', type, ADDRESS_TYPES));
  if (old && old.addressType !== type) errors.push(fieldError.invalid('addressType', type, 'field is immutable'));
  (slice.endpoints ?? []).forEach((e, i) => {
    const path = `endpoints[${i}].addresses`;
    if (!e.addresses.length) errors.push(fieldError.required(path, 'must contain at least 1 address'));
    e.addresses.forEach((address, j) => {
      const field = `${path}[${j}]`;
      if (type === 'FQDN') append(errors, dns1123SubdomainErrors(field, address));
      else if (type === 'IPv4' || type === 'IPv6') {
        if (ipFamily(address) !== (type === 'IPv4' ? 4 : 6))
          errors.push(fieldError.invalid(field, address, `must be a valid ${type} address`));
        else append(errors, nonSpecialIPErrors(field, address));
      }
    });
  });
  const names = new Set<string>();
  (slice.ports ?? []).forEach((p, i) => {
    const name = p.name ?? '';
    if (names.has(name)) errors.push(fieldError.duplicate(`ports[${i}].name`, name));
    names.add(name);
    append(errors, endpointPortErrors(`ports[${i}]`, p, false));
  });
  return errors;
}

// ---- rbac --------------------------------------------------------------------------------------------

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

/** Kubernetes' ValidateX / ValidateXUpdate for the served kinds. Returns the field errors. */
export function validateObject(resource: ResourceInfo, obj: KubeObject, old?: KubeObject): StatusCause[] {
  const errors = metadataErrors(resource, obj);
  switch (resource.kind) {
    case 'Pod': {
      const spec = (obj as KubeObject & { spec: PodSpec }).spec;
      append(errors, podSpecErrors('spec', spec));
      if (old) append(errors, podUpdateErrors(spec, (old as KubeObject & { spec: PodSpec }).spec));
      break;
    }
    case 'ReplicaSet':
      append(errors, workloadErrors(obj as ReplicaSet, old as ReplicaSet | undefined));
      break;
    case 'Deployment':
      append(errors, deploymentErrors(obj as Deployment, old as Deployment | undefined));
      break;
    case 'Service':
      append(errors, serviceErrors(obj as Service, old as Service | undefined));
      break;
    case 'Endpoints':
      append(errors, endpointsErrors(obj as Endpoints));
      break;
    case 'EndpointSlice':
      append(errors, endpointSliceErrors(obj as EndpointSlice, old as EndpointSlice | undefined));
      break;
    case 'HorizontalPodAutoscaler':
      append(errors, hpaErrors(obj as HorizontalPodAutoscaler));
      break;
    case 'ConfigMap':
      append(errors, configMapErrors(obj as ConfigMap));
      break;
    case 'Secret':
      append(errors, secretErrors(obj as Secret));
      break;
    case 'Node':
      errors.push(...nodeErrors(obj as Node, old as Node | undefined));
      break;
    case 'Role':
    case 'ClusterRole':
      append(errors, policyRuleErrors(resource.kind, (obj as Role).rules));
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      append(errors, roleBindingErrors(resource.kind, obj as RoleBinding, old as RoleBinding | undefined));
      break;
    case 'CertificateSigningRequest':
      errors.push(...certificateSigningRequestErrors(obj as CertificateSigningRequest, old as CertificateSigningRequest | undefined));
      break;
  }
  return errors;
}
