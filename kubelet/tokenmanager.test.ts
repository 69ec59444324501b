// The token manager with a fake clock: when a token is asked again, and what happens when that fails.
import type { TokenRequest } from '../shared/api/authentication';
import type { Pod } from '../shared/api/core';
import { FakeClock } from '../shared/clock';
import { MAX_TTL_MS, projectedToken, requiresRefresh, TokenManager } from './tokenmanager';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3600_000;

/** A token the apiserver issued at `issuedAt` for `seconds`. */
const issued = (issuedAt: number, seconds: number, token = 'jwt'): TokenRequest => ({
  metadata: {},
  spec: { expirationSeconds: seconds, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'u1' } },
  status: { token, expirationTimestamp: new Date(issuedAt + seconds * 1000).toISOString() },
});

describe('requiresRefresh', () => {
  it('refreshes once 80% of the lifetime has passed, the jitter earlier', () => {
    const tr = issued(T0, 3600);
    expect(requiresRefresh(tr, T0 + 0.8 * HOUR - 1, 0)).toBe(false);
    expect(requiresRefresh(tr, T0 + 0.8 * HOUR + 1, 0)).toBe(true);
    expect(requiresRefresh(tr, T0 + 0.8 * HOUR - 5_000, 10_000)).toBe(true);
  });

  it('refreshes a long-lived token once it is 24 hours old', () => {
    const tr = issued(T0, 7 * 24 * 3600);
    expect(requiresRefresh(tr, T0 + MAX_TTL_MS - 1, 0)).toBe(false);
    expect(requiresRefresh(tr, T0 + MAX_TTL_MS + 1, 0)).toBe(true);
  });

  it('refreshes a token whose lifetime it cannot tell', () => {
    expect(requiresRefresh({ ...issued(T0, 3600), status: undefined }, T0, 0)).toBe(true);
  });
});

describe('TokenManager', () => {
  const pod: Pod = { metadata: { namespace: 'shop', name: 'web', uid: 'u1' }, spec: { containers: [], serviceAccountName: 'builder' } };

  function setUp() {
    const clock = new FakeClock(T0);
    const asked: { namespace: string; name: string; request: TokenRequest }[] = [];
    let fail: Error | undefined;
    const manager = new TokenManager(
      async (namespace, name, request) => {
        asked.push({ namespace, name, request });
        if (fail) throw fail;
        return { ...request, status: issued(clock.now(), request.spec.expirationSeconds!, `jwt-${asked.length}`).status };
      },
      clock,
      () => 0,
    );
    return { clock, asked, manager, failWith: (err?: Error) => (fail = err) };
  }

  it("asks for a token bound to the pod, for the pod's ServiceAccount, with the apiserver's audience unless one is given", async () => {
    const { asked, manager } = setUp();
    expect(await projectedToken(manager, pod, { expirationSeconds: 3607 })).toBe('jwt-1');
    await projectedToken(manager, pod, { audience: 'vault', expirationSeconds: 3607 });
    expect(asked[0]).toEqual({
      namespace: 'shop',
      name: 'builder',
      request: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: {},
        spec: { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'u1' } },
      },
    });
    expect(asked[1].request.spec.audiences).toEqual(['vault']);
    const defaulted = { ...pod, spec: { containers: [] } };
    await projectedToken(manager, defaulted, {});
    expect(asked[2]).toMatchObject({ name: 'default', request: { spec: { expirationSeconds: 3600 } } });
  });

  it('keeps the token until 80% of its lifetime has passed, then asks for a new one', async () => {
    const { clock, asked, manager } = setUp();
    expect(await projectedToken(manager, pod, { expirationSeconds: 3600 })).toBe('jwt-1');
    clock.step(0.8 * HOUR - 1000);
    expect(await projectedToken(manager, pod, { expirationSeconds: 3600 })).toBe('jwt-1');
    clock.step(2000);
    expect(await projectedToken(manager, pod, { expirationSeconds: 3600 })).toBe('jwt-2');
    expect(asked).toHaveLength(2);
  });

  it('keeps a still valid token when the refresh fails, and fails once it has expired', async () => {
    const { clock, manager, failWith } = setUp();
    await projectedToken(manager, pod, { expirationSeconds: 3600 });
    clock.step(0.9 * HOUR);
    failWith(new Error('serviceaccounts "builder" is forbidden'));
    expect(await projectedToken(manager, pod, { expirationSeconds: 3600 })).toBe('jwt-1');
    clock.step(0.2 * HOUR);
    await expect(projectedToken(manager, pod, { expirationSeconds: 3600 })).rejects.toThrow(
      'failed to fetch token: serviceaccounts "builder" is forbidden',
    );
  });

  it('forgets the tokens of a pod that is gone', async () => {
    const { asked, manager } = setUp();
    await projectedToken(manager, pod, { expirationSeconds: 3600 });
    manager.deleteServiceAccountToken('u1');
    expect(await projectedToken(manager, pod, { expirationSeconds: 3600 })).toBe('jwt-2');
    expect(asked).toHaveLength(2);
  });
});
