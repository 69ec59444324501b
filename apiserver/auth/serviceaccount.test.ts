import crypto from 'node:crypto';
import pino from 'pino';
import type { KubeObject } from '../../shared/api/meta';
import { ServiceAccountClaims, serviceAccountClaims } from '../serviceaccount/claims';
import { identified, signJWT } from '../serviceaccount/jwt';
import { ServiceAccountTokenAuthenticator } from './serviceaccount';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const key = identified(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const otherKey = identified(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

const sa = { metadata: { name: 'builder', namespace: 'ci', uid: 'sa-uid' } };
const pod = { metadata: { name: 'web', namespace: 'ci', uid: 'pod-uid' }, spec: { serviceAccountName: 'builder', nodeName: 'node-1' } };

function claims(more: Partial<Parameters<typeof serviceAccountClaims>[0]> = {}): ServiceAccountClaims {
  return serviceAccountClaims({
    issuer: ISSUER,
    serviceAccount: sa,
    bound: {},
    audiences: [ISSUER],
    expirationSeconds: 3600,
    now: NOW,
    jti: 'jti-1',
    ...more,
  });
}

function authenticator(objects: KubeObject[], now = NOW) {
  const find = (kind: string) => async (namespace: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  return new ServiceAccountTokenAuthenticator({
    issuers: [ISSUER],
    keys: [identified(crypto.createPublicKey(key.key))],
    apiAudiences: [ISSUER],
    getter: { serviceAccount: find('ServiceAccount'), pod: find('Pod'), secret: find('Secret') },
    log: pino({ level: 'silent' }),
    now: () => now,
  });
}

const objects = () => [
  { kind: 'ServiceAccount', ...structuredClone(sa) },
  { kind: 'Pod', ...structuredClone(pod) },
];

describe('ServiceAccount token claims', () => {
  it('are the claims Kubernetes writes, in its order, with the bound pod and node', () => {
    const c = claims({ bound: { pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'node-1', uid: 'node-uid' } } });
    expect(Object.keys(c)).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    expect(c).toEqual({
      aud: [ISSUER],
      exp: NOW / 1000 + 3600,
      iat: NOW / 1000,
      iss: ISSUER,
      jti: 'jti-1',
      'kubernetes.io': {
        namespace: 'ci',
        node: { name: 'node-1', uid: 'node-uid' },
        pod: { name: 'web', uid: 'pod-uid' },
        serviceaccount: { name: 'builder', uid: 'sa-uid' },
      },
      nbf: NOW / 1000,
      sub: 'system:serviceaccount:ci:builder',
    });
  });
});

describe('ServiceAccountTokenAuthenticator', () => {
  it('authenticates a valid token as the ServiceAccount, with its groups and the bound pod and node as extra', async () => {
    const token = await signJWT(claims({ bound: { pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'node-1', uid: 'n' } } }), key);
    expect(await authenticator(objects()).authenticateToken(token)).toEqual({
      username: 'system:serviceaccount:ci:builder',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['web'],
        'authentication.kubernetes.io/pod-uid': ['pod-uid'],
        'authentication.kubernetes.io/credential-id': ['JTI=jti-1'],
        'authentication.kubernetes.io/node-name': ['node-1'],
        'authentication.kubernetes.io/node-uid': ['n'],
      },
    });
  });

  it('refuses an expired token (beyond the minute of leeway) and one not valid yet', async () => {
    const token = await signJWT(claims({ expirationSeconds: 600 }), key);
    expect(await authenticator(objects(), NOW + 630_000).authenticateToken(token)).toBeDefined();
    expect(await authenticator(objects(), NOW + 661_000).authenticateToken(token)).toBeUndefined();
    expect(await authenticator(objects(), NOW - 61_000).authenticateToken(token)).toBeUndefined();
  });

  it('refuses a token signed by another key, and leaves tokens of other issuers alone', async () => {
    expect(await authenticator(objects()).authenticateToken(await signJWT(claims(), otherKey))).toBeUndefined();
    expect(await authenticator(objects()).authenticateToken(await signJWT(claims({ issuer: 'https://elsewhere' }), key))).toBeUndefined();
    expect(await authenticator(objects()).authenticateToken('static-token')).toBeUndefined();
  });

  it('accepts a token only for the audiences asked for (the API by default)', async () => {
    const token = await signJWT(claims({ audiences: ['vault'] }), key);
    expect(await authenticator(objects()).authenticateToken(token)).toBeUndefined();
    expect(await authenticator(objects()).authenticateToken(token, ['vault'])).toMatchObject({
      username: 'system:serviceaccount:ci:builder',
    });
    expect(await authenticator(objects()).authenticateToken(await signJWT(claims(), key), ['vault'])).toBeUndefined();
  });

  it('refuses a token whose ServiceAccount is gone or was recreated', async () => {
    const token = await signJWT(claims(), key);
    expect(await authenticator([]).authenticateToken(token)).toBeUndefined();
    const recreated = objects();
    recreated[0].metadata.uid = 'new-uid';
    expect(await authenticator(recreated).authenticateToken(token)).toBeUndefined();
  });

  it('refuses a pod-bound token once the pod is gone, recreated with another uid, or deleted more than a minute ago', async () => {
    const token = await signJWT(claims({ bound: { pod: { name: 'web', uid: 'pod-uid' } } }), key);
    expect(await authenticator(objects()).authenticateToken(token)).toBeDefined();
    expect(await authenticator(objects().slice(0, 1)).authenticateToken(token)).toBeUndefined();
    const recreated = objects();
    recreated[1].metadata.uid = 'other';
    expect(await authenticator(recreated).authenticateToken(token)).toBeUndefined();
    const terminating: KubeObject[] = objects();
    terminating[1].metadata.deletionTimestamp = new Date(NOW - 30_000).toISOString();
    expect(await authenticator(terminating).authenticateToken(token)).toBeDefined();
    terminating[1].metadata.deletionTimestamp = new Date(NOW - 90_000).toISOString();
    expect(await authenticator(terminating).authenticateToken(token)).toBeUndefined();
  });

  it('refuses a signed token whose claims are not a ServiceAccount token (subject not matching)', async () => {
    const forged = { ...claims(), sub: 'system:serviceaccount:kube-system:default' };
    expect(await authenticator(objects()).authenticateToken(await signJWT(forged, key))).toBeUndefined();
  });
});
