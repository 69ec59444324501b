import type { ConfigMap, Namespace } from '../../shared/api/core';
import { alreadyExists } from '../../shared/errors';
import { clockAt, fakeInformers, synced } from '../testing';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, RootCACertPublisher } from './publisher';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n';

const ns = (name: string, deleting = false): Namespace => ({
  metadata: { name, resourceVersion: '1', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase: deleting ? 'Terminating' : 'Active' },
});
const rootCA = (namespace: string, data: Record<string, string>, annotations?: Record<string, string>): ConfigMap => ({
  metadata: { namespace, name: 'kube-root-ca.crt', uid: 'uid-1', resourceVersion: '2', ...(annotations ? { annotations } : {}) },
  data,
});

async function setup(namespaces: Namespace[], configmaps: ConfigMap[], fail?: () => Error) {
  const informers = fakeInformers({ namespaces, configmaps });
  const writes: string[] = [];
  const written: ConfigMap[] = [];
  const write = (verb: string) => async (cm: ConfigMap) => {
    if (fail) throw fail();
    writes.push(`${verb} ${cm.metadata.namespace}/${cm.metadata.name}`);
    written.push(cm);
  };
  const c = new RootCACertPublisher(informers, { create: write('create'), update: write('update') }, CA, clockAt('2026-01-01T00:00:00Z'));
  await synced(informers);
  return { c, writes, written, informers };
}

describe('the root CA certificate publisher', () => {
  it('creates kube-root-ca.crt holding the CA, with its description, in a namespace that lacks it', async () => {
    const { c, written } = await setup([ns('team')], []);
    await c.sync('team');
    expect(written).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kube-root-ca.crt', namespace: 'team', annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
        data: { 'ca.crt': CA },
      },
    ]);
  });

  it('leaves a correct one alone, and writes nothing in a namespace being deleted or gone', async () => {
    const { c, writes } = await setup(
      [ns('team'), ns('leaving', true)],
      [rootCA('team', { 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: 'x' })],
    );
    await c.sync('team');
    await c.sync('leaving');
    await c.sync('gone');
    expect(writes).toEqual([]);
  });

  it('puts back the CA (and only it) when someone changed the data, keeping their other annotations', async () => {
    const { c, written } = await setup([ns('team')], [rootCA('team', { 'ca.crt': 'forged', extra: 'y' }, { owner: 'me' })]);
    await c.sync('team');
    expect(written).toHaveLength(1);
    expect(written[0].data).toEqual({ 'ca.crt': CA });
    expect(written[0].metadata).toMatchObject({
      resourceVersion: '2',
      annotations: { owner: 'me', [DESCRIPTION_ANNOTATION]: DESCRIPTION },
    });
  });

  it('queues the namespace when its kube-root-ca.crt is changed or deleted, not for other ConfigMaps', async () => {
    const { c, informers } = await setup([ns('team')], [rootCA('team', { 'ca.crt': CA })]);
    while (c.queue.len() > 0) c.queue.done((await c.queue.get())!);
    const app: ConfigMap = { metadata: { namespace: 'team', name: 'app', resourceVersion: '3' }, data: {} };
    informers.deliver('configmaps', 'ADDED', app);
    informers.deliver('configmaps', 'MODIFIED', { ...app, metadata: { ...app.metadata, resourceVersion: '4' } });
    expect(c.queue.len()).toBe(0);
    informers.deliver('configmaps', 'DELETED', rootCA('team', { 'ca.crt': CA }));
    expect(c.queue.len()).toBe(1);
  });

  it('takes AlreadyExists as done (its cache was behind) and returns any other error to be retried', async () => {
    const exists = await setup([ns('team')], [], () => alreadyExists('configmaps', 'kube-root-ca.crt'));
    await expect(exists.c.sync('team')).resolves.toBeUndefined();
    const down = await setup([ns('team')], [], () => new Error('connection refused'));
    await expect(down.c.sync('team')).rejects.toThrow('connection refused');
  });
});
