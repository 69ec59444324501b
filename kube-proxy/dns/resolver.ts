// Cluster DNS answers, as Kubernetes' DNS specification defines them, computed from Services and
// Endpoints (pure):
//   <svc>.<ns>.svc.<domain>                  A: the ClusterIP; headless: one A per ready pod
//   <hostname>.<svc>.<ns>.svc.<domain>       A: the ready pod of a headless Service with that hostname
//                                            (a StatefulSet's pod), or with that dashed IP (10-244-1-5)
//   <svc>.<ns>.svc.<domain>                  CNAME: spec.externalName for ExternalName Services
//   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: the named port of the Service
// An ExternalName answer is followed as CoreDNS does: a target inside the cluster domain is resolved here
// and its records follow the CNAME; an outside target is left to the server to chase upstream (`chase`).
// A target that cannot be written in a DNS message (a label over 63 octets: the API accepts those) is a
// server failure, never a broken packet.
import type { Endpoints, Service } from '../../shared/api/core';
import { ipFamily } from '../../shared/nonspecialip';

export type Answer =
  | { type: 'A'; name: string; data: string }
  | { type: 'CNAME'; name: string; data: string }
  | { type: 'SRV'; name: string; data: { priority: number; weight: number; port: number; target: string } };

export type Resolution =
  | {
      kind: 'answers';
      answers: Answer[];
      /** The chain of CNAMEs ends in a name that does not exist (the answers stay, as CoreDNS sends them). */
      nxdomain?: boolean;
      /** The chain of CNAMEs leaves the cluster at this name: ask the upstream resolver for it. */
      chase?: string;
    }
  | { kind: 'nxdomain' }
  | { kind: 'servfail' }
  | { kind: 'forward' };

export interface ClusterState {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
}

/** How many ExternalName aliases a lookup follows inside the cluster before it gives up (a loop). */
const MAX_CNAME_CHAIN = 8;

/** Whether `name` fits a DNS message: labels of 1 to 63 octets, 253 characters in all. */
export function encodableName(name: string): boolean {
  if (name.length > 253) return false;
  return name.split('.').every((label) => label.length > 0 && Buffer.byteLength(label) <= 63);
}

/** Ready IPv4 addresses (an A record holds nothing else). */
function readyIPs(ep: Endpoints | undefined): string[] {
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).filter((ip) => ipFamily(ip) === 4);
}

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');
const inDomain = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

export function resolve(qname: string, qtype: string, domain: string, state: ClusterState): Resolution {
  return resolveName(normalize(qname), qtype, domain, state, 0);
}

function resolveName(name: string, qtype: string, domain: string, state: ClusterState, depth: number): Resolution {
  const suffix = `.svc.${domain}`;
  if (!inDomain(name, domain)) return { kind: 'forward' };
  if (!name.endsWith(suffix)) return { kind: 'nxdomain' };
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length === 4 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    const [port, proto, svcName, ns] = [labels[0].slice(1), labels[1].slice(1).toUpperCase(), labels[2], labels[3]];
    const svc = state.service(ns, svcName);
    const p = svc?.spec.ports?.find((x) => x.name === port && (x.protocol ?? 'TCP') === proto);
    if (!svc || !p) return { kind: 'nxdomain' };
    if (qtype !== 'SRV' && qtype !== 'ANY') return { kind: 'answers', answers: [] };
    return {
      kind: 'answers',
      answers: [{ type: 'SRV', name, data: { priority: 0, weight: 100, port: p.port, target: `${svcName}.${ns}${suffix}` } }],
    };
  }
  if (labels.length === 3) return endpointName(name, labels[0], labels[1], labels[2], qtype, state);
  if (labels.length !== 2) return { kind: 'nxdomain' };
  const [svcName, ns] = labels;
  const svc = state.service(ns, svcName);
  if (!svc) return { kind: 'nxdomain' };
  if (svc.spec.type === 'ExternalName') return externalName(name, normalize(svc.spec.externalName ?? ''), qtype, domain, state, depth);
  if (qtype !== 'A' && qtype !== 'ANY') return { kind: 'answers', answers: [] };
  const ips = svc.spec.clusterIP === 'None' ? readyIPs(state.endpoints(ns, svcName)) : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
  return { kind: 'answers', answers: ips.filter((ip) => ipFamily(ip) === 4).map((ip) => ({ type: 'A' as const, name, data: ip })) };
}

/** `<hostname>.<svc>.<ns>`: a ready endpoint of a headless Service, by its hostname or its dashed IPv4 address. */
function endpointName(name: string, host: string, svcName: string, ns: string, qtype: string, state: ClusterState): Resolution {
  const svc = state.service(ns, svcName);
  if (!svc || svc.spec.clusterIP !== 'None') return { kind: 'nxdomain' };
  const addresses = (state.endpoints(ns, svcName)?.subsets ?? []).flatMap((s) => s.addresses ?? []);
  const ips = addresses.filter((a) => a.hostname === host || a.ip.replace(/\./g, '-') === host).map((a) => a.ip);
  const v4 = [...new Set(ips.filter((ip) => ipFamily(ip) === 4))];
  if (!v4.length) return { kind: 'nxdomain' };
  if (qtype !== 'A' && qtype !== 'ANY') return { kind: 'answers', answers: [] };
  return { kind: 'answers', answers: v4.map((ip) => ({ type: 'A' as const, name, data: ip })) };
}

function externalName(name: string, target: string, qtype: string, domain: string, state: ClusterState, depth: number): Resolution {
  if (!encodableName(target)) return { kind: 'servfail' };
  const cname: Answer = { type: 'CNAME', name, data: target };
  if (qtype === 'CNAME') return { kind: 'answers', answers: [cname] };
  if (!inDomain(target, domain)) return { kind: 'answers', answers: [cname], chase: target };
  if (depth >= MAX_CNAME_CHAIN) return { kind: 'servfail' };
  const rest = resolveName(target, qtype, domain, state, depth + 1);
  switch (rest.kind) {
    case 'answers':
      return { ...rest, answers: [cname, ...rest.answers] };
    case 'nxdomain':
      return { kind: 'answers', answers: [cname], nxdomain: true };
    default:
      return rest;
  }
}
