import type { Lease } from './api/coordination';
import { FakeClock } from './clock';
import { alreadyExists, conflict } from './errors';
import { heldByOther, LeaderElector, LeaseStore } from './leaderelection';
import { newLogger } from './log';

/** An in-memory lease with etcd's compare-and-swap on resourceVersion. */
class MemoryLease implements LeaseStore {
  lease?: Lease;
  private rv = 0;
  async get() {
    return this.lease && structuredClone(this.lease);
  }
  async create(l: Lease) {
    if (this.lease) throw alreadyExists('leases', l.metadata.name!);
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return this.lease;
  }
  async update(l: Lease) {
    if (l.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw conflict('leases', l.metadata.name!);
    this.lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } };
    return this.lease;
  }
}

const silent = newLogger('test').child({ level: 'silent' });

describe('leader election', () => {
  it('lets exactly one of two candidates lead, and the other take over after the lease expires', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const store = new MemoryLease();
    const a = new LeaderElector(store, { name: 'x', identity: 'a', clock, logger: silent });
    const b = new LeaderElector(store, { name: 'x', identity: 'b', clock, logger: silent });
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const leader = results[0] ? 'a' : 'b';
    expect(store.lease!.spec.holderIdentity).toBe(leader);
    const [winner, loser] = leader === 'a' ? [a, b] : [b, a];

    clock.step(10_000);
    expect(await loser.tryAcquireOrRenew()).toBe(false); // 10 s < 15 s lease
    expect(await winner.tryAcquireOrRenew()).toBe(true); // renewal
    clock.step(16_000); // the winner stops renewing
    expect(await loser.tryAcquireOrRenew()).toBe(true);
    expect(store.lease!.spec.leaseTransitions).toBe(1);
  });

  it('judges expiry from renewTime plus the lease duration', () => {
    const lease: Lease = {
      metadata: {},
      spec: { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.000000Z', leaseDurationSeconds: 15 },
    };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(heldByOther(lease, 'b', t0 + 14_000)).toBe(true);
    expect(heldByOther(lease, 'b', t0 + 16_000)).toBe(false);
    expect(heldByOther(lease, 'a', t0)).toBe(false);
  });

  it('runs the leading callback and releases the lease on stop', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const store = new MemoryLease();
    const a = new LeaderElector(store, { name: 'x', identity: 'a', clock, logger: silent });
    let leading: AbortSignal | undefined;
    let stopped = false;
    const done = a.run({ onStartedLeading: (s) => void (leading = s), onStoppedLeading: () => void (stopped = true) });
    for (let i = 0; i < 10 && !leading; i++) await new Promise((r) => setImmediate(r));
    expect(leading?.aborted).toBe(false);
    await a.stop();
    await done;
    expect(stopped).toBe(true);
    expect(leading!.aborted).toBe(true);
    expect(store.lease!.spec.holderIdentity).toBeUndefined();
  });
});
