import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../../test/cputime';
import { StatusError } from '../../shared/errors';
import { applyPatch } from './index';
import { MAX_JSON_PATCH_OPERATIONS } from './jsonpatch';

const JSON_PATCH = 'application/json-patch+json';
const MiB = 1024 * 1024;

/** The Status `fn` throws. */
function status(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err.status;
    throw err;
  }
  throw new Error('no error');
}

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

  it('JSON patch: applies operations and answers one that does not apply with 422, as kube-apiserver does', () => {
    const out = applyPatch(
      { metadata: { labels: {} } },
      [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
      'application/json-patch+json',
      'Pod',
    );
    expect(out).toEqual({ metadata: { labels: { x: 'y' } } });
    for (const bad of [
      [{ op: 'test', path: '/a', value: 2 }],
      [{ op: 'remove', path: '/nope' }],
      [{ op: 'copy', from: '/nope', path: '/b' }],
      [{ op: 'move', from: '/a/x', path: '/b' }],
      [{ op: 'add', path: '/__proto__/x', value: 1 }],
      [{ op: 'bogus', path: '/a' }],
    ]) {
      expect(status(() => applyPatch({ a: 1 }, bad, JSON_PATCH, 'Pod'))).toMatchObject({
        code: 422,
        reason: 'Invalid',
        message: 'the server rejected our request due to an error in our request',
      });
    }
    expect(
      applyPatch(
        { a: [1, 2] },
        [
          { op: 'move', from: '/a/0', path: '/a/-' },
          { op: 'copy', from: '/a', path: '/b' },
        ],
        JSON_PATCH,
        'Pod',
      ),
    ).toEqual({
      a: [2, 1],
      b: [2, 1],
    });
  });

  it('refuses unknown patch types with 415', () => {
    expect(() => applyPatch({}, {}, 'text/plain', 'Pod')).toThrow(/unknown format/);
  });
});

describe('patches on hostile input (about 3 MiB), within 2 s of CPU', () => {
  const names = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, image: 'x' }));
  const podWith = (containers: unknown[]) => ({
    metadata: { name: 'p', finalizers: Array.from({ length: 300_000 }, (_, i) => `f${i}`) },
    spec: { containers },
  });

  it('merges 50,000 containers into 50,000 by name, and reorders them, with maps', () => {
    const original = podWith(names(50_000));
    const patch = { spec: { containers: names(50_000, 'd'), '$setElementOrder/containers': names(100_000).map(({ name }) => ({ name })) } };
    const run = measureCpu(() => applyPatch(original, patch, SMP, 'Pod') as { spec: { containers: unknown[] } });
    expect(run.value!.spec.containers).toHaveLength(100_000);
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it('merges 200,000 finalizers into 300,000 as a set', () => {
    const run = measureCpu(() => applyPatch(podWith([]), { metadata: { finalizers: names(200_000, 'g').map((c) => c.name) } }, SMP, 'Pod'));
    expect((run.value as { metadata: { finalizers: string[] } }).metadata.finalizers).toHaveLength(500_000);
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it(`refuses more than ${MAX_JSON_PATCH_OPERATIONS} JSON patch operations with 413, as kube-apiserver does`, () => {
    const ops = Array.from({ length: 80_000 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
    const run = measureCpu(() => status(() => applyPatch(podWith([]), ops, JSON_PATCH, 'Pod')));
    expect(run.value).toMatchObject({ code: 413, message: 'The allowed maximum operations in a JSON patch is 10000, got 80000' });
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it.each([
    ['inserts at the front of a long list', { op: 'add', path: '/metadata/finalizers/0', value: 'x' }],
    ['removals from the front of a long list', { op: 'remove', path: '/metadata/finalizers/0' }],
    ['moves within a long list', { op: 'move', from: '/metadata/finalizers/0', path: '/metadata/finalizers/1' }],
    ['copies of the document into itself', { op: 'copy', from: '/metadata', path: '/metadata/x' }],
  ])('answers 10,000 %s with 422 once they cost too much', (_what, op) => {
    const run = measureCpu(() => status(() => applyPatch(podWith([]), Array(10_000).fill(op), JSON_PATCH, 'Pod')));
    expect(run.value).toMatchObject({ code: 422 });
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it('applies 10,000 moves and copies at the end of lists, looking sources up without cloning the document', () => {
    const ops = Array.from({ length: 5_000 }, (_, i) => [
      { op: 'copy', from: '/metadata/name', path: `/metadata/labels/l${i}` },
      { op: 'move', from: '/metadata/finalizers/299999', path: '/metadata/finalizers/-' },
    ]).flat();
    const original = { ...podWith([]), metadata: { ...podWith([]).metadata, labels: {} } };
    const run = measureCpu(() => applyPatch(original, ops, JSON_PATCH, 'Pod') as { metadata: { labels: object } });
    expect(Object.keys(run.value!.metadata.labels)).toHaveLength(5_000);
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it('follows a 3 MiB JSON pointer without trouble', () => {
    const run = measureCpu(() =>
      status(() => applyPatch(podWith([]), [{ op: 'add', path: '/a'.repeat(1.5 * MiB), value: 1 }], JSON_PATCH, 'Pod')),
    );
    expect(run.value).toMatchObject({ code: 422 });
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });
});
