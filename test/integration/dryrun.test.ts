// dryRun=All on every write at a real apiserver: the answer is what would be stored (defaults, a
// generated name, uid and creationTimestamp, allocated ports), validation and admission still refuse what
// they would refuse, and etcd's revision does not move: nothing is stored and nothing is reserved.
import fs from 'node:fs';
import path from 'node:path';
import { EtcdStorage } from '../../apiserver/storage/etcd';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
let etcd: EtcdStorage;
const NS = '/api/v1/namespaces/default';
const APPS = '/apis/apps/v1/namespaces/default';
const DRY = 'dryRun=All';

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  },
});

beforeAll(async () => {
  cp = await startControlPlane();
  // The bootstrap's last write is followed by this line: from then on only the test writes.
  await waitFor(() => fs.readFileSync(path.join(cp.dir, 'apiserver.log'), 'utf8').includes('bootstrapped system namespaces'), {
    what: 'the bootstrap to finish',
  });
  etcd = new EtcdStorage([cp.etcdUrl], cp.etcdTLS);
  for (const [collection, body] of [
    [`${NS}/configmaps`, { metadata: { name: 'live', labels: { app: 'dry' }, finalizers: ['example.com/hold'] }, data: { a: '1' } }],
    [`${NS}/configmaps`, { metadata: { name: 'live-2', labels: { app: 'dry' } }, data: { a: '2' } }],
    [`${APPS}/deployments`, deployment('web')],
  ] as const)
    expect((await api(cp.config, 'POST', collection, body)).code).toBe(201);
});
afterAll(async () => {
  etcd?.close();
  await cp?.stop();
});

/** Runs `requests` and checks that etcd's revision stayed where it was. */
async function withoutWrites<T>(requests: () => Promise<T>): Promise<T> {
  const before = await etcd.currentRevision();
  const result = await requests();
  expect(await etcd.currentRevision()).toBe(before);
  return result;
}

describe('dryRun=All', () => {
  it('create answers the object as it would be stored, and stores nothing', async () => {
    const res = await withoutWrites(() =>
      api(cp.config, 'POST', `${NS}/configmaps?${DRY}`, { metadata: { generateName: 'gen-' }, data: { x: 'y' } }),
    );
    expect(res.code).toBe(201);
    expect(res.body.metadata).toMatchObject({ name: expect.stringMatching(/^gen-[a-z0-9]{5}$/), namespace: 'default' });
    expect(res.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.metadata.creationTimestamp).toBeDefined();
    expect(res.body.metadata.resourceVersion).toBeUndefined();
    expect((await api(cp.config, 'GET', `${NS}/configmaps/${res.body.metadata.name}`)).code).toBe(404);

    const defaulted = await withoutWrites(() => api(cp.config, 'POST', `${APPS}/deployments?${DRY}`, deployment('new')));
    expect(defaulted.body.spec).toMatchObject({ strategy: { type: 'RollingUpdate' }, revisionHistoryLimit: 10 });
  });

  it('still refuses what a real create would: a taken name, an invalid object, a missing namespace', async () => {
    await withoutWrites(async () => {
      expect((await api(cp.config, 'POST', `${NS}/configmaps?${DRY}`, { metadata: { name: 'live' } })).body).toMatchObject({
        code: 409,
        reason: 'AlreadyExists',
        message: 'configmaps "live" already exists',
      });
      expect((await api(cp.config, 'POST', `${NS}/configmaps?${DRY}`, { metadata: { name: 'Bad_Name' } })).code).toBe(422);
      expect((await api(cp.config, 'POST', `/api/v1/namespaces/nowhere/configmaps?${DRY}`, { metadata: { name: 'x' } })).code).toBe(404);
    });
  });

  it('update and every patch type answer the result at the live resourceVersion, leaving the object as it was', async () => {
    const live = (await api(cp.config, 'GET', `${NS}/configmaps/live-2`)).body;
    const answers = await withoutWrites(() =>
      Promise.all([
        api(cp.config, 'PUT', `${NS}/configmaps/live-2?${DRY}`, { ...live, data: { a: 'put' } }),
        api(cp.config, 'PATCH', `${NS}/configmaps/live-2?${DRY}`, { data: { a: 'merge' } }, 'application/merge-patch+json'),
        api(cp.config, 'PATCH', `${NS}/configmaps/live-2?${DRY}`, { data: { a: 'smp' } }, 'application/strategic-merge-patch+json'),
        api(
          cp.config,
          'PATCH',
          `${NS}/configmaps/live-2?${DRY}`,
          [{ op: 'replace', path: '/data/a', value: 'json' }],
          'application/json-patch+json',
        ),
      ]),
    );
    expect(answers.map((a) => [a.code, a.body.data.a, a.body.metadata.resourceVersion])).toEqual(
      ['put', 'merge', 'smp', 'json'].map((a) => [200, a, live.metadata.resourceVersion]),
    );
    expect((await api(cp.config, 'GET', `${NS}/configmaps/live-2`)).body).toEqual(live);
  });

  it('a patch naming an older resourceVersion is a Conflict, as kubectl diff expects', async () => {
    const res = await api(
      cp.config,
      'PATCH',
      `${NS}/configmaps/live-2?${DRY}`,
      { metadata: { resourceVersion: '1' }, data: { a: 'stale' } },
      'application/strategic-merge-patch+json',
    );
    expect(res.body).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  it('status, scale and delete answer what they would do and change nothing', async () => {
    const before = (await api(cp.config, 'GET', `${APPS}/deployments/web`)).body;
    const [status, scale, deleted, collection] = await withoutWrites(() =>
      Promise.all([
        api(cp.config, 'PATCH', `${APPS}/deployments/web/status?${DRY}`, { status: { replicas: 7 } }, 'application/merge-patch+json'),
        api(cp.config, 'PATCH', `${APPS}/deployments/web/scale?${DRY}`, { spec: { replicas: 5 } }, 'application/merge-patch+json'),
        // Kept by a finalizer: the answer is the object marked for deletion.
        api(cp.config, 'DELETE', `${NS}/configmaps/live?${DRY}`),
        api(cp.config, 'DELETE', `${NS}/configmaps?labelSelector=app%3Ddry`, { dryRun: ['All'] }),
      ]),
    );
    expect(status.body.status.replicas).toBe(7);
    expect(scale.body).toMatchObject({ kind: 'Scale', spec: { replicas: 5 } });
    expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
    expect(collection.body.items.map((i: any) => i.metadata.name).sort()).toEqual(['live', 'live-2']);
    expect((await api(cp.config, 'GET', `${APPS}/deployments/web`)).body).toEqual(before);
    expect((await api(cp.config, 'GET', `${NS}/configmaps/live`)).body.metadata.deletionTimestamp).toBeUndefined();
  });

  it('reserves no cluster IP or node port: it answers the range start, and the same IP and port stay free', async () => {
    const svc = (spec: object) => ({
      metadata: { name: 'np' },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }], ...spec },
    });
    const [any, chosen] = await withoutWrites(() =>
      Promise.all([
        api(cp.config, 'POST', `${NS}/services?${DRY}`, svc({})),
        api(cp.config, 'POST', `${NS}/services?${DRY}`, svc({ clusterIP: '10.96.0.42', ports: [{ port: 80, nodePort: 30042 }] })),
      ]),
    );
    expect(any.body.spec).toMatchObject({ clusterIP: '10.96.0.0', ports: [{ nodePort: 30000 }] });
    expect(chosen.body.spec).toMatchObject({ clusterIP: '10.96.0.42', ports: [{ nodePort: 30042 }] });
    const real = await api(cp.config, 'POST', `${NS}/services`, svc({ clusterIP: '10.96.0.42', ports: [{ port: 80, nodePort: 30042 }] }));
    expect(real.code).toBe(201);
    // A dry run does not check whether a given IP is taken (upstream's dry-run allocator), only the range.
    const outside = await api(cp.config, 'POST', `${NS}/services?${DRY}`, { ...svc({ clusterIP: '10.0.0.1' }), metadata: { name: 'np2' } });
    expect(outside.body).toMatchObject({
      code: 422,
      message: expect.stringContaining('the provided IP (10.0.0.1) is not in the valid range'),
    });
  });

  it('refuses any other dryRun value with 422 on the request options, as ValidateDryRun does', async () => {
    const res = await api(cp.config, 'POST', `${NS}/configmaps?dryRun=Some`, { metadata: { name: 'x' } });
    expect(res.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"',
    });
  });
});
