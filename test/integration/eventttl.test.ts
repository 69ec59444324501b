// Events expire (--event-ttl, 2 s here): etcd deletes them with the lease they were written on, the
// object is gone afterwards and watchers see DELETED with its last state, as on a real cluster. Other
// kinds keep no lease.
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api, watchEvents } from './api';

const EVENTS = '/api/v1/namespaces/default/events';
const event = (name: string) => ({
  metadata: { name },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' },
  reason: 'Testing',
  message: 'an event that expires',
  type: 'Normal',
});

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane(['--event-ttl=2s']);
});
afterAll(async () => {
  await cp?.stop();
});

it('deletes an event --event-ttl after its last write, and the watch sees DELETED', async () => {
  const created = await api(cp.config, 'POST', EVENTS, event('short-lived'));
  expect(created.code).toBe(201);
  const configMap = await api(cp.config, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'stays' } });
  expect(configMap.code).toBe(201);

  const seen = await watchEvents(cp.config, `${EVENTS}?watch=true&resourceVersion=${created.body.metadata.resourceVersion}`, 1, 20_000);
  expect(seen[0]).toMatchObject({ type: 'DELETED', object: { kind: 'Event', metadata: { name: 'short-lived' }, reason: 'Testing' } });
  expect((await api(cp.config, 'GET', `${EVENTS}/short-lived`)).code).toBe(404);
  expect((await api(cp.config, 'GET', '/api/v1/namespaces/default/configmaps/stays')).code).toBe(200);
});

it('renews an event’s lease when it is updated (a repeated event lives on)', async () => {
  await api(cp.config, 'POST', EVENTS, event('repeated'));
  const start = Date.now();
  // Keep bumping the count for longer than the TTL: the event must survive every bump.
  for (let count = 2; Date.now() - start < 4_000; count++) {
    const patched = await api(cp.config, 'PATCH', `${EVENTS}/repeated`, { count }, 'application/merge-patch+json');
    expect(patched.code).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
  }
  await waitFor(async () => (await api(cp.config, 'GET', `${EVENTS}/repeated`)).code === 404, {
    timeoutMs: 20_000,
    what: 'the event to expire',
  });
});
