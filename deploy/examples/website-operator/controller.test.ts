import type { Deployment } from '../../../shared/api/apps';
import type { Service } from '../../../shared/api/core';
import { clockAt, FakeAPI, fakeInformers, fakeRecorder, synced } from '../../../controller-manager/testing';
import { desiredDeployment, desiredService, WebsiteController } from './controller';
import type { Website } from './website';

const site = (extra: Partial<Website> = {}): Website => ({
  apiVersion: 'examples.mini-kubernetes.io/v1',
  kind: 'Website',
  metadata: { name: 'hello', namespace: 'default', uid: 'site-uid', generation: 2 },
  spec: { content: '<h1>hi</h1>', replicas: 2, image: 'busybox:1.36' },
  ...extra,
});
const owner = {
  apiVersion: 'examples.mini-kubernetes.io/v1',
  kind: 'Website',
  name: 'hello',
  uid: 'site-uid',
  controller: true,
  blockOwnerDeletion: true,
};

async function setup(objects: { websites?: Website[]; deployments?: Deployment[]; services?: Service[] }) {
  const informers = fakeInformers(objects);
  const api = new FakeAPI();
  const recorder = fakeRecorder();
  const controller = new WebsiteController(informers, api as never, recorder, clockAt('2026-01-01T00:00:00Z'));
  await synced(informers);
  return { controller, api, recorder };
}

describe('website operator', () => {
  it('creates a Deployment and a Service owned by the Website, then reports them in its status', async () => {
    const { controller, api, recorder } = await setup({ websites: [site()] });
    await controller.sync('default/hello');
    expect(api.calls()).toEqual([
      'POST /apis/apps/v1/namespaces/default/deployments',
      'POST /api/v1/namespaces/default/services',
      'PUT /apis/examples.mini-kubernetes.io/v1/namespaces/default/websites/hello/status',
    ]);
    const deployment = api.requests[0].body as Deployment;
    expect(deployment.metadata.ownerReferences).toEqual([owner]);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].env).toEqual([{ name: 'CONTENT', value: '<h1>hi</h1>' }]);
    expect((api.requests[1].body as Service).spec.selector).toEqual({ app: 'hello' });
    expect((api.requests[2].body as Website).status).toEqual({
      availableReplicas: 0,
      url: 'http://hello.default.svc.cluster.local',
      observedGeneration: 2,
    });
    expect(recorder.events).toEqual(['Created: Created Deployment hello', 'Created: Created Service hello']);
  });

  it('puts back the replicas and content the Website decides, keeping what the server set', async () => {
    const live = desiredDeployment(site({ spec: { content: 'old', replicas: 5 } }), owner);
    live.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
    live.status = { availableReplicas: 2 };
    const svc = desiredService(site(), owner);
    svc.spec.clusterIP = '10.96.0.20';
    const { controller, api } = await setup({ websites: [site()], deployments: [live], services: [svc] });
    await controller.sync('default/hello');
    expect(api.calls()).toEqual([
      'PUT /apis/apps/v1/namespaces/default/deployments/hello',
      'PUT /apis/examples.mini-kubernetes.io/v1/namespaces/default/websites/hello/status',
    ]);
    const updated = api.requests[0].body as Deployment;
    expect(updated.spec.replicas).toBe(2);
    expect(updated.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', env: [{ value: '<h1>hi</h1>' }] });
    expect((api.requests[1].body as Website).status?.availableReplicas).toBe(2);
  });

  it('does nothing when the children and the status already match', async () => {
    const deployment = desiredDeployment(site(), owner);
    deployment.status = { availableReplicas: 2 };
    const status = { availableReplicas: 2, url: 'http://hello.default.svc.cluster.local', observedGeneration: 2 };
    const { controller, api } = await setup({
      websites: [site({ status })],
      deployments: [deployment],
      services: [desiredService(site(), owner)],
    });
    await controller.sync('default/hello');
    expect(api.calls()).toEqual([]);
  });

  it('leaves a same-named Deployment that another owner controls, with a warning', async () => {
    const foreign = desiredDeployment(site(), { ...owner, uid: 'someone-else' });
    const { controller, api, recorder } = await setup({ websites: [site()], deployments: [foreign] });
    await controller.sync('default/hello');
    expect(api.calls()).not.toContain('PUT /apis/apps/v1/namespaces/default/deployments/hello');
    expect(recorder.events[0]).toBe('NotOwned: Deployment hello exists and is not controlled by this Website');
  });

  it('lets a deleted Website go: its children are the garbage collector’s', async () => {
    const { controller, api } = await setup({});
    await controller.sync('default/hello');
    expect(api.calls()).toEqual([]);
  });
});
