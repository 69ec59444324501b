// Volumes and volume mounts (part of Kubernetes' core validation).
// Paths that name files inside a volume (subPath, items[].path) are joined onto host directories by the
// kubelet: they must stay below the volume's root, so absolute paths and `..` elements are refused here
// (the kubelet checks again when it resolves them, see kubelet/subpath.ts).
import type { Container, DownwardAPIVolumeFile, KeyToPath, Volume } from '../core';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { qualifiedNameErrors } from './meta';

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
    else if (subscripted) errors.push(...qualifiedNameErrors(`${field}.fieldRef`, subscripted[2]));
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
export function volumeSourceErrors(field: string, v: Volume): StatusCause[] {
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
export function volumeMountErrors(path: string, c: Container, volumeNames: Set<string>): StatusCause[] {
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
