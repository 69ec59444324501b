import crypto from 'node:crypto';
import type { TokenRequest } from '../../../shared/api/authentication';
import { Namespaces, Nodes, Pods, Secrets, ServiceAccounts } from '../../../shared/api/resources';
import type { StatusError } from '../../../shared/errors';
import { buildStores } from '..';
import { decodeJWT, identified } from '../../serviceaccount/jwt';
import { MemoryStorage } from '../../storage/memory';
import { NamespaceLister } from './namespaces';
import { createToken, TokenIssuer } from './tokenrequest';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.parse('2026-01-01T00:00:00Z');

async function setup(maxExpirationSeconds = 0) {
  const storage = new MemoryStorage();
  const config = { serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767', eventTTLSeconds: 3600 };
  const stores = buildStores(storage, storage, config, new NamespaceLister(() => stores.of(Namespaces)));
  const sa = await stores.of(ServiceAccounts).create('ci', { metadata: { name: 'builder' } });
  const node = await stores.of(Nodes).create(undefined, { metadata: { name: 'node-1' } });
  const container = [{ name: 'c', image: 'busybox' }];
  const pod = await stores
    .of(Pods)
    .create('ci', { metadata: { name: 'web' }, spec: { serviceAccountName: 'builder', nodeName: 'node-1', containers: container } });
  await stores.of(Pods).create('ci', { metadata: { name: 'other' }, spec: { serviceAccountName: 'default', containers: container } });
  const secret = await stores.of(Secrets).create('ci', { metadata: { name: 'held' } });
  const issuer: TokenIssuer = {
    issuer: ISSUER,
    apiAudiences: [ISSUER],
    signingKey: identified(crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
    maxExpirationSeconds,
    now: () => NOW,
  };
  const warnings: string[] = [];
  const tokenStores = {
    serviceAccounts: stores.of(ServiceAccounts),
    pods: stores.of(Pods),
    secrets: stores.of(Secrets),
    nodes: stores.of(Nodes),
  };
  const request = (body: unknown, name = 'builder') =>
    createToken(tokenStores, issuer, 'ci', name, body, { warn: (w) => warnings.push(w) });
  return {
    request,
    warnings,
    uids: { sa: sa.metadata.uid!, node: node.metadata.uid!, pod: pod.metadata.uid!, secret: secret.metadata.uid! },
  };
}

const claimsOf = (r: TokenRequest) => decodeJWT(r.status!.token)!.claims;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: StatusError) => ({ code: err.status.code, message: err.status.message }),
  );

describe('TokenRequest', () => {
  it('answers an hour-long token for the apiserver audiences by default, with status.expirationTimestamp', async () => {
    const { request, uids } = await setup();
    const r = await request({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: null } });
    expect(r).toMatchObject({
      kind: 'TokenRequest',
      metadata: { name: 'builder', namespace: 'ci' },
      spec: { audiences: [ISSUER], expirationSeconds: 3600 },
      status: { expirationTimestamp: '2026-01-01T01:00:00Z' },
    });
    expect(claimsOf(r)).toMatchObject({
      iss: ISSUER,
      sub: 'system:serviceaccount:ci:builder',
      aud: [ISSUER],
      exp: NOW / 1000 + 3600,
      'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'builder', uid: uids.sa } },
    });
  });

  it('binds a token to a pod (and names its node) or a secret, and checks the uid given', async () => {
    const { request, uids } = await setup();
    const bound = await request({
      spec: { audiences: ['vault'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' } },
    });
    expect(claimsOf(bound)).toMatchObject({
      aud: ['vault'],
      'kubernetes.io': { pod: { name: 'web', uid: uids.pod }, node: { name: 'node-1', uid: uids.node } },
    });
    const toSecret = await request({ spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'held', uid: uids.secret } } });
    expect(claimsOf(toSecret)).toMatchObject({ 'kubernetes.io': { secret: { name: 'held', uid: uids.secret } } });
    expect(await failure(request({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'old' } } }))).toEqual({
      code: 409,
      message: `Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated`,
    });
  });

  it('refuses what Kubernetes refuses, with its messages', async () => {
    const { request } = await setup();
    expect(await failure(request({}, 'missing'))).toEqual({ code: 404, message: 'serviceaccounts "missing" not found' });
    expect(await failure(request({ spec: { expirationSeconds: 60 } }))).toEqual({
      code: 422,
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    });
    expect(await failure(request({ metadata: { name: 'someone' } }))).toEqual({
      code: 422,
      message:
        'TokenRequest.authentication.k8s.io "builder" is invalid: metadata.name: Invalid value: "someone": must match the service account name if specified',
    });
    expect(await failure(request({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other' } } }))).toEqual({
      code: 400,
      message: 'cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.',
    });
    expect(await failure(request({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } } }))).toEqual({
      code: 404,
      message: 'pods "gone" not found',
    });
    expect(await failure(request({ spec: { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } } }))).toEqual({
      code: 400,
      message: 'cannot bind token to object of type /v1, Kind=ConfigMap',
    });
    expect(await failure(request({ spec: { expirationSeconds: 'long' } }))).toMatchObject({ code: 400 });
  });

  it('shortens a lifetime beyond --service-account-max-token-expiration, with a warning', async () => {
    const { request, warnings } = await setup(7200);
    const r = await request({ spec: { expirationSeconds: 86400 } });
    expect(r.spec.expirationSeconds).toBe(7200);
    expect(claimsOf(r).exp).toBe(NOW / 1000 + 7200);
    expect(warnings).toEqual(['requested expiration of 86400 seconds shortened to 7200 seconds']);
  });
});
