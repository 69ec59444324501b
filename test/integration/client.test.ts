// The shared REST client and informer against a real apiserver and etcd.
import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { isConflict, isNotFound } from '../../shared/errors';
import { EventRecorder } from '../../shared/events';
import { Informer } from '../../shared/informer';
import { newLogger } from '../../shared/log';
import { ControlPlane, startControlPlane, waitFor } from '../processes';

let cp: ControlPlane;
let client: Client;
const silent = newLogger('test').child({ level: 'silent' });

beforeAll(async () => {
  cp = await startControlPlane();
  client = new Client(cp.config);
});
afterAll(async () => {
  await cp?.stop();
});

it('creates, updates with optimistic concurrency, patches and deletes through the client', async () => {
  const cms = client.resource<ConfigMap>(ConfigMaps);
  const created = await cms.create({ metadata: { name: 'c1', namespace: 'default' }, data: { a: '1' } });
  const updated = await cms.update({ ...created, data: { a: '2' } });
  expect(updated.data).toEqual({ a: '2' });
  expect(isConflict(await cms.update({ ...created, data: { a: '3' } }).catch((e) => e))).toBe(true);
  const patched = await cms.patch('default', 'c1', { data: { b: 'x' } });
  expect(patched.data).toEqual({ a: '2', b: 'x' });
  await cms.delete('default', 'c1');
  expect(isNotFound(await cms.get('default', 'c1').catch((e) => e))).toBe(true);
});

it('keeps an informer cache in step with the server', async () => {
  const cms = client.resource<ConfigMap>(ConfigMaps);
  await cms.create({ metadata: { name: 'before', namespace: 'default' } });
  const informer = new Informer<ConfigMap>(client, ConfigMaps, { namespace: 'default', logger: silent });
  const seen: string[] = [];
  informer.addEventHandler({ add: (o) => seen.push(`add ${o.metadata.name}`), delete: (o) => seen.push(`delete ${o.metadata.name}`) });
  informer.run();
  await informer.waitForSync();
  expect(informer.lister.get('default', 'before')).toBeDefined();
  await cms.create({ metadata: { name: 'after', namespace: 'default' } });
  await cms.delete('default', 'before');
  await waitFor(() => seen.includes('delete before') && seen.includes('add after'), { what: 'watch events' });
  expect(informer.lister.list('default').map((o) => o.metadata.name)).toContain('after');
  informer.stop();
});

it('records events and counts repeats', async () => {
  const cms = client.resource<ConfigMap>(ConfigMaps);
  const target = await cms.create({ metadata: { name: 'evented', namespace: 'default' } });
  const recorder = new EventRecorder(client, { component: 'test' }, { logger: silent });
  const obj = { ...target, kind: 'ConfigMap', apiVersion: 'v1' };
  recorder.event(obj, 'Normal', 'Tested', 'it works');
  await waitFor(async () => (await client.request<any>('GET', '/api/v1/namespaces/default/events')).items.length === 1, {
    what: 'the event',
  });
  recorder.event(obj, 'Normal', 'Tested', 'it works');
  const events = await waitFor(
    async () => {
      const list = await client.request<any>(
        'GET',
        `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Devented,involvedObject.kind%3DConfigMap`,
      );
      return list.items[0]?.count === 2 ? list.items : undefined;
    },
    { what: 'the repeat count' },
  );
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    reason: 'Tested',
    message: 'it works',
    type: 'Normal',
    source: { component: 'test' },
    involvedObject: { kind: 'ConfigMap', name: 'evented' },
  });
});
