import { RoundRobinBalancer } from './loadbalancer';

const eps = [
  { ip: '10.244.1.2', port: 80 },
  { ip: '10.244.2.2', port: 80 },
  { ip: '10.244.1.3', port: 80 },
];

describe('RoundRobinBalancer', () => {
  it('spreads new connections over every endpoint in turn', () => {
    const b = new RoundRobinBalancer();
    b.setEndpoints(eps, { timeoutSeconds: 0 });
    const picked = Array.from({ length: 6 }, () => b.pick('1.1.1.1', 0)!.ip);
    expect(new Set(picked.slice(0, 3)).size).toBe(3);
    expect(picked.slice(3)).toEqual(picked.slice(0, 3));
  });

  it('returns nothing without endpoints', () => {
    const b = new RoundRobinBalancer();
    b.setEndpoints([], { timeoutSeconds: 0 });
    expect(b.pick('1.1.1.1', 0)).toBeUndefined();
  });

  it('keeps a client on one endpoint with ClientIP affinity until the timeout', () => {
    const b = new RoundRobinBalancer();
    b.setEndpoints(eps, { timeoutSeconds: 10 });
    const first = b.pick('1.1.1.1', 0)!;
    expect(b.pick('1.1.1.1', 5_000)).toEqual(first);
    expect(b.pick('1.1.1.1', 14_000)).toEqual(first); // each use refreshes the affinity
    expect(b.pick('2.2.2.2', 14_000)).not.toEqual(first);
    expect(b.pick('1.1.1.1', 30_000)).not.toEqual(first);
  });

  it('drops affinities to endpoints that are gone and narrows to the new set', () => {
    const b = new RoundRobinBalancer();
    b.setEndpoints(eps, { timeoutSeconds: 100 });
    const first = b.pick('1.1.1.1', 0)!;
    const rest = eps.filter((e) => e.ip !== first.ip);
    b.setEndpoints(rest, { timeoutSeconds: 100 });
    const next = Array.from({ length: 4 }, (_, i) => b.pick(`3.3.3.${i}`, 1)!.ip);
    expect(next.every((ip) => ip !== first.ip)).toBe(true);
    expect(b.pick('1.1.1.1', 1)!.ip).not.toBe(first.ip);
  });
});
