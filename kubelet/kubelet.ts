// The kubelet's sync loop: watch the pods bound to this node, relist the runtime every second (the PLEG),
// and sync each pod that changed through a work queue, so one pod is never synced twice at once.
import type { ConfigMap, Node, Pod, Secret } from '../shared/api/core';
import type { Lease } from '../shared/api/coordination';
import { objectKey } from '../shared/api/meta';
import { envReferences } from '../shared/api/references';
import { ConfigMaps, Leases, Nodes, Pods, Secrets } from '../shared/api/resources';
import type { Client } from '../shared/client';
import { isCIDR } from '../shared/cidr';
import type { Clock } from '../shared/clock';
import { semanticallyEqual } from '../shared/equality';
import { isAlreadyExists, isConflict, isNotFound } from '../shared/errors';
import { EventRecorder } from '../shared/events';
import { EventHandler, Informer } from '../shared/informer';
import type { Logger } from '../shared/log';
import { RateLimitingQueue, runWorkers } from '../shared/workqueue';
import { Backoff, MAX_BACKOFF_MS, STABLE_RUN_MS } from './backoff';
import { containerEnv, containerName, containerSpec, podLabels } from './containerspec';
import { gatewayOf, nextPodIP } from './network';
import { initialNode, NodeConfig, nodeStatus, statusChanged } from './nodestatus';
import { emptyPodRuntime, groupByPod, latest, PodRuntime } from './podruntime';
import { ProbeManager } from './prober';
import { ContainerRuntime, INFRA_NAME, RuntimeContainer } from './runtime/interface';
import { generatePodStatus } from './status';
import { computePodActions } from './syncpod';
import { makeMounts, withSubPathWritersPaused } from './mounts';
import { PodVolume, podDir, setUpVolumes, tearDownVolumes } from './volumes';
import fs from 'node:fs/promises';
import path from 'node:path';

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

const LEASE_RENEW_MS = 10_000;
const NODE_STATUS_MAX_AGE_MS = 60_000;
const PLEG_PERIOD_MS = 1_000;
const RESYNC_MS = 10_000;
const ERR_IMAGE_PULL_SHOWN_MS = 2_000;

export class Kubelet {
  private readonly pods: Informer<Pod>;
  private readonly queue: RateLimitingQueue;
  private readonly recorder: EventRecorder;
  private readonly backoff = new Backoff();
  /** Image pull back-off by `<pod uid>/<container>`: 10 s doubling to 5 minutes. */
  private readonly pullBackoff = new Map<string, { delayMs: number; until: number }>();
  private readonly probes: ProbeManager;
  /** Why containers are waiting, by pod uid then container name. */
  private readonly waiting = new Map<string, Map<string, { reason: string; message?: string }>>();
  private snapshot = new Map<string, PodRuntime>();
  /**
   * Pod IPs handed out, by pod uid, until the pod's containers are removed (as host-local IPAM keeps a
   * reservation until the CNI DEL): a sandbox being started is in no snapshot yet, and pods are synced
   * concurrently, so the snapshot alone would give two new pods the same address.
   */
  private readonly podIPs = new Map<string, string>();
  private running = true;
  private lastNodeStatus?: { status: Node['status']; at: number };
  /** A podCIDR of the Node that was not a CIDR, logged once. */
  private ignoredPodCIDR?: string;

  constructor(
    private readonly client: Client,
    private readonly runtime: ContainerRuntime,
    private readonly config: KubeletConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.pods = new Informer<Pod>(client, Pods, { fieldSelector: `spec.nodeName=${config.name}`, logger: log, clock });
    this.queue = new RateLimitingQueue({ clock, name: 'pods' });
    this.recorder = new EventRecorder(client, { component: 'kubelet', host: config.name }, { clock, logger: log });
    this.probes = new ProbeManager(runtime, clock, {
      changed: (key) => this.queue.add(key),
      failed: (pod, container, type, message) =>
        this.recorder.event(
          { ...pod, kind: 'Pod', apiVersion: 'v1' },
          'Warning',
          'Unhealthy',
          `${type[0].toUpperCase()}${type.slice(1)} probe failed: ${message}`,
        ),
    });
  }

  async start(): Promise<void> {
    await this.registerNode();
    // One network for every node on this engine (a subnet given), or this node's podCIDR (one engine per machine).
    const subnet = this.config.podNetworkCIDR ?? (await this.waitForPodCIDR());
    await this.runtime.ensureNetwork(this.config.podNetwork, subnet, gatewayOf(subnet), { masquerade: this.config.masquerade });
    const enqueue = (pod: Pod) => this.queue.add(objectKey(pod));
    this.pods.addEventHandler({ add: enqueue, update: (_old, pod) => enqueue(pod), delete: enqueue });
    this.pods.run();
    await this.pods.waitForSync();
    await this.relist(); // adopt what is running before syncing anything
    // Kubernetes runs one pod worker per pod: a sync waits on the engine for seconds under load, and with
    // a few workers new pods queued behind the ones being started. A node holds at most maxPods pods.
    void runWorkers(this.queue, this.config.maxPods, (key) => this.syncPod(key), this.log);
    void this.loop(PLEG_PERIOD_MS, () => this.relist());
    void this.loop(RESYNC_MS, async () => this.pods.lister.list().forEach((p) => this.queue.add(objectKey(p))));
    void this.loop(LEASE_RENEW_MS, () => this.renewLease());
    void this.loop(this.config.statusUpdateMs, () => this.updateNodeStatus());
    this.log.info({ node: this.config.name }, 'kubelet started');
  }

  stop(): void {
    this.running = false;
    this.pods.stop();
    this.queue.shutDown();
  }

  /**
   * Removes every container of this node and, if no other node still uses it, the pod network: for
   * `--cleanup-on-stop`, where stopping the kubelet means tearing the node down (`docker compose down`).
   */
  async removeAllPods(): Promise<void> {
    const containers = await this.runtime.listContainers(this.config.name);
    for (const c of containers) await this.runtime.removeContainer(c.id);
    for (const uid of new Set(containers.map((c) => c.podUid))) await tearDownVolumes(this.config.rootDir, uid);
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

  // ---- node -------------------------------------------------------------------------------------------

  private async registerNode(): Promise<void> {
    const nodes = this.client.resource<Node>(Nodes);
    for (;;) {
      try {
        let node: Node;
        try {
          node = await nodes.create({
            ...initialNode(this.config),
            status: nodeStatus(this.config, undefined, new Date(this.clock.now())),
          });
          this.log.info({ node: this.config.name }, 'registered node');
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          node = await nodes.get(undefined, this.config.name);
        }
        this.adoptPodCIDR(node);
        await this.updateNodeStatus(true);
        await this.renewLease();
        return;
      } catch (err) {
        this.log.warn({ err }, 'registering the node failed; retrying');
        await this.clock.sleep(1000);
      }
    }
  }

  /** Also tells `handler` about this node's pods (the kubelet's own informer: no second watch). */
  addPodEventHandler(handler: EventHandler<Pod>): void {
    this.pods.addEventHandler(handler);
  }

  /**
   * Takes the podCIDR the controller-manager assigned to this node, unless --pod-cidr gave one. It becomes
   * a Docker network, iptables rules and pod addresses, so anything but a network CIDR is ignored.
   */
  private adoptPodCIDR(node: Node): void {
    const cidr = node.spec?.podCIDR;
    if (this.config.podCIDR || !cidr) return;
    if (isCIDR(cidr)) {
      this.config.podCIDR = cidr;
    } else if (cidr !== this.ignoredPodCIDR) {
      this.log.warn({ node: this.config.name, podCIDR: cidr }, 'ignoring a podCIDR that is not an IPv4 network CIDR');
      this.ignoredPodCIDR = cidr;
    }
  }

  /** This node's podCIDR, once known (from --pod-cidr, or assigned by the controller-manager). */
  async waitForPodCIDR(): Promise<string> {
    while (!this.config.podCIDR) {
      const node = await this.client
        .resource<Node>(Nodes)
        .get(undefined, this.config.name)
        .catch(() => undefined);
      if (node) this.adoptPodCIDR(node);
      if (!this.config.podCIDR) await this.clock.sleep(1000);
    }
    return this.config.podCIDR;
  }

  private async updateNodeStatus(force = false): Promise<void> {
    const nodes = this.client.resource<Node>(Nodes);
    const node = await nodes.get(undefined, this.config.name);
    this.adoptPodCIDR(node);
    const status = nodeStatus(this.config, node.status, new Date(this.clock.now()));
    const stale = !this.lastNodeStatus || this.clock.now() - this.lastNodeStatus.at >= NODE_STATUS_MAX_AGE_MS;
    if (!force && !stale && !statusChanged(node.status, status)) return;
    await nodes.updateStatus({ ...node, status });
    this.lastNodeStatus = { status, at: this.clock.now() };
  }

  private async renewLease(): Promise<void> {
    const leases = this.client.resource<Lease>(Leases);
    const renewTime = new Date(this.clock.now()).toISOString().replace('Z', '000Z');
    try {
      const lease = await leases.get('kube-node-lease', this.config.name);
      await leases.update({ ...lease, spec: { ...lease.spec, holderIdentity: this.config.name, leaseDurationSeconds: 40, renewTime } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await leases.create({
        metadata: { name: this.config.name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: this.config.name, leaseDurationSeconds: 40, renewTime },
      });
    }
  }

  // ---- PLEG -------------------------------------------------------------------------------------------

  /** Relists the runtime; pods whose containers changed are synced; containers of unknown pods go. */
  private async relist(): Promise<void> {
    const containers = await this.runtime.listContainers(this.config.name);
    const next = groupByPod(containers);
    const byUid = new Map(this.pods.lister.list().map((p) => [p.metadata.uid!, p]));
    const signature = (rt: PodRuntime | undefined) =>
      JSON.stringify([...(rt?.sandboxes ?? []), ...[...(rt?.containers.values() ?? [])].flat()].map((c) => `${c.id}:${c.state}`).sort());
    for (const [uid, rt] of next) {
      const pod = byUid.get(uid);
      if (!pod) {
        void this.removeOrphan(uid, rt);
        continue;
      }
      if (signature(rt) !== signature(this.snapshot.get(uid))) this.queue.add(objectKey(pod));
    }
    this.snapshot = next;
    this.probes.retain(new Set(containers.filter((c) => c.state === 'running').map((c) => c.id)));
  }

  private async removeOrphan(uid: string, rt: PodRuntime): Promise<void> {
    const all = [...rt.sandboxes, ...[...rt.containers.values()].flat()];
    this.log.info({ podUid: uid, containers: all.length }, 'removing containers of a pod that is gone or no longer bound here');
    for (const c of all) await this.runtime.removeContainer(c.id);
    await tearDownVolumes(this.config.rootDir, uid);
    this.backoff.forgetPod(uid);
    this.waiting.delete(uid);
    this.podIPs.delete(uid);
  }

  private async podRuntime(uid: string): Promise<PodRuntime> {
    const containers = (await this.runtime.listContainers(this.config.name)).filter((c) => c.podUid === uid);
    const rt = groupByPod(containers).get(uid) ?? emptyPodRuntime();
    this.snapshot.set(uid, rt);
    return rt;
  }

  /** Every container the last relist saw. */
  containers(): RuntimeContainer[] {
    return [...this.snapshot.values()].flatMap((rt) => [...rt.sandboxes, ...[...rt.containers.values()].flat()]);
  }

  /** For the log server: the attempts of a container of a pod on this node. */
  async attempts(namespace: string, name: string, container: string): Promise<RuntimeContainer[]> {
    const pod = this.pods.lister.get(namespace, name);
    if (!pod) return [];
    return (await this.podRuntime(pod.metadata.uid!)).containers.get(container) ?? [];
  }

  // ---- syncPod ----------------------------------------------------------------------------------------

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, type, reason, message);
  }

  private async syncPod(key: string): Promise<void> {
    const pod = this.pods.lister.getByKey(key);
    if (!pod) return; // gone: the PLEG removes its containers
    const uid = pod.metadata.uid!;
    const log = this.log.child({ pod: key });
    let rt = await this.podRuntime(uid);
    const now = this.clock.now();
    const waiting = this.waiting.get(uid) ?? new Map<string, { reason: string; message?: string }>();
    this.waiting.set(uid, waiting);

    // Stable containers forget their crash history.
    for (const c of pod.spec.containers) {
      const last = latest(rt, c.name);
      if (last?.state === 'running' && last.startedAt && now - Date.parse(last.startedAt) > STABLE_RUN_MS)
        this.backoff.reset(`${uid}/${c.name}`);
    }

    const actions = computePodActions(pod, rt, {
      now,
      unhealthy: this.probes.unhealthy(),
      backoffUntil: (name, finishedAt) => this.backoff.next(`${uid}/${name}`, finishedAt),
    });

    if (actions.killPod) return this.terminatePod(pod, rt, log);

    if (actions.createSandbox) {
      if (rt.sandboxes.length) this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      for (const c of [...rt.sandboxes, ...[...rt.containers.values()].flat()])
        if (c.state !== 'exited') await this.runtime.stopContainer(c.id, 0);
      for (const c of rt.sandboxes) await this.runtime.removeContainer(c.id);
      await this.startSandbox(pod);
      rt = await this.podRuntime(uid);
    }

    for (const { container, reason } of actions.kill) {
      const spec = pod.spec.containers.find((c) => c.name === container.name);
      this.event(
        pod,
        'Normal',
        'Killing',
        `Container ${container.name} failed ${reason === 'Unhealthy' ? 'liveness probe' : reason}, will be restarted`,
      );
      await this.runtime.stopContainer(container.id, pod.spec.terminationGracePeriodSeconds ?? 30);
      if (spec) waiting.delete(spec.name);
    }

    let requeueMs: number | undefined;
    for (const { name, until } of actions.backoff) {
      const last = latest(rt, name);
      const message = `back-off ${Math.round((until - Date.parse(last?.finishedAt ?? '')) / 1000)}s restarting failed container=${name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
      if (waiting.get(name)?.reason !== 'CrashLoopBackOff') this.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      waiting.set(name, { reason: 'CrashLoopBackOff', message });
      requeueMs = Math.min(requeueMs ?? Infinity, until - now);
    }

    if (actions.start.length && rt.sandbox?.state === 'running') {
      const started = await this.startContainers(
        pod,
        rt,
        actions.start.map((c) => c.name),
        waiting,
        log,
      );
      if (started.retryMs !== undefined) requeueMs = Math.min(requeueMs ?? Infinity, started.retryMs);
      rt = await this.podRuntime(uid);
    }

    // Old attempts beyond the previous one are removed, as the kubelet's container GC does.
    for (const attempts of rt.containers.values()) for (const old of attempts.slice(2)) await this.runtime.removeContainer(old.id);

    const running = pod.spec.containers.flatMap((c) => {
      const last = latest(rt, c.name);
      return last?.state === 'running' ? [{ container: c, runtime: last }] : [];
    });
    if (rt.sandbox?.ip) this.probes.sync(pod, running, rt.sandbox.ip);
    for (const c of running) if (waiting.get(c.container.name)?.reason === 'CrashLoopBackOff') waiting.delete(c.container.name);

    await this.writeStatus(pod, rt, waiting);
    if (requeueMs !== undefined) this.queue.addAfter(key, Math.max(100, requeueMs));
  }

  private async startSandbox(pod: Pod): Promise<void> {
    const cidr = this.config.podCIDR;
    if (!cidr) throw new Error('the node has no podCIDR yet');
    this.podIPs.delete(pod.metadata.uid!); // a new sandbox gets an address of its own
    const running = [...this.snapshot.values()]
      .map((rt) => (rt.sandbox?.state === 'running' ? rt.sandbox.ip : undefined))
      .filter((ip): ip is string => !!ip);
    const ip = nextPodIP(cidr, new Set([...running, ...this.podIPs.values()]));
    if (!ip) throw new Error(`no free IP in ${cidr}`);
    this.podIPs.set(pod.metadata.uid!, ip);
    await this.ensureImage(this.config.infraImage, 'IfNotPresent');
    const dnsFirst = pod.spec.dnsPolicy === 'ClusterFirst' || pod.spec.dnsPolicy === undefined;
    const ns = pod.metadata.namespace!;
    const d = this.config.clusterDomain;
    await this.runtime.runSandbox({
      name: containerName(pod, INFRA_NAME, 0),
      image: this.config.infraImage,
      hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63),
      network: this.config.podNetwork,
      ip,
      labels: podLabels(pod, this.config.name, INFRA_NAME, 0),
      portBindings: pod.spec.containers.flatMap((c) =>
        (c.ports ?? [])
          .filter((p) => p.hostPort)
          .map((p) => ({
            containerPort: p.containerPort,
            protocol: p.protocol ?? 'TCP',
            hostPort: p.hostPort!,
            hostIP: p.hostIP ?? this.config.ip,
          })),
      ),
      dns:
        dnsFirst && this.config.clusterDNS
          ? { servers: [this.config.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] }
          : undefined,
    });
  }

  /** Pulls an image as the policy says; with no registry reachable, a local image counts as pulled. */
  private async ensureImage(image: string, policy: string | undefined): Promise<'present' | 'pulled'> {
    const present = await this.runtime.imagePresent(image);
    if (policy === 'Never') {
      if (!present)
        throw Object.assign(new Error(`Container image "${image}" is not present with pull policy of Never`), {
          reason: 'ErrImageNeverPull',
        });
      return 'present';
    }
    if (present && policy !== 'Always') return 'present';
    try {
      await this.runtime.pullImage(image);
      return 'pulled';
    } catch (err) {
      if (present) return 'present'; // Always, but the registry is unreachable: use the local copy
      throw Object.assign(new Error(`Failed to pull image "${image}": ${(err as Error).message}`), { reason: 'ErrImagePull' });
    }
  }

  private async startContainers(
    pod: Pod,
    rt: PodRuntime,
    names: string[],
    waiting: Map<string, { reason: string; message?: string }>,
    log: Logger,
  ): Promise<{ retryMs?: number }> {
    const uid = pod.metadata.uid!;
    let retryMs: number | undefined;
    let volumes: Map<string, PodVolume>;
    const refs = envReferences(pod.spec.containers);
    const configMaps = new Map<string, ConfigMap | undefined>();
    const secrets = new Map<string, Secret | undefined>();
    try {
      const cmClient = this.client.resource<ConfigMap>(ConfigMaps);
      const secretClient = this.client.resource<Secret>(Secrets);
      const getOr404 = <T>(p: Promise<T>) => p.catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      volumes = await setUpVolumes(this.config.rootDir, pod, {
        configMap: (ns, name) => getOr404(cmClient.get(ns, name)),
        secret: (ns, name) => getOr404(secretClient.get(ns, name)),
      });
      for (const name of refs.configMaps) configMaps.set(name, await getOr404(cmClient.get(pod.metadata.namespace!, name)));
      for (const name of refs.secrets) secrets.set(name, await getOr404(secretClient.get(pod.metadata.namespace!, name)));
    } catch (err) {
      const message = `MountVolume.SetUp failed: ${(err as Error).message}`;
      this.event(pod, 'Warning', 'FailedMount', message);
      for (const name of names) waiting.set(name, { reason: 'ContainerCreating' });
      return { retryMs: 5000 };
    }
    for (const name of names) {
      const c = pod.spec.containers.find((x) => x.name === name)!;
      const key = `${uid}/${name}`;
      const pull = this.pullBackoff.get(key);
      if (pull && pull.until > this.clock.now()) {
        // ErrImagePull stays visible a moment after the failure, then ImagePullBackOff until the next try.
        const shownFor = this.clock.now() - (pull.until - pull.delayMs);
        if (shownFor >= ERR_IMAGE_PULL_SHOWN_MS)
          waiting.set(name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` });
        retryMs = Math.min(
          retryMs ?? Infinity,
          shownFor < ERR_IMAGE_PULL_SHOWN_MS ? ERR_IMAGE_PULL_SHOWN_MS - shownFor : pull.until - this.clock.now(),
        );
        continue;
      }
      try {
        if (c.imagePullPolicy === 'Always' || !(await this.runtime.imagePresent(c.image!)))
          this.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
        const how = await this.ensureImage(c.image!, c.imagePullPolicy);
        if (how === 'present' && c.imagePullPolicy !== 'Always')
          this.event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
        else this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}"`);
        this.pullBackoff.delete(key);
      } catch (err) {
        const reason = (err as { reason?: string }).reason ?? 'ErrImagePull';
        const message = (err as Error).message;
        this.event(pod, 'Warning', 'Failed', message);
        this.event(pod, 'Warning', 'Failed', `Error: ${reason}`);
        waiting.set(name, { reason, message });
        const delayMs = Math.min((this.pullBackoff.get(key)?.delayMs ?? 5_000) * 2, MAX_BACKOFF_MS);
        this.pullBackoff.set(key, { delayMs, until: this.clock.now() + delayMs });
        retryMs = Math.min(retryMs ?? Infinity, ERR_IMAGE_PULL_SHOWN_MS);
        continue;
      }
      const attempt = (latest(rt, name)?.attempt ?? -1) + 1;
      const env = containerEnv(pod, c, { configMaps, secrets }, rt.sandbox?.ip ?? '', this.config.ip);
      try {
        const running = async () => [...(await this.podRuntime(uid)).containers.values()].flat();
        await withSubPathWritersPaused(pod, c, volumes, this.runtime, running, async () => {
          const spec = containerSpec(pod, c, attempt, this.config.name, env, await makeMounts(c, volumes, env, log));
          const resolvConf = await this.writeResolvConf(pod);
          if (resolvConf) spec.mounts.push({ hostPath: resolvConf, containerPath: '/etc/resolv.conf', readOnly: true });
          await this.runtime.runContainer(rt.sandbox!.id, spec);
        });
        waiting.delete(name);
        this.event(pod, 'Normal', 'Created', `Created container ${name}`);
        this.event(pod, 'Normal', 'Started', `Started container ${name}`);
      } catch (err) {
        log.warn({ container: name, err }, 'starting the container failed');
        this.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`);
        waiting.set(name, { reason: (err as { reason?: string }).reason ?? 'CreateContainerError', message: (err as Error).message });
        retryMs = Math.min(retryMs ?? Infinity, 10_000);
      }
    }
    return { retryMs };
  }

  /**
   * The pod's /etc/resolv.conf for dnsPolicy ClusterFirst: the cluster DNS and the search path of the
   * pod's namespace, as the kubelet writes it (Docker's own embedded resolver is bypassed).
   */
  private async writeResolvConf(pod: Pod): Promise<string | undefined> {
    if (!this.config.clusterDNS || (pod.spec.dnsPolicy ?? 'ClusterFirst') !== 'ClusterFirst') return undefined;
    const d = this.config.clusterDomain;
    const file = path.join(podDir(this.config.rootDir, pod.metadata.uid!), 'resolv.conf');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(
      file,
      `search ${pod.metadata.namespace}.svc.${d} svc.${d} ${d}\nnameserver ${this.config.clusterDNS}\noptions ndots:5\n`,
    );
    return file;
  }

  /** Graceful deletion: stop the containers within the grace period, clean up, then finish the delete. */
  private async terminatePod(pod: Pod, rt: PodRuntime, log: Logger): Promise<void> {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const apps = [...rt.containers.values()].flat().filter((c) => c.state === 'running');
    for (const c of apps) this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    await Promise.all(apps.map((c) => this.runtime.stopContainer(c.id, grace)));
    for (const c of [...[...rt.containers.values()].flat(), ...rt.sandboxes]) await this.runtime.removeContainer(c.id);
    await tearDownVolumes(this.config.rootDir, pod.metadata.uid!);
    this.backoff.forgetPod(pod.metadata.uid!);
    this.waiting.delete(pod.metadata.uid!);
    for (const key of this.pullBackoff.keys()) if (key.startsWith(`${pod.metadata.uid}/`)) this.pullBackoff.delete(key);
    this.snapshot.delete(pod.metadata.uid!);
    this.podIPs.delete(pod.metadata.uid!);
    try {
      await this.client
        .resource<Pod>(Pods)
        .delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      log.info('pod terminated and deleted');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async writeStatus(pod: Pod, rt: PodRuntime, waiting: Map<string, { reason: string; message?: string }>): Promise<void> {
    const status = generatePodStatus(pod, rt, {
      hostIP: this.config.ip,
      now: this.clock.now(),
      waiting,
      ready: (c) =>
        this.probes.ready(
          c.id,
          pod.spec.containers.find((x) => x.name === c.name)!,
        ),
      started: (c) =>
        this.probes.started(
          c.id,
          pod.spec.containers.find((x) => x.name === c.name)!,
        ),
    });
    if (semanticallyEqual(status, pod.status)) return;
    const pods = this.client.resource<Pod>(Pods);
    try {
      await pods.updateStatus({ ...pod, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // Our cache is behind (often our own last write): the status is all ours, so write it on the latest.
      const latest = await pods.get(pod.metadata.namespace, pod.metadata.name!);
      if (latest.metadata.uid === pod.metadata.uid) await pods.updateStatus({ ...latest, status });
    }
  }
}
