import type { Endpoints, Service } from '../shared/api/core';
import { listenersFor, nodePortAddresses, servesExternalIP, servicePortInfo } from './serviceports';
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

  it('never dials loopback, link-local, unspecified or non-IP endpoints, nor ports out of range', () => {
    const ep: Endpoints = {
      metadata: { name: 'web' },
      subsets: [
        {
          addresses: ['127.0.0.1', '169.254.169.254', '0.0.0.0', '::1', 'etcd.local', '10.244.1.2'].map((ip) => ({ ip })),
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
        { addresses: [{ ip: '10.244.1.3' }], ports: [{ name: 'http', port: 70000, protocol: 'TCP' }] },
      ],
    };
    expect(servicePortInfo(svc({}), ep).get('default/web:http')!.endpoints).toEqual([{ ip: '10.244.1.2', port: 8080 }]);
  });

  it('opens externalIPs only on node addresses inside --nodeport-addresses, never on a ClusterIP', () => {
    const local = ['127.0.0.1', '192.168.56.10', '10.0.2.15', '10.96.0.10'];
    const inServiceRange = (ip: string) => cidrContains(parseCidr('10.96.0.0/12'), ip);
    const serves = (nodeAddresses: string[]) => (ip: string) => servesExternalIP(ip, nodeAddresses, local, inServiceRange);
    const external = svc({ externalIPs: ['192.168.56.10', '10.0.2.15', '203.0.113.7', '10.96.0.10'] });
    const opened = (nodeAddresses: string[]) =>
      listenersFor(external, nodeAddresses, serves(nodeAddresses))
        .filter((l) => l.address !== '10.96.0.20')
        .map((l) => `${l.address}:${l.port}`);
    // --nodeport-addresses=192.168.56.0/24: only that address; not the other local one, a foreign one or the DNS ClusterIP.
    expect(opened(['192.168.56.10'])).toEqual(['192.168.56.10:80', '192.168.56.10:53']);
    // No --nodeport-addresses: every local address, still never a ClusterIP held on kube-ipvs0.
    expect(opened(['0.0.0.0'])).toEqual(['192.168.56.10:80', '10.0.2.15:80', '192.168.56.10:53', '10.0.2.15:53']);
    // The same rule for LoadBalancer ingress IPs.
    const lb = svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '10.0.2.15' }, { ip: '10.96.0.10' }] } });
    expect(
      listenersFor(lb, ['127.0.0.1'], serves(['127.0.0.1'])).some((l) => l.address === '10.0.2.15' || l.address === '10.96.0.10'),
    ).toBe(false);
  });

  it('binds node ports only on local addresses inside --nodeport-addresses', () => {
    const contains = (c: string, ip: string) => cidrContains(parseCidr(c), ip);
    expect(nodePortAddresses(['127.0.0.1/32'], ['127.0.0.1', '10.0.2.15', '172.17.0.1'], contains)).toEqual(['127.0.0.1']);
    expect(nodePortAddresses(['10.0.0.0/8'], ['127.0.0.1', '10.0.2.15'], contains)).toEqual(['10.0.2.15']);
  });
});
