import type { Node } from '../shared/api/core';
import { desiredRoutes, parseRoutes } from './hostgw';

const node = (name: string, podCIDR: unknown, address: unknown): Node =>
  ({
    metadata: { name },
    spec: podCIDR === undefined ? {} : { podCIDR },
    status: { addresses: [{ type: 'InternalIP', address }] },
  }) as Node;

describe('host-gw routes', () => {
  it("routes every other node's podCIDR via its InternalIP", () => {
    const nodes = [
      node('a', '10.244.1.0/24', '192.168.56.11'),
      node('b', '10.244.2.0/24', '192.168.56.12'),
      node('c', undefined, '192.168.56.13'),
    ];
    expect(desiredRoutes(nodes, 'a', '10.244.0.0/16')).toEqual({ routes: new Map([['10.244.2.0/24', '192.168.56.12']]), ignored: [] });
  });

  it('leaves out, and reports, what is not a route to pods of the cluster', () => {
    const nodes = [
      node('self', '10.244.1.0/24', '192.168.56.10'),
      node('good', '10.244.2.0/24', '192.168.56.11'),
      node('not-a-cidr', '10.244.3.0/24 dev eth0', '192.168.56.12'),
      node('host-bits', '10.244.4.7/24', '192.168.56.13'),
      node('default-route', '0.0.0.0/0', '192.168.56.14'),
      node('service-range', '10.96.0.0/12', '192.168.56.15'),
      node('steals-mine', '10.244.1.0/24', '192.168.56.16'),
      node('steals-theirs', '10.244.2.0/25', '192.168.56.17'),
      node('bad-gateway', '10.244.5.0/24', '192.168.56.18 onlink'),
      node('not-a-string', 42, '192.168.56.19'),
    ];
    const { routes, ignored } = desiredRoutes(nodes, 'self', '10.244.0.0/16');
    expect(routes).toEqual(new Map([['10.244.2.0/24', '192.168.56.11']]));
    expect(ignored.map((i) => [i.node, i.reason])).toEqual([
      ['not-a-cidr', 'spec.podCIDR is not an IPv4 network CIDR'],
      ['host-bits', 'spec.podCIDR is not an IPv4 network CIDR'],
      ['default-route', 'spec.podCIDR is outside the cluster CIDR'],
      ['service-range', 'spec.podCIDR is outside the cluster CIDR'],
      ['steals-mine', 'spec.podCIDR overlaps the podCIDR of another node'],
      ['steals-theirs', 'spec.podCIDR overlaps the podCIDR of another node'],
      ['bad-gateway', 'its InternalIP is not an IPv4 address'],
      ['not-a-string', 'spec.podCIDR is not an IPv4 network CIDR'],
    ]);
  });

  it('reads the routes it installed back from ip route', () => {
    expect(parseRoutes('10.244.2.0/24 via 198.18.77.12 dev eth0\n\n10.244.3.0/24 via 198.18.77.13 dev eth0 \n')).toEqual(
      new Map([
        ['10.244.2.0/24', '198.18.77.12'],
        ['10.244.3.0/24', '198.18.77.13'],
      ]),
    );
  });
});
