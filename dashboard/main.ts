// The dashboard: a client of the apiserver like every other component (informers over the shared client,
// read-only credentials) serving one live page. `node dist/dashboard/main.js --kubeconfig .data/kubeconfig-viewer`
// for development; in the cluster it runs as the Deployment kube-system/dashboard (deploy/addons/dashboard.yaml)
// with no --kubeconfig: its ServiceAccount's token and the `kubernetes` Service (shared/incluster.ts).
import path from 'node:path';
import { KUBERNETES_VERSION } from '../shared/version';
import { Client } from '../shared/client';
import type { Lifecycle } from '../shared/component';
import { runComponent } from '../shared/component';
import { realClock } from '../shared/clock';
import { parseFlags } from '../shared/flags';
import { buildConfigFromFlags } from '../shared/incluster';
import { newLogger } from '../shared/log';
import { ComponentHealth } from './components';
import { ProxyMetricsScraper } from './proxymetrics';
import { createDashboardServer } from './server';
import { DashboardSources } from './sources';
import { DashboardState } from './state';

const flags = parseFlags({
  kubeconfig: {
    default: '',
    help: 'kubeconfig of the apiserver (read-only credentials are enough: view); empty in a pod: its ServiceAccount',
  },
  'bind-address': { default: '127.0.0.1', help: 'where the page is served' },
  port: { default: '9090', help: 'the HTTP port of the page (Kubernetes Dashboard: 9090 for HTTP)' },
  'kube-proxy-metrics': {
    default: 'http://127.0.0.1:10249/metrics',
    help: "kube-proxies' /metrics URLs, comma-separated: the traffic per endpoint (empty: none)",
  },
  'batch-interval': { default: '100', help: 'milliseconds of changes collected into one update of the page' },
});

const log = newLogger('dashboard');

async function main(lifecycle: Lifecycle): Promise<void> {
  const config = { ...buildConfigFromFlags(flags.kubeconfig), userAgent: `dashboard/${KUBERNETES_VERSION.gitVersion}` };
  const client = new Client(config);
  const clock = realClock;
  const state = new DashboardState(Number(flags['batch-interval']), clock);
  const sources = new DashboardSources(client, state, clock, log);
  const health = new ComponentHealth(client, state, clock);
  const targets = flags['kube-proxy-metrics']!.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const scraper = new ProxyMetricsScraper(targets, state, clock, log);
  const server = createDashboardServer({
    state,
    client,
    apiserver: { server: config.server, ca: config.ca, insecureSkipTLSVerify: config.insecureSkipTLSVerify },
    resourceOf: (kind) => sources.resourceOf(kind),
    webDir: path.join(__dirname, 'web'),
    log,
  });
  await sources.start();
  health.start();
  scraper.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(flags.port), flags['bind-address'], () => resolve());
  });
  log.info({ address: `http://${flags['bind-address']}:${flags.port}/` }, 'dashboard serving');
  lifecycle.onShutdown(() => {
    sources.stop();
    health.stop();
    scraper.stop();
    server.closeAllConnections();
    server.close();
  });
}

runComponent('dashboard', log, main);
