// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount), a mutating one: a pod
// created without spec.serviceAccountName runs as `default`; the ServiceAccount must exist (the
// serviceaccount controller makes `default` shortly after a namespace, so a pod created in that moment
// is refused, as in Kubernetes, and its controller tries again). Unless the pod, else the ServiceAccount,
// says automountServiceAccountToken: false, the pod gets the projected volume kube-api-access-<5 random>:
//   token      a ServiceAccount token the kubelet asks for (TokenRequest bound to the pod, 3607 s)
//   ca.crt     from the ConfigMap kube-root-ca.crt
//   namespace  the pod's namespace (downward API)
// mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every init and app container
// that has nothing mounted there already. Mirror pods (static pods' API copies) are left alone.
import type { Container, Pod, ServiceAccount, Volume } from '../../shared/api/core';
import { isNotFound } from '../../shared/errors';
import { randomSafeString } from '../../shared/names';
import { admissionForbidden, MutationPlugin } from './admission';

export const SERVICE_ACCOUNT_ADMISSION = 'ServiceAccount';
export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** An hour and seven seconds: the kubelet's bound token, told apart from a user's hour-long one. */
const TOKEN_EXPIRATION_SECONDS = 3607;

/** Reads a ServiceAccount from the apiserver's storage (a NotFound Status when there is none). */
export type ServiceAccountGetter = (namespace: string, name: string) => Promise<ServiceAccount>;

/** The projected volume of the API credentials (createVolume). */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Whether the token is mounted: the pod's own say first, then the ServiceAccount's, else yes. */
export const shouldAutomount = (pod: Pod, sa: ServiceAccount) =>
  pod.spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;

/**
 * mountServiceAccountToken: every container without a mount at the token path mounts the volume (one
 * the pod already has, kube-api-access-*, or a new one named with `suffix`), which is added when used.
 */
export function mountServiceAccountToken(pod: Pod, suffix: string = randomSafeString(5)): void {
  const existing = pod.spec.volumes?.find((v) => v.name.startsWith(VOLUME_PREFIX));
  const name = existing?.name ?? `${VOLUME_PREFIX}${suffix}`;
  let needed = false;
  const mountInto = (c: Container) => {
    if (c.volumeMounts?.some((m) => m.mountPath === API_TOKEN_MOUNT_PATH)) return;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH }];
    needed = true;
  };
  (pod.spec.initContainers ?? []).forEach(mountInto);
  pod.spec.containers.forEach(mountInto);
  if (!existing && needed) pod.spec.volumes = [...(pod.spec.volumes ?? []), apiAccessVolume(name)];
}

export function serviceAccountAdmission(getServiceAccount: ServiceAccountGetter): MutationPlugin {
  return {
    async admit(attrs) {
      if (attrs.operation !== 'CREATE' || attrs.resource.group !== '' || attrs.resource.plural !== 'pods' || attrs.subresource) return;
      const pod = attrs.object as Pod;
      if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
      pod.spec.serviceAccountName ||= DEFAULT_SERVICE_ACCOUNT;
      const name = (pod.spec.serviceAccount = pod.spec.serviceAccountName);
      let sa: ServiceAccount;
      try {
        sa = await getServiceAccount(attrs.namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        throw admissionForbidden(attrs, `error looking up service account ${attrs.namespace}/${name}: serviceaccount "${name}" not found`);
      }
      if (shouldAutomount(pod, sa)) mountServiceAccountToken(pod);
    },
  };
}
