// Backup and restore with the scripts of deploy/backup/: a snapshot of a running cluster's etcd, restored
// into a fresh etcd behind a fresh apiserver, serves the same objects (uids and resourceVersions too),
// and nothing written after the snapshot.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../shared/api/meta';
import { ControlPlane, ROOT, startControlPlane } from '../processes';
import { api } from './api';

const SAVE = path.join(ROOT, 'deploy', 'backup', 'etcd-snapshot-save.sh');
const RESTORE = path.join(ROOT, 'deploy', 'backup', 'etcd-snapshot-restore.sh');
const COLLECTIONS = [
  '/api/v1/namespaces',
  '/api/v1/configmaps',
  '/api/v1/secrets',
  '/api/v1/services',
  '/apis/apps/v1/deployments',
  '/apis/rbac.authorization.k8s.io/v1/clusterroles',
];

let source: ControlPlane | undefined;
let restored: ControlPlane | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-k8s-backup-'));
afterAll(async () => {
  await source?.stop();
  await restored?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every object of the collections, as namespace/name, uid and resourceVersion, with its content. */
async function everything(cp: ControlPlane): Promise<Record<string, unknown>> {
  const all: Record<string, unknown> = {};
  for (const collection of COLLECTIONS) {
    const { code, body } = await api<{ items: KubeObject[] }>(cp.config, 'GET', collection);
    expect(code).toBe(200);
    for (const { metadata, ...rest } of body.items) {
      const { namespace, name, uid, resourceVersion } = metadata;
      all[`${collection} ${namespace ?? ''}/${name}`] = { uid, resourceVersion, rest };
    }
  }
  return all;
}

it('restores a snapshot into a fresh etcd and apiserver with the same objects', async () => {
  source = await startControlPlane();
  const create = async (p: string, obj: unknown) => expect((await api(source!.config, 'POST', p, obj)).code).toBe(201);
  await create('/api/v1/namespaces', { metadata: { name: 'team' } });
  for (let i = 0; i < 20; i++) await create('/api/v1/namespaces/team/configmaps', { metadata: { name: `cm-${i}` }, data: { i: `${i}` } });
  await create('/api/v1/namespaces/team/secrets', { metadata: { name: 'token' }, stringData: { password: 'hunter2' } });
  await create('/api/v1/namespaces/team/services', {
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  await create('/apis/apps/v1/namespaces/team/deployments', {
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } },
    },
  });
  const before = await everything(source);

  const snapshot = path.join(dir, 'snapshot.db');
  const saved = execFileSync('bash', [SAVE, '--data-dir', source.dir, '--endpoint', source.etcdUrl, snapshot], {
    encoding: 'utf8',
    stdio: 'pipe',
  });
  expect(saved).toContain('Snapshot saved at');
  expect(fs.statSync(snapshot).mode & 0o077).toBe(0); // it holds every Secret
  await create('/api/v1/namespaces/team/configmaps', { metadata: { name: 'after-the-snapshot' } });
  await source.stop();
  source = undefined;

  restored = await startControlPlane([], ['node-1'], {
    beforeEtcdStarts: (etcdDataDir, peerUrl) =>
      execFileSync('bash', [RESTORE, '--no-systemd', '--etcd-data-dir', etcdDataDir, '--initial-advertise-peer-urls', peerUrl, snapshot], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
  });
  expect(await everything(restored)).toEqual(before);
  expect((await api(restored.config, 'GET', '/api/v1/namespaces/team/configmaps/after-the-snapshot')).code).toBe(404);
  // And it is a working cluster: it writes.
  expect((await api(restored.config, 'POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'new' } })).code).toBe(201);
});
