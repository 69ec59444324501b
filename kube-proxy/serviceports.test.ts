import type { Endpoints, Service } from '../shared/api/core';
import { listenersFor, nodePortAddresses, servicePortInfo } from './serviceports';
import { cidrContains, parseCidr } from '../shared/cidr';

const svc = (spec: Partial<Service['spec']>, status?: Service['status']): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    clusterIP: '10.96.0.20',
    ports: [
      { name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
    ...spec,
  },
  status,
});

describe('service ports', () => {
  it('listens on the ClusterIP for every port, and on node addresses for node ports', () => {
    const ls = listenersFor(svc({ type: 'NodePort' }), ['127.0.0.1'], () => false).map(
      (l) => `${l.protocol} ${l.address}:${l.port} ${l.servicePort}`,
    );
    expect(ls).toEqual(['TCP 10.96.0.20:80 default/web:http', 'TCP 127.0.0.1:30080 default/web:http', 'UDP 10.96.0.20:53 default/web:dns']);
  });

  it('serves LoadBalancer ports on local ingress addresses only, and nothing for ExternalName or headless', () => {
    const lb = svc(
      { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '127.0.0.1' }, { ip: '192.0.2.1' }] } },
    );
    expect(listenersFor(lb, [], (ip) => ip === '127.0.0.1').map((l) => `${l.address}:${l.port}`)).toEqual([
      '10.96.0.20:80',
      '127.0.0.1:80',
    ]);
    expect(listenersFor(svc({ type: 'ExternalName', externalName: 'example.com' }), ['127.0.0.1'], () => true)).toEqual([]);
    expect(listenersFor(svc({ clusterIP: 'None' }), [], () => true)).toEqual([]);
  });

  it('matches endpoints to service ports by name and protocol, ready addresses only', () => {
    const ep: Endpoints = {
      metadata: { name: 'web' },
      subsets: [
        {
          addresses: [{ ip: '10.244.1.2' }],
          notReadyAddresses: [{ ip: '10.244.1.9' }],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'dns', port: 5353, protocol: 'UDP' },
          ],
        },
      ],
    };
    const info = servicePortInfo(svc({ sessionAffinity: 'ClientIP' }), ep);
    expect(info.get('default/web:http')).toEqual({ affinityTimeoutSeconds: 10800, endpoints: [{ ip: '10.244.1.2', port: 8080 }] });
    expect(info.get('default/web:dns')!.endpoints).toEqual([{ ip: '10.244.1.2', port: 5353 }]);
  });

  it('binds node ports only on local addresses inside --nodeport-addresses', () => {
    const contains = (c: string, ip: string) => cidrContains(parseCidr(c), ip);
    expect(nodePortAddresses(['127.0.0.1/32'], ['127.0.0.1', '10.0.2.15', '172.17.0.1'], contains)).toEqual(['127.0.0.1']);
    expect(nodePortAddresses(['10.0.0.0/8'], ['127.0.0.1', '10.0.2.15'], contains)).toEqual(['10.0.2.15']);
  });
});
