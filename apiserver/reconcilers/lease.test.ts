import pino from 'pino';
import type { Endpoints } from '../../shared/api/core';
import type { EndpointSlice } from '../../shared/api/discovery';
import { EndpointSlices, EndpointsResource, Namespaces } from '../../shared/api/resources';
import { FakeClock } from '../../shared/clock';
import { NamespaceLister } from '../registry/core/namespaces';
import { buildStores } from '../registry';
import { MemoryStorage } from '../storage/memory';
import { LeaseEndpointReconciler, MASTER_LEASES_PREFIX, StorageLeases, subsetsFor } from './lease';

const log = pino({ level: 'silent' });

async function setup() {
  const storage = new MemoryStorage();
  const config = { serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', eventTTLSeconds: 3600 };
  const stores = buildStores(storage, storage, config, new NamespaceLister(() => stores.of(Namespaces)));
  await stores.of(Namespaces).create(undefined, { metadata: { name: 'default' } });
  const leases = new StorageLeases(storage);
  const endpoints = async () => ((await stores.of(EndpointsResource).get('default', 'kubernetes')) as Endpoints).subsets;
  const slice = async () => (await stores.of(EndpointSlices).get('default', 'kubernetes')) as EndpointSlice;
  return { storage, stores, leases, endpoints, slice, reconciler: () => new LeaseEndpointReconciler(leases, stores, log) };
}

const https = (port: number) => [{ name: 'https', port, protocol: 'TCP' }];

describe('the lease endpoint reconciler', () => {
  it('writes the union of the live apiservers into the kubernetes Endpoints and EndpointSlice', async () => {
    const { reconciler, endpoints, slice } = await setup();
    const [a, b] = [reconciler(), reconciler()];
    await a.reconcileEndpoints({ ip: '10.0.0.2', port: 6443 });
    expect(await endpoints()).toEqual([{ addresses: [{ ip: '10.0.0.2' }], ports: https(6443) }]);
    await b.reconcileEndpoints({ ip: '10.0.0.10', port: 6443 });
    expect(await endpoints()).toEqual([{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.10' }], ports: https(6443) }]);
    expect(await slice()).toMatchObject({
      metadata: { labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.2'], conditions: { ready: true } },
        { addresses: ['10.0.0.10'], conditions: { ready: true } },
      ],
      ports: https(6443),
    });
  });

  it('removes an apiserver that stops cleanly, and only it', async () => {
    const { reconciler, endpoints, slice, leases } = await setup();
    const [a, b] = [reconciler(), reconciler()];
    await a.reconcileEndpoints({ ip: '10.0.0.1', port: 6443 });
    await b.reconcileEndpoints({ ip: '10.0.0.2', port: 6443 });
    await b.removeEndpoints({ ip: '10.0.0.2', port: 6443 });
    expect(await endpoints()).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: https(6443) }]);
    expect((await slice()).endpoints.map((e) => e.addresses)).toEqual([['10.0.0.1']]);
    expect(await leases.listLeases()).toEqual([{ ip: '10.0.0.1', port: 6443 }]);
    // A stopped reconciler writes nothing back.
    await b.reconcileEndpoints({ ip: '10.0.0.2', port: 6443 });
    expect(await leases.listLeases()).toEqual([{ ip: '10.0.0.1', port: 6443 }]);
  });

  it('drops a record that is gone (its TTL ran out) on the next reconcile of another apiserver', async () => {
    const { reconciler, endpoints, storage } = await setup();
    const [a, b] = [reconciler(), reconciler()];
    await a.reconcileEndpoints({ ip: '10.0.0.1', port: 6443 });
    await b.reconcileEndpoints({ ip: '10.0.0.2', port: 6443 });
    await storage.delete(`${MASTER_LEASES_PREFIX}10.0.0.2`); // what etcd does when the lease expires
    await a.reconcileEndpoints({ ip: '10.0.0.1', port: 6443 });
    expect(await endpoints()).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: https(6443) }]);
  });

  it('rewrites its record on every renewal, so the TTL is extended each time', async () => {
    const { leases, storage } = await setup();
    await leases.updateLease({ ip: '10.0.0.1', port: 6443 });
    const first = await storage.get(`${MASTER_LEASES_PREFIX}10.0.0.1`);
    await leases.updateLease({ ip: '10.0.0.1', port: 6443 });
    const second = await storage.get(`${MASTER_LEASES_PREFIX}10.0.0.1`);
    expect(Number(second!.metadata.resourceVersion)).toBeGreaterThan(Number(first!.metadata.resourceVersion));
  });

  it('gives apiservers on different ports a subset each', () => {
    expect(
      subsetsFor([
        { ip: '10.0.0.1', port: 6444 },
        { ip: '10.0.0.2', port: 6443 },
        { ip: '10.0.0.3', port: 6443 },
      ]),
    ).toEqual([
      { addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: https(6443) },
      { addresses: [{ ip: '10.0.0.1' }], ports: https(6444) },
    ]);
  });

  it('reconciles every interval until told to stop, and a stop waits for the round under way', async () => {
    const { reconciler, leases } = await setup();
    const clock = new FakeClock();
    const r = reconciler();
    const stop = new AbortController();
    const self = { ip: '10.0.0.1', port: 6443 };
    const running = r.run(self, 10_000, stop.signal, clock);
    await r.removeEndpoints(self);
    stop.abort();
    await running;
    expect(await leases.listLeases()).toEqual([]);
  });
});
