// The kubelet's runtime manager (pkg/kubelet/kuberuntime): what brings one pod's sandbox and containers
// to its spec on the container runtime. Its SyncPod computes the actions (syncpod.ts) and carries them
// out; startContainer pulls the image, makes the environment and the mounts, and runs the container.
import type { Container, Pod, Service } from '../shared/api/core';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { Backoff } from './backoff';
import { STABLE_RUN_MS } from './backoff';
import { ConfigMapAndSecretManagers, envSources } from './configmapsecret';
import { containerEnv, containerName, containerSpec, EnvSources, podLabels } from './containerspec';
import { serviceEnv } from './envvars';
import { ImageManager, ImagePullError, PodEvent } from './imagemanager';
import { makeMounts, withSubPathWritersPaused } from './mounts';
import type { PodIPAM } from './network';
import type { GenericPLEG } from './pleg';
import { allContainers, latest, PodRuntime } from './podruntime';
import type { PodReasons, ReasonCache } from './reasoncache';
import { ContainerRuntime, INFRA_NAME } from './runtime/interface';
import { computePodActions, isSidecar, PodActions, specContainers } from './syncpod';
import type { VolumeManager } from './volumemanager';
import { podDir, PodVolume } from './volumes';
import fs from 'node:fs/promises';
import path from 'node:path';

/** What the runtime manager reads of the kubelet's configuration. */
export interface RuntimeConfig {
  nodeName: string;
  nodeIP: string;
  rootDir: string;
  podNetwork: string;
  infraImage: string;
  clusterDNS?: string;
  clusterDomain: string;
}

export interface RuntimeManagerDeps {
  runtime: Pick<
    ContainerRuntime,
    'listContainers' | 'runSandbox' | 'runContainer' | 'stopContainer' | 'removeContainer' | 'pauseContainer' | 'unpauseContainer'
  >;
  config: RuntimeConfig;
  /** The node's podCIDR, once known. */
  podCIDR: () => string | undefined;
  pleg: GenericPLEG;
  ipam: PodIPAM;
  images: ImageManager;
  volumes: VolumeManager;
  managers: ConfigMapAndSecretManagers;
  /** Every Service, as the kubelet's informer has them (for the containers' Service variables). */
  services: () => Service[];
  /** The crash-loop back-off of containers, by `<pod uid>/<container>`. */
  backoff: Backoff;
  reasons: ReasonCache;
  /** Running containers whose liveness or startup probe failed, by container id. */
  unhealthy: () => Set<string>;
  /** Whether a running container has started (no startup probe, or it succeeded). */
  started: (container: Container, id: string) => boolean;
  event: PodEvent;
  clock: Clock;
}

export interface SyncResult {
  /** The pod's containers after the sync. */
  rt: PodRuntime;
  /** When the pod must be synced again (a back-off ends, a retry is due), in ms from now. */
  requeueAfterMs?: number;
}

const VOLUME_RETRY_MS = 5_000;
const START_RETRY_MS = 10_000;

const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

export class KubeRuntimeManager {
  constructor(private readonly d: RuntimeManagerDeps) {}

  /**
   * SyncPod brings the running pod to its spec:
   *   1. compute sandbox and container changes,
   *   2. kill the pod's containers and sandbox if the sandbox must be re-created (init containers run
   *      again: their attempts are purged), or stop what still runs of a pod that is done,
   *   3. kill the containers that should not be running,
   *   4. create the sandbox if needed,
   *   5. report the containers waiting in crash-loop back-off,
   *   6. start the init containers, in order; a regular one that fails to start holds the rest,
   *   7. start the app containers.
   */
  async syncPod(pod: Pod, rt: PodRuntime, log: Logger): Promise<SyncResult> {
    const uid = pod.metadata.uid!;
    const now = this.d.clock.now();
    const reasons = this.d.reasons.forPod(uid);
    // Containers that have run long enough forget their crash history.
    for (const c of specContainers(pod)) {
      const last = latest(rt, c.name);
      if (last?.state === 'running' && last.startedAt && now - Date.parse(last.startedAt) > STABLE_RUN_MS)
        this.d.backoff.reset(`${uid}/${c.name}`);
    }

    // 1. Compute sandbox and container changes.
    const actions = computePodActions(pod, rt, {
      now,
      unhealthy: this.d.unhealthy(),
      started: this.d.started,
      backOffUntil: (name, finishedAt) => this.d.backoff.backOffSince(`${uid}/${name}`, finishedAt, now),
    });

    // 2. Kill the pod's containers and its sandbox if the sandbox must be re-created.
    if (actions.createSandbox) {
      if (rt.sandboxes.length) this.d.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      for (const c of allContainers(rt)) if (c.state !== 'exited') await this.d.runtime.stopContainer(c.id, 0);
      for (const c of rt.sandboxes) await this.d.runtime.removeContainer(c.id);
      for (const c of pod.spec.initContainers ?? [])
        for (const a of rt.containers.get(c.name) ?? []) await this.d.runtime.removeContainer(a.id);
    } else if (actions.killPod) {
      const running = [...rt.containers.values()].flat().filter((c) => c.state === 'running');
      for (const c of running) this.d.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      await Promise.all(running.map((c) => this.d.runtime.stopContainer(c.id, pod.spec.terminationGracePeriodSeconds ?? 30)));
    }

    // 3. Kill the containers that should not be running.
    for (const { container, message } of actions.kill) {
      this.d.event(pod, 'Normal', 'Killing', message);
      await this.d.runtime.stopContainer(container.id, pod.spec.terminationGracePeriodSeconds ?? 30);
      reasons.delete(container.name);
    }

    // 4. Create the sandbox if needed.
    // The pod cache is told what changed: only the new sandbox, or (old containers stopped and removed) the whole pod.
    if (actions.createSandbox) {
      const id = await this.createPodSandbox(pod);
      rt = allContainers(rt).length ? await this.d.pleg.updatePod(uid) : await this.d.pleg.observe(uid, [id]);
    }

    // 5. Report the containers waiting in crash-loop back-off.
    let requeueAfterMs: number | undefined;
    for (const { name, until } of actions.backoff) {
      const last = latest(rt, name);
      const message = `back-off ${Math.round((until - Date.parse(last?.finishedAt ?? '')) / 1000)}s restarting failed container=${name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
      if (reasons.get(name)?.reason !== 'CrashLoopBackOff') this.d.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      reasons.set(name, { reason: 'CrashLoopBackOff', message });
      requeueAfterMs = min(requeueAfterMs, until - now);
    }

    // 6 and 7.
    if ((actions.startInit.length || actions.start.length) && rt.sandbox?.state === 'running') {
      const started: string[] = [];
      requeueAfterMs = min(requeueAfterMs, await this.startContainers(pod, rt, actions, reasons, started, log));
      rt = await this.d.pleg.observe(uid, started);
    }
    return { rt, requeueAfterMs };
  }

  /** Stops a pod's running containers within `graceSeconds` (a Killing event each), then removes all of them. */
  async killPod(pod: Pod, rt: PodRuntime, graceSeconds: number): Promise<void> {
    const running = [...rt.containers.values()].flat().filter((c) => c.state === 'running');
    for (const c of running) this.d.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    await Promise.all(running.map((c) => this.d.runtime.stopContainer(c.id, graceSeconds)));
    await this.removePodContainers(rt);
  }

  /** Removes every container of a pod, running or not: the pod is gone. */
  async removePodContainers(rt: PodRuntime): Promise<void> {
    for (const c of [...[...rt.containers.values()].flat(), ...rt.sandboxes]) await this.d.runtime.removeContainer(c.id);
  }

  /** Creates and starts the pod's sandbox; returns its id. */
  private async createPodSandbox(pod: Pod): Promise<string> {
    const cidr = this.d.podCIDR();
    if (!cidr) throw new Error('the node has no podCIDR yet');
    const { config } = this.d;
    const ip = this.d.ipam.allocate(pod.metadata.uid!, cidr, this.d.pleg.runningSandboxIPs());
    await this.d.images.ensureImage(config.infraImage, 'IfNotPresent');
    const dnsFirst = pod.spec.dnsPolicy === 'ClusterFirst' || pod.spec.dnsPolicy === undefined;
    const ns = pod.metadata.namespace!;
    const d = config.clusterDomain;
    const sandbox = this.d.runtime.runSandbox({
      name: containerName(pod, INFRA_NAME, 0),
      image: config.infraImage,
      hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63),
      ...(pod.spec.subdomain ? { domainname: `${pod.spec.subdomain}.${ns}.svc.${d}` } : {}),
      network: config.podNetwork,
      ip,
      labels: podLabels(pod, config.nodeName, INFRA_NAME, 0),
      portBindings: pod.spec.containers.flatMap((c) =>
        (c.ports ?? [])
          .filter((p) => p.hostPort)
          .map((p) => ({
            containerPort: p.containerPort,
            protocol: p.protocol ?? 'TCP',
            hostPort: p.hostPort!,
            hostIP: p.hostIP ?? config.nodeIP,
          })),
      ),
      dns:
        dnsFirst && config.clusterDNS
          ? { servers: [config.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] }
          : undefined,
    });
    return sandbox.catch((err) => {
      this.d.images.forgetImage(config.infraImage);
      throw err;
    });
  }

  /**
   * Starts the init containers, then the app containers, in order, adding the ids of those started to
   * `started`; returns when to retry those that could not start.
   */
  private async startContainers(
    pod: Pod,
    rt: PodRuntime,
    { startInit, start }: PodActions,
    reasons: PodReasons,
    started: string[],
    log: Logger,
  ): Promise<number | undefined> {
    let volumes: Map<string, PodVolume>;
    let env: EnvSources;
    try {
      volumes = await this.d.volumes.waitForAttachAndMount(pod);
      const services = serviceEnv(this.d.services(), pod.metadata.namespace!, pod.spec.enableServiceLinks ?? true);
      env = await envSources(this.d.managers, pod, specContainers(pod), services);
    } catch (err) {
      this.d.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${(err as Error).message}`);
      // A pod with init containers shows them waiting to start: PodInitializing, the default.
      if (!pod.spec.initContainers?.length) for (const c of start) reasons.set(c.name, { reason: 'ContainerCreating' });
      return VOLUME_RETRY_MS;
    }
    let retryAfterMs: number | undefined;
    for (const c of startInit) {
      const retry = await this.startContainer(pod, rt, c, volumes, env, reasons, started, log);
      retryAfterMs = min(retryAfterMs, retry);
      if (retry !== undefined && !isSidecar(c)) return retryAfterMs; // initialization cannot go on
    }
    for (const c of start) retryAfterMs = min(retryAfterMs, await this.startContainer(pod, rt, c, volumes, env, reasons, started, log));
    return retryAfterMs;
  }

  /** startContainer: pull the image, make the container's config, create and start it. Returns when to retry a failure. */
  private async startContainer(
    pod: Pod,
    rt: PodRuntime,
    c: Container,
    volumes: Map<string, PodVolume>,
    sources: EnvSources,
    reasons: PodReasons,
    started: string[],
    log: Logger,
  ): Promise<number | undefined> {
    const uid = pod.metadata.uid!;
    try {
      await this.d.images.ensureImageExists(pod, c);
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      reasons.set(c.name, { reason: err.reason, message: err.message });
      return err.retryAfterMs;
    }
    const previous = latest(rt, c.name);
    const attempt = (previous?.attempt ?? -1) + 1;
    const env = containerEnv(pod, c, sources, rt.sandbox?.ip ?? '', this.d.config.nodeIP);
    try {
      const running = async () => [...this.d.pleg.podRuntime(uid).containers.values()].flat();
      await withSubPathWritersPaused(pod, c, volumes, this.d.runtime, running, async () => {
        const spec = containerSpec(pod, c, attempt, this.d.config.nodeName, env, await makeMounts(c, volumes, env, log));
        const resolvConf = await this.writeResolvConf(pod);
        if (resolvConf) spec.mounts.push({ hostPath: resolvConf, containerPath: '/etc/resolv.conf', readOnly: true });
        started.push(await this.d.runtime.runContainer(rt.sandbox!.id, spec));
      });
    } catch (err) {
      this.d.images.forgetImage(c.image!);
      log.warn({ container: c.name, err }, 'starting the container failed');
      this.d.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`);
      reasons.set(c.name, { reason: (err as { reason?: string }).reason ?? 'CreateContainerError', message: (err as Error).message });
      return START_RETRY_MS;
    }
    // A restart counts in the crash-loop back-off, from the time the previous attempt exited.
    if (previous?.state === 'exited') this.d.backoff.next(`${uid}/${c.name}`, Date.parse(previous.finishedAt ?? previous.createdAt));
    reasons.delete(c.name);
    this.d.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
    this.d.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    return undefined;
  }

  /**
   * The pod's /etc/resolv.conf for dnsPolicy ClusterFirst: the cluster DNS and the search path of the
   * pod's namespace, as the kubelet writes it (Docker's own embedded resolver is bypassed).
   */
  private async writeResolvConf(pod: Pod): Promise<string | undefined> {
    const { clusterDNS, clusterDomain: d, rootDir } = this.d.config;
    if (!clusterDNS || (pod.spec.dnsPolicy ?? 'ClusterFirst') !== 'ClusterFirst') return undefined;
    const file = path.join(podDir(rootDir, pod.metadata.uid!), 'resolv.conf');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `search ${pod.metadata.namespace}.svc.${d} svc.${d} ${d}\nnameserver ${clusterDNS}\noptions ndots:5\n`);
    return file;
  }
}
