import type { Namespace, ServiceAccount } from '../../shared/api/core';
import { alreadyExists } from '../../shared/errors';
import { clockAt, fakeInformers, synced } from '../testing';
import { ServiceAccountsController } from './serviceaccounts';

const ns = (name: string, phase: 'Active' | 'Terminating' = 'Active'): Namespace => ({
  metadata: { name, resourceVersion: '1', ...(phase === 'Terminating' ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase },
});
const sa = (namespace: string, name: string): ServiceAccount => ({
  metadata: { namespace, name, uid: `uid-${name}`, resourceVersion: '2' },
});

async function setup(namespaces: Namespace[], serviceaccounts: ServiceAccount[], create?: (sa: ServiceAccount) => Promise<void>) {
  const informers = fakeInformers({ namespaces, serviceaccounts });
  const created: ServiceAccount[] = [];
  const c = new ServiceAccountsController(
    informers,
    { create: create ?? (async (o) => void created.push(o)) },
    clockAt('2026-01-01T00:00:00Z'),
  );
  await synced(informers);
  return { c, created, informers };
}

describe('the service-account controller', () => {
  it('creates the default ServiceAccount of an active namespace that lacks it', async () => {
    const { c, created } = await setup([ns('team')], [sa('team', 'builder')]);
    await c.sync('team');
    expect(created).toEqual([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team' } }]);
  });

  it('leaves a namespace that has one alone, and creates none in a namespace being deleted or gone', async () => {
    const { c, created } = await setup([ns('team'), ns('leaving', 'Terminating')], [sa('team', 'default')]);
    await c.sync('team');
    await c.sync('leaving');
    await c.sync('gone');
    expect(created).toEqual([]);
  });

  it('queues the namespace again when its default ServiceAccount is deleted', async () => {
    const { c, informers } = await setup([ns('team')], [sa('team', 'default')]);
    while (c.queue.len() > 0) c.queue.done((await c.queue.get())!);
    informers.deliver('serviceaccounts', 'DELETED', sa('team', 'default'));
    expect(c.queue.len()).toBe(1);
  });

  it('takes AlreadyExists as done (its cache was behind) and returns any other error to be retried', async () => {
    const exists = await setup([ns('team')], [], async () => {
      throw alreadyExists('serviceaccounts', 'default');
    });
    await expect(exists.c.sync('team')).resolves.toBeUndefined();
    const down = await setup([ns('team')], [], async () => {
      throw new Error('connection refused');
    });
    await expect(down.c.sync('team')).rejects.toThrow('connection refused');
  });
});
