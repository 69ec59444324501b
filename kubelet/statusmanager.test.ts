// The status manager: writes in the background, one at a time per pod, the newest status replacing one
// not yet written; nothing written twice; a conflict written again on the latest pod; a failure set again.
import pino from 'pino';
import type { Pod, PodStatus } from '../shared/api/core';
import { conflict } from '../shared/errors';
import { StatusManager } from './statusmanager';

const log = pino({ level: 'silent' });
const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1' }, spec: { containers: [] } };
const phase = (p: PodStatus['phase']): PodStatus => ({ phase: p });
const settle = () => new Promise((r) => setImmediate(r));

function setUp() {
  const writes: { rv: string; phase?: string }[] = [];
  let rv = 1;
  let stored = pod;
  const pending: (() => void)[] = [];
  const client = {
    hold: false,
    fail: undefined as Error | undefined,
    async get() {
      return stored;
    },
    async updateStatus(p: Pod) {
      if (client.hold) await new Promise<void>((r) => pending.push(r));
      if (client.fail) throw client.fail;
      writes.push({ rv: p.metadata.resourceVersion!, phase: p.status?.phase });
      if (p.metadata.resourceVersion !== stored.metadata.resourceVersion) throw conflict('pods', 'web', 'the object has been modified');
      return (stored = { ...p, metadata: { ...p.metadata, resourceVersion: String(++rv) } });
    },
  };
  const release = () => pending.splice(0).forEach((r) => r());
  const setStored = (p: Pod) => (stored = p);
  return { client, writes, release, setStored, manager: new StatusManager(client, log) };
}

describe('StatusManager', () => {
  it('writes a status set during a write once that write is done, only the newest of those waiting', async () => {
    const { client, writes, release, manager } = setUp();
    client.hold = true;
    manager.setPodStatus(pod, phase('Pending'));
    manager.setPodStatus(pod, phase('Running'));
    manager.setPodStatus(pod, phase('Succeeded'));
    expect(manager.podWithStatus(pod).status).toEqual(phase('Succeeded'));
    client.hold = false;
    release();
    await settle();
    // The second write goes on the pod the first returned: no conflict.
    expect(writes).toEqual([
      { rv: '1', phase: 'Pending' },
      { rv: '2', phase: 'Succeeded' },
    ]);
  });

  it("writes nothing for a status equal to the last one set, or, before any, to the apiserver's", async () => {
    const { writes, manager } = setUp();
    manager.setPodStatus({ ...pod, status: phase('Pending') }, phase('Pending'));
    manager.setPodStatus(pod, phase('Running'));
    await settle();
    manager.setPodStatus(pod, phase('Running')); // the informer has not seen the write yet
    await settle();
    expect(writes.map((w) => w.phase)).toEqual(['Running']);
  });

  it('writes again on the latest pod after a conflict', async () => {
    const { writes, setStored, manager } = setUp();
    setStored({ ...pod, metadata: { ...pod.metadata, resourceVersion: '7' } });
    manager.setPodStatus(pod, phase('Running'));
    await settle();
    expect(writes).toEqual([
      { rv: '1', phase: 'Running' },
      { rv: '7', phase: 'Running' },
    ]);
  });

  it('sets a status that failed to be written again at the next sync', async () => {
    const { client, writes, manager } = setUp();
    client.fail = new Error('connection refused');
    manager.setPodStatus(pod, phase('Running'));
    await settle();
    client.fail = undefined;
    manager.setPodStatus(pod, phase('Running'));
    await settle();
    expect(writes.map((w) => w.phase)).toEqual(['Running']);
  });
});
