// From a pod's container spec to what the runtime creates: environment (values, field references,
// ConfigMap and Secret keys, the Services' addresses), resource limits, command and args, labels. Pure (the mounts come from mounts.ts).
import type { ConfigMap, Container, Pod, Secret } from '../shared/api/core';
import { parseQuantity } from '../shared/quantity';
import { ContainerSpec, LABELS, Mount } from './runtime/interface';

export interface EnvSources {
  configMaps: Map<string, ConfigMap | undefined>;
  secrets: Map<string, Secret | undefined>;
  /** The Service variables of the pod (envvars.ts). */
  services: Map<string, string>;
}

/** Kubernetes' FormatMap: `key="value"` lines, sorted, as downwardAPI volumes show labels and annotations. */
const formatMap = (m: Record<string, string> | undefined) =>
  Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');

/** The value of a downward API fieldRef (env and downwardAPI volumes). */
export function podFieldValue(pod: Pod, path: string, podIP: string, hostIP: string): string {
  switch (path) {
    case 'metadata.labels':
      return formatMap(pod.metadata.labels ?? undefined);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations ?? undefined);
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
      return podIP;
    case 'status.hostIP':
      return hostIP;
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata.labels?.[label[1]] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return pod.metadata.annotations?.[annotation[1]] ?? '';
  return '';
}

/** `$(VAR)` expansion as Kubernetes does it (`$$` is a `$`); a name `mapping` does not know stays as written. */
export function expandWith(text: string, mapping: (name: string) => string | undefined): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    match === '$$' ? '$' : (mapping(name!) ?? match),
  );
}

/** `$(VAR)` expansion in env values, command and args. */
export const expand = (text: string, env: Map<string, string>) => expandWith(text, (name) => env.get(name));

/** The value of a downward API resourceFieldRef: the container's limit, as given. */
export const resourceFieldValue = (c: Container | undefined, resource: string) =>
  c?.resources?.limits?.[resource.replace('limits.', '')] ?? '';

export function containerEnv(pod: Pod, c: Container, sources: EnvSources, podIP: string, hostIP: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef
      ? sources.configMaps.get(from.configMapRef.name)?.data
      : from.secretRef
        ? decoded(sources.secrets.get(from.secretRef.name))
        : undefined;
    for (const [k, v] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom;
    if (ref?.fieldRef) env.set(e.name, podFieldValue(pod, ref.fieldRef.fieldPath, podIP, hostIP));
    else if (ref?.configMapKeyRef) env.set(e.name, sources.configMaps.get(ref.configMapKeyRef.name)?.data?.[ref.configMapKeyRef.key] ?? '');
    else if (ref?.secretKeyRef) env.set(e.name, decoded(sources.secrets.get(ref.secretKeyRef.name))[ref.secretKeyRef.key] ?? '');
    else if (ref?.resourceFieldRef) env.set(e.name, resourceFieldValue(c, ref.resourceFieldRef.resource));
    else
      env.set(
        e.name,
        expandWith(e.value ?? '', (name) => env.get(name) ?? sources.services.get(name)),
      );
  }
  // The Service variables come last: the container's own variables of the same name win.
  for (const [k, v] of sources.services) if (!env.has(k)) env.set(k, v);
  return env;
}

function decoded(secret: Secret | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

export function podLabels(pod: Pod, nodeName: string, containerName: string, attempt: number): Record<string, string> {
  return {
    [LABELS.podName]: pod.metadata.name!,
    [LABELS.podNamespace]: pod.metadata.namespace!,
    [LABELS.podUid]: pod.metadata.uid!,
    [LABELS.containerName]: containerName,
    [LABELS.nodeName]: nodeName,
    [LABELS.restartCount]: String(attempt),
  };
}

/** dockershim's container names: `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`. */
export const containerName = (pod: Pod, name: string, attempt: number) =>
  `k8s_${name}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${attempt}`;

export function containerSpec(
  pod: Pod,
  c: Container,
  attempt: number,
  nodeName: string,
  env: Map<string, string>,
  mounts: Mount[],
): ContainerSpec {
  const limits = c.resources?.limits ?? {};
  const spec: ContainerSpec = {
    name: containerName(pod, c.name, attempt),
    image: c.image!,
    env: [...env].map(([k, v]) => `${k}=${v}`),
    mounts,
    labels: podLabels(pod, nodeName, c.name, attempt),
    workingDir: c.workingDir,
    tty: c.tty,
    stdin: c.stdin,
    stdinOnce: c.stdinOnce,
  };
  // command replaces the image's ENTRYPOINT (and drops its CMD); args replace CMD.
  if (c.command?.length) {
    spec.command = c.command.map((s) => expand(s, env));
    spec.args = (c.args ?? []).map((s) => expand(s, env));
  } else if (c.args?.length) {
    spec.args = c.args.map((s) => expand(s, env));
  }
  if (limits.cpu) spec.nanoCpus = Math.round(parseQuantity(limits.cpu) * 1e9);
  if (limits.memory) spec.memoryBytes = Math.round(parseQuantity(limits.memory));
  return spec;
}
