// Several apiservers on one etcd keep the `kubernetes` Service's endpoints as Kubernetes' lease reconciler
// does: each one is in them while it runs, leaves them as it stops, and one killed with SIGKILL is
// dropped once its record's TTL (15 s) runs out and another apiserver reconciles (every 10 s).
import type { Endpoints } from '../../shared/api/core';
import type { EndpointSlice } from '../../shared/api/discovery';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane(['--advertise-address=10.250.0.1']);
});
afterAll(async () => {
  await cp?.stop();
});

/** The addresses and ports of the kubernetes Endpoints, as `ip:port`, sorted. */
async function endpoints(): Promise<string[]> {
  const { body } = await api<Endpoints>(cp.config, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  return (body.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`))).sort();
}

async function sliceAddresses(): Promise<string[]> {
  const { body } = await api<EndpointSlice>(cp.config, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
  return body.endpoints.flatMap((e) => e.addresses).sort();
}

const port = (url: string) => new URL(url).port;
const sameList = (want: string[]) => async () => JSON.stringify(await endpoints()) === JSON.stringify(want);

it('lists every running apiserver and drops one that stops, at once', async () => {
  const first = `10.250.0.1:${port(cp.url)}`;
  await waitFor(sameList([first]), { what: 'the first apiserver in the endpoints' });
  const second = await cp.startApiserver(['--advertise-address=10.250.0.2']);
  const both = [first, `10.250.0.2:${port(second.url)}`].sort();
  await waitFor(sameList(both), { what: 'both apiservers in the endpoints', timeoutMs: 30_000 });
  // Both answer, and both read the same Endpoints.
  const throughSecond = await api<Endpoints>(second.config, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  expect(throughSecond.body.subsets).toHaveLength(2); // one subset per port: they listen on different ports here
  // A slice holds one list of ports: the addresses of the lowest port.
  const lowest = Number(port(cp.url)) < Number(port(second.url)) ? '10.250.0.1' : '10.250.0.2';
  expect(await sliceAddresses()).toEqual([lowest]);

  await second.proc.stop(); // SIGTERM: it removes itself before it exits
  expect(await endpoints()).toEqual([first]);
});

it('drops an apiserver killed with SIGKILL once its lease expires', async () => {
  const first = `10.250.0.1:${port(cp.url)}`;
  const third = await cp.startApiserver(['--advertise-address=10.250.0.3']);
  await waitFor(sameList([first, `10.250.0.3:${port(third.url)}`].sort()), { what: 'the third apiserver in the endpoints' });
  const killed = new Promise((resolve) => third.proc.child.once('exit', resolve));
  third.proc.child.kill('SIGKILL');
  await killed;
  expect(await endpoints()).toContain(`10.250.0.3:${port(third.url)}`); // nobody removed it
  // TTL 15 s (etcd's lease), then the next reconcile of the first apiserver (every 10 s).
  await waitFor(sameList([first]), { what: 'the killed apiserver to leave the endpoints', timeoutMs: 60_000, intervalMs: 500 });
});
