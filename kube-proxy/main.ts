// kube-proxy: forwards ClusterIP, NodePort and LoadBalancer ports to the ready endpoints of each
// Service, in userspace (TCP and UDP). ClusterIPs live on the kube-ipvs0 dummy interface so listeners can
// bind to them; NodePorts are opened only on the addresses in --nodeport-addresses (loopback unless told:
// an installed node passes its own address).
import http from 'node:http';
import os from 'node:os';
import { KUBERNETES_VERSION } from '../shared/version';
import { asyncHandler } from '../shared/asynchandler';
import { cidrContains, parseCidr } from '../shared/cidr';
import { Client } from '../shared/client';
import { runComponent } from '../shared/component';
import type { Lifecycle } from '../shared/component';
import { realClock } from '../shared/clock';
import { EventRecorder } from '../shared/events';
import { parseDuration, parseFlags } from '../shared/flags';
import { SharedInformerFactory, stripManagedFields } from '../shared/informer';
import { loadKubeconfig } from '../shared/kubeconfig';
import { newLogger } from '../shared/log';
import { registry } from './metrics';
import { HostNetwork } from './netlink';
import { IptablesProxier } from './iptablesproxier';
import { Proxier } from './proxier';
import { nodePortAddresses, servesExternalIP } from './serviceports';
import { podOrHostClient, serveWhenLocal, startDNS } from './dns/server';
import type { Endpoints, Service } from '../shared/api/core';
import { EndpointsResource, Services } from '../shared/api/resources';
import { isAlreadyExists, isForbidden } from '../shared/errors';

const flags = parseFlags({
  kubeconfig: { default: '/etc/kubernetes/kube-proxy.conf', help: 'kubeconfig of the apiserver' },
  'hostname-override': { default: os.hostname(), help: 'the name of this host in events' },
  'nodeport-addresses': {
    default: '127.0.0.0/8',
    help: 'CIDRs whose local addresses get NodePorts (comma-separated; empty: every address)',
  },
  'cluster-cidr': { default: '10.244.0.0/16', help: 'the pod network: its pods (and this host) may ask the cluster DNS' },
  'service-cluster-ip-range': { default: '10.96.0.0/12', help: 'the ClusterIP range: routed nowhere but here' },
  'metrics-bind-address': { default: '127.0.0.1:10249', help: 'where /metrics and /healthz are served' },
  'cluster-dns': { default: '', help: 'serve cluster DNS on this ClusterIP (the kube-dns Service); empty: no DNS' },
  'cluster-domain': { default: 'cluster.local', help: "the cluster's DNS domain" },
  'conntrack-tcp-timeout-established': { default: '1h', help: 'close a proxied TCP connection idle this long' },
  'conntrack-udp-timeout': { default: '30s', help: 'close a UDP session (and its socket) idle this long' },
  'proxy-mode': { default: 'userspace', help: 'userspace (connections through this process) or iptables (the kernel forwards)' },
});

const log = newLogger('kube-proxy');
/** UDP clients served at once per listener: each session holds a socket. */
const MAX_UDP_SESSIONS = 1024;

function localAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4')
    .map((a) => a.address);
}

/** The kube-dns Service: its ClusterIP is where pods send DNS queries (kubelet --cluster-dns). */
async function ensureKubeDNSService(client: Client, ip: string): Promise<void> {
  const service: Service = {
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      clusterIP: ip,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  };
  // A kube-proxy running as its node (a joined worker) may not create Services: the control plane's does.
  await client
    .resource<Service>(Services)
    .create(service)
    .catch((err) => (isAlreadyExists(err) || isForbidden(err) ? undefined : Promise.reject(err)));
}

async function main(lifecycle: Lifecycle): Promise<void> {
  const client = new Client({ ...loadKubeconfig(flags.kubeconfig), userAgent: `kube-proxy/${KUBERNETES_VERSION.gitVersion}` });
  const host = new HostNetwork(flags['service-cluster-ip-range']);
  await host.setUp();
  const cidrs = flags['nodeport-addresses']
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const addresses = nodePortAddresses(cidrs, localAddresses(), (c, ip) => cidrContains(parseCidr(c), ip));
  if (!cidrs.length) log.warn('--nodeport-addresses is empty: NodePort connections will be accepted on every local address');
  const isLocal = (ip: string) => localAddresses().includes(ip);
  const serviceCIDR = parseCidr(flags['service-cluster-ip-range']);
  const externalIPs = (ip: string) => servesExternalIP(ip, addresses, localAddresses(), (a) => cidrContains(serviceCIDR, a));
  const informers = new SharedInformerFactory(client, { logger: log, transform: stripManagedFields });
  const recorder = new EventRecorder(client, { component: 'kube-proxy', host: flags['hostname-override'] }, { logger: log });
  const dnsAddress = flags['cluster-dns'] || undefined;
  const mode = flags['proxy-mode'];
  if (mode !== 'userspace' && mode !== 'iptables') throw new Error(`--proxy-mode: unknown mode "${mode}" (userspace or iptables)`);
  const proxier =
    mode === 'iptables'
      ? new IptablesProxier(informers, host, addresses, flags['cluster-cidr'], externalIPs, log)
      : new Proxier(informers, host, addresses, externalIPs, recorder, realClock, log, {
          dnsAddress,
          tcpIdleTimeoutMs: parseDuration(flags['conntrack-tcp-timeout-established']),
          udpIdleTimeoutMs: parseDuration(flags['conntrack-udp-timeout']),
          maxUDPSessions: MAX_UDP_SESSIONS,
        });
  if (proxier instanceof IptablesProxier) await proxier.setUp();
  const services = informers.informerFor<Service>(Services);
  const endpoints = informers.informerFor<Endpoints>(EndpointsResource);
  informers.start();
  await informers.waitForSync();
  proxier.requestSync();
  if (dnsAddress) {
    await ensureKubeDNSService(client, dnsAddress);
    const serve = () =>
      startDNS(
        dnsAddress,
        flags['cluster-domain'],
        {
          service: (ns, name) => services.lister.get(ns, name),
          endpoints: (ns, name) => endpoints.lister.get(ns, name),
        },
        log,
        podOrHostClient(flags['cluster-cidr'], isLocal),
      );
    serveWhenLocal(dnsAddress, isLocal, serve, log).catch((err) => {
      log.error({ err }, 'cluster DNS failed');
      process.exit(1);
    });
  }
  log.info({ nodePortAddresses: addresses, proxyMode: mode }, 'kube-proxy started');

  const [metricsHost, metricsPort] = flags['metrics-bind-address'].split(':');
  const metrics = http.createServer(
    asyncHandler(async (req, res) => {
      if (req.url === '/healthz') return void res.end('ok');
      if (req.url === '/metrics') {
        res.setHeader('Content-Type', registry.contentType);
        return void res.end(await registry.metrics());
      }
      res.statusCode = 404;
      res.end();
    }, log),
  );
  metrics.on('error', (err) => log.warn({ err }, 'metrics server failed'));
  metrics.listen(Number(metricsPort), metricsHost);

  lifecycle.onShutdown(async () => {
    log.info('removing listeners, ClusterIP addresses and routes');
    informers.stop();
    if (proxier instanceof IptablesProxier) await proxier.tearDown();
    else proxier.closeAll();
    metrics.close();
    await host.tearDown();
  });
}

runComponent('kube-proxy', log, main);
