import type { Pod, Service } from '../../shared/api/core';
import { computeSubsets, resolveTargetPort, sliceFor } from './endpoints';

const svc: Service = {
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
};

const pod = (name: string, ip: string | undefined, ready: boolean, port = 8080, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: port }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('endpoints', () => {
  it('puts ready pods in addresses and the others in notReadyAddresses, resolving named ports per pod', () => {
    const subsets = computeSubsets(svc, [
      pod('b', '10.244.1.10', true),
      pod('a', '10.244.1.9', true),
      pod('c', '10.244.2.3', false),
      pod('d', undefined, true),
    ]);
    expect(subsets).toEqual([
      {
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        addresses: [
          { ip: '10.244.1.9', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.244.1.10', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [
          { ip: '10.244.2.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } },
        ],
      },
    ]);
  });

  it('groups pods whose named port resolves differently into separate subsets, and skips terminating pods', () => {
    const subsets = computeSubsets(svc, [
      pod('a', '10.244.1.2', true, 8080),
      pod('b', '10.244.1.3', true, 9090),
      pod('c', '10.244.1.4', true, 8080, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    ]);
    expect(subsets.map((s) => [s.ports![0].port, s.addresses!.map((a) => a.ip)])).toEqual([
      [8080, ['10.244.1.2']],
      [9090, ['10.244.1.3']],
    ]);
  });

  it('resolves target ports by number, numeric string, name, or the service port', () => {
    const p = pod('a', '1.1.1.1', true);
    expect([
      resolveTargetPort(p, 81, 80),
      resolveTargetPort(p, '82', 80),
      resolveTargetPort(p, 'http', 80),
      resolveTargetPort(p, undefined, 80),
      resolveTargetPort(p, 'nope', 80),
    ]).toEqual([81, 82, 8080, 80, undefined]);
  });

  it('mirrors the endpoints into an EndpointSlice owned by the Service', () => {
    const slice = sliceFor(svc, computeSubsets(svc, [pod('a', '10.244.1.2', true), pod('b', '10.244.1.3', false)]));
    expect(slice.metadata.labels).toEqual({
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata.ownerReferences![0]).toMatchObject({ kind: 'Service', uid: 'svc-uid' });
    expect(slice.endpoints.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ['10.244.1.2', true],
      ['10.244.1.3', false],
    ]);
  });
});
