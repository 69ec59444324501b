// Protobuf request bodies at a real apiserver: each request kubectl 1.33 sends as protobuf is answered
// exactly as the JSON request kubectl 1.31 sends for the same command (same status, same object; the
// creates were captured with --dry-run=server, so nothing is stored and each runs both ways), in JSON.
import { fixture, fixtures, fromHexDump, isProtobuf } from '../../apiserver/protobuf/testdata/fixtures';
import { ControlPlane, startControlPlane } from '../processes';
import { api } from './api';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const ACCEPT = `${PROTOBUF},application/json`; // what kubectl 1.32+ sends

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp?.stop());

/** What differs between two creations of the same object: its identity (a Job's selector names it), time, and allocated IPs and ports. */
function comparable(body: any): any {
  const uid = body?.metadata?.uid;
  const copy = uid ? JSON.parse(JSON.stringify(body).replaceAll(uid, '<uid>')) : structuredClone(body);
  if (copy?.metadata) {
    delete copy.metadata.uid;
    delete copy.metadata.creationTimestamp;
    delete copy.metadata.resourceVersion;
    // Who wrote which field is the same; when (to the second) may differ between the two requests.
    for (const entry of copy.metadata.managedFields ?? []) delete entry.time;
  }
  if (copy?.kind === 'Service') {
    delete copy.spec.clusterIP;
    delete copy.spec.clusterIPs;
  }
  return copy;
}

const cases = fixtures
  .filter((f) => f.name !== 'autoscale') // 1.31 creates an autoscaling/v1 HPA, 1.33 a v2 one: see below
  .flatMap((f) => f.requests['1.33'].flatMap((r, i) => (isProtobuf(r) ? [{ f, protobuf: r, json: f.requests['1.31'][i] }] : [])));

describe('protobuf bodies from kubectl 1.33', () => {
  it.each(cases.map((c) => [c.f.command, c] as const))('%s: answered as its JSON twin from kubectl 1.31', async (_title, c) => {
    expect(c.protobuf.path).toBe(c.json.path);
    const viaJSON = await api(cp.config, c.json.method, c.json.path, c.json.body);
    const viaProtobuf = await api(cp.config, c.protobuf.method, c.protobuf.path, fromHexDump(c.protobuf.body), PROTOBUF, ACCEPT);
    expect(viaProtobuf.contentType).toMatch(/^application\/json\b/);
    expect(viaProtobuf.code).toBe(viaJSON.code);
    expect(comparable(viaProtobuf.body)).toStrictEqual(comparable(viaJSON.body));
  });

  it('creates an autoscaling/v2 HorizontalPodAutoscaler from `kubectl autoscale`, as the v1 one from 1.31', async () => {
    const f = fixture('autoscale');
    const [v1, v2] = [f.requests['1.31'][0], f.requests['1.33'][0]];
    const viaJSON = await api(cp.config, v1.method, v1.path, v1.body);
    const viaProtobuf = await api(cp.config, v2.method, v2.path, fromHexDump(v2.body as string[]), PROTOBUF, ACCEPT);
    expect([viaJSON.code, viaProtobuf.code]).toEqual([201, 201]);
    expect(viaProtobuf.body.spec).toStrictEqual({
      scaleTargetRef: viaJSON.body.spec.scaleTargetRef,
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    });
  });

  it('stores the same object whichever way it came (a real create, read back)', async () => {
    const f = fixture('create-configmap');
    const dry = (path: string) => path.replace('dryRun=All&', '');
    const json = f.requests['1.31'][0];
    const pb = f.requests['1.33'][0];
    await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: 'pb' } });
    await api(cp.config, 'POST', dry(json.path), json.body);
    await api(cp.config, 'POST', dry(pb.path).replace('/default/', '/pb/'), fromHexDump(pb.body as string[]), PROTOBUF, ACCEPT);
    const [a, b] = await Promise.all(['default', 'pb'].map((ns) => api(cp.config, 'GET', `/api/v1/namespaces/${ns}/configmaps/foo`)));
    expect(b.code).toBe(200);
    const { namespace: _a, ...metaA } = comparable(a.body).metadata;
    const { namespace: _b, ...metaB } = comparable(b.body).metadata;
    expect({ ...comparable(b.body), metadata: metaB }).toStrictEqual({ ...comparable(a.body), metadata: metaA });
  });

  it('refuses a kind it has no message for with 415, and a body that is not protobuf with 400, in JSON', async () => {
    const widget = Buffer.from('6b3873000a180a0e6578616d706c652e636f6d2f76311206576964676574', 'hex'); // example.com/v1 Widget
    const res = await api(cp.config, 'POST', '/api/v1/namespaces/default/configmaps', widget, PROTOBUF, ACCEPT);
    expect(res.contentType).toMatch(/^application\/json\b/);
    expect(res.body).toMatchObject({ kind: 'Status', code: 415, reason: 'UnsupportedMediaType' });
    expect(res.body.message).toContain('cannot decode the protobuf message of example.com/v1, Kind=Widget');
    const junk = await api(cp.config, 'POST', '/api/v1/namespaces/default/configmaps', '{"kind":"ConfigMap"}', PROTOBUF, ACCEPT);
    expect(junk.body).toMatchObject({ kind: 'Status', code: 400 });
  });
});
