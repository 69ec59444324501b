// Feeds the dashboard's state from the apiserver: one informer per kind it shows, each handler turning
// the object into its view (summaries.ts). Kinds the apiserver does not serve (StatefulSets, DaemonSets,
// Jobs, CronJobs on a server without them) are found through discovery and looked for again every
// `rediscoverMs`; a kind the dashboard may not list (RBAC) is reported to the page instead of shown empty.
import type { Endpoints, Event, Node, Pod, Service } from '../shared/api/core';
import type { Lease } from '../shared/api/coordination';
import type { KubeObject } from '../shared/api/meta';
import { objectKey } from '../shared/api/meta';
import type { ResourceInfo } from '../shared/api/resources';
import { Deployments, EndpointsResource, Events, Leases, Nodes, Pods, ReplicaSets, Services } from '../shared/api/resources';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import { isForbidden, isNotFound } from '../shared/errors';
import { Informer } from '../shared/informer';
import type { Logger } from '../shared/log';
import type { DashboardState } from './state';
import { endpointsView, eventView, leaseView, nodeView, podView, serviceView, workloadView } from './summaries';

/** Owner kinds drawn in the Workloads view when the apiserver serves them. */
const OPTIONAL_WORKLOADS: { group: string; version: string; kind: string; plural: string }[] = [
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets' },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs' },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs' },
];

interface APIResourceList {
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

export class DashboardSources {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  /** Every kind the dashboard reads, by kind name: what the YAML view and the actions address. */
  private readonly resources = new Map<string, ResourceInfo>();
  /** The latest probe failure the kubelet reported for each pod, by pod uid (events Unhealthy). */
  private readonly unhealthy = new Map<string, string>();
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly state: DashboardState,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly rediscoverMs = 30_000,
  ) {}

  async start(): Promise<void> {
    await this.discover();
  }

  /** Starts the informer of every kind always shown (those running are left alone). */
  private watchAll(): void {
    this.watch<Pod>(Pods, 'pods', (p) => this.state.put('pods', podView(p, this.unhealthy.get(p.metadata.uid ?? ''))));
    this.watch<Node>(Nodes, 'nodes', (n) => this.state.put('nodes', nodeView(n)));
    this.watch<Service>(Services, 'services', (s) => this.state.put('services', serviceView(s)));
    this.watch<Endpoints>(EndpointsResource, 'endpoints', (e) => this.state.put('endpoints', endpointsView(e)));
    this.watch<Lease>(Leases, 'leases', (l) => this.state.put('leases', leaseView(l)));
    this.watch<Event>(Events, 'events', (e) => {
      this.state.put('events', eventView(e));
      // A probe failure explains a pod that is running but not ready: show the kubelet's words with it.
      const uid = e.involvedObject.uid;
      if (e.reason === 'Unhealthy' && uid && e.message) {
        this.unhealthy.set(uid, e.message);
        const pods = this.informers.get(`/${Pods.plural}`) as unknown as Informer<Pod> | undefined;
        const pod = pods?.lister.get(e.involvedObject.namespace, e.involvedObject.name ?? '');
        if (pod && pod.metadata.uid === uid) this.state.put('pods', podView(pod, e.message));
      }
    });
    this.watchWorkload(Deployments);
    this.watchWorkload(ReplicaSets);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    for (const i of this.informers.values()) i.stop();
  }

  resourceOf(kind: string): ResourceInfo | undefined {
    return this.resources.get(kind);
  }

  /** Whether every informer started so far has listed once. */
  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  private watchWorkload(resource: ResourceInfo): void {
    this.watch<KubeObject>(resource, 'workloads', (o) => this.state.put('workloads', workloadView(resource.kind, o)), resource.kind);
  }

  /**
   * Starts an informer for `resource` unless one runs: `put` for adds and updates, a removal for deletes.
   * A first list refused by RBAC is reported as a problem and tried again on the next discovery round.
   */
  private watch<T extends KubeObject>(
    resource: ResourceInfo,
    kind: 'pods' | 'nodes' | 'services' | 'endpoints' | 'leases' | 'events' | 'workloads',
    put: (obj: T) => void,
    prefix?: string,
  ): Informer<T> {
    const id = `${resource.group}/${resource.plural}`;
    this.resources.set(resource.kind, resource);
    if (this.informers.has(id)) return this.informers.get(id) as unknown as Informer<T>;
    const informer = new Informer<T>(this.client, resource, { clock: this.clock, logger: this.log });
    const key = (o: T) => (prefix ? `${prefix}/${objectKey(o)}` : objectKey(o));
    informer.addEventHandler({
      add: put,
      update: (_old, obj) => put(obj),
      delete: (obj) => {
        this.state.remove(kind, key(obj));
        if (resource === Pods) this.unhealthy.delete(obj.metadata.uid ?? '');
      },
    });
    this.informers.set(id, informer as unknown as Informer<KubeObject>);
    // One cheap list first: a 403 means this identity may not read the kind, which the page should say.
    void this.client
      .resource<T>(resource)
      .list(undefined, { limit: 1 })
      .then(
        () => {
          this.state.setProblem(resource.plural, undefined);
          if (!this.stopped) informer.run();
        },
        (err: unknown) => {
          this.informers.delete(id);
          const message = (err as Error).message;
          this.state.setProblem(resource.plural, isForbidden(err) ? message : `cannot list ${resource.plural}: ${message}`);
          this.log.warn({ err, resource: resource.plural }, 'cannot list; trying again later');
        },
      );
    return informer;
  }

  /** Looks for the optional workload kinds, starts informers for those served, and schedules the next round. */
  private async discover(): Promise<void> {
    // Every kind always shown; those refused on an earlier round are tried again.
    this.watchAll();
    const found: string[] = ['Deployment', 'ReplicaSet'];
    const groups = new Map<string, APIResourceList | undefined>();
    for (const w of OPTIONAL_WORKLOADS) {
      const gv = `${w.group}/${w.version}`;
      if (!groups.has(gv)) {
        groups.set(
          gv,
          await this.client.request<APIResourceList>('GET', `/apis/${gv}`).catch((err: unknown) => {
            if (!isNotFound(err)) this.log.warn({ err, groupVersion: gv }, 'discovery failed');
            return undefined;
          }),
        );
      }
      const served = groups.get(gv)?.resources.find((r) => r.name === w.plural && r.verbs.includes('watch'));
      if (!served) continue;
      found.push(w.kind);
      this.watchWorkload({ ...w, singular: w.kind.toLowerCase(), namespaced: served.namespaced, verbs: served.verbs });
    }
    this.state.setWorkloadKinds(found);
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.discover(), this.rediscoverMs);
  }
}
