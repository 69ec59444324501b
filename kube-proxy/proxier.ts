// The userspace Proxier: keeps one listener per (address, port, protocol) that some Service needs, each
// forwarding to its service port's balancer, and keeps the balancers' endpoints in step with Endpoints.
// Listeners are added and removed without touching the others, so established connections live on.
import type { Endpoints, Service } from '../shared/api/core';
import type { Clock } from '../shared/clock';
import type { EventRecorder } from '../shared/events';
import type { Lister, SharedInformerFactory } from '../shared/informer';
import type { Logger } from '../shared/log';
import { endpointString, RoundRobinBalancer } from './loadbalancer';
import { activeConnections, beforeScrape, bytesTotal, connectionsTotal } from './metrics';
import type { HostNetwork } from './netlink';
import { Listener, listenerKey, listenersFor, servicePortInfo, ServicePortInfo } from './serviceports';
import { listenTCP } from './tcpproxy';
import { SyncRunner, syncOnServiceChanges } from './syncrunner';
import { listenUDP, UDPProxy } from './udpproxy';

export interface ProxierOptions {
  /** Served by the DNS server itself, not proxied. */
  dnsAddress?: string;
  /** --conntrack-tcp-timeout-established: an idle proxied TCP connection is closed after this long. */
  tcpIdleTimeoutMs: number;
  /** --conntrack-udp-timeout: an idle UDP session is closed after this long. */
  udpIdleTimeoutMs: number;
  /** UDP sessions (one socket each) per listener. */
  maxUDPSessions: number;
}

interface Open {
  listener: Listener;
  close(): void;
}

export class Proxier {
  private readonly services: Lister<Service>;
  private readonly endpoints: Lister<Endpoints>;
  private readonly balancers = new Map<string, RoundRobinBalancer>();
  private readonly open = new Map<string, Open>();
  private readonly failed = new Map<string, string>();
  private readonly runner: SyncRunner;

  constructor(
    informers: SharedInformerFactory,
    private readonly host: HostNetwork,
    private readonly nodeAddresses: string[],
    private readonly servesExternalIP: (ip: string) => boolean,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: ProxierOptions,
  ) {
    this.runner = new SyncRunner(() => this.syncProxyRules(), log);
    ({ services: this.services, endpoints: this.endpoints } = syncOnServiceChanges(informers, this.runner));
  }

  /** Coalesces bursts of changes into one sync at a time. */
  requestSync(): void {
    this.runner.request();
  }

  async syncProxyRules(): Promise<void> {
    const services = this.services.list();
    const wanted = new Map<string, Listener>();
    const clusterIPs = new Set<string>();
    const ports = new Map<string, ServicePortInfo>();
    for (const svc of services) {
      // The cluster DNS address is served by the DNS server itself, not proxied.
      for (const l of listenersFor(svc, this.nodeAddresses, this.servesExternalIP))
        if (l.address !== this.options.dnsAddress) wanted.set(listenerKey(l), l);
      if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None' && svc.spec.type !== 'ExternalName') clusterIPs.add(svc.spec.clusterIP);
      for (const [key, info] of servicePortInfo(svc, this.endpoints.get(svc.metadata.namespace, svc.metadata.name!))) ports.set(key, info);
    }
    // Balancers first, so new listeners have endpoints from their first connection.
    for (const [key, info] of ports) {
      let b = this.balancers.get(key);
      if (!b) this.balancers.set(key, (b = new RoundRobinBalancer()));
      b.setEndpoints(info.endpoints, { timeoutSeconds: info.affinityTimeoutSeconds });
    }
    for (const key of [...this.balancers.keys()]) if (!ports.has(key)) this.balancers.delete(key);
    await this.host.syncAddresses(clusterIPs);
    for (const [key, open] of [...this.open]) {
      if (wanted.get(key)?.servicePort === open.listener.servicePort) continue;
      open.close();
      this.open.delete(key);
    }
    for (const [key, l] of wanted) {
      if (this.open.has(key)) continue;
      try {
        this.open.set(key, await this.listen(l));
        this.failed.delete(key);
      } catch (err) {
        const message = `Port ${l.port}/${l.protocol} on ${l.address} is unavailable for Service ${l.servicePort.split(':')[0]}: ${(err as Error).message}`;
        if (this.failed.get(key) !== message) {
          this.failed.set(key, message);
          this.log.warn({ listener: key }, message);
          const [ns, rest] = l.servicePort.split('/');
          const svc = this.services.get(ns, rest.split(':')[0]);
          if (svc) this.recorder.event({ ...svc, kind: 'Service', apiVersion: 'v1' }, 'Warning', 'PortConflict', message);
        }
      }
    }
  }

  private async listen(l: Listener): Promise<Open> {
    const hooks = {
      pick: (clientIP: string) => this.balancers.get(l.servicePort)?.pick(clientIP, this.clock.now()),
      opened: (e: { ip: string; port: number }) => {
        connectionsTotal.inc({ service: l.servicePort, endpoint: endpointString(e) });
        activeConnections.inc({ service: l.servicePort, endpoint: endpointString(e) });
      },
      closed: (e: { ip: string; port: number }) => activeConnections.dec({ service: l.servicePort, endpoint: endpointString(e) }),
      transferred: (e: { ip: string; port: number }, toEndpoint: number, fromEndpoint: number) => {
        const labels = { service: l.servicePort, endpoint: endpointString(e) };
        if (toEndpoint) bytesTotal.inc({ ...labels, direction: 'to_endpoint' }, toEndpoint);
        if (fromEndpoint) bytesTotal.inc({ ...labels, direction: 'from_endpoint' }, fromEndpoint);
      },
    };
    if (l.protocol === 'UDP') {
      const proxy: UDPProxy = await listenUDP(l.address, l.port, hooks, {
        clock: this.clock,
        idleTimeoutMs: this.options.udpIdleTimeoutMs,
        maxSessions: this.options.maxUDPSessions,
      });
      return { listener: l, close: () => proxy.close() };
    }
    const proxy = await listenTCP(l.address, l.port, hooks, { idleTimeoutMs: this.options.tcpIdleTimeoutMs });
    const count = () => proxy.countTransferred();
    beforeScrape.add(count);
    return {
      listener: l,
      close: () => {
        beforeScrape.delete(count);
        proxy.server.close();
      },
    };
  }

  /** Stops listening everywhere (established connections finish on their own). */
  closeAll(): void {
    for (const open of this.open.values()) open.close();
    this.open.clear();
  }
}
