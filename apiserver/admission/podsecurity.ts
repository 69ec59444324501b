// Pod Security admission, "baseline" by default: pods that use host namespaces, privileged containers,
// hostPath volumes, host ports or capabilities beyond the baseline set are refused with 403, unless their
// namespace is labelled pod-security.kubernetes.io/enforce=privileged (as kube-system is).
import type { Namespace, Pod } from '../../shared/api/core';
import { forbidden } from '../../shared/errors';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** Capabilities the baseline level allows containers to add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/** The baseline violations of a pod spec, worded as Kubernetes' PodSecurity checks word them. */
export function baselineViolations(pod: Pod): string[] {
  const spec = pod.spec;
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  const out: string[] = [];
  const hostNamespaces = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f]).map((f) => `${f}=true`);
  if (hostNamespaces.length) out.push(`host namespaces (${hostNamespaces.join(', ')})`);
  const privileged = containers.filter((c) => c.securityContext?.privileged).map((c) => c.name);
  if (privileged.length)
    out.push(
      `privileged (container${privileged.length > 1 ? 's' : ''} ${quoted(privileged)} must not set securityContext.privileged=true)`,
    );
  const caps = containers.flatMap((c) =>
    (c.securityContext?.capabilities?.add ?? [])
      .filter((cap) => !BASELINE_CAPABILITIES.has(cap.replace(/^CAP_/, '')))
      .map((cap) => [c.name, cap] as const),
  );
  if (caps.length)
    out.push(
      `non-default capabilities (container${new Set(caps.map((c) => c[0])).size > 1 ? 's' : ''} ${quoted([...new Set(caps.map((c) => c[0]))])} must not include ${quoted([...new Set(caps.map((c) => c[1]))])} in securityContext.capabilities.add)`,
    );
  const hostPaths = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  if (hostPaths.length) out.push(`hostPath volumes (volume${hostPaths.length > 1 ? 's' : ''} ${quoted(hostPaths)})`);
  const ports = containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => [c.name, p.hostPort!] as const));
  if (ports.length)
    out.push(
      `hostPort (container${new Set(ports.map((p) => p[0])).size > 1 ? 's' : ''} ${quoted([...new Set(ports.map((p) => p[0]))])} use${new Set(ports.map((p) => p[0])).size > 1 ? '' : 's'} hostPort${ports.length > 1 ? 's' : ''} ${ports.map((p) => p[1]).join(', ')})`,
    );
  return out;
}

export function admitPodSecurity(pod: Pod, namespace: Namespace | undefined): void {
  const level = namespace?.metadata.labels?.[ENFORCE_LABEL] ?? 'baseline';
  if (level === 'privileged') return;
  const violations = baselineViolations(pod);
  if (violations.length) {
    throw forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: violates PodSecurity "${level}:latest": ${violations.join(', ')}`, {
      name: pod.metadata.name,
      kind: 'pods',
    });
  }
}
