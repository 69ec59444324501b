// A watch from a revision that etcd has compacted away ends with 410 Expired, so informers relist.
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api, watchEvents } from './api';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane(['--etcd-compaction-interval=1s', '--etcd-compaction-keep=1']);
});
afterAll(async () => {
  await cp?.stop();
});

it('answers a watch from a compacted resourceVersion with an ERROR event carrying 410 Expired', async () => {
  const first = (await api(cp.config, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'old' } })).body;
  for (let i = 0; i < 5; i++) await api(cp.config, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `c${i}` } });
  const rv = first.metadata.resourceVersion;
  const events = await waitFor(
    async () => {
      const e = await watchEvents(cp.config, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, 1, 2000);
      return e[0]?.type === 'ERROR' ? e : undefined;
    },
    { timeoutMs: 20_000, what: 'compaction' },
  );
  expect(events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  expect(events[0].object.message).toMatch(/too old resource version/);
});
