import type { Secret } from '../../shared/api/core';
import { bootstrapTokenSecret } from '../../shared/bootstraptoken';
import { formatTokenList } from './tokens';

const stored = (s: Secret): Secret => ({
  ...s,
  stringData: undefined,
  data: Object.fromEntries(Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('token list', () => {
  it("prints kubeadm's columns: TTL left, expiry, usages, description and groups", () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const text = formatTokenList(
      [
        stored(
          bootstrapTokenSecret({
            token: 'abcdef.0123456789abcdef',
            expiration: '2026-01-01T23:30:00Z',
            usages: ['signing', 'authentication'],
            groups: ['system:bootstrappers:kubeadm:default-node-token'],
            description: 'first',
          }),
        ),
        stored(bootstrapTokenSecret({ token: 'ghijkl.0123456789abcdef', usages: ['authentication'], groups: [] })),
        stored(bootstrapTokenSecret({ token: 'mnopqr.0123456789abcdef', expiration: '2025-12-31T00:00:00Z', usages: [], groups: [] })),
        { metadata: { name: 'other', namespace: 'kube-system' }, type: 'Opaque' },
      ],
      now,
    );
    expect(text.split('\n')).toEqual([
      'TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS',
      'abcdef.0123456789abcdef   23h         2026-01-01T23:30:00Z   authentication,signing   first         system:bootstrappers:kubeadm:default-node-token',
      'ghijkl.0123456789abcdef   <forever>   <never>                authentication           <none>',
      'mnopqr.0123456789abcdef   <invalid>   2025-12-31T00:00:00Z   <none>                   <none>',
      '',
    ]);
  });
});
