// The apiserver on a real etcd: CRUD, revisions, watch, optimistic concurrency, allocation, robustness.
import { ControlPlane, startControlPlane } from '../processes';
import { api, pod, watchEvents } from './api';

let cp: ControlPlane;
const NS = '/api/v1/namespaces/default';

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe('CRUD', () => {
  it('creates, reads, lists, updates and deletes a pod', async () => {
    const created = await api(cp.config, 'POST', `${NS}/pods`, pod('crud'));
    expect(created.code).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'crud', namespace: 'default' });
    expect(created.body.metadata.generation).toBeUndefined(); // pods have no generation before Kubernetes 1.33
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.body.status.phase).toBe('Pending');

    const got = await api(cp.config, 'GET', `${NS}/pods/crud`);
    expect(got.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);

    const list = await api(cp.config, 'GET', `${NS}/pods?labelSelector=app%3Dtest`);
    expect(list.body.kind).toBe('PodList');
    expect(list.body.items.map((p: any) => p.metadata.name)).toContain('crud');
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.body.metadata.resourceVersion));

    const updated = await api(cp.config, 'PUT', `${NS}/pods/crud`, {
      ...got.body,
      metadata: { ...got.body.metadata, labels: { app: 'test', v: '2' } },
    });
    expect(updated.code).toBe(200);
    expect(updated.body.metadata.labels.v).toBe('2');

    const deleted = await api(cp.config, 'DELETE', `${NS}/pods/crud`);
    expect(deleted.code).toBe(200);
    expect((await api(cp.config, 'GET', `${NS}/pods/crud`)).body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'pods "crud" not found',
    });
  });

  it('answers AlreadyExists, Invalid with causes, and NotFound for a missing namespace', async () => {
    await api(cp.config, 'POST', `${NS}/pods`, pod('dup'));
    expect((await api(cp.config, 'POST', `${NS}/pods`, pod('dup'))).body).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const bad = await api(cp.config, 'POST', `${NS}/pods`, pod('bad', { spec: { containers: [{ name: 'c' }] } }));
    expect(bad.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { kind: 'Pod', name: 'bad', causes: [{ field: 'spec.containers[0].image', message: 'Required value' }] },
    });
    expect((await api(cp.config, 'POST', '/api/v1/namespaces/nowhere/pods', pod('x'))).body).toMatchObject({
      code: 404,
      message: 'namespaces "nowhere" not found',
    });
  });

  it('bumps generation on spec changes only, and keeps status out of main-resource updates', async () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: {
        selector: { matchLabels: { app: 'g' } },
        template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    };
    const created = (await api(cp.config, 'POST', '/apis/apps/v1/namespaces/default/deployments', d)).body;
    const scaled = (
      await api(
        cp.config,
        'PATCH',
        '/apis/apps/v1/namespaces/default/deployments/gen',
        { spec: { replicas: 3 }, status: { replicas: 99 } },
        'application/merge-patch+json',
      )
    ).body;
    expect(scaled.metadata.generation).toBe(created.metadata.generation + 1);
    expect(scaled.status.replicas).toBeUndefined();
    const status = (
      await api(cp.config, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen/status', {
        ...scaled,
        spec: { ...scaled.spec, replicas: 7 },
        status: { replicas: 3 },
      })
    ).body;
    expect(status.status.replicas).toBe(3);
    expect(status.spec.replicas).toBe(3);
    expect(status.metadata.generation).toBe(scaled.metadata.generation);
    const scale = (await api(cp.config, 'GET', '/apis/apps/v1/namespaces/default/deployments/gen/scale')).body;
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
      status: { replicas: 3, selector: 'app=g' },
    });
  });
});

describe('resource versions and watch', () => {
  it('lists at an exact earlier revision', async () => {
    const a = (await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'rev-a' }, data: { k: 'v' } })).body;
    await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'rev-b' } });
    const then = (await api(cp.config, 'GET', `${NS}/configmaps?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=Exact`))
      .body;
    const names = then.items.map((c: any) => c.metadata.name);
    expect(names).toContain('rev-a');
    expect(names).not.toContain('rev-b');
  });

  it('resumes a watch from a resourceVersion, in order, with DELETED carrying the last state', async () => {
    const first = (await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'w1' } })).body;
    await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'w2' } });
    await api(cp.config, 'PATCH', `${NS}/configmaps/w2`, { data: { a: 'b' } }, 'application/merge-patch+json');
    await api(cp.config, 'DELETE', `${NS}/configmaps/w1`);
    const events = await watchEvents(cp.config, `${NS}/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`, 3);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w2', 'MODIFIED w2', 'DELETED w1']);
    expect(events[1].object.data).toEqual({ a: 'b' });
  });

  it('starts a watch without a resourceVersion with the current objects, then streams changes', async () => {
    const watching = watchEvents(cp.config, `${NS}/configmaps?watch=true&fieldSelector=metadata.name%3Dw3`, 2);
    await new Promise((r) => setTimeout(r, 300));
    await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'w3' } });
    await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'w4' } });
    await api(cp.config, 'PATCH', `${NS}/configmaps/w3`, { data: { x: 'y' } }, 'application/merge-patch+json');
    expect((await watching).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w3', 'MODIFIED w3']);
  });
});

describe('optimistic concurrency', () => {
  it('lets exactly one of 50 concurrent updates from one resourceVersion win', async () => {
    const cm = (await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'race' }, data: { n: '0' } })).body;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api(cp.config, 'PUT', `${NS}/configmaps/race`, { ...cm, data: { n: String(i + 1) } })),
    );
    const codes = results.map((r) => r.code);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    expect(results.find((r) => r.code === 409)!.body.message).toBe(
      'Operation cannot be fulfilled on configmaps "race": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
});

describe('service allocation', () => {
  it('never gives two of 30 concurrent services the same clusterIP or nodePort', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api(cp.config, 'POST', `${NS}/services`, {
          metadata: { name: `svc-${i}` },
          spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] },
        }),
      ),
    );
    expect(results.every((r) => r.code === 201)).toBe(true);
    const ips = results.map((r) => r.body.spec.clusterIP);
    const ports = results.map((r) => r.body.spec.ports[0].nodePort);
    expect(new Set(ips).size).toBe(30);
    expect(new Set(ports).size).toBe(30);
    expect(ips.every((ip) => /^10\.(9[6-9]|10[0-9]|11[01])\./.test(ip))).toBe(true);
    expect(ports.every((p) => p >= 30000 && p <= 32767)).toBe(true);
  });

  it('refuses a node port already in use with a 422 naming the field, and frees ports on delete', async () => {
    const a = await api(cp.config, 'POST', `${NS}/services`, {
      metadata: { name: 'fixed-a' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] },
    });
    expect(a.code).toBe(201);
    const b = await api(cp.config, 'POST', `${NS}/services`, {
      metadata: { name: 'fixed-b' },
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] },
    });
    expect(b.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(b.body.message).toBe(
      'Service "fixed-b" is invalid: spec.ports[0].nodePort: Invalid value: 30999: provided port is already allocated',
    );
    await api(cp.config, 'DELETE', `${NS}/services/fixed-a`);
    expect(
      (
        await api(cp.config, 'POST', `${NS}/services`, {
          metadata: { name: 'fixed-b' },
          spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] },
        })
      ).code,
    ).toBe(201);
  });

  it('reserves 10.96.0.1 for the kubernetes service', async () => {
    const svc = (await api(cp.config, 'GET', `${NS}/services/kubernetes`)).body;
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    expect(
      (
        await api(cp.config, 'POST', `${NS}/services`, {
          metadata: { name: 'steal' },
          spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] },
        })
      ).code,
    ).toBe(422);
  });
});

describe('endpoints the proxy would dial', () => {
  it('refuses Endpoints on loopback with 422, and gives a loopback apiserver no kubernetes endpoints', async () => {
    const loop = await api(cp.config, 'POST', `${NS}/endpoints`, {
      metadata: { name: 'etcd-peer' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 2380 }] }],
    });
    expect(loop.body).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message:
        'Endpoints "etcd-peer" is invalid: subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      details: { kind: 'Endpoints', causes: [{ reason: 'FieldValueInvalid', field: 'subsets[0].addresses[0].ip' }] },
    });
    // This apiserver advertises 127.0.0.1: its own Endpoints obey the same rule.
    expect((await api(cp.config, 'GET', `${NS}/endpoints/kubernetes`)).body.subsets ?? []).toEqual([]);
  });

  it('refuses new Service externalIPs with 403 (DenyServiceExternalIPs is on unless disabled)', async () => {
    const svc = { metadata: { name: 'claims-an-ip' }, spec: { externalIPs: ['192.0.2.10'], ports: [{ port: 80 }] } };
    expect((await api(cp.config, 'POST', `${NS}/services`, svc)).body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'services "claims-an-ip" is forbidden: Use of external IPs is denied by admission control',
    });
    const plain = await api(cp.config, 'POST', `${NS}/services`, { ...svc, spec: { ports: [{ port: 80 }] } });
    expect(plain.code).toBe(201);
    const patched = await api(cp.config, 'PUT', `${NS}/services/claims-an-ip`, {
      ...plain.body,
      spec: { ...plain.body.spec, externalIPs: ['192.0.2.10'] },
    });
    expect(patched.body).toMatchObject({ code: 403, reason: 'Forbidden' });
  });
});

describe('pod lifecycle', () => {
  it('binds a pod once, then deletes it gracefully until the kubelet finishes with grace 0', async () => {
    await api(cp.config, 'POST', `${NS}/pods`, pod('graceful'));
    const bind = await api(cp.config, 'POST', `${NS}/pods/graceful/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'graceful' },
      target: { kind: 'Node', name: 'node-1' },
    });
    expect(bind.code).toBe(201);
    const again = await api(cp.config, 'POST', `${NS}/pods/graceful/binding`, { target: { name: 'node-2' } });
    expect(again.body).toMatchObject({ code: 409, reason: 'Conflict' });
    const bound = (await api(cp.config, 'GET', `${NS}/pods/graceful`)).body;
    expect(bound.spec.nodeName).toBe('node-1');
    expect(bound.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));

    const marked = await api(cp.config, 'DELETE', `${NS}/pods/graceful`, { propagationPolicy: 'Background' });
    expect(marked.body.metadata.deletionTimestamp).toBeDefined();
    expect(marked.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await api(cp.config, 'GET', `${NS}/pods/graceful`)).code).toBe(200);
    await api(cp.config, 'DELETE', `${NS}/pods/graceful`, { gracePeriodSeconds: 0, preconditions: { uid: bound.metadata.uid } });
    expect((await api(cp.config, 'GET', `${NS}/pods/graceful`)).code).toBe(404);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    await api(cp.config, 'DELETE', `${NS}/configmaps/fin`);
    const held = (await api(cp.config, 'GET', `${NS}/configmaps/fin`)).body;
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await api(cp.config, 'PATCH', `${NS}/configmaps/fin`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect((await api(cp.config, 'GET', `${NS}/configmaps/fin`)).code).toBe(404);
  });

  it('refuses to delete the namespaces every cluster needs', async () => {
    expect((await api(cp.config, 'DELETE', '/api/v1/namespaces/default')).body).toMatchObject({
      code: 403,
      message: 'namespaces "default" is forbidden: this namespace may not be deleted',
    });
    expect((await api(cp.config, 'GET', '/api/v1/namespaces/default')).body.status.phase).toBe('Active');
  });

  it('refuses new objects in a terminating namespace', async () => {
    await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await api(cp.config, 'DELETE', '/api/v1/namespaces/doomed');
    const ns = (await api(cp.config, 'GET', '/api/v1/namespaces/doomed')).body;
    expect(ns.status.phase).toBe('Terminating');
    const refused = await api(cp.config, 'POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'late' } });
    expect(refused.body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    });
    await api(cp.config, 'PUT', '/api/v1/namespaces/doomed/finalize', { metadata: { name: 'doomed' }, spec: { finalizers: [] } });
    expect((await api(cp.config, 'GET', '/api/v1/namespaces/doomed')).code).toBe(404);
  });
});

describe('pod security', () => {
  it('refuses a privileged pod in default with 403 naming the field, and admits it in kube-system', async () => {
    const privileged = pod('priv', { spec: { containers: [{ name: 'main', image: 'busybox', securityContext: { privileged: true } }] } });
    const refused = await api(cp.config, 'POST', `${NS}/pods`, privileged);
    expect(refused.body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged (container "main" must not set securityContext.privileged=true)',
    });
    expect((await api(cp.config, 'POST', '/api/v1/namespaces/kube-system/pods', privileged)).code).toBe(201);
  });
});

describe('robustness', () => {
  it('answers 1000 malformed or random bodies with a 4xx Status and keeps serving', async () => {
    const rand = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(Math.random() * 256))).join('');
    const shapes: (() => [string, string, string | Buffer, string])[] = [
      () => ['POST', `${NS}/pods`, rand(40), 'application/json'],
      () => ['POST', `${NS}/pods`, JSON.stringify({ metadata: rand(5), spec: 7 }), 'application/json'],
      () => ['POST', `${NS}/pods`, JSON.stringify({ metadata: { name: 'x' }, spec: { containers: 'many' } }), 'application/json'],
      () => [
        'POST',
        `${NS}/services`,
        JSON.stringify({ metadata: { name: rand(3) }, spec: { ports: [{ port: -1 }] } }),
        'application/json',
      ],
      () => ['PUT', `${NS}/configmaps/race`, '[1,2,3]', 'application/json'],
      () => ['PATCH', `${NS}/configmaps/race`, rand(20), 'application/strategic-merge-patch+json'],
      () => ['PATCH', `${NS}/configmaps/race`, '[{"op":"move","from":"/nope","path":"/x"}]', 'application/json-patch+json'],
      () => ['POST', `${NS}/pods`, `: - [${rand(10)}`, 'application/yaml'],
      () => [
        'POST',
        '/apis/apps/v1/namespaces/default/deployments',
        JSON.stringify({ metadata: { name: 'd' }, spec: { replicas: 'two', selector: null, template: [] } }),
        'application/json',
      ],
      () => ['POST', `${NS}/pods`, Buffer.from([0x6b, 0x38, 0x73, 0x00, 1, 2, 3]), 'application/vnd.kubernetes.protobuf'],
      () => ['GET', `${NS}/pods?labelSelector=${encodeURIComponent('a in (b')}`, '', 'application/json'],
    ];
    const codes: number[] = [];
    for (let i = 0; i < 1000; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) => shapes[(i + j) % shapes.length]()).map(([m, p, b, t]) =>
        api(cp.config, m, p, m === 'GET' ? undefined : b, t),
      );
      for (const r of await Promise.all(batch)) {
        codes.push(r.code);
        expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure' });
      }
    }
    expect(codes.every((c) => c >= 400 && c < 500)).toBe(true);
    expect((await api(cp.config, 'GET', `${NS}/pods`)).code).toBe(200);
  });

  it('refuses bodies over 3 MiB with 413', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    expect((await api(cp.config, 'POST', `${NS}/configmaps`, big)).body).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
  });
});

describe('etcd outage', () => {
  it('answers 503 with a Status while etcd is down, and is not ready', async () => {
    const own = await startControlPlane();
    try {
      await own.etcd.stop();
      const down = await api(own.config, 'GET', '/api/v1/namespaces/default/configmaps');
      expect(down.code).toBe(503);
      expect(down.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
      expect((await api(own.config, 'GET', '/readyz')).code).toBe(503);
    } finally {
      await own.stop();
    }
  });
});
