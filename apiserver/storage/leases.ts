// Which etcd lease a key with a time to live is attached to, as k8s.io/apiserver's etcd3 leaseManager
// decides: granting a lease costs etcd a write and a lease to track, so keys written close together with
// the same TTL share one. A lease is granted a little longer than asked (5% of the TTL, at most 60 s) and
// reused while it outlives the new key's TTL by less than that margin, for at most 1000 keys; so a key
// lives between its TTL and its TTL plus the margin. Events (--event-ttl, 1 h) are the keys that have one.
import type { Clock } from '../../shared/clock';
import { realClock } from '../../shared/clock';

export interface LeaseConfig {
  reuseDurationSeconds: number;
  reuseDurationPercent: number;
  maxObjectCount: number;
}

export const DEFAULT_LEASE_CONFIG: LeaseConfig = { reuseDurationSeconds: 60, reuseDurationPercent: 0.05, maxObjectCount: 1000 };

/** Grants a lease of `ttlSeconds` and returns its ID (etcd's LeaseGrant). */
export type GrantLease = (ttlSeconds: number) => Promise<string>;

interface Granted {
  id: string;
  expiresAtMs: number;
  attached: number;
}

export class LeaseManager {
  private previous?: Granted;
  /** One decision at a time, so concurrent writes share a lease instead of each granting one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly grant: GrantLease,
    private readonly clock: Clock = realClock,
    private readonly config: LeaseConfig = DEFAULT_LEASE_CONFIG,
  ) {}

  /** The lease for a key that should live `ttlSeconds`. */
  getLease(ttlSeconds: number): Promise<string> {
    const lease = this.queue.then(() => this.leaseFor(ttlSeconds));
    this.queue = lease.catch(() => undefined);
    return lease;
  }

  private async leaseFor(ttlSeconds: number): Promise<string> {
    const now = this.clock.now();
    const reuseSeconds = Math.min(Math.floor(this.config.reuseDurationPercent * ttlSeconds), this.config.reuseDurationSeconds);
    const prev = this.previous;
    if (prev) {
      prev.attached++;
      const outlivesKey = now + ttlSeconds * 1000 < prev.expiresAtMs;
      const notTooLong = now + (ttlSeconds + reuseSeconds) * 1000 >= prev.expiresAtMs;
      if (outlivesKey && notTooLong && prev.attached <= this.config.maxObjectCount) return prev.id;
    }
    const grantedSeconds = ttlSeconds + reuseSeconds;
    const id = await this.grant(grantedSeconds);
    this.previous = { id, expiresAtMs: now + grantedSeconds * 1000, attached: 1 };
    return id;
  }
}
