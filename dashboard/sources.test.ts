// DashboardSources over a fake client: kinds served only on some apiservers found through discovery, and a
// kind the dashboard may not list reported as a problem rather than shown empty.
import type { Client } from '../shared/client';
import { FakeClock } from '../shared/clock';
import { StatusError, statusFailure } from '../shared/errors';
import { newLogger } from '../shared/log';
import { DashboardSources } from './sources';
import { DashboardState } from './state';

function fakeClient(opts: { forbidden: string[]; groups: Record<string, string[]> }): Client {
  const list = (plural: string) => async () => {
    if (opts.forbidden.includes(plural))
      throw new StatusError(statusFailure(403, 'Forbidden', `${plural} is forbidden: User "viewer" cannot list resource "${plural}"`));
    return {
      metadata: { resourceVersion: '1' },
      items:
        plural === 'jobs'
          ? [{ metadata: { name: 'once', namespace: 'default', uid: 'j1' }, spec: { completions: 1 }, status: { succeeded: 1 } }]
          : [],
    };
  };
  return {
    resource: (info: { plural: string }) => ({ list: list(info.plural), watch: () => new Promise(() => undefined) }),
    request: async (_method: string, path: string) => {
      const gv = path.replace(/^\/apis\//, '');
      if (!opts.groups[gv]) throw new StatusError(statusFailure(404, 'NotFound', 'the server could not find the requested resource'));
      return { resources: opts.groups[gv].map((name) => ({ name, kind: '', namespaced: true, verbs: ['list', 'watch'] })) };
    },
  } as unknown as Client;
}

const settle = () => new Promise((r) => setImmediate(r));

describe('DashboardSources', () => {
  it('watches the owner kinds the apiserver serves, and says which kinds it may not read', async () => {
    const clock = new FakeClock();
    const state = new DashboardState(100, clock);
    const client = fakeClient({ forbidden: ['leases'], groups: { 'apps/v1': ['deployments', 'replicasets'], 'batch/v1': ['jobs'] } });
    const log = newLogger('test');
    log.level = 'silent';
    const sources = new DashboardSources(client, state, clock, log);
    await sources.start();
    for (let i = 0; i < 5; i++) await settle();
    const snapshot = state.snapshot();
    expect(snapshot.workloadKinds).toEqual(['Deployment', 'ReplicaSet', 'Job']);
    expect(snapshot.problems).toEqual({ leases: 'leases is forbidden: User "viewer" cannot list resource "leases"' });
    expect(state.get('workloads', 'Job/default/once')).toMatchObject({ kind: 'Job', summary: '1/1 completed, 0 running', scalable: false });
    expect(sources.resourceOf('Job')).toMatchObject({ group: 'batch', plural: 'jobs' });
    expect(sources.resourceOf('StatefulSet')).toBeUndefined();
    sources.stop();
  });
});
