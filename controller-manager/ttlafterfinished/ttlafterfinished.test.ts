import type { Job } from '../../shared/api/batch';
import { clockAt, fakeInformers, synced } from '../testing';
import { TTLAfterFinishedController } from './ttlafterfinished';

const job = (name: string, ttl: number | undefined, finishedAt?: string): Job => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { ttlSecondsAfterFinished: ttl, template: { spec: { containers: [] } } },
  status: finishedAt ? { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finishedAt }] } : {},
});

describe('ttl-after-finished controller', () => {
  it('deletes a finished Job once its TTL has passed, and waits for one that has not', async () => {
    const informers = fakeInformers({
      jobs: [
        job('old', 60, '2026-01-01T00:00:00Z'),
        job('young', 600, '2026-01-01T00:05:00Z'),
        job('running', 0),
        job('keep', undefined, '2026-01-01T00:00:00Z'),
      ],
    });
    const deleted: string[] = [];
    const clock = clockAt('2026-01-01T00:10:00Z');
    const c = new TTLAfterFinishedController(
      informers,
      { deleteJob: async (_ns, name, uid) => void deleted.push(`${name}/${uid}`) },
      clock,
    );
    await synced(informers);
    expect(c.queue.len()).toBe(2); // only finished Jobs with a TTL are queued
    await c.sync('default/old');
    await c.sync('default/young');
    await c.sync('default/running');
    await c.sync('default/keep');
    expect(deleted).toEqual(['old/uid-old']);
    clock.step(5 * 60_000);
    await c.sync('default/young');
    expect(deleted).toEqual(['old/uid-old', 'young/uid-young']);
  });
});
