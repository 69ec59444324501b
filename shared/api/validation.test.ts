import { decodeObject } from './decode';
import type { KubeObject } from './meta';
import { Deployments, EndpointSlices, EndpointsResource, Namespaces, Nodes, Pods, Services } from './resources';
import { applyDefaults, messages, validateObject } from './validation/testing';

const pod = (spec: unknown, name = 'web') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });

describe('pod validation', () => {
  it('requires a container image, with Kubernetes field path and wording', () => {
    expect(messages(Pods, pod({ containers: [{ name: 'c' }] }))).toEqual(['spec.containers[0].image: Required value']);
  });

  it('checks names as DNS-1123 subdomains and container names as labels', () => {
    const errs = messages(Pods, pod({ containers: [{ name: 'Bad_Name', image: 'x' }] }, 'Web!'));
    expect(errs[0]).toMatch(/^metadata.name: Invalid value: "Web!": a lowercase RFC 1123 subdomain/);
    expect(errs[1]).toMatch(/^spec.containers\[0\].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/);
  });

  it('rejects duplicate container names, out-of-range ports and unknown mounts', () => {
    const errs = messages(
      Pods,
      pod({
        containers: [
          { name: 'a', image: 'x', ports: [{ containerPort: 70000 }], volumeMounts: [{ name: 'v', mountPath: '/v' }] },
          { name: 'a', image: 'y' },
        ],
      }),
    );
    expect(errs).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].volumeMounts[0].name: Not found: "v"',
      'spec.containers[1].name: Duplicate value: "a"',
    ]);
  });

  it('allows only image changes on update', () => {
    const old = decodeObject(Pods, pod({ containers: [{ name: 'a', image: 'x' }] }));
    applyDefaults(Pods, old);
    expect(messages(Pods, pod({ containers: [{ name: 'a', image: 'y' }] }), old)).toEqual([]);
    expect(messages(Pods, { spec: { containers: [{ image: 'x', name: 'a' }] }, metadata: { name: 'web' }, kind: 'Pod' }, old)).toEqual([]); // key order is not a change
    expect(messages(Pods, pod({ containers: [{ name: 'a', image: 'x', command: ['sh'] }] }), old)[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than/,
    );
  });

  it("reports a wrong JSON type as Go's decoder does, with the struct and field", () => {
    expect(() => decodeObject(Pods, pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 'eighty' }] }] }))).toThrow(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    expect(() => decodeObject(Pods, { kind: 'Service', apiVersion: 'v1', metadata: { name: 'x' } })).toThrow(/cannot be handled as a Pod/);
  });
});

describe('init container validation', () => {
  const probe = { exec: { command: ['true'] } };

  it('keeps names unique across init and app containers', () => {
    const errs = messages(Pods, pod({ initContainers: [{ name: 'a', image: 'x' }], containers: [{ name: 'a', image: 'y' }] }));
    expect(errs).toEqual(['spec.containers[0].name: Duplicate value: "a"']);
  });

  it('allows only restartPolicy Always on init containers (a sidecar), and none on app containers', () => {
    const errs = messages(
      Pods,
      pod({
        initContainers: [
          { name: 'side', image: 'x', restartPolicy: 'Always' },
          { name: 'once', image: 'x', restartPolicy: 'OnFailure' },
        ],
        containers: [{ name: 'app', image: 'y', restartPolicy: 'Always' }],
      }),
    );
    expect(errs).toEqual([
      'spec.initContainers[1].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
    ]);
  });

  it('refuses probes and lifecycle hooks on regular init containers, and allows them on sidecars', () => {
    const errs = messages(
      Pods,
      pod({
        initContainers: [
          { name: 'init', image: 'x', livenessProbe: probe, readinessProbe: probe, startupProbe: probe, lifecycle: { preStop: probe } },
          { name: 'side', image: 'x', restartPolicy: 'Always', livenessProbe: probe, readinessProbe: probe, startupProbe: probe },
        ],
        containers: [{ name: 'app', image: 'y' }],
      }),
    );
    expect(errs).toEqual([
      'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]);
  });
});

describe('pod defaults', () => {
  it('fills what `kubectl get -o yaml` shows', () => {
    const p = decodeObject(
      Pods,
      pod({
        containers: [
          { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'nginx:1.25' },
        ],
      }),
    ) as KubeObject & { spec: any };
    applyDefaults(Pods, p);
    expect(p.spec.restartPolicy).toBe('Always');
    expect(p.spec.dnsPolicy).toBe('ClusterFirst');
    expect(p.spec.terminationGracePeriodSeconds).toBe(30);
    expect(p.spec.schedulerName).toBe('default-scheduler');
    expect(p.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(p.spec.containers[1].imagePullPolicy).toBe('IfNotPresent');
    expect(p.spec.containers[0].ports[0].protocol).toBe('TCP');
    expect(p.spec.tolerations.map((t: any) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
  });
});

describe('deployment validation and defaults', () => {
  const deploy = (selector: unknown, labels: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });

  it('requires the selector to match the template labels', () => {
    expect(messages(Deployments, deploy({ matchLabels: { app: 'web' } }, { app: 'db' }))).toEqual([
      'spec.template.metadata.labels: Invalid value: "map[string]string{\\"app\\":\\"db\\"}": `selector` does not match template `labels`',
    ]);
    expect(() => messages(Deployments, deploy(undefined, { app: 'db' }))).toThrow(
      'Deployment.apps "web" is invalid: spec.selector: Required value',
    );
    expect(messages(Deployments, deploy({}, { app: 'db' }))).toEqual(['spec.selector: Required value']);
  });

  it('defaults a rolling update of 25%/25% and one replica', () => {
    const d = decodeObject(Deployments, deploy({ matchLabels: { app: 'web' } }, { app: 'web' })) as any;
    applyDefaults(Deployments, d);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
  });
});

describe('service validation and defaults', () => {
  it('defaults type ClusterIP, protocol TCP and targetPort = port', () => {
    const s = decodeObject(Services, { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }) as any;
    applyDefaults(Services, s);
    expect(s.spec.type).toBe('ClusterIP');
    expect(s.spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
  });

  it('rejects a nodePort on a ClusterIP service and unnamed ports when there are several', () => {
    expect(messages(Services, { metadata: { name: 'web' }, spec: { ports: [{ port: 80, nodePort: 30001 }, { port: 81 }] } })).toEqual([
      'spec.ports[0].name: Required value',
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      'spec.ports[1].name: Required value',
    ]);
  });

  it('requires service names to be DNS-1035 labels', () => {
    expect(messages(Services, { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } })[0]).toMatch(/a DNS-1035 label must consist/);
  });
});

describe('endpoints validation (as ValidateEndpoints and ValidateEndpointSlice)', () => {
  const endpoints = (ip: string, list = 'addresses') => ({
    metadata: { name: 'db' },
    subsets: [{ [list]: [{ ip }], ports: [{ port: 5432 }] }],
  });

  it.each([
    ['127.0.0.1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['::1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['0.0.0.0', 'may not be unspecified (0.0.0.0)'],
    ['169.254.169.254', 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['fe80::1', 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['224.0.0.1', 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ['db.example.com', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  ])('refuses the endpoint address %s, ready or not', (ip, reason) => {
    expect(messages(EndpointsResource, endpoints(ip))).toEqual([`subsets[0].addresses[0].ip: Invalid value: "${ip}": ${reason}`]);
    expect(messages(EndpointsResource, endpoints(ip, 'notReadyAddresses'))).toEqual([
      `subsets[0].notReadyAddresses[0].ip: Invalid value: "${ip}": ${reason}`,
    ]);
  });

  it('accepts pod and node addresses, defaults port protocols to TCP and checks subsets and ports', () => {
    const ok = decodeObject(EndpointsResource, endpoints('10.244.1.5')) as any;
    applyDefaults(EndpointsResource, ok);
    expect(validateObject(EndpointsResource, ok)).toEqual([]);
    expect(ok.subsets[0].ports[0]).toEqual({ port: 5432, protocol: 'TCP' });
    expect(
      messages(EndpointsResource, {
        metadata: { name: 'db' },
        subsets: [
          {
            ports: [
              { port: 70000, protocol: 'ICMP' },
              { name: 'b', port: 1 },
            ],
          },
        ],
      }),
    ).toEqual([
      'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
      'subsets[0].ports[0].name: Required value',
      'subsets[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'subsets[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(() => messages(EndpointsResource, { metadata: { name: 'db' }, subsets: [{ addresses: [{ ip: 5 }] }] })).toThrow(
      'Endpoints in version "v1" cannot be handled as a Endpoints: json: cannot unmarshal number into Go struct field EndpointAddress.subsets.addresses.ip of type string',
    );
  });

  it('refuses the same special addresses in EndpointSlices, and addresses of the wrong family', () => {
    const slice = (addressType: string, ...addresses: string[]) => ({
      metadata: { name: 'db-abc' },
      addressType,
      endpoints: [{ addresses }],
      ports: [{ name: 'pg', port: 5432 }],
    });
    expect(messages(EndpointSlices, slice('IPv4', '10.244.1.5'))).toEqual([]);
    expect(messages(EndpointSlices, slice('IPv4', '127.0.0.1', '169.254.0.1', 'fe80::1'))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[0].addresses[1]: Invalid value: "169.254.0.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'endpoints[0].addresses[2]: Invalid value: "fe80::1": must be a valid IPv4 address',
    ]);
    expect(messages(EndpointSlices, slice('IPv6', '::1'))).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
    expect(messages(EndpointSlices, slice('IPv4'))).toEqual(['endpoints[0].addresses: Required value: must contain at least 1 address']);
    expect(messages(EndpointSlices, slice('IP', '10.0.0.1'))).toEqual([
      'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"',
    ]);
  });
});

describe('service externalIPs and externalName', () => {
  const svc = (spec: object) => ({ metadata: { name: 'web' }, spec: { ports: [{ port: 80 }], ...spec } });

  it('refuses special and invalid external IPs, as ValidateService does', () => {
    expect(messages(Services, svc({ externalIPs: ['192.0.2.10', '127.0.0.1', '0.0.0.0', 'nope'] }))).toEqual([
      'spec.externalIPs[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'spec.externalIPs[2]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      'spec.externalIPs[3]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });

  it('takes an externalName that is a DNS-1123 subdomain, with a trailing dot and labels over 63 characters', () => {
    const ext = (externalName: string) => messages(Services, { metadata: { name: 'alias' }, spec: { type: 'ExternalName', externalName } });
    expect(ext('db.example.com.')).toEqual([]);
    expect(ext(`${'a'.repeat(64)}.example.com`)).toEqual([]);
    expect(ext('Bad Name')[0]).toMatch(/^spec.externalName: Invalid value: "Bad Name": a lowercase RFC 1123 subdomain/);
    expect(ext('.')).toEqual(['spec.externalName: Required value']);
  });
});

describe('namespace names', () => {
  it('are DNS-1123 labels', () => {
    expect(messages(Namespaces, { metadata: { name: 'a.b' } })[0]).toMatch(/a lowercase RFC 1123 label/);
    expect(messages(Namespaces, { metadata: { name: 'team-a' } })).toEqual([]);
  });
});

describe('node validation', () => {
  const node = (spec: unknown) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec });
  const decoded = (spec: unknown) => decodeObject(Nodes, node(spec));

  it('takes only network CIDRs as pod CIDRs', () => {
    expect(messages(Nodes, node({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }))).toEqual([]);
    expect(messages(Nodes, node({ podCIDR: '10.244.1.0/24 via 10.0.0.1', podCIDRs: ['default'] }))).toEqual([
      'spec.podCIDR: Invalid value: "10.244.1.0/24 via 10.0.0.1": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.podCIDRs[0]: Invalid value: "default": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
    expect(() => decodeObject(Nodes, node({ podCIDRs: '10.244.1.0/24' }))).toThrow(
      'Node in version "v1" cannot be handled as a Node: json: cannot unmarshal string into Go struct field NodeSpec.spec.podCIDRs of type []string',
    );
  });

  it('lets a podCIDR and a providerID be set once, never changed', () => {
    expect(messages(Nodes, node({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }), decoded({}))).toEqual([]);
    const assigned = decoded({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], providerID: 'kind://a' });
    expect(messages(Nodes, node({ podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'], providerID: 'kind://b' }), assigned)).toEqual([
      'spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    expect(messages(Nodes, node({}), assigned)).toHaveLength(3); // nor removed
  });
});
