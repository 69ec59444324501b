// kube-proxy's Prometheus metrics: connections and bytes per service port and endpoint (what the
// dashboard's Services view draws as traffic spreading over a Service's pods).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const connectionsTotal = new Counter({
  name: 'kubeproxy_connections_total',
  help: 'Connections (TCP) or sessions (UDP) forwarded, by service port and endpoint.',
  labelNames: ['service', 'endpoint'],
  registers: [registry],
});
export const activeConnections = new Gauge({
  name: 'kubeproxy_active_connections',
  help: 'Open connections or sessions, by service port and endpoint.',
  labelNames: ['service', 'endpoint'],
  registers: [registry],
});
/** Run before each scrape: the TCP proxies add the bytes their open connections moved since the last one. */
export const beforeScrape = new Set<() => void>();

export const bytesTotal = new Counter({
  name: 'kubeproxy_bytes_total',
  help: 'Bytes forwarded, by service port, endpoint and direction (to_endpoint: from clients; from_endpoint: replies).',
  labelNames: ['service', 'endpoint', 'direction'],
  registers: [registry],
  collect: () => beforeScrape.forEach((count) => count()),
});
