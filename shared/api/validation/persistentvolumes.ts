// core/v1 PersistentVolume and PersistentVolumeClaim validation, with Kubernetes' field paths and wording
// (pkg/apis/core/validation: ValidatePersistentVolume, ValidatePersistentVolumeClaim and their updates).
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec } from '../core';
import type { StatusCause } from '../meta';
import { semanticallyEqual } from '../../equality';
import { fieldError } from '../../errors';
import { parseQuantity } from '../../quantity';
import { append, dns1123SubdomainErrors, labelSelectorErrors, objectMetaErrors } from './meta';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** The volume sources this cluster knows on a PersistentVolume (the schema drops the others), in Kubernetes' order. */
export const PERSISTENT_VOLUME_SOURCES = ['hostPath', 'local'] as const;

function accessModeErrors(field: string, modes: string[] | undefined, required: string): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!modes?.length) errors.push(fieldError.required(field, required || undefined));
  for (const m of modes ?? []) if (!ACCESS_MODES.includes(m)) errors.push(fieldError.notSupported(field, m, ACCESS_MODES));
  if (modes?.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m)))
    errors.push(fieldError.forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errors;
}

/** validateLocalDescendingPath: no `..` element. */
function descendingPathErrors(field: string, p: string): StatusCause[] {
  return p.split('/').includes('..') ? [fieldError.invalid(field, p, "must not contain '..'")] : [];
}

export function hostPathErrors(field: string, hostPath: { path: string; type?: string }): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!hostPath.path) errors.push(fieldError.required(`${field}.path`));
  else append(errors, descendingPathErrors(`${field}.path`, hostPath.path));
  if (hostPath.type !== undefined && !HOST_PATH_TYPES.includes(hostPath.type))
    errors.push(fieldError.notSupported(`${field}.type`, hostPath.type, HOST_PATH_TYPES));
  return errors;
}

/** ValidateClassName: a DNS subdomain. */
const classNameErrors = (field: string, name: string | undefined) => (name ? dns1123SubdomainErrors(field, name) : []);

function volumeSpecErrors(spec: PersistentVolumeSpec): StatusCause[] {
  const errors = accessModeErrors('spec.accessModes', spec.accessModes, '');
  const capacity = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errors.push(fieldError.required('spec.capacity'));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1)
    errors.push(fieldError.notSupported('spec.capacity', capacity, ['storage']));
  for (const [name, q] of Object.entries(capacity))
    if (parseQuantity(q) <= 0) errors.push(fieldError.invalid(`spec.capacity[${name}]`, String(q), 'must be greater than zero'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !RECLAIM_POLICIES.includes(policy))
    errors.push(fieldError.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  const terms = spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (spec.nodeAffinity && !spec.nodeAffinity.required) errors.push(fieldError.required('spec.nodeAffinity.required'));
  if (spec.nodeAffinity?.required && !terms?.length)
    errors.push(fieldError.required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'));
  const sources = PERSISTENT_VOLUME_SOURCES.filter((s) => spec[s]);
  for (const extra of sources.slice(1)) errors.push(fieldError.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath) append(errors, hostPathErrors('spec.hostPath', spec.hostPath));
  if (spec.local) {
    if (!spec.local.path) errors.push(fieldError.required('spec.local.path'));
    else append(errors, descendingPathErrors('spec.local.path', spec.local.path));
    if (!terms?.length) errors.push(fieldError.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (!sources.length) errors.push(fieldError.required('spec', 'must specify a volume type'));
  append(errors, classNameErrors('spec.storageClassName', spec.storageClassName));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode))
    errors.push(fieldError.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errors;
}

const volumeSource = (spec: PersistentVolumeSpec) => Object.fromEntries(PERSISTENT_VOLUME_SOURCES.map((s) => [s, spec[s]]));

export function validatePersistentVolume(pv: PersistentVolume, old?: PersistentVolume): StatusCause[] {
  const errors = objectMetaErrors(pv.metadata);
  append(errors, volumeSpecErrors(pv.spec ?? {}));
  if (old) {
    if (!semanticallyEqual(volumeSource(pv.spec), volumeSource(old.spec)))
      errors.push(fieldError.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
    if (pv.spec.volumeMode !== old.spec.volumeMode) errors.push(fieldError.invalid('volumeMode', pv.spec.volumeMode, 'field is immutable'));
    if (old.spec.nodeAffinity && !semanticallyEqual(pv.spec.nodeAffinity, old.spec.nodeAffinity))
      errors.push(fieldError.invalid('nodeAffinity', pv.spec.nodeAffinity, 'field is immutable'));
  }
  return errors;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim, old?: PersistentVolumeClaim): StatusCause[] {
  const spec = pvc.spec ?? {};
  const errors = objectMetaErrors(pvc.metadata);
  append(errors, accessModeErrors('spec.accessModes', spec.accessModes, 'at least 1 access mode is required'));
  if (spec.selector) append(errors, labelSelectorErrors('spec.selector', spec.selector));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errors.push(fieldError.required('spec.resources[storage]'));
  else if (parseQuantity(storage) <= 0)
    errors.push(fieldError.invalid('spec.resources[storage]', String(storage), 'must be greater than zero'));
  append(errors, classNameErrors('spec.storageClassName', spec.storageClassName));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode))
    errors.push(fieldError.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  if (spec.dataSource || spec.dataSourceRef)
    errors.push(fieldError.forbidden('spec.dataSource', 'volume populators are not supported by this cluster'));
  if (old) append(errors, claimUpdateErrors(pvc, old));
  return errors;
}

/**
 * A claim's spec is immutable, except that its volumeName may be set once (binding), a class may be given
 * to a claim that had none (retroactive default class), and a bound claim may ask for more storage.
 */
function claimUpdateErrors(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): StatusCause[] {
  const errors: StatusCause[] = [];
  const next = structuredClone(pvc.spec);
  const prev = structuredClone(old.spec);
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if (prev.storageClassName === undefined && next.storageClassName !== undefined) prev.storageClassName = next.storageClassName;
  if (pvc.status?.phase === 'Bound' && next.resources?.requests) next.resources.requests.storage = prev.resources?.requests?.storage ?? '';
  next.volumeAttributesClassName = prev.volumeAttributesClassName;
  if (!semanticallyEqual(next, prev))
    errors.push(
      fieldError.forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  const oldSize = old.spec.resources?.requests?.storage;
  const newSize = pvc.spec.resources?.requests?.storage;
  if (oldSize !== undefined && newSize !== undefined && parseQuantity(newSize) < parseQuantity(oldSize))
    errors.push(fieldError.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errors;
}
