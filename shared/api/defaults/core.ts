// core/v1 defaulting, as Kubernetes' SetDefaults_* functions do it: what a user sees in `kubectl get -o yaml`
// that they did not write. The apiserver runs it on every create and update, in place, after decoding.
import type {
  Container,
  Endpoints,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  Probe,
  ReplicationController,
  Secret,
  Service,
} from '../core';

/** Images without a tag, or tagged :latest, are pulled Always; others IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'IfNotPresent';
  const name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  const tagAt = name.indexOf(':', lastSlash + 1);
  if (image.includes('@')) return 'IfNotPresent';
  return tagAt < 0 || name.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  [c.livenessProbe, c.readinessProbe, c.startupProbe].forEach(defaultProbe);
}

export function defaultPodSpec(spec: PodSpec): void {
  // serviceAccount is the deprecated name of serviceAccountName: either one sets both (v1 conversion).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 0o644;
    if (v.secret) v.secret.defaultMode ??= 0o644;
    if (v.downwardAPI) v.downwardAPI.defaultMode ??= 0o644;
    if (v.projected) v.projected.defaultMode ??= 0o644;
    const files = [...(v.downwardAPI?.items ?? []), ...(v.projected?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? [])];
    for (const f of files) if (f.fieldRef) f.fieldRef.apiVersion ??= 'v1';
    for (const source of v.projected?.sources ?? []) if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
  }
}

/** What the DefaultTolerationSeconds admission plugin adds: evict 300 s after a node goes away. */
function defaultTolerations(spec: PodSpec): void {
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === key && (t.effect === 'NoExecute' || !t.effect))) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
}

export function defaultService(svc: Service): void {
  const spec = svc.spec;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type === 'ExternalName') return;
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

/** Endpoints and EndpointSlice ports are TCP unless they say otherwise. */
export function defaultEndpointPorts(ports: { protocol?: string }[] | undefined): void {
  for (const p of ports ?? []) p.protocol ??= 'TCP';
}

export function defaultPod(pod: Pod): void {
  defaultPodSpec(pod.spec);
  defaultTolerations(pod.spec);
}

export function defaultEndpoints(ep: Endpoints): void {
  for (const subset of ep.subsets ?? []) defaultEndpointPorts(subset.ports);
}

export function defaultSecret(secret: Secret): void {
  secret.type ??= 'Opaque';
  if (secret.stringData) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(v).toString('base64');
    delete secret.stringData;
  }
}

/** A volume is Retained and a Filesystem unless it says otherwise; its phase starts Pending. */
export function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  if (pv.spec.hostPath) pv.spec.hostPath.type ??= '';
  pv.status ??= {};
  pv.status.phase ??= 'Pending';
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
  pvc.status ??= {};
  pvc.status.phase ??= 'Pending';
}

/** SetDefaults_ReplicationController: the selector and the labels default to the template's labels. */
export function defaultReplicationController(rc: ReplicationController): void {
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (!Object.keys(rc.spec.selector ?? {}).length) rc.spec.selector = { ...labels };
    if (!Object.keys(rc.metadata.labels ?? {}).length) rc.metadata.labels = { ...labels };
  }
  rc.spec.replicas ??= 1;
  if (rc.spec.template?.spec) defaultPodSpec(rc.spec.template.spec);
}
