// The ConfigMaps and Secrets a pod refers to: what its kubelet must read to run it, and therefore what
// the Node authorizer lets that kubelet read.
import type { Container, Pod } from './core';

export interface PodReferences {
  configMaps: Set<string>;
  secrets: Set<string>;
}

/** What these containers read their environment from (env valueFrom and envFrom). */
export function envReferences(containers: Container[]): PodReferences {
  const refs: PodReferences = { configMaps: new Set(), secrets: new Set() };
  for (const c of containers) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) refs.configMaps.add(f.configMapRef.name);
      if (f.secretRef) refs.secrets.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) refs.configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) refs.secrets.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return refs;
}

/** Everything the pod uses: the environment of every container, init containers too, and its volumes. */
export function podReferences(pod: Pod): PodReferences {
  const refs = envReferences([...(pod.spec.initContainers ?? []), ...pod.spec.containers]);
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap) refs.configMaps.add(v.configMap.name);
    if (v.secret) refs.secrets.add(v.secret.secretName);
    for (const source of v.projected?.sources ?? []) {
      if (source.configMap) refs.configMaps.add(source.configMap.name);
      if (source.secret) refs.secrets.add(source.secret.name);
    }
  }
  return refs;
}

/** The PersistentVolumeClaims the pod mounts. */
export const podClaimNames = (pod: Pod): Set<string> =>
  new Set((pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [])));
