// The client's load balancer over two real apiservers on one etcd: requests and an informer's watch move
// to the other apiserver when the one they use stops, and the watch resumes from its resourceVersion
// (no second list).
import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { Informer } from '../../shared/informer';
import { newLogger } from '../../shared/log';
import { ControlPlane, freePort, startControlPlane, waitFor } from '../processes';

let cp: ControlPlane;
const silent = newLogger('test').child({ level: 'silent' });

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

it('sends every request, a write too, to the next apiserver when the first refuses connections', async () => {
  const dead = `https://127.0.0.1:${await freePort()}`;
  const client = new Client({ ...cp.config, server: dead, servers: [cp.url] });
  const cms = client.resource<ConfigMap>(ConfigMaps);
  await cms.create({ metadata: { name: 'through-the-second', namespace: 'default' } });
  expect((await cms.get('default', 'through-the-second')).metadata.name).toBe('through-the-second');
  expect(client.balancer.pick()).toBe(cp.url);
});

it('moves requests and an informer to another apiserver when its apiserver stops, without relisting', async () => {
  const second = await cp.startApiserver([]);
  const client = new Client({ ...second.config, servers: [cp.url] });
  const resource = client.resource<ConfigMap>(ConfigMaps);
  let lists = 0;
  const counted = {
    list: (...args: Parameters<typeof resource.list>) => {
      lists++;
      return resource.list(...args);
    },
    watch: resource.watch.bind(resource),
  };
  const informer = new Informer<ConfigMap>(counted, ConfigMaps, { namespace: 'default', logger: silent });
  informer.run();
  try {
    await informer.waitForSync();
    await resource.create({ metadata: { name: 'before', namespace: 'default' } });
    await waitFor(() => informer.lister.get('default', 'before'), { what: 'the informer to see "before"' });
    expect(client.balancer.pick()).toBe(second.url);

    await second.proc.stop();
    await resource.create({ metadata: { name: 'after', namespace: 'default' } });
    expect(client.balancer.pick()).toBe(cp.url);
    await waitFor(() => informer.lister.get('default', 'after'), { what: 'the informer to see "after"', timeoutMs: 30_000 });
    expect(lists).toBe(1); // the watch resumed on the other apiserver from its resourceVersion
  } finally {
    informer.stop();
  }
});
