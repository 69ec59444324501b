import type { Deployment, ReplicaSet } from '../../shared/api/apps';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { DeploymentController } from './deployment';
import { templateHash } from './util';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

const deployment = (image: string, replicas = 4): Deployment => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2 },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: template(image),
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
  },
});

const replicaSet = (image: string, replicas: number, available: number, revision: string): ReplicaSet => {
  const hash = templateHash(template(image));
  const t = template(image);
  t.metadata.labels = { ...t.metadata.labels, 'pod-template-hash': hash } as { app: string };
  return {
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      uid: `rs-${image}`,
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      annotations: {
        'deployment.kubernetes.io/revision': revision,
        'deployment.kubernetes.io/desired-replicas': '4',
        'deployment.kubernetes.io/max-replicas': '5',
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: t },
    status: { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
};

async function setup(d: Deployment, rss: ReplicaSet[]) {
  const informers = fakeInformers({ deployments: [d], replicasets: rss });
  const actions: string[] = [];
  const replicas = new Map(rss.map((rs) => [rs.metadata.name!, rs.spec.replicas]));
  const c = new DeploymentController(
    informers,
    {
      createReplicaSet: async (rs) => {
        actions.push(
          `create ${rs.metadata.name} replicas=${rs.spec.replicas} revision=${rs.metadata.annotations?.['deployment.kubernetes.io/revision']}`,
        );
        return { ...rs, metadata: { ...rs.metadata, uid: 'new-uid' } };
      },
      updateReplicaSet: async (rs) => {
        const from = replicas.get(rs.metadata.name!) ?? 0;
        actions.push(
          from === rs.spec.replicas
            ? `annotate ${rs.metadata.name} revision=${rs.metadata.annotations?.['deployment.kubernetes.io/revision']}`
            : `scale ${rs.metadata.name} to ${rs.spec.replicas}`,
        );
        replicas.set(rs.metadata.name!, rs.spec.replicas);
        return rs;
      },
      deleteReplicaSet: async (_ns, name) => void actions.push(`delete ${name}`),
      updateDeployment: async (obj) => obj,
      updateDeploymentStatus: async () => undefined,
    },
    fakeRecorder(),
    clockAt('2026-01-01T00:10:00Z'),
  );
  await synced(informers);
  return { c, actions };
}

describe('Deployment controller', () => {
  it('creates the first ReplicaSet, named after the pod-template-hash, at revision 1', async () => {
    const { c, actions } = await setup(deployment('v1'), []);
    await c.sync('default/web');
    expect(actions[0]).toBe(`create web-${templateHash(template('v1'))} replicas=0 revision=1`);
    expect(actions[1]).toBe(`scale web-${templateHash(template('v1'))} to 4`);
  });

  it('rolls within maxSurge and maxUnavailable: one new pod up, one old pod down', async () => {
    const old = replicaSet('v1', 4, 4, '1');
    const { c, actions } = await setup(deployment('v2'), [old]);
    await c.sync('default/web');
    const hash = templateHash(template('v2'));
    expect(actions).toEqual([`create web-${hash} replicas=0 revision=2`, `scale web-${hash} to 1`, `scale ${old.metadata.name} to 3`]);
  });

  it('does not scale old pods down while the new ones are not available', async () => {
    const old = replicaSet('v1', 3, 3, '1');
    const fresh = replicaSet('v2', 2, 0, '2');
    const { c, actions } = await setup(deployment('v2'), [old, fresh]);
    await c.sync('default/web');
    expect(actions).toEqual([]); // 5 pods = 4 + surge; 3 available = 4 - maxUnavailable
  });

  it('brings an old ReplicaSet back as the newest revision on rollback', async () => {
    const v1 = replicaSet('v1', 0, 0, '1');
    const v2 = replicaSet('v2', 4, 4, '2');
    const { c, actions } = await setup(deployment('v1'), [v1, v2]);
    await c.sync('default/web');
    expect(actions[0]).toBe(`annotate ${v1.metadata.name} revision=3`);
    expect(actions).toContain(`scale ${v1.metadata.name} to 1`);
  });
});
