// Pod volumes on the host: emptyDir directories, and configMap and secret volumes written as files, under
// <root-dir>/pods/<uid>/volumes/. Removed with the pod.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from '../shared/api/core';

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

export const podDir = (rootDir: string, uid: string) => path.join(rootDir, 'pods', uid);

function volumeDir(rootDir: string, uid: string, v: Volume): string {
  const plugin = v.emptyDir ? 'empty-dir' : v.configMap ? 'configmap' : v.secret ? 'secret' : 'host-path';
  return path.join(podDir(rootDir, uid), 'volumes', `kubernetes.io~${plugin}`, v.name);
}

async function writeFiles(
  dir: string,
  files: Record<string, Buffer>,
  items: { key: string; path: string }[] | undefined,
  mode: number,
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const selected = items?.length ? items.map((i) => [i.path, files[i.key]] as const) : Object.entries(files);
  for (const [name, content] of selected) {
    if (content === undefined) continue;
    const file = path.join(dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content, { mode });
  }
}

/**
 * Prepares every volume of the pod and returns the host directory of each, by volume name. Throws with a
 * Kubernetes-style message when a referenced ConfigMap or Secret is missing.
 */
export async function setUpVolumes(rootDir: string, pod: Pod, sources: VolumeSources): Promise<Map<string, string>> {
  const uid = pod.metadata.uid!;
  const dirs = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.hostPath) {
      dirs.set(v.name, v.hostPath.path);
      continue;
    }
    const dir = volumeDir(rootDir, uid, v);
    if (v.configMap) {
      const cm = await sources.configMap(pod.metadata.namespace!, v.configMap.name);
      if (!cm && !v.configMap.optional) throw new Error(`configmap "${v.configMap.name}" not found`);
      const files = Object.fromEntries([
        ...Object.entries(cm?.data ?? {}).map(([k, s]) => [k, Buffer.from(s)]),
        ...Object.entries(cm?.binaryData ?? {}).map(([k, s]) => [k, Buffer.from(s, 'base64')]),
      ]);
      await writeFiles(dir, files, v.configMap.items, v.configMap.defaultMode ?? 0o644);
    } else if (v.secret) {
      const secret = await sources.secret(pod.metadata.namespace!, v.secret.secretName);
      if (!secret && !v.secret.optional) throw new Error(`secret "${v.secret.secretName}" not found`);
      const files = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, s]) => [k, Buffer.from(s, 'base64')]));
      await writeFiles(dir, files, v.secret.items, v.secret.defaultMode ?? 0o644);
    } else {
      await fs.mkdir(dir, { recursive: true, mode: 0o777 });
      await fs.chmod(dir, 0o777);
    }
    dirs.set(v.name, dir);
  }
  return dirs;
}

export async function tearDownVolumes(rootDir: string, uid: string): Promise<void> {
  await fs.rm(podDir(rootDir, uid), { recursive: true, force: true });
}
