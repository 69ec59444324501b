// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the
// leader renews the lease every retry period; a candidate takes it once it has expired; every write is an
// update with the resourceVersion it read, so of two candidates exactly one wins.
import type { Lease } from './api/coordination';
import { rfc3339 } from './api/meta';
import { Leases } from './api/resources';
import type { Client } from './client';
import { Clock, realClock } from './clock';
import { isAlreadyExists, isConflict, isNotFound } from './errors';
import type { Lifecycle } from './component';
import type { Logger } from './log';
import { newLogger } from './log';

export interface LeaderElectionConfig {
  namespace?: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

/** The lease operations the elector needs: a client in processes, a map in tests. */
export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  update(lease: Lease): Promise<Lease>;
}

export function apiLeaseStore(client: Client, namespace: string, name: string): LeaseStore {
  const leases = client.resource<Lease>(Leases);
  return {
    get: () => leases.get(namespace, name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
    create: (lease) => leases.create(lease),
    update: (lease) => leases.update(lease),
  };
}

/** True when `lease` is held by someone else whose renewal has not expired at `now`. */
export function heldByOther(lease: Lease | undefined, identity: string, now: number): boolean {
  const holder = lease?.spec.holderIdentity;
  if (!lease || !holder || holder === identity) return false;
  const renewed = Date.parse(lease.spec.renewTime ?? lease.spec.acquireTime ?? '');
  return Number.isFinite(renewed) && renewed + (lease.spec.leaseDurationSeconds ?? 15) * 1000 > now;
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly store: LeaseStore;
  private readonly namespace: string;
  private readonly leaseSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private stopped = new AbortController();
  private leading = false;

  constructor(
    client: Client | LeaseStore,
    private readonly config: LeaderElectionConfig,
  ) {
    this.namespace = config.namespace ?? 'kube-system';
    this.store = 'resource' in client ? apiLeaseStore(client as Client, this.namespace, config.name) : (client as LeaseStore);
    this.clock = config.clock ?? realClock;
    this.log = (config.logger ?? newLogger('leaderelection')).child({
      lease: `${this.namespace}/${config.name}`,
      identity: config.identity,
    });
    this.leaseSeconds = config.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = (config.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (config.retryPeriodSeconds ?? 2) * 1000;
  }

  /** One attempt to acquire or renew; true when this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const lease = await this.store.get();
    if (heldByOther(lease, this.config.identity, now)) return false;
    const renewTime = rfc3339(new Date(now)).replace('Z', '.000000Z');
    try {
      if (!lease) {
        await this.store.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.config.name, namespace: this.namespace },
          spec: {
            holderIdentity: this.config.identity,
            leaseDurationSeconds: this.leaseSeconds,
            acquireTime: renewTime,
            renewTime,
            leaseTransitions: 0,
          },
        });
        return true;
      }
      const taking = lease.spec.holderIdentity !== this.config.identity;
      const next = structuredClone(lease);
      next.spec = {
        ...lease.spec,
        holderIdentity: this.config.identity,
        leaseDurationSeconds: this.leaseSeconds,
        renewTime,
        ...(taking ? { acquireTime: renewTime, leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}),
      };
      await this.store.update(next);
      return true;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) return false; // another candidate wrote first
      throw err;
    }
  }

  /** Campaigns until leading, leads until renewals fail for the renew deadline or stop() is called. */
  async run(callbacks: { onStartedLeading(signal: AbortSignal): void | Promise<void>; onStoppedLeading(): void }): Promise<void> {
    const signal = this.stopped.signal;
    this.log.info('attempting to acquire the leader lease');
    let toldWaiting = false;
    while (!signal.aborted && !this.leading) {
      try {
        this.leading = await this.tryAcquireOrRenew();
        if (!this.leading && !toldWaiting) {
          this.log.info('the lease is held by another candidate; standing by');
          toldWaiting = true;
        }
      } catch (err) {
        this.log.warn({ err }, 'error acquiring the lease');
      }
      if (!this.leading) await this.clock.sleep(this.retryMs, signal);
    }
    if (signal.aborted) return;
    this.log.info('became leader');
    const leadership = new AbortController();
    void callbacks.onStartedLeading(leadership.signal);
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await this.clock.sleep(this.retryMs, signal);
      if (signal.aborted) break;
      try {
        if (await this.tryAcquireOrRenew()) lastRenew = this.clock.now();
      } catch (err) {
        this.log.warn({ err }, 'error renewing the lease');
      }
      if (this.clock.now() - lastRenew > this.renewDeadlineMs) break;
    }
    this.leading = false;
    leadership.abort();
    this.log.info('stopped leading');
    callbacks.onStoppedLeading();
  }

  /** Stops campaigning and releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    const wasLeading = this.leading;
    this.stopped.abort();
    if (!wasLeading) return;
    try {
      const lease = await this.store.get();
      if (lease?.spec.holderIdentity === this.config.identity) {
        await this.store.update({
          ...lease,
          spec: { ...lease.spec, holderIdentity: undefined, renewTime: undefined, leaseDurationSeconds: 1 },
        });
      }
    } catch (err) {
      this.log.warn({ err }, 'could not release the lease');
    }
  }
}

/**
 * How a replicated control-plane process runs: campaign for the lease, do `work` while leading, exit(1)
 * when leadership is lost (a fresh process campaigns again), and release the lease when the process is
 * told to stop, so a standby takes over at once.
 */
export async function runAsLeader(
  elector: LeaderElector,
  lifecycle: Lifecycle,
  log: Logger,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  lifecycle.onShutdown(() => elector.stop());
  await elector.run({
    onStartedLeading: (signal) => work(signal),
    onStoppedLeading: () => {
      if (lifecycle.stopping) return;
      log.error('lost the lease; exiting');
      process.exit(1);
    },
  });
}
