// Cluster DNS answers, as Kubernetes' DNS specification defines them, computed from Services and
// Endpoints (pure):
//   <svc>.<ns>.svc.<domain>                  A: the ClusterIP; headless: one A per ready pod
//   <svc>.<ns>.svc.<domain>                  CNAME: spec.externalName for ExternalName Services
//   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: the named port of the Service
import type { Endpoints, Service } from '../../shared/api/core';

export type Answer =
  | { type: 'A'; name: string; data: string }
  | { type: 'CNAME'; name: string; data: string }
  | { type: 'SRV'; name: string; data: { priority: number; weight: number; port: number; target: string } };

export type Resolution = { kind: 'answers'; answers: Answer[] } | { kind: 'nxdomain' } | { kind: 'forward' };

export interface ClusterState {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
}

function readyIPs(ep: Endpoints | undefined): string[] {
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
}

export function resolve(qname: string, qtype: string, domain: string, state: ClusterState): Resolution {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const suffix = `.svc.${domain}`;
  if (!name.endsWith(suffix) && name !== domain && !name.endsWith(`.${domain}`)) return { kind: 'forward' };
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
  if (labels.length !== 2) return { kind: 'nxdomain' };
  const [svcName, ns] = labels;
  const svc = state.service(ns, svcName);
  if (!svc) return { kind: 'nxdomain' };
  if (svc.spec.type === 'ExternalName') return { kind: 'answers', answers: [{ type: 'CNAME', name, data: svc.spec.externalName ?? '' }] };
  if (qtype !== 'A' && qtype !== 'ANY') return { kind: 'answers', answers: [] };
  const ips = svc.spec.clusterIP === 'None' ? readyIPs(state.endpoints(ns, svcName)) : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
  return { kind: 'answers', answers: ips.map((ip) => ({ type: 'A' as const, name, data: ip })) };
}
