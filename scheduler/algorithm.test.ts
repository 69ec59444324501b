import type { Node, Pod } from '../shared/api/core';
import { findNodeForPod } from './algorithm';
import { SchedulerCache } from './cache';
import type { FilterPlugin } from './framework';
import { DEFAULT_FILTERS } from './plugins/filters';
import { DEFAULT_SCORES } from './plugins/scores';

const node = (
  name: string,
  opts: { cpu?: string; labels?: Record<string, string>; ready?: boolean; unschedulable?: boolean; taints?: any[] } = {},
): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
  spec: { unschedulable: opts.unschedulable, taints: opts.taints },
  status: {
    allocatable: { cpu: opts.cpu ?? '2', memory: '4Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

const pod = (name: string, spec: Partial<Pod['spec']> = {}, owner?: string): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

const withCpu = (cpu: string) => ({ containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] });

function cacheOf(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  nodes.forEach((n) => cache.setNode(n));
  pods.forEach((p) => cache.updatePod(p));
  return cache;
}

const schedule = (cache: SchedulerCache, p: Pod) => findNodeForPod(p, cache.nodeInfos(), DEFAULT_FILTERS, DEFAULT_SCORES, () => 0);

describe('scheduling decisions', () => {
  it('explains why a pod fits nowhere, counting nodes per reason, as Kubernetes does', () => {
    const cache = cacheOf([
      node('node-1', { cpu: '1' }),
      node('node-2', { cpu: '1' }),
      node('node-3', { cpu: '1', labels: { disk: 'hdd' } }),
    ]);
    const result = schedule(cache, pod('p', { ...withCpu('1500m'), nodeSelector: { disk: 'hdd' } }));
    expect(result).toEqual({
      unschedulable:
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
  });

  it('counts the requests of pods already on a node, and of assumed pods', () => {
    const cache = cacheOf([node('node-1', { cpu: '1' })], [pod('running', { ...withCpu('600m'), nodeName: 'node-1' })]);
    expect(schedule(cache, pod('p', withCpu('500m')))).toHaveProperty('unschedulable');
    const free = cacheOf([node('node-1', { cpu: '1' })]);
    const first = pod('a', withCpu('600m'));
    expect(schedule(free, first)).toEqual({ node: 'node-1' });
    free.assume(first, 'node-1');
    expect(schedule(free, pod('b', withCpu('600m')))).toHaveProperty('unschedulable');
    free.forget(first);
    expect(schedule(free, pod('b', withCpu('600m')))).toEqual({ node: 'node-1' });
  });

  it('ignores finished pods and frees a node when its pod is deleted', () => {
    const done = pod('done', { ...withCpu('1'), nodeName: 'node-1' });
    const cache = cacheOf([node('node-1', { cpu: '1' })], [{ ...done, status: { phase: 'Succeeded' } }]);
    expect(schedule(cache, pod('p', withCpu('1')))).toEqual({ node: 'node-1' });
    const busy = cacheOf([node('node-1', { cpu: '1' })], [done]);
    expect(schedule(busy, pod('p', withCpu('1')))).toHaveProperty('unschedulable');
    busy.removePod(done);
    expect(schedule(busy, pod('p', withCpu('1')))).toEqual({ node: 'node-1' });
  });

  it('filters not-ready, cordoned and tainted nodes unless tolerated', () => {
    const cache = cacheOf([
      node('a', { ready: false }),
      node('b', { unschedulable: true }),
      node('c', { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] }),
    ]);
    expect(schedule(cache, pod('p'))).toEqual({
      unschedulable:
        '0/3 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    expect(schedule(cache, pod('p', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }] }))).toEqual({
      node: 'c',
    });
  });

  it('matches required node affinity expressions', () => {
    const cache = cacheOf([node('a', { labels: { zone: 'east' } }), node('b', { labels: { zone: 'west' } })]);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn' as const, values: ['east'] }] }],
        },
      },
    };
    expect(schedule(cache, pod('p', { affinity }))).toEqual({ node: 'b' });
  });

  it('refuses a host port already taken on the node', () => {
    const hostPort = { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' as const }] }] };
    const cache = cacheOf([node('a')], [pod('taken', { ...hostPort, nodeName: 'a' })]);
    expect(schedule(cache, pod('p', hostPort))).toEqual({
      unschedulable:
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    });
  });

  it('spreads the pods of one owner across nodes', () => {
    const cache = cacheOf([node('a'), node('b')], [pod('r1', { nodeName: 'a' }, 'rs-1'), pod('r2', { nodeName: 'a' }, 'rs-1')]);
    expect(schedule(cache, pod('r3', {}, 'rs-1'))).toEqual({ node: 'b' });
  });

  it('prefers the less allocated node', () => {
    const cache = cacheOf([node('a'), node('b')], [pod('heavy', { ...withCpu('1500m'), nodeName: 'a' })]);
    expect(schedule(cache, pod('p', withCpu('100m')))).toEqual({ node: 'b' });
  });
});

describe('filter statuses', () => {
  const failing: FilterPlugin = { name: 'Broken', filter: () => ({ code: 'Error', reasons: ['cache is corrupt'] }) };

  it('turns an Error status into a failed attempt, not a fit error', () => {
    const result = findNodeForPod(pod('p'), cacheOf([node('n1')]).nodeInfos(), [failing], DEFAULT_SCORES);
    expect(result).toEqual({ error: 'running "Broken" filter plugin: cache is corrupt' });
  });

  it('counts Unschedulable and UnschedulableAndUnresolvable reasons alike in the fit error', () => {
    const nodes = [node('n1', { cpu: '100m', labels: { disk: 'hdd' } }), node('n2')];
    const result = findNodeForPod(
      pod('p', { ...withCpu('500m'), nodeSelector: { disk: 'hdd' } }),
      cacheOf(nodes).nodeInfos(),
      DEFAULT_FILTERS,
      DEFAULT_SCORES,
    );
    expect(result).toEqual({
      unschedulable:
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    });
  });
});
