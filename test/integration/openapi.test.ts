// OpenAPI and fieldValidation at a real apiserver: unknown fields fail (Strict), warn (Warn, the default) or
// are dropped quietly (Ignore), and are never stored; /openapi/v3 and /openapi/v2 describe the same schemas.
import { ControlPlane, startControlPlane } from '../processes';
import { api, send } from './api';

let cp: ControlPlane;
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    ...extra,
  },
});

/** Sends a request and returns its status, Warning headers and body. */
async function request(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await send(cp.config, method, path, body, { 'Content-Type': contentType, Accept: 'application/json' });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const warnings = res.headers.warning;
  return {
    code: res.statusCode,
    warnings: warnings === undefined ? [] : Array.isArray(warnings) ? warnings : [warnings],
    body: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
    headers: res.headers,
  };
}

describe('fieldValidation', () => {
  it('Strict refuses unknown fields with 400, naming every one in the order written', async () => {
    const bad = deployment('strict', { replicaz: 2 });
    (bad.spec.template.spec.containers[0] as Record<string, unknown>).imagee = 'x';
    const res = await request('POST', `${DEPLOYMENTS}?fieldValidation=Strict`, bad);
    expect(res.code).toBe(400);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replicaz"',
    });
    expect((await api(cp.config, 'GET', `${DEPLOYMENTS}/strict`)).code).toBe(404);
  });

  it('Warn (also the default) stores the object without the field and says so in a Warning header', async () => {
    for (const [name, query] of [
      ['warn', '?fieldValidation=Warn'],
      ['default', ''],
    ]) {
      const res = await request('POST', `${DEPLOYMENTS}${query}`, deployment(name, { replicaz: 2 }));
      expect(res.code).toBe(201);
      expect(res.warnings).toEqual(['299 - "unknown field \\"spec.replicaz\\""']);
      expect(res.body.spec).not.toHaveProperty('replicaz');
      expect((await api(cp.config, 'GET', `${DEPLOYMENTS}/${name}`)).body.spec).not.toHaveProperty('replicaz');
    }
  });

  it('Ignore stores the object without the field, quietly', async () => {
    const res = await request('POST', `${DEPLOYMENTS}?fieldValidation=Ignore`, deployment('ignore', { replicaz: 2 }));
    expect(res.code).toBe(201);
    expect(res.warnings).toEqual([]);
    expect((await api(cp.config, 'GET', `${DEPLOYMENTS}/ignore`)).body.spec).not.toHaveProperty('replicaz');
  });

  it('checks a PUT and a merge patch the same way', async () => {
    const current = (await api(cp.config, 'GET', `${DEPLOYMENTS}/ignore`)).body;
    const put = await request('PUT', `${DEPLOYMENTS}/ignore?fieldValidation=Strict`, {
      ...current,
      spec: { ...current.spec, paused: 'yes' },
    });
    expect(put.body.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
    );
    const patch = await request(
      'PATCH',
      `${DEPLOYMENTS}/ignore?fieldValidation=Strict`,
      { spec: { replicaz: 3 } },
      'application/merge-patch+json',
    );
    expect(patch.code).toBe(422);
    expect(patch.body.details.causes[0].field).toBe('patch');
    expect(patch.body.message).toMatch(/ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec.replicaz"$/);
    const smp = await request(
      'PATCH',
      `${DEPLOYMENTS}/ignore?fieldValidation=Warn`,
      { spec: { replicaz: 3 } },
      'application/strategic-merge-patch+json',
    );
    expect(smp.code).toBe(200);
    expect(smp.warnings).toEqual(['299 - "unknown field \\"spec.replicaz\\""']);
  });

  it('refuses a fieldValidation it does not know', async () => {
    const res = await request('POST', `${DEPLOYMENTS}?fieldValidation=Loose`, deployment('loose'));
    expect(res.body).toMatchObject({
      code: 422,
      message:
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "Ignore", "Strict", "Warn"',
    });
  });
});

describe('OpenAPI', () => {
  it('/openapi/v3 lists a document per group version, each tagging its kinds and PATCH with fieldValidation', async () => {
    const index = await api(cp.config, 'GET', '/openapi/v3');
    expect(Object.keys(index.body.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/rbac.authorization.k8s.io/v1']));
    const url: string = index.body.paths['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);

    const doc = await request('GET', url);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    expect(doc.headers.etag).toBe(`"${url.split('hash=')[1]}"`);
    const deploymentSchema = doc.body.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(deploymentSchema['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(deploymentSchema.properties.spec.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
    expect(doc.body.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    const patch = doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']),
    );

    const cached = await send(cp.config, 'GET', url, undefined, { 'If-None-Match': doc.headers.etag as string });
    expect(cached.statusCode).toBe(304);
    cached.resume();
    const stale = await send(cp.config, 'GET', '/openapi/v3/apis/apps/v1?hash=00');
    expect([stale.statusCode, stale.headers.location]).toEqual([301, url]);
    stale.resume();
  });

  it('/openapi/v2 is the same schemas in Swagger 2.0, and an empty document to protobuf clients', async () => {
    const v2 = await api(cp.config, 'GET', '/openapi/v2');
    expect(v2.body.swagger).toBe('2.0');
    expect(v2.body.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', version: 'v1', kind: 'Pod' },
    ]);
    expect(v2.body.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({
      type: 'string',
      format: 'int-or-string',
    });
    const pb = await api(
      cp.config,
      'GET',
      '/openapi/v2',
      undefined,
      'application/json',
      'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    );
    expect([pb.code, pb.body, pb.contentType]).toEqual([200, '', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf']);
  });
});
