import type { Node, Pod } from '../../shared/api/core';
import { newLogger } from '../../shared/log';
import { ingressFor } from '../servicelb/servicelb';
import { clockAt, FakeAPI, fakeInformers, fakeRecorder, synced } from '../testing';
import { lastHeartbeat, NodeLifecycleController, UNREACHABLE } from './nodelifecycle';

const node = (name: string, ip: string, ready: boolean, heartbeat = '2026-01-01T00:00:00Z'): Node => ({
  metadata: { name, creationTimestamp: '2025-12-31T00:00:00Z' },
  status: {
    addresses: [{ type: 'InternalIP', address: ip }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastHeartbeatTime: heartbeat }],
  },
});

describe('node lifecycle helpers', () => {
  it('hears from a node through its lease or its Ready heartbeat, whichever is later', () => {
    const n = node('a', '10.0.0.1', true, '2026-01-01T00:00:10Z');
    expect(lastHeartbeat(n, undefined)).toBe(Date.parse('2026-01-01T00:00:10Z'));
    expect(lastHeartbeat(n, { metadata: {}, spec: { renewTime: '2026-01-01T00:00:30.000000Z' } })).toBe(Date.parse('2026-01-01T00:00:30Z'));
  });

  it('uses the InternalIPs of Ready nodes as LoadBalancer ingress, once each', () => {
    expect(ingressFor([node('a', '127.0.0.1', true), node('b', '127.0.0.1', true), node('c', '10.0.0.3', false)])).toEqual([
      { ip: '127.0.0.1' },
    ]);
  });
});

describe('node lifecycle controller', () => {
  const opts = { gracePeriodMs: 20_000, evictionTimeoutMs: 30_000, monitorPeriodMs: 5_000 };
  const NODE_PATH = '/api/v1/nodes/n1';
  const boundPod = (name: string): Pod => ({
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
  });

  async function setup(n: Node, pods: Pod[], at: string) {
    const informers = fakeInformers({ nodes: [n], pods, leases: [] });
    const api = new FakeAPI({ [NODE_PATH]: n });
    const recorder = fakeRecorder();
    const c = new NodeLifecycleController(
      informers,
      api as never,
      recorder,
      clockAt(at),
      opts,
      newLogger('test').child({ level: 'silent' }),
    );
    await synced(informers);
    return { c, api, recorder };
  }

  it('marks a node silent for the grace period Unknown and taints it unreachable', async () => {
    const { c, api, recorder } = await setup(node('n1', '10.0.0.1', true), [boundPod('web')], '2026-01-01T00:00:21Z');
    await c.monitorNodeHealth();
    expect(api.calls()).toEqual([`PUT ${NODE_PATH}/status`, `PUT ${NODE_PATH}`]);
    const status = api.requests[0].body as Node;
    expect(status.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect((api.requests[1].body as Node).spec?.taints).toEqual([
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: '2026-01-01T00:00:21Z' },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:21Z' },
    ]);
    expect(recorder.events).toEqual(['NodeNotReady: Node n1 status is now: NodeNotReady']);
  });

  it('evicts the pods of an unreachable node once the eviction timeout has passed since the taint', async () => {
    const tainted = {
      ...node('n1', '10.0.0.1', false),
      spec: { taints: [{ key: UNREACHABLE, effect: 'NoExecute' as const, timeAdded: '2026-01-01T00:00:21Z' }] },
    };
    const early = await setup(tainted, [boundPod('web')], '2026-01-01T00:00:50Z');
    await early.c.monitorNodeHealth();
    expect(early.api.calls()).toEqual([]);

    const late = await setup(tainted, [boundPod('web')], '2026-01-01T00:00:51Z');
    await late.c.monitorNodeHealth();
    expect(late.api.requests).toEqual([
      {
        call: 'DELETE /api/v1/namespaces/default/pods/web',
        body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-web' } },
      },
    ]);
    expect(late.recorder.events).toEqual(['TaintManagerEviction: Marking for deletion Pod default/web']);
  });

  it('removes the unreachable taint when the node is heard from again', async () => {
    const back = {
      ...node('n1', '10.0.0.1', true, '2026-01-01T00:01:00Z'),
      spec: { taints: [{ key: UNREACHABLE, effect: 'NoExecute' as const, timeAdded: '2026-01-01T00:00:21Z' }] },
    };
    const { c, api } = await setup(back, [], '2026-01-01T00:01:05Z');
    await c.monitorNodeHealth();
    expect(api.calls()).toEqual([`PUT ${NODE_PATH}`]);
    expect((api.requests[0].body as Node).spec?.taints).toBeUndefined();
  });
});
