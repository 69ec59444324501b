// kube-apiserver: the Kubernetes REST API over etcd. Flags follow the real apiserver's names.
import http from 'node:http';
import { parseDuration, parseFlags } from '../shared/flags';
import { writeKubeconfig } from '../shared/kubeconfig';
import { newLogger } from '../shared/log';
import { bootstrap } from './bootstrap';
import { buildStores } from './registry';
import { createApp } from './server';
import { EtcdStorage } from './storage/etcd';

const flags = parseFlags({
  'etcd-servers': { default: 'http://127.0.0.1:2379', help: 'comma-separated etcd endpoints' },
  'secure-port': { default: '6443', help: 'the port to serve the API on' },
  'bind-address': { default: '0.0.0.0', help: 'the IP address to listen on' },
  'advertise-address': { help: 'the IP address the kubernetes Service points at (default: the bind address, or 127.0.0.1 for 0.0.0.0)' },
  'service-cluster-ip-range': { default: '10.96.0.0/12', help: 'the CIDR cluster IPs are allocated from' },
  'service-node-port-range': { default: '30000-32767', help: 'the port range node ports are allocated from' },
  'etcd-compaction-interval': { default: '5m', help: 'how often old etcd revisions are compacted (0 disables)' },
  'etcd-compaction-keep': { default: '10000', help: 'how many recent revisions compaction keeps' },
  'write-kubeconfig': { help: 'write an admin kubeconfig here once the API is ready (as k3s does)' },
  'kubeconfig-server': { help: 'the server URL in that kubeconfig (default http://<advertise-address>:<secure-port>)' },
});

const log = newLogger('apiserver');
const port = Number(flags['secure-port']);
const bindAddress = flags['bind-address']!;
const advertiseAddress = flags['advertise-address'] ?? (bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress);
const serviceCIDR = flags['service-cluster-ip-range']!;

const storage = new EtcdStorage(flags['etcd-servers']!.split(','));
const stores = buildStores(storage, { serviceCIDR, nodePortRange: flags['service-node-port-range']! });
const server = http.createServer(createApp(storage, stores, log));
server.headersTimeout = 60_000;
server.requestTimeout = 0; // watches and log streams are long-lived
server.keepAliveTimeout = 65_000;

server.listen(port, bindAddress, () => log.info({ address: `${bindAddress}:${port}`, etcd: flags['etcd-servers'] }, 'serving the Kubernetes API'));

/** Waits for etcd, then creates what every cluster has. /readyz answers 503 until etcd does. */
async function start(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await bootstrap(stores, { serviceCIDR, advertiseAddress, securePort: port }, log);
      if (flags['write-kubeconfig']) {
        writeKubeconfig(flags['write-kubeconfig'], { server: flags['kubeconfig-server'] ?? `http://${advertiseAddress}:${port}` });
        log.info({ path: flags['write-kubeconfig'] }, 'wrote the admin kubeconfig');
      }
      return;
    } catch (err) {
      if (attempt % 10 === 0) log.warn({ err: String(err) }, 'waiting for etcd');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
void start();

const compactionMs = parseDuration(flags['etcd-compaction-interval']!);
const compaction = compactionMs > 0 ? setInterval(() => {
  storage.compact(Number(flags['etcd-compaction-keep'])).catch((err) => log.warn({ err: String(err) }, 'compaction failed'));
}, compactionMs) : undefined;

function shutdown(signal: string): void {
  log.info({ signal }, 'shutting down');
  if (compaction) clearInterval(compaction);
  server.close();
  server.closeAllConnections();
  storage.close();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
