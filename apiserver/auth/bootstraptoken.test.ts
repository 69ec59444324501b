import type { Secret } from '../../shared/api/core';
import { bootstrapTokenSecret } from '../../shared/bootstraptoken';
import { BootstrapTokenAuthenticator } from './bootstraptoken';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const TOKEN = 'abcdef.0123456789abcdef';

function secret(
  overrides: Partial<Record<string, string | undefined>> = {},
  meta: Partial<Secret['metadata']> = {},
  type?: string,
): Secret {
  const s = bootstrapTokenSecret({
    token: TOKEN,
    expiration: '2026-01-01T01:00:00Z',
    usages: ['authentication', 'signing'],
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
  });
  const data = { ...s.stringData, ...overrides };
  return {
    ...s,
    type: type ?? s.type,
    metadata: { ...s.metadata, ...meta },
    stringData: undefined,
    data: Object.fromEntries(Object.entries(data).flatMap(([k, v]) => (v === undefined ? [] : [[k, Buffer.from(v).toString('base64')]]))),
  };
}

const authenticatorWith = (s: Secret | undefined, now = NOW) =>
  new BootstrapTokenAuthenticator(
    async (name) => (s && name === s.metadata.name ? s : undefined),
    () => now,
  );

describe('the bootstrap token authenticator', () => {
  it('authenticates a valid token as system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
    expect(await authenticatorWith(secret()).authenticateToken(TOKEN)).toEqual({
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'],
    });
  });

  it.each([
    ['a wrong secret', 'abcdef.0123456789abcdee', secret()],
    ['an unknown id', 'zzzzzz.0123456789abcdef', secret()],
    ['no Secret at all', TOKEN, undefined],
    ['a Secret of another type', TOKEN, secret({}, {}, 'Opaque')],
    ['a token not for authentication', TOKEN, secret({ 'usage-bootstrap-authentication': undefined })],
    ['a token id that does not match', TOKEN, secret({ 'token-id': 'ghijkl' })],
    ['an invalid extra group', TOKEN, secret({ 'auth-extra-groups': 'system:masters' })],
    ['a Secret being deleted', TOKEN, secret({}, { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    ['an unparseable expiration', TOKEN, secret({ expiration: 'soon' })],
    ['something that is not a bootstrap token', 'admin-token', secret()],
  ])('refuses %s', async (_what, token, s) => {
    expect(await authenticatorWith(s).authenticateToken(token)).toBeUndefined();
  });

  it('refuses the token once it has expired', async () => {
    const s = secret();
    expect(await authenticatorWith(s, Date.parse('2026-01-01T00:59:59Z')).authenticateToken(TOKEN)).toBeDefined();
    expect(await authenticatorWith(s, Date.parse('2026-01-01T01:00:00Z')).authenticateToken(TOKEN)).toBeUndefined();
  });
});
