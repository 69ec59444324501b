import type { Secret } from './api/core';
import {
  bootstrapTokenSecret,
  generateToken,
  isBootstrapTokenSecret,
  isExpired,
  parseToken,
  timeRemaining,
  tokenGroups,
  tokenIdOfSecretName,
} from './bootstraptoken';

/** The Secret as the apiserver stores it: stringData turned into base64 data. */
const stored = (s: Secret): Secret => ({
  ...s,
  stringData: undefined,
  data: Object.fromEntries(Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('bootstrap tokens', () => {
  it('are six and sixteen characters of [a-z0-9] around a dot', () => {
    expect(parseToken('abcdef.0123456789abcdef')).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    for (const bad of ['ABCDEF.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef0123456789abcdef', 'abcdef.0123456789abcdef ', ''])
      expect(parseToken(bad)).toBeUndefined();
    const made = new Set(Array.from({ length: 50 }, generateToken));
    expect(made.size).toBe(50);
    for (const t of made) expect(parseToken(t)).toBeDefined();
  });

  it('are stored as kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token', () => {
    const secret = bootstrapTokenSecret({
      token: 'abcdef.0123456789abcdef',
      expiration: '2026-01-02T00:00:00Z',
      usages: ['signing', 'authentication'],
      groups: ['system:bootstrappers:kubeadm:default-node-token'],
      description: 'for w1',
    });
    expect(secret).toEqual({
      metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'abcdef',
        'token-secret': '0123456789abcdef',
        expiration: '2026-01-02T00:00:00Z',
        description: 'for w1',
        'usage-bootstrap-signing': 'true',
        'usage-bootstrap-authentication': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
      },
    });
    expect(isBootstrapTokenSecret(stored(secret))).toBe(true);
    expect(isBootstrapTokenSecret({ ...stored(secret), type: 'Opaque' })).toBe(false);
    expect(tokenIdOfSecretName('bootstrap-token-abcdef')).toBe('abcdef');
    expect(tokenIdOfSecretName('bootstrap-token-abc')).toBeUndefined();
    expect(() => bootstrapTokenSecret({ token: 'abcdef.0123456789abcdef', usages: [], groups: ['system:masters'] })).toThrow(
      /bootstrap group "system:masters" is invalid/,
    );
  });

  it('expire at their expiration; one that cannot be parsed counts as expired, one without never does', () => {
    const at = (expiration?: string) =>
      stored(bootstrapTokenSecret({ token: 'abcdef.0123456789abcdef', expiration, usages: ['authentication'], groups: [] }));
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeRemaining(at('2026-01-01T00:00:10Z'), now)).toBe(10_000);
    expect(isExpired(at('2026-01-01T00:00:10Z'), now + 10_000)).toBe(true);
    expect(isExpired(at('2026-01-01T00:00:10+01:00'), now)).toBe(true);
    expect(isExpired(at('tomorrow'), now)).toBe(true);
    expect(timeRemaining(at(undefined), now)).toBe(Infinity);
  });

  it('authenticate in system:bootstrappers and their valid extra groups only', () => {
    const withGroups = (groups: string) => stored({ metadata: {}, stringData: { 'auth-extra-groups': groups } });
    expect(tokenGroups(withGroups('system:bootstrappers:b,system:bootstrappers:a'))).toEqual([
      'system:bootstrappers',
      'system:bootstrappers:a',
      'system:bootstrappers:b',
    ]);
    expect(tokenGroups(withGroups('system:bootstrappers:a,system:masters'))).toBeUndefined();
    expect(tokenGroups(stored({ metadata: {} }))).toEqual(['system:bootstrappers']);
  });
});
