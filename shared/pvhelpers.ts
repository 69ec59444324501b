// What the PV controller and the scheduler's VolumeBinding plugin agree on about claims and volumes
// (k8s.io/component-helpers/storage/volume/pv_helpers.go): a claim's class, whether a volume is bound to
// a claim, and which available volume best satisfies a claim: the smallest that fits.
import type { Node, PersistentVolume, PersistentVolumeAccessMode, PersistentVolumeClaim } from './api/core';
import { selectorFromLabelSelector } from './labels';
import { nodeSelectorMatches } from './nodeselector';
import { parseQuantity } from './quantity';

const MODE_ABBREVIATIONS: [PersistentVolumeAccessMode, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** `RWO,ROX`: how kubectl shows access modes (GetAccessModesAsString). */
export const accessModesString = (modes: string[] | undefined): string =>
  MODE_ABBREVIATIONS.filter(([m]) => modes?.includes(m))
    .map(([, a]) => a)
    .join(',');

/** The class a claim asks for; '' for none (an unset class is given the default at admission). */
export const claimClass = (claim: PersistentVolumeClaim): string => claim.spec.storageClassName ?? '';
export const volumeClass = (pv: PersistentVolume): string => pv.spec.storageClassName ?? '';

export const claimKey = (claim: PersistentVolumeClaim): string => `${claim.metadata.namespace}/${claim.metadata.name}`;

/** Whether the volume's claimRef names this claim (and, when it records one, its uid). */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec.claimRef;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

const storageOf = (list: Record<string, string> | undefined): number => (list?.storage !== undefined ? parseQuantity(list.storage) : 0);

/** The volume offers every access mode the claim asks for. */
export const checkAccessModes = (claim: PersistentVolumeClaim, pv: PersistentVolume): boolean =>
  (claim.spec.accessModes ?? []).every((m) => pv.spec.accessModes?.includes(m));

/** The volume can be reached from the node (no node affinity: from every node). */
export function checkNodeAffinity(pv: PersistentVolume, node: Node): boolean {
  const required = pv.spec.nodeAffinity?.required;
  return !required || nodeSelectorMatches(required.nodeSelectorTerms, node);
}

/**
 * Why the volume cannot hold the claim (checkVolumeSatisfyClaim), or undefined when it can: the class,
 * the size, the volume mode and the access modes.
 */
export function volumeSatisfiesClaimError(pv: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (storageOf(pv.spec.capacity) < storageOf(claim.spec.resources?.requests)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if ((pv.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem'))
    return `incompatible volumeMode: claim requests ${claim.spec.volumeMode ?? 'Filesystem'}, volume has ${pv.spec.volumeMode ?? 'Filesystem'}`;
  if (!checkAccessModes(claim, pv)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** The node the claim's pod would run on (the scheduler asks); undefined for the PV controller. */
  node?: Node;
  /** The claim's class binds WaitForFirstConsumer: without a node only volumes already bound to it match. */
  delayBinding?: boolean;
  /** Volumes already chosen for other claims of the same pod. */
  excluded?: Set<string>;
}

/**
 * FindMatchingVolume: the volume bound (or pre-bound) to the claim if there is one, else the smallest
 * available volume of the claim's class that is big enough, offers its access modes and volume mode,
 * matches its selector and, when a node is given, can be reached from it.
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: PersistentVolume[],
  opts: MatchOptions = {},
): PersistentVolume | undefined {
  const requested = storageOf(claim.spec.resources?.requests);
  const selector = claim.spec.selector ? selectorFromLabelSelector(claim.spec.selector) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (opts.excluded?.has(pv.metadata.name!) || pv.metadata.deletionTimestamp) continue;
    const size = storageOf(pv.spec.capacity);
    if (size < requested) continue;
    if ((pv.spec.volumeMode ?? 'Filesystem') !== (claim.spec.volumeMode ?? 'Filesystem')) continue;
    const reachable = !opts.node || checkNodeAffinity(pv, opts.node);
    if (isVolumeBoundToClaim(pv, claim)) return reachable ? pv : undefined;
    if (!opts.node && opts.delayBinding) continue; // the scheduler binds these, on the pod's node
    if (pv.spec.claimRef || pv.status?.phase === 'Released' || pv.status?.phase === 'Failed') continue;
    if (selector && !selector.matches(pv.metadata.labels ?? {})) continue;
    if (volumeClass(pv) !== claimClass(claim) || !reachable || !checkAccessModes(claim, pv)) continue;
    if (!smallest || size < storageOf(smallest.spec.capacity)) smallest = pv;
  }
  return smallest;
}
