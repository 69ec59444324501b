import { applyPatch } from './index';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { keep: 'me' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    },
  },
});

type D = ReturnType<typeof deployment>;
const SMP = 'application/strategic-merge-patch+json';

describe('strategic merge patch', () => {
  it('merges containers by name, as `kubectl set image` sends it', () => {
    const out = applyPatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
              containers: [{ name: 'nginx', image: 'nginx:1.27' }],
            },
          },
        },
      },
      SMP,
      'Deployment',
    ) as D;
    const [nginx, sidecar] = out.spec.template.spec.containers;
    expect(nginx.image).toBe('nginx:1.27');
    expect(nginx.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(sidecar.image).toBe('busybox');
  });

  it('applies kubectl apply patches: new fields, removed fields, element order', () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        replicas: 3,
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }], containers: [{ name: 'nginx', env: null }] },
        },
      },
    };
    const out = applyPatch(deployment(), patch, SMP, 'Deployment') as D;
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.annotations).toEqual({ keep: 'me', 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'nginx']);
    expect('env' in out.spec.template.spec.containers[1]).toBe(false);
  });

  it('honours $patch: delete in a merged list and $patch: replace on a map', () => {
    const del = applyPatch(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      SMP,
      'Deployment',
    ) as D;
    expect(del.spec.template.spec.containers.map((c) => c.name)).toEqual(['nginx']);
    const rep = applyPatch(deployment(), { metadata: { labels: { $patch: 'replace', tier: 'fe' } } }, SMP, 'Deployment') as D;
    expect(rep.metadata.labels).toEqual({ tier: 'fe' });
  });

  it('merges metadata.finalizers as a set and replaces lists without a merge key', () => {
    const out = applyPatch(deployment(), { metadata: { finalizers: ['b', 'a'] } }, SMP, 'Deployment') as D;
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    const pod = { metadata: {}, spec: { tolerations: [{ key: 'x' }] } };
    expect(applyPatch(pod, { spec: { tolerations: [{ key: 'y' }] } }, SMP, 'Pod')).toEqual({
      metadata: {},
      spec: { tolerations: [{ key: 'y' }] },
    });
  });

  it('merges Service ports by port, container ports by containerPort', () => {
    const svc = { metadata: {}, spec: { ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }, { port: 443 }] } };
    const out = applyPatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, SMP, 'Service') as typeof svc;
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090, nodePort: 30001 }, { port: 443 }]);
  });

  it('removes values with $deleteFromPrimitiveList', () => {
    const out = applyPatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, SMP, 'Deployment') as D;
    expect(out.metadata.finalizers).toEqual([]);
  });
});

describe('merge and JSON patches', () => {
  it('merge patch: null deletes a key, objects merge, lists replace', () => {
    const out = applyPatch(
      { metadata: { labels: { a: '1', b: '2' } }, list: [1, 2] },
      { metadata: { labels: { a: null, c: '3' } }, list: [3] },
      'application/merge-patch+json',
      'Pod',
    );
    expect(out).toEqual({ metadata: { labels: { b: '2', c: '3' } }, list: [3] });
  });

  it('JSON patch: applies operations and rejects a failing test with a 400', () => {
    const out = applyPatch(
      { metadata: { labels: {} } },
      [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
      'application/json-patch+json',
      'Pod',
    );
    expect(out).toEqual({ metadata: { labels: { x: 'y' } } });
    expect(() => applyPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }], 'application/json-patch+json', 'Pod')).toThrow(
      /rejected our request/,
    );
    expect(() => applyPatch({ a: 1 }, [{ op: 'remove', path: '/nope' }], 'application/json-patch+json', 'Pod')).toThrow(
      /rejected our request/,
    );
  });

  it('refuses unknown patch types with 415', () => {
    expect(() => applyPatch({}, {}, 'text/plain', 'Pod')).toThrow(/unknown format/);
  });
});
