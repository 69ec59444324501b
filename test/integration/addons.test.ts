// The add-on manager of a real apiserver: at start it applies deploy/addons (the dashboard) through its
// loopback client, so the objects are defaulted and admitted like any write; an object deleted or edited is
// put back by the next apiserver start; the loopback identity is the process's alone (a guessed token is 401).
import path from 'node:path';
import type { Deployment } from '../../shared/api/apps';
import type { Service } from '../../shared/api/core';
import { Client } from '../../shared/client';
import { ControlPlane, ROOT, startControlPlane, waitFor } from '../processes';

const ADDONS = path.join(ROOT, 'deploy', 'addons');
let cp: ControlPlane;
let admin: Client;
beforeAll(async () => {
  cp = await startControlPlane([`--addons-dir=${ADDONS}`]);
  admin = new Client(cp.config);
});
afterAll(async () => {
  await cp?.stop();
});

const deployment = () => admin.request<Deployment>('GET', '/apis/apps/v1/namespaces/kube-system/deployments/dashboard');

it('applies the dashboard add-on at start, defaulted, owned by the addon-manager field manager', async () => {
  const d = await waitFor(() => deployment().catch(() => undefined), { what: 'the dashboard Deployment' });
  expect(d.spec.template.spec.serviceAccountName).toBe('dashboard');
  expect(d.spec.strategy?.type).toBe('RollingUpdate'); // defaulted as any created Deployment
  const managers = (d.metadata as { managedFields?: { manager: string }[] }).managedFields?.map((f) => f.manager);
  expect(managers).toContain('addon-manager');
  const svc = await waitFor(
    () => admin.request<Service>('GET', '/api/v1/namespaces/kube-system/services/dashboard').catch(() => undefined),
    { what: 'the dashboard Service' },
  );
  // one unnamed port: the service proxy's `http:dashboard:` (scheme http, no port name) picks it
  expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 80 })]);
  expect(svc.spec.ports?.[0].name).toBeUndefined();
  await admin.request('GET', '/api/v1/namespaces/kube-system/serviceaccounts/dashboard');
  await admin.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/dashboard-view');
});

it('puts back an edited or deleted add-on object when an apiserver starts', async () => {
  await waitFor(() => deployment().catch(() => undefined), { what: 'the dashboard Deployment' });
  await admin.request('PATCH', '/apis/apps/v1/namespaces/kube-system/deployments/dashboard', {
    body: { spec: { replicas: 3 } },
    contentType: 'application/merge-patch+json',
  });
  await admin.request('DELETE', '/api/v1/namespaces/kube-system/services/dashboard');
  await cp.startApiserver([`--addons-dir=${ADDONS}`]);
  await waitFor(async () => (await deployment()).spec.replicas === 1, { what: 'replicas back to 1' });
  await waitFor(
    () =>
      admin
        .request('GET', '/api/v1/namespaces/kube-system/services/dashboard')
        .then(() => true)
        .catch(() => false),
    {
      what: 'the Service created again',
    },
  );
});

it('knows no loopback token but its own', async () => {
  const guessed = new Client({ ...cp.config, cert: undefined, key: undefined, token: 'not-the-loopback-token' });
  await expect(guessed.request('GET', '/api/v1/namespaces')).rejects.toMatchObject({ status: { code: 401 } });
});
