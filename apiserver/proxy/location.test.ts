import type { Endpoints, Node, Pod, Service } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { notFound, StatusError } from '../../shared/errors';
import { nodeLocation, ObjectGetter, podLocation, serviceLocation, splitSchemeNamePort } from './location';

/** A getter over a few objects, as a Store answers: the object, or a NotFound. */
function getter(plural: string, objects: KubeObject[]): ObjectGetter {
  return {
    get: async (namespace, name) => {
      const found = objects.find((o) => o.metadata.name === name && (o.metadata.namespace ?? undefined) === (namespace || undefined));
      if (!found) throw notFound(plural, name);
      return found;
    },
  };
}

async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string }> {
  try {
    await p;
  } catch (err) {
    return (err as StatusError).status;
  }
  throw new Error('resolved');
}

const pod = (name: string, ip: string | undefined, ports: { name?: string; containerPort: number }[] = []): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [
      { name: 'c', image: 'i' },
      { name: 'd', image: 'i', ports },
    ],
  },
  status: ip ? { podIP: ip, podIPs: [{ ip }] } : {},
});

describe('splitSchemeNamePort', () => {
  it.each([
    ['web', { scheme: '', name: 'web', port: '' }],
    ['web:80', { scheme: '', name: 'web', port: '80' }],
    ['web:http', { scheme: '', name: 'web', port: 'http' }],
    ['https:web:443', { scheme: 'https', name: 'web', port: '443' }],
    ['https:web:', { scheme: 'https', name: 'web', port: '' }],
  ])('%s', (id, want) => expect(splitSchemeNamePort(id)).toEqual(want));

  it.each(['', ':80', 'ftp:web:21', 'a:b:c:d'])('refuses %j', (id) => expect(splitSchemeNamePort(id)).toBeUndefined());
});

describe('podLocation', () => {
  const pods = getter('pods', [
    pod('web', '10.244.0.7', [{ name: 'http', containerPort: 8080 }]),
    pod('bare', '10.244.0.8'),
    pod('pending', undefined),
    pod('host', '127.0.0.1'),
    pod('linklocal', '169.254.169.254'),
  ]);

  it('dials the pod IP on the port asked for, by number or container port name, else the first declared one', async () => {
    expect(await podLocation(pods, 'default', 'web:9090')).toEqual({ scheme: 'http', host: '10.244.0.7', port: 9090, transport: 'direct' });
    expect(await podLocation(pods, 'default', 'https:web:http')).toEqual({
      scheme: 'https',
      host: '10.244.0.7',
      port: 8080,
      transport: 'direct',
    });
    expect(await podLocation(pods, 'default', 'web')).toMatchObject({ port: 8080 });
    expect(await podLocation(pods, 'default', 'bare')).toEqual({
      scheme: 'http',
      host: '10.244.0.8',
      port: undefined,
      transport: 'direct',
    });
  });

  it('refuses pods without an address, or whose address is not global unicast, as Kubernetes words it', async () => {
    for (const name of ['pending', 'host', 'linklocal']) {
      expect(await statusOf(podLocation(pods, 'default', name))).toMatchObject({ code: 400, message: 'address not allowed' });
    }
    expect(await statusOf(podLocation(pods, 'default', 'a:b:c:d'))).toMatchObject({ code: 400, message: 'invalid pod request "a:b:c:d"' });
    expect(await statusOf(podLocation(pods, 'default', 'web:nope'))).toMatchObject({ code: 400 });
    expect(await statusOf(podLocation(pods, 'default', 'gone'))).toMatchObject({ code: 404, message: 'pods "gone" not found' });
  });
});

describe('serviceLocation', () => {
  const service: Service = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9100 },
      ],
    },
  };
  const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name });
  const endpoints: Endpoints = {
    metadata: { name: 'web', namespace: 'default' },
    subsets: [
      {
        addresses: [
          { ip: '10.244.0.7', targetRef: ref('a') },
          { ip: '10.244.0.9', targetRef: ref('b') },
        ],
        notReadyAddresses: [{ ip: '10.244.0.5', targetRef: ref('c') }],
        ports: [{ name: 'http', port: 8080 }],
      },
    ],
  };
  const getters = (eps: Endpoints[], pods: Pod[] = [pod('a', '10.244.0.7'), pod('b', '10.244.0.9'), pod('c', '10.244.0.5')]) => ({
    services: getter('services', [service, { metadata: { name: 'bare', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }]),
    endpoints: getter('endpoints', eps),
    pods: getter('pods', pods),
  });
  const first = () => 0;

  it('dials a ready endpoint of the Service port asked for by number or name, starting at a random address', async () => {
    expect(await serviceLocation(getters([endpoints]), 'default', 'web:80', first)).toEqual({
      scheme: 'http',
      host: '10.244.0.7',
      port: 8080,
      transport: 'direct',
    });
    expect(await serviceLocation(getters([endpoints]), 'default', 'https:web:http', () => 1)).toEqual({
      scheme: 'https',
      host: '10.244.0.9',
      port: 8080,
      transport: 'direct',
    });
  });

  it('takes the unnamed port when none is asked for', async () => {
    const eps = {
      metadata: { name: 'bare', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.0.7', targetRef: ref('a') }], ports: [{ port: 3000 }] }],
    };
    expect(await serviceLocation(getters([eps]), 'default', 'bare', first)).toMatchObject({ host: '10.244.0.7', port: 3000 });
    expect(await serviceLocation(getters([eps]), 'default', 'bare:80', first)).toMatchObject({ port: 3000 });
  });

  it('skips addresses that are not the IP of the pod they name, so hand-written Endpoints lead nowhere', async () => {
    const forged: Endpoints = {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [
        {
          addresses: [
            { ip: '10.0.0.1' }, // no targetRef
            { ip: '10.244.0.99', targetRef: ref('a') }, // a's IP is 10.244.0.7
            { ip: '10.244.0.9', targetRef: { ...ref('b'), namespace: 'other' } },
            { ip: '10.244.0.5', targetRef: ref('gone') },
          ],
          ports: [{ name: 'http', port: 8080 }],
        },
      ],
    };
    expect(await statusOf(serviceLocation(getters([forged]), 'default', 'web:80', first))).toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
      message: 'no endpoints available for service "web:80"',
    });
  });

  it('answers 503 or 404 as Kubernetes does when nothing can serve', async () => {
    expect(await statusOf(serviceLocation(getters([endpoints]), 'default', 'web:81', first))).toMatchObject({
      code: 503,
      message: 'no service port 81 found for service "web"',
    });
    expect(await statusOf(serviceLocation(getters([endpoints]), 'default', 'web:metrics', first))).toMatchObject({
      code: 503,
      message: 'no endpoints available for service "web:metrics"',
    });
    const empty = { metadata: { name: 'web', namespace: 'default' }, subsets: [] };
    expect(await statusOf(serviceLocation(getters([empty]), 'default', 'web', first))).toMatchObject({
      code: 503,
      message: 'no endpoints available for service "web"',
    });
    expect(await statusOf(serviceLocation(getters([]), 'default', 'web', first))).toMatchObject({
      code: 404,
      message: 'endpoints "web" not found',
    });
    expect(await statusOf(serviceLocation(getters([]), 'default', 'nope:80', first))).toMatchObject({
      code: 404,
      message: 'services "nope" not found',
    });
    expect(await statusOf(serviceLocation(getters([]), 'default', 'ftp:web:21', first))).toMatchObject({
      code: 400,
      message: 'invalid service request "ftp:web:21"',
    });
  });
});

describe('nodeLocation', () => {
  const node = (name: string, ip: string): Node => ({
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: ip }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
  });
  const nodes = getter('nodes', [node('node-1', '192.168.56.11'), node('local', '127.0.0.1'), { metadata: { name: 'new' } }]);

  it('goes to the kubelet with its client certificate, or directly to another port of the node', async () => {
    expect(await nodeLocation(nodes, 'node-1')).toEqual({ scheme: 'https', host: '192.168.56.11', port: 10250, transport: 'kubelet' });
    expect(await nodeLocation(nodes, 'http:node-1:10250')).toMatchObject({ transport: 'kubelet', scheme: 'https' });
    expect(await nodeLocation(nodes, 'node-1:9100')).toEqual({ scheme: 'http', host: '192.168.56.11', port: 9100, transport: 'direct' });
  });

  it("keeps a loopback node to its kubelet's port, the one address logs and exec already use", async () => {
    expect(await nodeLocation(nodes, 'local')).toMatchObject({ host: '127.0.0.1', transport: 'kubelet' });
    expect(await statusOf(nodeLocation(nodes, 'local:2379'))).toMatchObject({ code: 400, message: 'address not allowed' });
  });

  it('refuses a node without an address, or a malformed request', async () => {
    expect(await statusOf(nodeLocation(nodes, 'new'))).toMatchObject({
      code: 500,
      message: 'Internal error occurred: no preferred addresses found; known addresses: []',
    });
    expect(await statusOf(nodeLocation(nodes, 'node-1:metrics'))).toMatchObject({ code: 400 });
    expect(await statusOf(nodeLocation(nodes, 'gone'))).toMatchObject({ code: 404, message: 'nodes "gone" not found' });
  });
});
