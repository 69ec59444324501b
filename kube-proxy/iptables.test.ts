import type { Endpoints, Service } from '../shared/api/core';
import { chainHash, chainsIn, cleanupRules, endpointChain, natRules, RulesInput, serviceChain } from './iptables';

const web = (spec: Partial<Service['spec']> = {}): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }], ...spec },
});

const endpoints = (...ips: string[]): Endpoints => ({
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
});

const input = (services: Service[], eps: Endpoints | undefined, extra: Partial<RulesInput> = {}): RulesInput => ({
  services,
  endpoints: () => eps,
  nodePortAddresses: ['127.0.0.1'],
  clusterCIDR: '10.244.0.0/16',
  servesExternalIP: () => false,
  existingChains: [],
  ...extra,
});

const svcChain = serviceChain('default/web:http', 'TCP');
const sep = (ip: string) => endpointChain('default/web:http', 'TCP', `${ip}:8080`);

describe('iptables rules', () => {
  it('names chains as Kubernetes does: 16 base32 characters of a sha256', () => {
    expect(chainHash('default/web:http', 'tcp')).toMatch(/^[A-Z2-7]{16}$/);
    expect(svcChain).toBe(`KUBE-SVC-${chainHash('default/web:httptcp')}`);
    expect(sep('10.244.1.2')).not.toBe(sep('10.244.1.3'));
  });

  it('sends the ClusterIP to the service chain, which picks an endpoint at random with falling odds', () => {
    const text = natRules(input([web()], endpoints('10.244.1.2', '10.244.1.3', '10.244.1.4')));
    const lines = text.split('\n');
    expect(lines).toContain(
      `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j ${svcChain}`,
    );
    const picks = lines.filter((l) => l.startsWith(`-A ${svcChain}`) && l.includes('-j KUBE-SEP-'));
    expect(picks.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'rest')).toEqual(['0.3333333333', '0.5000000000', 'rest']);
    expect(lines).toContain(
      `-A ${sep('10.244.1.2')} -m comment --comment "default/web:http" -p tcp -m tcp -j DNAT --to-destination 10.244.1.2:8080`,
    );
    // Hairpin (a pod reaching itself through its Service) is masqueraded, as is traffic from off the pod network.
    expect(lines).toContain(`-A ${sep('10.244.1.2')} -m comment --comment "default/web:http" -s 10.244.1.2/32 -j KUBE-MARK-MASQ`);
    expect(lines.some((l) => l.startsWith(`-A ${svcChain}`) && l.includes('! -s 10.244.0.0/16') && l.endsWith('-j KUBE-MARK-MASQ'))).toBe(
      true,
    );
    expect(text.startsWith('*nat\n')).toBe(true);
    expect(text.endsWith('COMMIT\n')).toBe(true);
  });

  it('opens a loopback node port only to connections made on this host, as the last rule of KUBE-SERVICES', () => {
    const lines = natRules(input([web()], endpoints('10.244.1.2'))).split('\n');
    const services = lines.filter((l) => l.startsWith('-A KUBE-SERVICES'));
    expect(services[services.length - 1]).toMatch(/-d 127\.0\.0\.1\/32 -m addrtype --src-type LOCAL -j KUBE-NODEPORTS$/);
    expect(lines.some((l) => l.startsWith('-A KUBE-NODEPORTS') && l.includes('--dport 30080 -j KUBE-EXT-'))).toBe(true);
    const every = natRules(input([web()], endpoints('10.244.1.2'), { nodePortAddresses: ['0.0.0.0'] }));
    expect(every).toContain('-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
    expect(every).not.toContain('--src-type LOCAL');
  });

  it('keeps ClientIP affinity with the recent module, for the affinity timeout', () => {
    const text = natRules(
      input(
        [web({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })],
        endpoints('10.244.1.2', '10.244.1.3'),
      ),
    );
    const s = sep('10.244.1.2');
    expect(text).toContain(`-m recent --name ${s} --mask 255.255.255.255 --rsource --rcheck --seconds 600 --reap -j ${s}`);
    expect(text).toContain(`-m recent --name ${s} --mask 255.255.255.255 --rsource --set -j DNAT --to-destination 10.244.1.2:8080`);
  });

  it('writes no DNAT for a Service without ready endpoints, headless or ExternalName', () => {
    const text = natRules(input([web(), web({ clusterIP: 'None' }), web({ type: 'ExternalName', externalName: 'x.example' })], undefined));
    expect(text).not.toContain('KUBE-SVC-');
    expect(text).not.toContain('DNAT');
  });

  it('deletes chains of Services that are gone, and reconciles to the same text on a restart', () => {
    const stale = 'KUBE-SVC-AAAAAAAAAAAAAAAA';
    const first = natRules(input([web()], endpoints('10.244.1.2')));
    const again = natRules(input([web()], endpoints('10.244.1.2'), { existingChains: chainsIn(first) }));
    expect(again).toBe(first);
    const later = natRules(input([], undefined, { existingChains: [...chainsIn(first), stale, 'DOCKER'] }));
    expect(later).toContain(`-X ${stale}`);
    expect(later).toContain(`-X ${svcChain}`);
    expect(later).not.toContain('DOCKER');
  });

  it('cleans up only KUBE-* chains', () => {
    expect(cleanupRules('nat', ['KUBE-SERVICES', 'DOCKER'])).toBe('*nat\n:KUBE-SERVICES - [0:0]\n-X KUBE-SERVICES\nCOMMIT\n');
  });

  it('serves LoadBalancer ingress IPs this node serves through the external chain', () => {
    const lb: Service = {
      ...web({ type: 'LoadBalancer' }),
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }] } },
    };
    const text = natRules(input([lb], endpoints('10.244.1.2'), { servesExternalIP: (ip) => ip === '192.0.2.1' }));
    expect(text).toMatch(/-d 192\.0\.2\.1\/32 -p tcp -m tcp --dport 80 -j KUBE-EXT-/);
    expect(text).not.toContain('192.0.2.2');
  });
});
