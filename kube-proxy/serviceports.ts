// From Services and Endpoints to what kube-proxy must serve, as pure functions: every (address, port,
// protocol) to listen on, each tied to a service port and its ready endpoints.
import type { Endpoints, Service } from '../shared/api/core';
import { specialIPReason } from '../shared/nonspecialip';
import type { Endpoint } from './loadbalancer';

export interface Listener {
  /** `namespace/name:portName`: which balancer serves it. */
  servicePort: string;
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export const listenerKey = (l: Listener) => `${l.protocol}/${l.address}/${l.port}`;

export interface ServicePortInfo {
  affinityTimeoutSeconds: number;
  endpoints: Endpoint[];
}

const portKey = (svc: Service, name: string | undefined) => `${svc.metadata.namespace}/${svc.metadata.name}:${name ?? ''}`;

/**
 * The listeners for a Service: its ClusterIP ports, node ports on `nodeAddresses`, and its externalIPs and
 * LoadBalancer ingress IPs where `servesExternalIP` says this node may open them.
 */
export function listenersFor(svc: Service, nodeAddresses: string[], servesExternalIP: (ip: string) => boolean): Listener[] {
  const type = svc.spec.type ?? 'ClusterIP';
  if (type === 'ExternalName') return [];
  const out: Listener[] = [];
  for (const p of svc.spec.ports ?? []) {
    const protocol = (p.protocol ?? 'TCP') as Listener['protocol'];
    if (protocol !== 'TCP' && protocol !== 'UDP') continue;
    const servicePort = portKey(svc, p.name);
    if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') out.push({ servicePort, address: svc.spec.clusterIP, port: p.port, protocol });
    if ((type === 'NodePort' || type === 'LoadBalancer') && p.nodePort) {
      for (const address of nodeAddresses) out.push({ servicePort, address, port: p.nodePort, protocol });
    }
    if (type === 'LoadBalancer') {
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip && servesExternalIP(ing.ip)) out.push({ servicePort, address: ing.ip, port: p.port, protocol });
      }
    }
    for (const ip of svc.spec.externalIPs ?? []) if (servesExternalIP(ip)) out.push({ servicePort, address: ip, port: p.port, protocol });
  }
  return out;
}

/**
 * Whether kube-proxy may dial an endpoint. The apiserver refuses loopback, link-local and invalid
 * addresses, but objects stored before it did (or written to etcd by hand) are checked again here: a
 * proxy on the node dialling 127.0.0.1 would hand pods the node's loopback-only services.
 */
const dialable = (ip: string, port: number): boolean =>
  specialIPReason(ip) === undefined && Number.isInteger(port) && port >= 1 && port <= 65535;

/** The ready, dialable endpoints of each port of a Service, matched by port name. */
export function servicePortInfo(svc: Service, endpoints: Endpoints | undefined): Map<string, ServicePortInfo> {
  const info = new Map<string, ServicePortInfo>();
  const affinity = svc.spec.sessionAffinity === 'ClientIP' ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0;
  for (const p of svc.spec.ports ?? []) {
    const list: Endpoint[] = [];
    for (const subset of endpoints?.subsets ?? []) {
      const port = subset.ports?.find((ep) => (ep.name ?? '') === (p.name ?? '') && (ep.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (!port) continue;
      for (const a of subset.addresses ?? []) if (dialable(a.ip, port.port)) list.push({ ip: a.ip, port: port.port });
    }
    info.set(portKey(svc, p.name), { affinityTimeoutSeconds: affinity, endpoints: list });
  }
  return info;
}

/**
 * Whether this node opens a Service's externalIP or LoadBalancer ingress IP: only on one of its own
 * addresses inside --nodeport-addresses (all of them when that is empty, `0.0.0.0`), and never on a
 * ClusterIP held on kube-ipvs0, which would let one Service take over another's address.
 */
export function servesExternalIP(ip: string, nodeAddresses: string[], local: string[], isServiceIP: (ip: string) => boolean): boolean {
  if (isServiceIP(ip) || !local.includes(ip)) return false;
  return nodeAddresses.includes('0.0.0.0') || nodeAddresses.includes(ip);
}

/** The local addresses inside the `--nodeport-addresses` CIDRs. */
export function nodePortAddresses(cidrs: string[], local: string[], contains: (cidr: string, ip: string) => boolean): string[] {
  if (!cidrs.length) return ['0.0.0.0'];
  return local.filter((ip) => cidrs.some((c) => contains(c, ip)));
}
