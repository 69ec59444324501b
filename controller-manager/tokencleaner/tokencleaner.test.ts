import type { Secret } from '../../shared/api/core';
import { bootstrapTokenSecret } from '../../shared/bootstraptoken';
import { newLogger } from '../../shared/log';
import { clockAt, fakeInformers, synced } from '../testing';
import { TokenCleaner } from './tokencleaner';

function token(id: string, expiration?: string): Secret {
  const s = bootstrapTokenSecret({ token: `${id}.0123456789abcdef`, expiration, usages: ['authentication'], groups: [] });
  return {
    ...s,
    metadata: { ...s.metadata, uid: `uid-${id}` },
    stringData: undefined,
    data: Object.fromEntries(Object.entries(s.stringData!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

async function setup(secrets: Secret[]) {
  const informers = fakeInformers({ secrets });
  const deleted: string[] = [];
  const clock = clockAt('2026-01-01T00:00:00Z');
  const c = new TokenCleaner(
    informers,
    { delete: async (ns, name, uid) => void deleted.push(`${ns}/${name} ${uid}`) },
    clock,
    newLogger('test').child({ level: 'silent' }),
  );
  await synced(informers);
  return { c, deleted, clock };
}

describe('the token cleaner', () => {
  it('deletes an expired token by uid, and keeps tokens without an expiration', async () => {
    const { c, deleted } = await setup([token('old000', '2025-12-31T00:00:00Z'), token('keep00')]);
    await c.sync('kube-system/bootstrap-token-old000');
    await c.sync('kube-system/bootstrap-token-keep00');
    expect(deleted).toEqual(['kube-system/bootstrap-token-old000 uid-old000']);
  });

  it('comes back to a token when it expires, and deletes it then', async () => {
    const { c, deleted, clock } = await setup([token('soon00', '2026-01-01T00:00:30Z')]);
    await c.sync('kube-system/bootstrap-token-soon00');
    expect(deleted).toEqual([]);
    await c.queue.get();
    c.queue.done('kube-system/bootstrap-token-soon00'); // the informer's own add
    clock.step(29_999);
    expect(c.queue.len()).toBe(0);
    clock.step(1);
    expect(await c.queue.get()).toBe('kube-system/bootstrap-token-soon00');
    await c.sync('kube-system/bootstrap-token-soon00');
    expect(deleted).toEqual(['kube-system/bootstrap-token-soon00 uid-soon00']);
  });
});
