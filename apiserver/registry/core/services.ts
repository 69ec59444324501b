// Services: a cluster IP from --service-cluster-ip-range and node ports from --service-node-port-range,
// allocated on create (or taken as given when free), kept on update, released on delete. Printed as
// NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR.
import type { Service } from '../../../shared/api/core';
import { defaultService } from '../../../shared/api/defaults/core';
import type { StatusCause } from '../../../shared/api/meta';
import { Services } from '../../../shared/api/resources';
import { validateService } from '../../../shared/api/validation/core';
import { fieldError, invalid } from '../../../shared/errors';
import { cidrContains, nthAddress, parseCidr } from '../../../shared/cidr';
import { RangeAllocator } from '../../allocators/range';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { AllocationStorage } from '../../storage/interface';
import type { Strategy } from '../strategy';

export interface ServiceRanges {
  serviceCIDR: string;
  nodePortRange: string;
}

/** The first usable address of the service range: 10.96.0.1 belongs to the `kubernetes` Service. */
export const kubernetesServiceIP = (serviceCIDR: string): string => nthAddress(parseCidr(serviceCIDR), 1);

const needsNodePorts = (svc: Service) =>
  svc.spec.type === 'NodePort' || (svc.spec.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
const needsClusterIP = (svc: Service) => svc.spec.type !== 'ExternalName' && svc.spec.clusterIP !== 'None';
const ownerOf = (svc: Service) => `${svc.metadata.namespace}/${svc.metadata.name}`;

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

export function serviceStrategy(allocations: AllocationStorage, ranges: ServiceRanges): Strategy<Service> {
  const cidr = parseCidr(ranges.serviceCIDR);
  const [low, high] = ranges.nodePortRange.split('-').map(Number);
  const ips = new RangeAllocator(allocations, 'serviceips', cidr.size - 2, (i) => nthAddress(cidr, i + 1));
  const ports = new RangeAllocator(allocations, 'servicenodeports', high - low + 1, (i) => String(low + i));

  const invalidField = (svc: Service, cause: StatusCause) => invalid('Service', svc.metadata.name ?? '', [cause]);

  /**
   * Gives the Service its cluster IP; returns the IPs it reserved. A dry run reserves nothing: a given IP is
   * only checked against the range, and an unset one answers the range's network address, as Kubernetes'
   * dry-run allocator does.
   */
  async function allocateClusterIP(svc: Service, dryRun: boolean): Promise<string[]> {
    if (!needsClusterIP(svc)) {
      if (svc.spec.type === 'ExternalName') delete svc.spec.clusterIP;
      else svc.spec.clusterIPs = ['None'];
      return [];
    }
    const wanted = svc.spec.clusterIP;
    if (wanted) {
      if (!cidrContains(cidr, wanted))
        throw invalidField(
          svc,
          fieldError.invalid(
            'spec.clusterIPs',
            wanted,
            `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${ranges.serviceCIDR}`,
          ),
        );
      if (!dryRun && !(await ips.allocate(wanted, ownerOf(svc))))
        throw invalidField(
          svc,
          fieldError.invalid('spec.clusterIPs', [wanted], `failed to allocate IP ${wanted}: provided IP is already allocated`),
        );
    } else if (dryRun) {
      svc.spec.clusterIP = nthAddress(cidr, 0);
    } else {
      const ip = await ips.allocateNext(
        ownerOf(svc),
        (item) => item === kubernetesServiceIP(ranges.serviceCIDR) && ownerOf(svc) !== 'default/kubernetes',
      );
      if (!ip) throw invalidField(svc, fieldError.invalid('spec.clusterIPs', [], `failed to allocate a serviceIP: range is full`));
      svc.spec.clusterIP = ip;
    }
    svc.spec.clusterIPs = [svc.spec.clusterIP!];
    svc.spec.ipFamilies ??= ['IPv4'];
    svc.spec.ipFamilyPolicy ??= 'SingleStack';
    return dryRun ? [] : [svc.spec.clusterIP!];
  }

  /**
   * Allocates the node ports `svc` lacks; returns those it reserved (to undo on failure). A dry run
   * reserves none: given ports are checked against the range, unset ones answer its first port.
   */
  async function allocateNodePorts(svc: Service, keep: Set<number>, dryRun: boolean): Promise<number[]> {
    const reserved: number[] = [];
    if (!needsNodePorts(svc)) {
      for (const p of svc.spec.ports ?? []) delete p.nodePort;
      return reserved;
    }
    for (const [i, p] of (svc.spec.ports ?? []).entries()) {
      if (p.nodePort) {
        if (keep.has(p.nodePort)) continue;
        if (p.nodePort < low || p.nodePort > high)
          throw invalidField(
            svc,
            fieldError.invalid(
              `spec.ports[${i}].nodePort`,
              p.nodePort,
              `provided port is not in the valid range. The range of valid ports is ${ranges.nodePortRange}`,
            ),
          );
        if (dryRun) continue;
        if (!(await ports.allocate(String(p.nodePort), ownerOf(svc))))
          throw invalidField(svc, fieldError.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
      } else if (dryRun) {
        p.nodePort = low;
        continue;
      } else {
        const port = await ports.allocateNext(ownerOf(svc));
        if (!port) throw invalidField(svc, fieldError.invalid(`spec.ports[${i}].nodePort`, 0, 'range is full'));
        p.nodePort = Number(port);
      }
      reserved.push(p.nodePort);
    }
    return reserved;
  }

  async function release(svc: Service, keepPorts = new Set<number>()): Promise<void> {
    for (const p of svc.spec.ports ?? []) if (p.nodePort && !keepPorts.has(p.nodePort)) await ports.release(String(p.nodePort));
  }

  return {
    resource: Services,
    defaults: defaultService,
    validate: validateService,
    printer: servicePrinter,
    prepareForCreate(svc) {
      svc.status = { loadBalancer: {} };
    },
    prepareForUpdate(svc, prev) {
      if (!svc.spec.clusterIP && prev.spec.clusterIP && needsClusterIP(svc)) svc.spec.clusterIP = prev.spec.clusterIP;
      if (svc.spec.clusterIP) svc.spec.clusterIPs = [svc.spec.clusterIP];
      for (const p of svc.spec.ports ?? []) {
        if (!p.nodePort && needsNodePorts(svc))
          p.nodePort = prev.spec.ports?.find((o) => o.port === p.port && o.protocol === p.protocol)?.nodePort;
      }
    },
    async beforeCreate(svc, opts) {
      const dryRun = opts.dryRun ?? false;
      const ip = await allocateClusterIP(svc, dryRun);
      try {
        await allocateNodePorts(svc, new Set(), dryRun);
      } catch (err) {
        for (const a of ip) await ips.release(a);
        throw err;
      }
    },
    async afterCreateFailed(svc) {
      if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') await ips.release(svc.spec.clusterIP);
      await release(svc);
    },
    async beforeUpdate(svc, prev, opts) {
      const dryRun = opts.dryRun ?? false;
      const prevPorts = new Set((prev.spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
      if (!prev.spec.clusterIP && needsClusterIP(svc)) await allocateClusterIP(svc, dryRun);
      await allocateNodePorts(svc, prevPorts, dryRun);
      if (dryRun) return;
      const nowPorts = new Set((svc.spec.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
      await release(prev, nowPorts);
    },
    async afterDelete(svc) {
      if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') await ips.release(svc.spec.clusterIP);
      await release(svc);
    },
  };
}
