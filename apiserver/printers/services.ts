// Service, Endpoints and EndpointSlice columns.
import type { Endpoints, Service } from '../../shared/api/core';
import type { EndpointSlice } from '../../shared/api/discovery';
import { age } from './age';
import { col, Printer } from './table';

function externalIP(svc: Service): string {
  const type = svc.spec.type ?? 'ClusterIP';
  const external = svc.spec.externalIPs ?? [];
  if (type === 'ExternalName') return svc.spec.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean);
    const all = [...ingress, ...external];
    return all.length ? all.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

function ports(svc: Service): string {
  const list = (svc.spec.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
  );
  return list.length ? list.join(',') : '<none>';
}

function selector(set: Record<string, string> | undefined): string {
  const pairs = Object.entries(set ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(',') : '<none>';
}

export const servicePrinter: Printer<Service> = {
  columns: [col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 1)],
  cells: (svc, now) => [
    svc.spec.type ?? 'ClusterIP',
    svc.spec.clusterIP || '<none>',
    externalIP(svc),
    ports(svc),
    age(svc.metadata.creationTimestamp, now),
    selector(svc.spec.selector),
  ],
};

/** `10.244.1.2:80,10.244.2.3:80 + 1 more...`, as kubectl shows at most three endpoints. */
export function formatEndpoints(ep: Endpoints): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      if (subset.ports?.length) for (const p of subset.ports) all.push(`${a.ip}:${p.port}`);
      else all.push(a.ip);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [col('Endpoints'), col('Age')],
  cells: (ep, now) => [formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)],
};

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
  cells(slice, now) {
    const ports = (slice.ports ?? []).map((p) => String(p.port ?? '')).join(',') || '<unset>';
    const addrs = slice.endpoints.flatMap((e) => e.addresses);
    const shown = addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',') || '<unset>';
    return [slice.addressType, ports, shown, age(slice.metadata.creationTimestamp, now)];
  },
};
