import { FakeClock } from '../../shared/clock';
import { LeaseManager } from './leases';

function manager(maxObjectCount = 1000) {
  const clock = new FakeClock(1_000_000);
  const grants: number[] = [];
  const leases = new LeaseManager(
    (ttl) => {
      grants.push(ttl);
      return Promise.resolve(`lease-${grants.length}`);
    },
    clock,
    { reuseDurationSeconds: 60, reuseDurationPercent: 0.05, maxObjectCount },
  );
  return { clock, grants, leases };
}

describe('LeaseManager', () => {
  it('grants a lease 5% longer than the TTL (at most 60 s longer) and reuses it within that margin', async () => {
    const { clock, grants, leases } = manager();
    expect(await leases.getLease(3600)).toBe('lease-1');
    expect(grants).toEqual([3660]); // 5% of an hour is 180 s: capped at 60
    clock.step(59_000);
    expect(await leases.getLease(3600)).toBe('lease-1'); // expires 1 s after this key's TTL: fine
    clock.step(1_000);
    expect(await leases.getLease(3600)).toBe('lease-2'); // the old one would expire with the key: too early
    expect(grants).toEqual([3660, 3660]);
  });

  it('uses 5% of a short TTL as the margin, and no reuse when that rounds to nothing', async () => {
    const { clock, grants, leases } = manager();
    await leases.getLease(100);
    clock.step(4_000);
    expect(await leases.getLease(100)).toBe('lease-1');
    await leases.getLease(2);
    clock.step(1);
    await leases.getLease(2);
    expect(grants).toEqual([105, 2, 2]);
  });

  it('attaches at most maxObjectCount keys to one lease', async () => {
    const { grants, leases } = manager(3);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await leases.getLease(3600));
    expect(ids).toEqual(['lease-1', 'lease-1', 'lease-1', 'lease-2']);
    expect(grants).toHaveLength(2);
  });

  it('grants once for writes that ask at the same time', async () => {
    const { grants, leases } = manager();
    const ids = await Promise.all(Array.from({ length: 10 }, () => leases.getLease(3600)));
    expect(new Set(ids)).toEqual(new Set(['lease-1']));
    expect(grants).toHaveLength(1);
  });

  it('grants again after a failed grant', async () => {
    let fail = true;
    const leases = new LeaseManager(() => (fail ? Promise.reject(new Error('etcd down')) : Promise.resolve('lease-ok')), new FakeClock());
    await expect(leases.getLease(60)).rejects.toThrow('etcd down');
    fail = false;
    expect(await leases.getLease(60)).toBe('lease-ok');
  });
});
