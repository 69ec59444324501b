// kube-proxy's Prometheus metrics: connections per service port and endpoint.
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
