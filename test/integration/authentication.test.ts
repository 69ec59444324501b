// Authentication at a real apiserver: bootstrap tokens (kube-system/bootstrap-token-<id> Secrets) sign
// in as system:bootstrap:<id> until they expire or are deleted, client certificates signed by the
// cluster CA sign in as their CN and O, and requests without credentials are system:anonymous, whom
// RBAC lets read only the public information.
import fs from 'node:fs';
import path from 'node:path';
import type { ClientConfig } from '../../shared/kubeconfig';
import { bootstrapTokenSecret } from '../../shared/bootstraptoken';
import { issueClientCertificate, newCertificateAuthority } from '../../shared/pki';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
let anonymous: ClientConfig;
const SECRETS = '/api/v1/namespaces/kube-system/secrets';
const whoami = async (who: ClientConfig) => {
  const res = await api(who, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  return res.code === 201 ? res.body.status.userInfo : res.code;
};
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const createToken = async (token: string, expiresInMs?: number, usages: ('signing' | 'authentication')[] = ['authentication']) => {
  const secret = bootstrapTokenSecret({
    token,
    usages,
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
    expiration: expiresInMs === undefined ? undefined : rfc3339(Date.now() + expiresInMs),
  });
  expect((await api(cp.config, 'POST', SECRETS, secret)).code).toBe(201);
};

beforeAll(async () => {
  cp = await startControlPlane(['--enable-bootstrap-token-auth=true'], []);
  anonymous = { ...cp.config, token: undefined };
});
afterAll(() => cp?.stop());

describe('bootstrap tokens', () => {
  it('sign in as system:bootstrap:<id> in system:bootstrappers and the extra groups', async () => {
    await createToken('abcdef.0123456789abcdef', 3600_000);
    expect(await whoami({ ...anonymous, token: 'abcdef.0123456789abcdef' })).toEqual({
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
    });
    expect(await whoami({ ...anonymous, token: 'abcdef.0123456789abcdee' })).toBe(401);
  });

  it('are refused once expired, deleted, or not meant for authentication', async () => {
    await createToken('expire.0123456789abcdef', 1500);
    const token = { ...anonymous, token: 'expire.0123456789abcdef' };
    expect(await whoami(token)).toMatchObject({ username: 'system:bootstrap:expire' });
    await waitFor(async () => (await whoami(token)) === 401, { timeoutMs: 10_000, what: 'the token refused after its expiration' });

    await createToken('delete.0123456789abcdef', 3600_000);
    const deleted = { ...anonymous, token: 'delete.0123456789abcdef' };
    expect(await whoami(deleted)).toMatchObject({ username: 'system:bootstrap:delete' });
    expect((await api(cp.config, 'DELETE', `${SECRETS}/bootstrap-token-delete`)).code).toBe(200);
    expect(await whoami(deleted)).toBe(401);

    await createToken('signer.0123456789abcdef', 3600_000, ['signing']);
    expect(await whoami({ ...anonymous, token: 'signer.0123456789abcdef' })).toBe(401);
  });

  it('are known to TokenReview, as every bearer token the apiserver accepts', async () => {
    await createToken('review.0123456789abcdef', 3600_000);
    const res = await api(cp.config, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 'review.0123456789abcdef' },
    });
    expect(res.body.status).toMatchObject({ authenticated: true, user: { username: 'system:bootstrap:review' } });
  });
});

describe('client certificates', () => {
  const ca = () => ({ cert: fs.readFileSync(cp.caFile, 'utf8'), key: fs.readFileSync(path.join(cp.dir, 'pki', 'ca.key'), 'utf8') });

  it('signed by the client CA sign in as CN, with O as groups', async () => {
    const pair = issueClientCertificate(ca(), 'system:node:x', ['system:nodes']);
    const who = { ...anonymous, cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) };
    expect(await whoami(who)).toEqual({ username: 'system:node:x', groups: ['system:nodes', 'system:authenticated'] });
  });

  it('from another CA are refused with 401, not taken as anonymous', async () => {
    const pair = issueClientCertificate(newCertificateAuthority('elsewhere'), 'admin', ['system:masters']);
    expect(await whoami({ ...anonymous, cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) })).toBe(401);
  });
});

describe('anonymous requests', () => {
  it('are system:anonymous, refused with 403 except the public information; a wrong token stays a 401', async () => {
    const pods = await api(anonymous, 'GET', '/api/v1/namespaces/default/pods');
    expect(pods.code).toBe(403);
    expect(pods.body.message).toBe(
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    expect((await api(anonymous, 'GET', '/api')).code).toBe(403);
    expect((await api(anonymous, 'GET', '/version')).code).toBe(200);
    expect((await api({ ...anonymous, token: 'wrong' }, 'GET', '/version')).code).toBe(401);
  });
});
