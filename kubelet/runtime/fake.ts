// An in-memory container runtime: containers are records whose state the caller moves (exit, crash),
// images are a set, every call is recorded. It serves the unit tests of the kubelet's managers and, as a
// whole ContainerRuntime, the hollow nodes of bench/scale.ts (kubemark's fake runtime: a real kubelet
// with real API traffic, and no engine behind it).
import { Readable } from 'node:stream';
import type { Clock } from '../../shared/clock';
import { ContainerRuntime, ContainerSpec, ContainerStats, LABELS, RuntimeContainer, SandboxSpec } from './interface';

export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, RuntimeContainer & { node: string }>();
  readonly images = new Set<string>();
  /** Images whose pull fails. */
  readonly unpullable = new Set<string>();
  /** Every call, as `verb name` (the pod-spec container name). */
  readonly calls: string[] = [];
  /** The specs containers were run with, by container id. */
  readonly specs = new Map<string, ContainerSpec>();
  private nextId = 0;

  constructor(private readonly clock: Clock) {}

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private add(labels: Record<string, string>, image: string, ip?: string): RuntimeContainer {
    const c = {
      id: `c${++this.nextId}`,
      name: labels[LABELS.containerName],
      podUid: labels[LABELS.podUid],
      podName: labels[LABELS.podName],
      podNamespace: labels[LABELS.podNamespace],
      attempt: Number(labels[LABELS.restartCount]),
      state: 'running' as const,
      createdAt: this.iso(),
      startedAt: this.iso(),
      image,
      imageID: `sha256:${image}`,
      ip,
      node: labels[LABELS.nodeName],
    };
    this.containers.set(c.id, c);
    return c;
  }

  /** The newest attempt of a pod's container. */
  latest(name: string): RuntimeContainer | undefined {
    return [...this.containers.values()].filter((c) => c.name === name).sort((a, b) => b.attempt - a.attempt)[0];
  }

  /** The container's process exits with `exitCode`. */
  exit(id: string, exitCode: number): void {
    const c = this.containers.get(id)!;
    Object.assign(c, { state: 'exited', exitCode, finishedAt: this.iso() });
  }

  async listContainers(nodeName: string, podUid?: string): Promise<RuntimeContainer[]> {
    return [...this.containers.values()].filter((c) => c.node === nodeName && (!podUid || c.podUid === podUid)).map((c) => ({ ...c }));
  }

  async containerStatus(id: string): Promise<RuntimeContainer | undefined> {
    const c = this.containers.get(id);
    return c && { ...c };
  }

  async imagePresent(image: string): Promise<boolean> {
    return this.images.has(image);
  }

  async pullImage(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
    if (this.unpullable.has(image)) throw new Error('manifest unknown');
    this.images.add(image);
  }

  async runSandbox(spec: SandboxSpec): Promise<string> {
    this.calls.push('runSandbox');
    return this.add(spec.labels, spec.image, spec.ip).id;
  }

  async runContainer(_sandboxId: string, spec: ContainerSpec): Promise<string> {
    this.calls.push(`run ${spec.labels[LABELS.containerName]}`);
    const c = this.add(spec.labels, spec.image);
    this.specs.set(c.id, spec);
    return c.id;
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`stop ${c.name}`);
    if (c.state === 'running') this.exit(id, 137);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) this.calls.push(`remove ${c.name}`);
    this.containers.delete(id);
  }

  async pauseContainer(): Promise<boolean> {
    return true;
  }

  async unpauseContainer(): Promise<void> {}

  // What no hollow node is asked for but a kubelet may call: no network, no images to load, no output.
  async version(): Promise<string> {
    return 'fake://1.0.0';
  }

  async ensureNetwork(): Promise<void> {}

  async removeNetworkIfUnused(): Promise<boolean> {
    return true;
  }

  async loadImages(): Promise<string[]> {
    return [];
  }

  async logs(): Promise<Readable> {
    return Readable.from([]);
  }

  async execSync(): Promise<{ exitCode: number; output: string }> {
    return { exitCode: 0, output: '' };
  }

  async exec(): Promise<number> {
    return 0;
  }

  async attach(): Promise<void> {}

  async portForward(): Promise<void> {
    throw new Error('the in-memory runtime has no pod network to forward to');
  }

  async stats(): Promise<ContainerStats> {
    return { timestampMs: this.clock.now(), usageCoreNanoSeconds: 0, workingSetBytes: 0 };
  }
}

/** Records the runtime's reads from now on, as `list`, `list <pod uid>`, `status <id>` and `image <image>` (for tests). */
export function recordReads(runtime: FakeRuntime): string[] {
  const reads: string[] = [];
  const { listContainers, containerStatus, imagePresent } = runtime;
  runtime.listContainers = (node, uid) => (reads.push(uid ? `list ${uid}` : 'list'), listContainers.call(runtime, node, uid));
  runtime.containerStatus = (id) => (reads.push(`status ${id}`), containerStatus.call(runtime, id));
  runtime.imagePresent = (image) => (reads.push(`image ${image}`), imagePresent.call(runtime, image));
  return reads;
}
