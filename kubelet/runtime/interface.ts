// The container runtime interface of the kubelet (Kubernetes' CRI, reduced to what this kubelet uses).
// The Docker implementation is the only code of the project that talks to the engine; a fake serves
// the unit tests.
import type { Duplex, Readable, Writable } from 'node:stream';
import type { TerminalSize } from '../../shared/streaming/remotecommand';

/** Labels on every container the kubelet creates. */
export const LABELS = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /** Ours: several kubelets may share one engine; each manages only its node's containers. */
  nodeName: 'io.kubernetes.node.name',
  restartCount: 'io.kubernetes.container.restartCount',
} as const;

/** The container name of a pod's infra container, as dockershim called it. */
export const INFRA_NAME = 'POD';

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeContainer {
  id: string;
  /** The container's name in the pod spec, or POD for the infra container. */
  name: string;
  podUid: string;
  podName: string;
  podNamespace: string;
  attempt: number;
  state: ContainerState;
  exitCode?: number;
  oomKilled?: boolean;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  image: string;
  imageID: string;
  /** The pod IP, for infra containers. */
  ip?: string;
}

/** A container's usage at one moment: CPU time is cumulative, so a rate needs two samples (CRI's ContainerStats). */
export interface ContainerStats {
  /** When the sample was read, in milliseconds since the epoch. */
  timestampMs: number;
  /** CPU time used since the container started, in nanoseconds of one core. */
  usageCoreNanoSeconds: number;
  workingSetBytes: number;
}

/** A host path bound into a container. The host path must exist: the runtime never creates it. */
export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: string[];
  mounts: Mount[];
  labels: Record<string, string>;
  nanoCpus?: number;
  memoryBytes?: number;
  tty?: boolean;
  /** Keep the container's stdin open (`docker run -i`), for `kubectl attach` and `run -i`. */
  stdin?: boolean;
  /** Close stdin once the first attached client lets go of it. */
  stdinOnce?: boolean;
}

export interface SandboxSpec {
  name: string;
  image: string;
  hostname: string;
  /** With a pod's subdomain: `<subdomain>.<namespace>.svc.<cluster domain>`, so its FQDN is in /etc/hosts (`hostname -f`). */
  domainname?: string;
  network: string;
  ip: string;
  labels: Record<string, string>;
  /** `hostPort/tcp` → host IP and port */
  portBindings: { containerPort: number; protocol: string; hostPort: number; hostIP: string }[];
  dns: { servers: string[]; searches: string[]; options: string[] } | undefined;
}

export interface LogOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
  sinceSeconds?: number;
}

/** The client's side of a command run in a container, or of an attach: only the streams it asked for. */
export interface StreamIO {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty: boolean;
  /** TerminalSize objects, while a TTY is in use. */
  resize?: Readable;
  /** Aborted when the client leaves: the runtime lets go of the process, which goes on (as after `docker exec` is interrupted). */
  signal?: AbortSignal;
}

export type { TerminalSize };

export interface ContainerRuntime {
  version(): Promise<string>;
  ensureNetwork(name: string, subnet: string, gateway: string, opts: { masquerade: boolean }): Promise<void>;
  /** Loads every image tarball (`docker save` output) in a directory: air-gapped nodes. */
  loadImages(dir: string): Promise<string[]>;
  /** Removes the network unless containers still use it; true when it is gone. */
  removeNetworkIfUnused(name: string): Promise<boolean>;
  /** Every container this node's kubelet created (by the node label), or only those of the pod `podUid`. */
  listContainers(nodeName: string, podUid?: string): Promise<RuntimeContainer[]>;
  /** One container as the runtime reports it now (CRI's ContainerStatus); undefined if it is gone. */
  containerStatus(id: string): Promise<RuntimeContainer | undefined>;
  imagePresent(image: string): Promise<boolean>;
  pullImage(image: string): Promise<void>;
  /** Creates and starts the pod's infra container; returns its id. */
  runSandbox(spec: SandboxSpec): Promise<string>;
  /** Creates and starts an app container inside the sandbox's namespaces; returns its id. */
  runContainer(sandboxId: string, spec: ContainerSpec): Promise<string>;
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Freezes every process of a running container (the cgroup freezer); false if it was not running. */
  pauseContainer(id: string): Promise<boolean>;
  unpauseContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  logs(id: string, opts: LogOptions): Promise<Readable>;
  /** Runs a command to its end and returns its output (exec probes: CRI's ExecSync). */
  execSync(id: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  /** Runs a command in the container with the client's streams attached (`kubectl exec`); resolves with its exit code. */
  exec(id: string, command: string[], io: StreamIO): Promise<number>;
  /** Attaches the client's streams to the container's main process (`kubectl attach`) until it exits or the client leaves. */
  attach(id: string, io: StreamIO): Promise<void>;
  /** Joins `stream` to `port` in the pod's network namespace until either side is done (`kubectl port-forward`). */
  portForward(sandboxId: string, port: number, stream: Duplex): Promise<void>;
  /** One sample of a running container's usage (CRI's ContainerStats), read at once without waiting for a second one. */
  stats(id: string): Promise<ContainerStats>;
}
