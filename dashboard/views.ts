// What the dashboard's server sends its page: small, flat summaries of API objects (the page never sees
// a whole object except in the YAML view). Plain types with no imports, shared by the server
// (summaries.ts) and the page (web/).

/** The kinds the page keeps, each a map from key (`namespace/name`, or `name`) to its view. */
export interface ViewsByKind {
  nodes: NodeView;
  pods: PodView;
  workloads: WorkloadView;
  services: ServiceView;
  endpoints: EndpointsView;
  events: EventView;
  leases: LeaseView;
  traffic: TrafficView;
  components: ComponentView;
}
export type Kind = keyof ViewsByKind;
export const KINDS: Kind[] = ['nodes', 'pods', 'workloads', 'services', 'endpoints', 'events', 'leases', 'traffic', 'components'];

export interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  since?: string;
}

export interface OwnerView {
  kind: string;
  name: string;
  uid: string;
}

export interface NodeView {
  key: string;
  name: string;
  uid: string;
  ready: 'True' | 'False' | 'Unknown';
  unschedulable: boolean;
  conditions: ConditionView[];
  /** millicores and bytes, and the pod count */
  capacity: { cpu: number; memory: number; pods: number };
  allocatable: { cpu: number; memory: number; pods: number };
  taints: string[];
  address?: string;
  kubeletVersion?: string;
  labels: Record<string, string>;
}

export interface ContainerView {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  restarts: number;
  /** running | waiting | terminated | unknown */
  state: string;
  /** The state in plain words: "running since 10:04:01", "waiting: the image cannot be pulled (...)". */
  words: string;
  reason?: string;
}

export interface PodView {
  key: string;
  namespace: string;
  name: string;
  uid: string;
  node?: string;
  phase: string;
  /** What `kubectl get pods` prints as STATUS: Running, Pending, CrashLoopBackOff, Terminating, ... */
  status: string;
  ready: boolean;
  readyCount: number;
  containerCount: number;
  restarts: number;
  containers: ContainerView[];
  owner?: OwnerView;
  labels: Record<string, string>;
  /** The sum of the containers' requests: millicores and bytes. */
  requests: { cpu: number; memory: number };
  ip?: string;
  conditions: ConditionView[];
  /** For a pod that is pending, failing or not ready: why, in plain words. */
  why?: string;
  created: string;
  deleting: boolean;
}

/** Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs (and CronJobs): owners of pods. */
export interface WorkloadView {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  owner?: OwnerView;
  /** deployment.kubernetes.io/revision */
  revision?: string;
  desired?: number;
  current?: number;
  ready?: number;
  updated?: number;
  available?: number;
  /** One line: "3/3 ready, 3 up to date". */
  summary: string;
  conditions: ConditionView[];
  /** Whether `scale` applies. */
  scalable: boolean;
  created: string;
}

export interface ServicePortView {
  name?: string;
  protocol: string;
  port: number;
  targetPort: string;
  nodePort?: number;
}

export interface ServiceView {
  key: string;
  namespace: string;
  name: string;
  uid: string;
  type: string;
  clusterIP?: string;
  ports: ServicePortView[];
  selector: Record<string, string>;
}

export interface EndpointAddressView {
  ip: string;
  ready: boolean;
  pod?: string;
  node?: string;
}

export interface EndpointsView {
  key: string;
  namespace: string;
  name: string;
  /** One entry per subset port: its addresses. */
  ports: { name?: string; port: number; protocol: string; addresses: EndpointAddressView[] }[];
}

export interface EventView {
  key: string;
  namespace: string;
  type: string;
  reason: string;
  message: string;
  object: { kind: string; name: string; namespace?: string; uid?: string };
  count: number;
  /** The last time it happened (RFC 3339). */
  last: string;
  source: string;
}

export interface LeaseView {
  key: string;
  namespace: string;
  name: string;
  holder?: string;
  renewTime?: string;
  durationSeconds?: number;
  transitions?: number;
}

/** kube-proxy's counters for one endpoint of one service port (summed over every kube-proxy). */
export interface TrafficView {
  /** `<service port>|<endpoint>` */
  key: string;
  /** `namespace/name:port` as kube-proxy labels it */
  service: string;
  /** `ip:port` */
  endpoint: string;
  connections: number;
  active: number;
  bytesIn: number;
  bytesOut: number;
}

export interface ComponentView {
  key: string;
  name: string;
  healthy: boolean;
  message: string;
}

/** The first message of the event stream: every view the server holds. */
export interface Snapshot {
  views: { [K in Kind]: ViewsByKind[K][] };
  /** Kinds the server may not read (RBAC), with the apiserver's message. */
  problems: Record<string, string>;
  /** Owner kinds the apiserver serves (StatefulSet, DaemonSet, Job, ... only where they exist). */
  workloadKinds: string[];
}

/** Every later message: what changed since the previous one (several changes to one object collapse). */
export interface Delta {
  upsert: { [K in Kind]?: ViewsByKind[K][] };
  remove: { [K in Kind]?: string[] };
  problems?: Record<string, string>;
  workloadKinds?: string[];
}
