// Pod volumes on the host, under <root-dir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>: emptyDir
// directories, and configMap, secret, downwardAPI and projected volumes, whose files the kubelet writes
// with the AtomicWriter and containers mount read-only (a projected volume's serviceAccountToken source
// is the pod's ServiceAccount token, from the token manager). Removed with the pod.
//
// Who may read what, as the kubelet sets it: the pod directory is 0750 and secret volumes live under a
// 0700 directory, so no other user of the node reaches them; inside the pod, files are 0644 unless the
// volume's defaultMode or an item's mode says otherwise (Kubernetes' defaults).
import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Volume,
  VolumeProjection,
} from '../shared/api/core';
import { AtomicWriter, Payload } from './atomicwriter';
import { podFieldValue, resourceFieldValue } from './containerspec';
import { checkHostPathType } from './hostpath';

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  persistentVolumeClaim?(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume?(name: string): Promise<PersistentVolume | undefined>;
  /** The token of a serviceAccountToken projection of the pod (tokenmanager.ts). */
  serviceAccountToken?(pod: Pod, projection: ServiceAccountTokenProjection): Promise<string>;
}

/** A volume ready on the host: its directory, and whether its plugin mounts it read-only (the kubelet owns its files). */
export interface PodVolume {
  path: string;
  readOnly: boolean;
}

type ServiceAccountTokenProjection = NonNullable<VolumeProjection['serviceAccountToken']>;

export const podDir = (rootDir: string, uid: string) => path.join(rootDir, 'pods', uid);

const DEFAULT_MODE = 0o644;

/** Kubernetes' plugin directory names; volumes of other types are plain directories, like emptyDir. */
function pluginOf(v: Volume): string {
  if (v.emptyDir) return 'empty-dir';
  if (v.configMap) return 'configmap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downward-api';
  if (v.projected) return 'projected';
  return 'host-path';
}

/** Creates `dir` if needed and gives it `mode`, whatever the umask or an older kubelet made of it. */
async function ensureDir(dir: string, mode: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode });
  await fs.chmod(dir, mode);
}

/** Keys of a ConfigMap or Secret as files: all of them, or the items chosen (a missing key is an error unless optional). */
function keysToFiles(kind: string, data: Record<string, Buffer>, ref: KeysRef, mode: number, payload: Payload): void {
  if (!ref.items?.length) {
    for (const [key, content] of Object.entries(data)) payload.set(key, { data: content, mode });
    return;
  }
  for (const item of ref.items) {
    if (Object.hasOwn(data, item.key)) payload.set(item.path, { data: data[item.key], mode: item.mode ?? mode });
    else if (!ref.optional) throw new Error(`${kind} references non-existent ${kind} key: ${item.key}`);
  }
}

const decoded = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

/**
 * Prepares every volume of the pod and returns each by name. Throws with a Kubernetes-style message
 * when a referenced ConfigMap, Secret or key is missing.
 */
export async function setUpVolumes(rootDir: string, pod: Pod, sources: VolumeSources): Promise<Map<string, PodVolume>> {
  const pd = podDir(rootDir, pod.metadata.uid!);
  await ensureDir(pd, 0o750);
  await ensureDir(path.join(pd, 'volumes'), 0o750);
  const volumes = new Map<string, PodVolume>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.hostPath) {
      await checkHostPathType(v.hostPath.path, v.hostPath.type);
      volumes.set(v.name, { path: v.hostPath.path, readOnly: false });
      continue;
    }
    if (v.persistentVolumeClaim) {
      volumes.set(v.name, await claimVolume(pod.metadata.namespace!, v.persistentVolumeClaim, sources));
      continue;
    }
    const plugin = pluginOf(v);
    const pluginDir = path.join(pd, 'volumes', `kubernetes.io~${plugin}`);
    await ensureDir(pluginDir, plugin === 'secret' ? 0o700 : 0o750);
    const dir = path.join(pluginDir, v.name);
    const payload = await payloadOf(pod, v, sources);
    if (payload) {
      await ensureDir(dir, 0o755);
      await new AtomicWriter(dir).write(payload);
    } else {
      await ensureDir(dir, 0o777); // an emptyDir: anyone in the pod may write
    }
    volumes.set(v.name, { path: dir, readOnly: payload !== undefined });
  }
  return volumes;
}

/**
 * A persistentVolumeClaim volume: the directory of the volume bound to the claim (hostPath or local),
 * read-only when the pod's volume says so. The claim must be bound, as the kubelet's desired state of the
 * world requires before it mounts anything.
 */
async function claimVolume(
  namespace: string,
  source: { claimName: string; readOnly?: boolean },
  sources: VolumeSources,
): Promise<PodVolume> {
  const claim = await sources.persistentVolumeClaim?.(namespace, source.claimName);
  if (!claim) throw new Error(`persistentvolumeclaim "${source.claimName}" not found`);
  const volumeName = claim.spec.volumeName ?? '';
  if (claim.status?.phase !== 'Bound' || !volumeName)
    throw new Error(
      `PVC ${namespace}/${source.claimName} has non-bound phase (${JSON.stringify(claim.status?.phase ?? '')}) or empty pvc.Spec.VolumeName (${JSON.stringify(volumeName)})`,
    );
  const pv = await sources.persistentVolume?.(volumeName);
  if (!pv) throw new Error(`persistentvolume "${volumeName}" not found`);
  if (pv.spec.claimRef?.uid && pv.spec.claimRef.uid !== claim.metadata.uid)
    throw new Error(`the PVC ${namespace}/${source.claimName} is not bound to the PV ${volumeName}`);
  const readOnly = !!source.readOnly;
  if (pv.spec.hostPath) {
    await checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
    return { path: pv.spec.hostPath.path, readOnly };
  }
  if (pv.spec.local) {
    await checkHostPathType(pv.spec.local.path, 'Directory');
    return { path: pv.spec.local.path, readOnly };
  }
  throw new Error(`the volume source of PersistentVolume "${volumeName}" cannot be mounted by this kubelet (hostPath and local only)`);
}

const isDirectory = (p: string) =>
  fs.lstat(p).then(
    (st) => st.isDirectory(),
    () => false,
  );

/** Whether the kubelet writes the volume's files from its sources (its plugin's RequiresRemount): then it writes them again as they change. */
export const requiresRemount = (v: Volume): boolean => !!(v.configMap || v.secret || v.downwardAPI || v.projected);

/**
 * Writes the files of the pod's configMap, secret, downwardAPI and projected volumes again from their
 * sources now, through the AtomicWriter (a container sees the old version or the new, never half), those
 * set up already. Returns the names of those whose files changed. A source or key gone
 * missing throws and leaves that volume as it was. A subPath mount keeps the file it was bound to.
 */
export async function remountVolumes(rootDir: string, pod: Pod, sources: VolumeSources): Promise<string[]> {
  const changed: string[] = [];
  for (const v of pod.spec.volumes ?? []) {
    if (!requiresRemount(v)) continue;
    const dir = path.join(podDir(rootDir, pod.metadata.uid!), 'volumes', `kubernetes.io~${pluginOf(v)}`, v.name);
    if (!(await isDirectory(dir))) continue; // not set up yet
    if (await new AtomicWriter(dir).write((await payloadOf(pod, v, sources))!)) changed.push(v.name);
  }
  return changed;
}

export async function tearDownVolumes(rootDir: string, uid: string): Promise<void> {
  await fs.rm(podDir(rootDir, uid), { recursive: true, force: true });
}

/** The files of a volume the kubelet writes; undefined for a plain directory. */
async function payloadOf(pod: Pod, v: Volume, sources: VolumeSources): Promise<Payload | undefined> {
  const payload: Payload = new Map();
  const ns = pod.metadata.namespace!;
  if (v.configMap) {
    await configMapFiles(sources, ns, v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE, payload);
  } else if (v.secret) {
    const { secretName: name, items, optional } = v.secret;
    await secretFiles(sources, ns, { name, items, optional }, v.secret.defaultMode ?? DEFAULT_MODE, payload);
  } else if (v.downwardAPI) {
    downwardAPIFiles(pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, payload);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const source of v.projected.sources ?? []) {
      if (source.configMap) await configMapFiles(sources, ns, source.configMap, mode, payload);
      if (source.secret) await secretFiles(sources, ns, source.secret, mode, payload);
      if (source.downwardAPI) downwardAPIFiles(pod, source.downwardAPI.items, mode, payload);
      if (source.serviceAccountToken) await tokenFile(pod, source.serviceAccountToken, sources, mode, payload);
    }
  } else {
    return undefined;
  }
  return payload;
}

/** A ConfigMap or Secret as a volume (or one source of a projected volume) names it. */
interface KeysRef {
  name: string;
  items?: KeyToPath[];
  optional?: boolean;
}

async function configMapFiles(sources: VolumeSources, namespace: string, ref: KeysRef, mode: number, payload: Payload): Promise<void> {
  const cm = await sources.configMap(namespace, ref.name);
  if (!cm && !ref.optional) throw new Error(`configmap "${ref.name}" not found`);
  const data = { ...Object.fromEntries(Object.entries(cm?.data ?? {}).map(([k, s]) => [k, Buffer.from(s)])), ...decoded(cm?.binaryData) };
  keysToFiles('configmap', data, ref, mode, payload);
}

async function secretFiles(sources: VolumeSources, namespace: string, ref: KeysRef, mode: number, payload: Payload): Promise<void> {
  const secret = await sources.secret(namespace, ref.name);
  if (!secret && !ref.optional) throw new Error(`secret "${ref.name}" not found`);
  keysToFiles('secret', decoded(secret?.data), ref, mode, payload);
}

async function tokenFile(pod: Pod, projection: ServiceAccountTokenProjection, sources: VolumeSources, mode: number, payload: Payload) {
  if (!sources.serviceAccountToken) throw new Error('serviceAccountToken projections need the token manager');
  payload.set(projection.path, { data: Buffer.from(await sources.serviceAccountToken(pod, projection)), mode });
}

function downwardAPIFiles(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, mode: number, payload: Payload): void {
  for (const item of items ?? []) {
    const value = item.fieldRef
      ? podFieldValue(pod, item.fieldRef.fieldPath, pod.status?.podIP ?? '', pod.status?.hostIP ?? '')
      : resourceFieldValue(
          pod.spec.containers.find((c) => c.name === item.resourceFieldRef?.containerName),
          item.resourceFieldRef?.resource ?? '',
        );
    payload.set(item.path, { data: Buffer.from(value), mode: item.mode ?? mode });
  }
}
