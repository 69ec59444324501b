// The `kubernetes` Service's endpoints with several apiservers, as Kubernetes' lease endpoint reconciler
// (pkg/controlplane/reconcilers/lease.go, --endpoint-reconciler-type=lease) keeps them: every apiserver
// holds a record under /masterleases/<ip> written with a time to live (an etcd lease) and rewritten every
// reconcile interval, and writes the union of the live records into the Endpoints and the EndpointSlice
// `default/kubernetes`. An apiserver that stops cleanly deletes its record and rewrites the endpoints
// without itself; one that dies leaves a record that etcd deletes when its TTL runs out, and the next
// reconcile of any other apiserver drops it.
import type { Endpoints, EndpointSubset } from '../../shared/api/core';
import type { EndpointSlice } from '../../shared/api/discovery';
import type { KubeObject } from '../../shared/api/meta';
import { EndpointSlices, EndpointsResource } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { realClock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { Stores } from '../registry';
import { isKeyExists, isKeyNotFound } from '../storage/errors';
import type { Storage } from '../storage/interface';

/** Where the records live, as upstream's `/masterleases/` (outside /registry/: no API serves them). */
export const MASTER_LEASES_PREFIX = '/masterleases/';
export const DEFAULT_LEASE_TTL_SECONDS = 15;
export const DEFAULT_RECONCILE_INTERVAL_MS = 10_000;

const SERVICE = { namespace: 'default', name: 'kubernetes' };
const PORT_NAME = 'https';

/** One live apiserver: the address and port it advertises. */
export interface MasterLease {
  ip: string;
  port: number;
}

/** The records of the live apiservers (upstream's reconcilers.Leases). */
export interface Leases {
  listLeases(): Promise<MasterLease[]>;
  /** Writes (or renews) this apiserver's record: it lives ttl seconds after this write. */
  updateLease(lease: MasterLease): Promise<void>;
  removeLease(ip: string): Promise<void>;
}

/** The records as keys of the apiserver's storage, each an Endpoints object holding one address. */
export class StorageLeases implements Leases {
  constructor(
    private readonly storage: Storage,
    private readonly ttlSeconds = DEFAULT_LEASE_TTL_SECONDS,
    private readonly prefix = MASTER_LEASES_PREFIX,
  ) {}

  async listLeases(): Promise<MasterLease[]> {
    const page = await this.storage.list(this.prefix);
    return page.items.flatMap(({ object }) => {
      const subset = (object as Endpoints).subsets?.[0];
      const ip = subset?.addresses?.[0]?.ip;
      const port = subset?.ports?.[0]?.port;
      return ip && port ? [{ ip, port }] : [];
    });
  }

  async updateLease({ ip, port }: MasterLease): Promise<void> {
    const key = this.prefix + ip;
    const subsets: EndpointSubset[] = [{ addresses: [{ ip }], ports: [{ name: PORT_NAME, port, protocol: 'TCP' }] }];
    const ttl = { ttlSeconds: this.ttlSeconds };
    for (;;) {
      try {
        // The generation changes on every write, so the write (and the lease it renews) always happens.
        await this.storage.guaranteedUpdate(
          key,
          (current) =>
            ({ ...current, metadata: { ...current.metadata, generation: (current.metadata.generation ?? 0) + 1 }, subsets }) as KubeObject,
          {},
          ttl,
        );
        return;
      } catch (err) {
        if (!isKeyNotFound(err)) throw err;
      }
      try {
        const record: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: ip, generation: 1 }, subsets };
        await this.storage.create(key, record, ttl);
        return;
      } catch (err) {
        if (!isKeyExists(err)) throw err; // written meanwhile: update it
      }
    }
  }

  async removeLease(ip: string): Promise<void> {
    try {
      await this.storage.delete(this.prefix + ip);
    } catch (err) {
      if (!isKeyNotFound(err)) throw err;
    }
  }
}

const byIP = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The subsets for these apiservers: one per port (a single one when, as usual, they all serve on one port). */
export function subsetsFor(leases: MasterLease[]): EndpointSubset[] {
  const byPort = new Map<number, Set<string>>();
  for (const { ip, port } of leases) byPort.set(port, (byPort.get(port) ?? new Set()).add(ip));
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, ips]) => ({
      addresses: [...ips].sort(byIP).map((ip) => ({ ip })),
      ports: [{ name: PORT_NAME, port, protocol: 'TCP' as const }],
    }));
}

/**
 * The EndpointSlice of those subsets, as upstream's EndpointsAdapter mirrors the Endpoints. A slice has
 * one list of ports, so with apiservers on different ports only the first port's addresses are in it.
 */
export function sliceFor(subsets: EndpointSubset[]): Pick<EndpointSlice, 'addressType' | 'endpoints' | 'ports'> {
  const first = subsets[0];
  return {
    addressType: 'IPv4',
    endpoints: (first?.addresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: true, serving: true, terminating: false } })),
    ports: (first?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}

export class LeaseEndpointReconciler {
  private stopped = false;
  /** The round of run() under way, which a stop waits for (it would write the record back). */
  private round?: Promise<void>;

  constructor(
    private readonly leases: Leases,
    private readonly stores: Stores,
    private readonly log: Logger,
  ) {}

  /** Renews this apiserver's record and writes the live apiservers into the endpoints. */
  async reconcileEndpoints(self: MasterLease): Promise<void> {
    if (this.stopped) return;
    await this.leases.updateLease(self);
    await this.doReconcile();
  }

  /** Deletes this apiserver's record and writes the endpoints without it (a clean stop). */
  async removeEndpoints(self: MasterLease): Promise<void> {
    this.stopped = true;
    await this.round;
    await this.leases.removeLease(self.ip);
    await this.doReconcile();
  }

  private async doReconcile(): Promise<void> {
    const subsets = subsetsFor(await this.leases.listLeases());
    const endpoints = this.stores.of(EndpointsResource);
    try {
      await endpoints.guaranteedUpdate(SERVICE.namespace, SERVICE.name, (current) => {
        const ep = current as Endpoints;
        return semanticallyEqual(ep.subsets ?? [], subsets) ? ep : { ...ep, subsets };
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const ep: Endpoints = {
        metadata: { ...SERVICE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        subsets,
      };
      await endpoints.create(SERVICE.namespace, ep).catch((e) => (isAlreadyExists(e) ? undefined : Promise.reject(e)));
    }
    await this.reconcileSlice(subsets);
  }

  private async reconcileSlice(subsets: EndpointSubset[]): Promise<void> {
    const slices = this.stores.of(EndpointSlices);
    const wanted = sliceFor(subsets);
    try {
      await slices.guaranteedUpdate(SERVICE.namespace, SERVICE.name, (current) => {
        const slice = current as EndpointSlice;
        return semanticallyEqual([slice.endpoints, slice.ports], [wanted.endpoints, wanted.ports]) ? slice : { ...slice, ...wanted };
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const slice: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { ...SERVICE, labels: { 'kubernetes.io/service-name': SERVICE.name } },
        ...wanted,
      };
      await slices.create(SERVICE.namespace, slice).catch((e) => (isAlreadyExists(e) ? undefined : Promise.reject(e)));
    }
  }

  /**
   * Reconciles now and every `intervalMs` until `signal` aborts; a failed round (etcd away) is logged and
   * the next one tries again.
   */
  async run(self: MasterLease, intervalMs: number, signal: AbortSignal, clock: Clock = realClock): Promise<void> {
    while (!signal.aborted && !this.stopped) {
      this.round = this.reconcileEndpoints(self).catch((err) => this.log.warn({ err }, 'could not reconcile the kubernetes endpoints'));
      await this.round;
      await clock.sleep(intervalMs, signal);
    }
  }
}
