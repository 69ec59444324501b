import type { Node } from '../../shared/api/core';
import { ingressFor } from '../servicelb/servicelb';
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

  it('uses the InternalIPs of Ready nodes as LoadBalancer ingress, once each', () => {
    expect(ingressFor([node('a', '127.0.0.1', true), node('b', '127.0.0.1', true), node('c', '10.0.0.3', false)])).toEqual([
      { ip: '127.0.0.1' },
    ]);
  });
});
