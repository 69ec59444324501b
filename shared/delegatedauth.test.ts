import type { IncomingMessage } from 'node:http';
import type { Client } from './client';
import { FakeClock } from './clock';
import { AccessAttributes, CACHE_TTL_MS, DelegatedAuth, forbiddenMessage, TTLCache } from './delegatedauth';
import { newLogger } from './log';

const METRICS: AccessAttributes = { nonResourceAttributes: { verb: 'get', path: '/metrics' } };
const STATS: AccessAttributes = { resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'stats', name: 'node-1' } };

const request = (authorization?: string) =>
  ({ socket: { authorized: false }, headers: authorization ? { authorization } : {} }) as unknown as IncomingMessage;

/** An apiserver that knows one token (admin's) and allows admin everything, counting the reviews asked. */
function fakeApiserver() {
  const calls: string[] = [];
  const client = {
    request: async (_method: string, path: string, opts: { body: { spec: { token?: string; user?: string } } }) => {
      calls.push(path.split('/').pop()!);
      if (path.endsWith('tokenreviews')) {
        const ok = opts.body.spec.token === 'admin-token';
        return { status: ok ? { authenticated: true, user: { username: 'admin', groups: ['system:masters'] } } : { authenticated: false } };
      }
      return { status: { allowed: opts.body.spec.user === 'admin' } };
    },
  } as unknown as Client;
  return { client, calls };
}

describe('DelegatedAuth', () => {
  it('answers 401 without a token and 401 for a token the apiserver does not know', async () => {
    const { client } = fakeApiserver();
    const auth = new DelegatedAuth(client, new FakeClock(), newLogger('test'));
    expect(await auth.check(request(), METRICS)).toMatchObject({ ok: false, code: 401 });
    expect(await auth.check(request('Bearer bogus'), METRICS)).toMatchObject({ ok: false, code: 401 });
  });

  it('allows what the SubjectAccessReview allows', async () => {
    const { client } = fakeApiserver();
    const auth = new DelegatedAuth(client, new FakeClock(), newLogger('test'));
    expect(await auth.check(request('Bearer admin-token'), STATS)).toMatchObject({ ok: true, user: { username: 'admin' } });
  });

  it('caches token and access reviews for two minutes', async () => {
    const { client, calls } = fakeApiserver();
    const clock = new FakeClock();
    const auth = new DelegatedAuth(client, clock, newLogger('test'));
    await auth.check(request('Bearer admin-token'), METRICS);
    clock.step(CACHE_TTL_MS - 1);
    await auth.check(request('Bearer admin-token'), METRICS);
    expect(calls).toEqual(['tokenreviews', 'subjectaccessreviews']);
    await auth.check(request('Bearer admin-token'), STATS); // other attributes: another decision
    expect(calls).toHaveLength(3);
    clock.step(1);
    await auth.check(request('Bearer admin-token'), METRICS);
    expect(calls).toEqual(['tokenreviews', 'subjectaccessreviews', 'subjectaccessreviews', 'tokenreviews', 'subjectaccessreviews']);
  });

  it('answers 503 when the apiserver cannot be asked', async () => {
    const client = {
      request: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as Client;
    const auth = new DelegatedAuth(client, new FakeClock(), newLogger('test'));
    expect(await auth.check(request('Bearer admin-token'), METRICS)).toMatchObject({ ok: false, code: 503 });
  });
});

describe('TTLCache', () => {
  it('forgets an entry once its time to live has passed', () => {
    const clock = new FakeClock();
    const cache = new TTLCache<string>(clock);
    cache.set('token', 'admin');
    clock.step(CACHE_TTL_MS - 1);
    expect(cache.get('token')).toBe('admin');
    clock.step(1);
    expect(cache.get('token')).toBeUndefined();
  });

  it('stays bounded: a full cache is emptied before it grows', () => {
    const cache = new TTLCache<number>(new FakeClock(), 1000, 3);
    for (let i = 0; i < 3; i++) cache.set(`k${i}`, i);
    expect(cache.get('k2')).toBe(2);
    cache.set('k3', 3);
    expect(['k0', 'k1', 'k2'].map((k) => cache.get(k))).toEqual([undefined, undefined, undefined]);
    expect(cache.get('k3')).toBe(3);
  });
});

describe('forbiddenMessage', () => {
  it('words a path as the generic apiserver and a node subresource as the kubelet', () => {
    const user = { username: 'viewer' };
    expect(forbiddenMessage(user, METRICS)).toBe('forbidden: User "viewer" cannot get path "/metrics"');
    expect(forbiddenMessage(user, STATS)).toBe('Forbidden (user=viewer, verb=get, resource=nodes, subresource(s)=[stats])');
  });
});
