// The kubelet: watches the pods bound to this node and syncs each through the pod workers whenever it
// changes, its containers change (the PLEG) or the periodic resync comes. The parts are upstream's
// managers, each in a file of its own:
//
//   nodestatusupdater.ts  registration and node status      nodelease.ts      the heartbeat Lease
//   podworkers.ts         one sync at a time per pod        pleg.ts           runtime relist, pod records
//   kuberuntime.ts        sandbox and containers to spec    syncpod.ts        computePodActions (pure)
//   imagemanager.ts       image pulls and their back-off    volumemanager.ts  pod volumes on the host
//   configmapsecret.ts    the ConfigMaps and Secrets used   prober.ts         liveness/readiness/startup
//   tokenmanager.ts       ServiceAccount tokens of volumes  envvars.ts        the Services' env variables
//   statusmanager.ts      writes the pod status             status.ts         generatePodStatus (pure)
import type { Pod, PodStatus, Service } from '../shared/api/core';
import { objectKey } from '../shared/api/meta';
import { Pods, Services } from '../shared/api/resources';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import { isConflict, isNotFound } from '../shared/errors';
import { EventRecorder } from '../shared/events';
import { EventHandler, Informer, stripManagedFields } from '../shared/informer';
import type { Logger } from '../shared/log';
import { Backoff } from './backoff';
import { newConfigMapAndSecretManagers } from './configmapsecret';
import { ImageManager } from './imagemanager';
import { KubeRuntimeManager } from './kuberuntime';
import { gatewayOf, PodIPAM } from './network';
import { LEASE_RENEW_MS, NodeLeaseController } from './nodelease';
import type { NodeConfig } from './nodestatus';
import { NodeStatusUpdater } from './nodestatusupdater';
import { GenericPLEG, RELIST_PERIOD_MS } from './pleg';
import { allContainers, latest, PodRuntime } from './podruntime';
import { PodWorkers } from './podworkers';
import { ProbeManager } from './prober';
import { ReasonCache } from './reasoncache';
import { ContainerRuntime, RuntimeContainer } from './runtime/interface';
import { plegRelistDuration, podWorkerDuration, PodWorkerStartTracker } from './metrics';
import { generatePodStatus } from './status';
import { specContainers } from './syncpod';
import { StatusManager } from './statusmanager';
import { TokenManager, tokenRequester } from './tokenmanager';
import { claimGetters, VolumeManager } from './volumemanager';

export interface KubeletConfig extends NodeConfig {
  rootDir: string;
  /** The range pod addresses come from: --pod-cidr, else the podCIDR the controller-manager assigns the Node. */
  podCIDR?: string;
  podNetwork: string;
  /** The subnet of the pod network; undefined: this node's podCIDR. */
  podNetworkCIDR?: string;
  /** Whether the engine masquerades pod traffic (off when host-gw routes carry it between nodes). */
  masquerade: boolean;
  infraImage: string;
  clusterDNS?: string;
  clusterDomain: string;
  statusUpdateMs: number;
}

/** How often every pod is synced even when nothing told the kubelet it changed. */
const RESYNC_MS = 10_000;
/** The shortest delay of a requeued sync. */
const MIN_REQUEUE_MS = 100;

export class Kubelet {
  private readonly pods: Informer<Pod>;
  /** Every Service: their addresses go into the containers' environment (envvars.ts). */
  private readonly services: Informer<Service>;
  private readonly podWorkers: PodWorkers;
  private readonly recorder: EventRecorder;
  private readonly pleg: GenericPLEG;
  private readonly probes: ProbeManager;
  private readonly statusManager: StatusManager;
  private readonly nodeStatus: NodeStatusUpdater;
  private readonly nodeLease: NodeLeaseController;
  private readonly volumes: VolumeManager;
  private readonly images: ImageManager;
  private readonly containerRuntime: KubeRuntimeManager;
  /** The crash-loop back-off of containers, by `<pod uid>/<container>`. */
  private readonly backoff = new Backoff();
  private readonly reasons = new ReasonCache();
  private readonly ipam = new PodIPAM();
  private readonly workerStarts: PodWorkerStartTracker;
  /** The pods whose first sync (the one that starts them) is running, by uid. */
  private readonly starting = new Set<string>();
  private running = true;

  constructor(
    private readonly client: Client,
    private readonly runtime: ContainerRuntime,
    private readonly config: KubeletConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.pods = new Informer<Pod>(client, Pods, {
      fieldSelector: `spec.nodeName=${config.name}`,
      logger: log,
      clock,
      transform: stripManagedFields,
    });
    this.services = new Informer<Service>(client, Services, { logger: log, clock, transform: stripManagedFields });
    this.podWorkers = new PodWorkers(clock);
    this.workerStarts = new PodWorkerStartTracker(clock);
    this.recorder = new EventRecorder(client, { component: 'kubelet', host: config.name }, { clock, logger: log });
    this.pleg = new GenericPLEG(runtime, config.name);
    this.probes = new ProbeManager(runtime, clock, {
      changed: (key) => this.podWorkers.updatePod(key),
      failed: (pod, container, type, message) =>
        this.event(pod, 'Warning', 'Unhealthy', `${type[0].toUpperCase()}${type.slice(1)} probe failed: ${message}`),
    });
    this.statusManager = new StatusManager(client.resource<Pod>(Pods), log);
    this.nodeStatus = new NodeStatusUpdater(client, config, clock, log, config.podCIDR);
    this.nodeLease = new NodeLeaseController(client, config.name, clock);
    const managers = newConfigMapAndSecretManagers(client, clock);
    const tokens = new TokenManager(tokenRequester(client), clock);
    this.volumes = new VolumeManager(config.rootDir, managers, tokens, claimGetters(client));
    const event = this.event.bind(this);
    this.images = new ImageManager(runtime, clock, event);
    this.containerRuntime = new KubeRuntimeManager({
      runtime,
      config: {
        nodeName: config.name,
        nodeIP: config.ip,
        rootDir: config.rootDir,
        podNetwork: config.podNetwork,
        infraImage: config.infraImage,
        clusterDNS: config.clusterDNS,
        clusterDomain: config.clusterDomain,
      },
      podCIDR: () => this.nodeStatus.podCIDR,
      pleg: this.pleg,
      ipam: this.ipam,
      images: this.images,
      volumes: this.volumes,
      managers,
      services: () => this.services.lister.list(),
      backoff: this.backoff,
      reasons: this.reasons,
      unhealthy: () => this.probes.unhealthy(),
      started: (c, id) => this.probes.started(id, c),
      event,
      clock,
    });
  }

  async start(): Promise<void> {
    await this.registerNode();
    // One network for every node on this engine (a subnet given), or this node's podCIDR (one engine per machine).
    const subnet = this.config.podNetworkCIDR ?? (await this.waitForPodCIDR());
    await this.runtime.ensureNetwork(this.config.podNetwork, subnet, gatewayOf(subnet), { masquerade: this.config.masquerade });
    const updatePod = (pod: Pod) => this.podWorkers.updatePod(objectKey(pod));
    this.pods.addEventHandler({
      add: (pod) => (this.workerStarts.podSeen(pod.metadata.uid!), updatePod(pod)),
      update: (_old, pod) => updatePod(pod),
      delete: (pod) => (this.workerStarts.forget(pod.metadata.uid!), updatePod(pod)),
    });
    this.pods.run();
    this.services.run();
    // A container started before the Services are known would miss their variables.
    await Promise.all([this.pods.waitForSync(), this.services.waitForSync()]);
    await this.relist(); // adopt what is running before syncing anything
    void this.podWorkers.run(this.config.maxPods, (key) => this.syncPod(key), this.log);
    void this.loop(RELIST_PERIOD_MS, () => this.relist());
    void this.loop(RESYNC_MS, async () => this.pods.lister.list().forEach(updatePod));
    void this.loop(LEASE_RENEW_MS, () => this.nodeLease.sync());
    void this.loop(this.config.statusUpdateMs, () => this.nodeStatus.syncNodeStatus());
    this.log.info({ node: this.config.name }, 'kubelet started');
  }

  stop(): void {
    this.running = false;
    this.pods.stop();
    this.services.stop();
    this.podWorkers.stop();
  }

  /**
   * Removes every container of this node and, if no other node still uses it, the pod network: for
   * `--cleanup-on-stop`, where stopping the kubelet means tearing the node down (`docker compose down`).
   */
  async removeAllPods(): Promise<void> {
    const { pods } = await this.pleg.relist();
    for (const [uid, rt] of pods) {
      await this.containerRuntime.removePodContainers(rt);
      await this.volumes.unmountPod(uid);
    }
    // The other kubelets of this engine are usually stopping too (`docker compose down`): the last one
    // out removes the network, so wait a little for their pods to go.
    for (let attempt = 0; attempt < 10; attempt++) {
      if (await this.runtime.removeNetworkIfUnused(this.config.podNetwork)) return;
      await this.clock.sleep(500);
    }
  }

  private async loop(periodMs: number, fn: () => Promise<void>): Promise<void> {
    while (this.running) {
      try {
        await fn();
      } catch (err) {
        this.log.warn({ err }, 'periodic task failed');
      }
      await this.clock.sleep(periodMs);
    }
  }

  private async registerNode(): Promise<void> {
    for (;;) {
      try {
        await this.nodeStatus.registerWithAPIServer();
        await this.nodeLease.sync();
        return;
      } catch (err) {
        this.log.warn({ err }, 'registering the node failed; retrying');
        await this.clock.sleep(1000);
      }
    }
  }

  /** This node's podCIDR, once known (from --pod-cidr, or assigned by the controller-manager). */
  waitForPodCIDR(): Promise<string> {
    return this.nodeStatus.waitForPodCIDR();
  }

  /** Also tells `handler` about this node's pods (the kubelet's own informer: no second watch). */
  addPodEventHandler(handler: EventHandler<Pod>): void {
    this.pods.addEventHandler(handler);
  }

  /** Every container the last relist saw. */
  containers(): RuntimeContainer[] {
    return this.pleg.containers();
  }

  /** Whether a pod's first sync (the one that starts it) is running. */
  podsStarting(): boolean {
    return this.starting.size > 0;
  }

  /** For the streaming server: what runs for a pod bound to this node, if there is such a pod. */
  async podRuntimeByName(namespace: string, name: string): Promise<PodRuntime | undefined> {
    const pod = this.pods.lister.get(namespace, name);
    return pod && this.pleg.podRuntime(pod.metadata.uid!);
  }

  /** For the log server: the attempts of a container of a pod on this node. */
  async attempts(namespace: string, name: string, container: string): Promise<RuntimeContainer[]> {
    const pod = this.pods.lister.get(namespace, name);
    if (!pod) return [];
    return this.pleg.podRuntime(pod.metadata.uid!).containers.get(container) ?? [];
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, type, reason, message);
  }

  /** PLEG events: pods whose containers changed are synced; containers of pods not bound here (HandlePodCleanups) go. */
  private async relist(): Promise<void> {
    const done = plegRelistDuration.startTimer();
    const { pods, changed, containers } = await this.pleg.relist();
    done();
    const byUid = new Map(this.pods.lister.list().map((p) => [p.metadata.uid!, p]));
    for (const [uid, rt] of pods) {
      const pod = byUid.get(uid);
      if (!pod) void this.removeOrphan(uid, rt);
      else if (changed.has(uid)) this.podWorkers.updatePod(objectKey(pod));
    }
    this.probes.retain(new Set(containers.filter((c) => c.state === 'running').map((c) => c.id)));
  }

  private async removeOrphan(uid: string, rt: PodRuntime): Promise<void> {
    this.log.info(
      { podUid: uid, containers: allContainers(rt).length },
      'removing containers of a pod that is gone or no longer bound here',
    );
    await this.containerRuntime.removePodContainers(rt);
    await this.forgetPod(uid);
  }

  /** Forgets everything the kubelet keeps of a pod whose containers are gone: volumes, back-offs, reasons, records, its address. */
  private async forgetPod(uid: string): Promise<void> {
    await this.volumes.unmountPod(uid);
    this.backoff.forgetPod(uid);
    this.images.forgetPod(uid);
    this.reasons.forgetPod(uid);
    this.pleg.forget(uid);
    this.statusManager.forgetPod(uid);
    this.ipam.release(uid);
  }

  /** A pod worker's sync of the pod `key`, timed in kubelet_pod_worker_duration_seconds (its first: create). */
  private async syncPod(key: string): Promise<void> {
    const pod = this.pods.lister.getByKey(key);
    if (!pod) return;
    const uid = pod.metadata.uid!;
    const create = this.workerStarts.workerStarted(uid);
    const operationType = pod.metadata.deletionTimestamp ? 'kill' : create ? 'create' : 'sync';
    const done = podWorkerDuration.startTimer({ operation_type: operationType });
    if (operationType === 'create') this.starting.add(uid);
    try {
      await this.syncPodOnce(pod, key);
    } finally {
      this.starting.delete(uid);
      done();
    }
  }

  /**
   * SyncPod, for the pod `key`:
   *   1. the pod's containers are read from the pod cache (the PLEG's records); a pod that is gone is left
   *      to the PLEG, which removes its containers; one being deleted is terminated,
   *   2. the status manager is given the status as the containers are now (it writes in the background; what changed since the last sync:
   *      an init container that completed shows the next one, or the app containers, PodInitializing),
   *   3. the volume manager brings the files of a running pod's configMap, secret, downwardAPI and projected
   *      volumes up to date with their sources,
   *   4. the runtime manager brings its sandbox and containers to the spec,
   *   5. container GC: attempts older than the previous one are removed,
   *   6. the probes follow the running containers,
   *   7. the status manager is given the status after the sync (one write with 2. if that has not gone out yet),
   *   8. the pod is synced again when a back-off ends or a retry is due.
   */
  private async syncPodOnce(pod: Pod, key: string): Promise<void> {
    // 1.
    const uid = pod.metadata.uid!;
    const log = this.log.child({ pod: key });
    const current = this.pleg.podRuntime(uid);
    if (pod.metadata.deletionTimestamp) return this.syncTerminatingPod(pod, current, log);

    // 2.
    this.statusManager.setPodStatus(pod, this.generateAPIPodStatus(pod, current));

    // 3.
    if ([...current.containers.values()].some((attempts) => attempts[0].state === 'running')) await this.remountVolumes(pod, log);

    // 4.
    const { rt, requeueAfterMs } = await this.containerRuntime.syncPod(pod, current, log);

    // 5.
    for (const attempts of rt.containers.values()) for (const old of attempts.slice(2)) await this.runtime.removeContainer(old.id);

    // 6.
    const reasons = this.reasons.forPod(uid);
    const running = specContainers(pod).flatMap((c) => {
      const last = latest(rt, c.name);
      return last?.state === 'running' ? [{ container: c, runtime: last }] : [];
    });
    if (rt.sandbox?.ip) this.probes.sync(pod, running, rt.sandbox.ip);
    for (const c of running) if (reasons.get(c.container.name)?.reason === 'CrashLoopBackOff') reasons.delete(c.container.name);

    // 7.
    this.statusManager.setPodStatus(pod, this.generateAPIPodStatus(pod, rt));

    // 8.
    if (requeueAfterMs !== undefined) this.podWorkers.enqueueAfter(key, Math.max(MIN_REQUEUE_MS, requeueAfterMs));
  }

  /** Step 3 of syncPod: a source gone missing is a FailedMount event, the files stay as they were and the sync goes on. */
  private async remountVolumes(pod: Pod, log: Logger): Promise<void> {
    try {
      const changed = await this.volumes.remountVolumes(pod);
      if (changed.length) log.info({ volumes: changed }, 'volumes updated from their sources');
    } catch (err) {
      log.warn({ err }, 'updating volumes from their sources failed');
      this.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${(err as Error).message}`);
    }
  }

  /** The pod's status from its containers and probes, carried on from the status last set (transition times, start time). */
  private generateAPIPodStatus(apiPod: Pod, rt: PodRuntime): PodStatus {
    const pod = this.statusManager.podWithStatus(apiPod);
    const containers = specContainers(pod);
    const spec = (c: RuntimeContainer) => containers.find((x) => x.name === c.name)!;
    return generatePodStatus(pod, rt, {
      hostIP: this.config.ip,
      now: this.clock.now(),
      waiting: this.reasons.forPod(pod.metadata.uid!),
      ready: (c) => this.probes.ready(c.id, spec(c)),
      started: (c) => this.probes.started(c.id, spec(c)),
    });
  }

  /** Graceful deletion (SyncTerminatingPod): stop the containers within the grace period, clean up, then finish the delete. */
  private async syncTerminatingPod(pod: Pod, rt: PodRuntime, log: Logger): Promise<void> {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.containerRuntime.killPod(pod, rt, grace);
    await this.forgetPod(pod.metadata.uid!);
    try {
      await this.client
        .resource<Pod>(Pods)
        .delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      log.info('pod terminated and deleted');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
