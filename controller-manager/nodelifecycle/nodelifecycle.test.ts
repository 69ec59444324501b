import type { Node } from '../../shared/api/core';
import { ingressFor } from '../servicelb/servicelb';
import { nextPodCIDR } from '../nodeipam/nodeipam';
import { lastHeartbeat } from './nodelifecycle';

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

  it("gives each node the next free /24 after the gateway's", () => {
    expect(nextPodCIDR('10.244.0.0/16', new Set())).toBe('10.244.1.0/24');
    expect(nextPodCIDR('10.244.0.0/16', new Set(['10.244.1.0/24', '10.244.2.0/24']))).toBe('10.244.3.0/24');
    expect(nextPodCIDR('10.244.0.0/23', new Set(['10.244.1.0/24']))).toBeUndefined();
  });

  it('uses the InternalIPs of Ready nodes as LoadBalancer ingress, once each', () => {
    expect(ingressFor([node('a', '127.0.0.1', true), node('b', '127.0.0.1', true), node('c', '10.0.0.3', false)])).toEqual([
      { ip: '127.0.0.1' },
    ]);
  });
});
