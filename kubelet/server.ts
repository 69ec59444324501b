// The kubelet's HTTP server: container logs for `kubectl logs` (the apiserver proxies pods/log here),
// resource usage (`/stats/summary`, read by the apiserver's metrics API) and health. HTTPS and authentication come with the hardening work; the listener is made here only.
import http from 'node:http';
import type { Logger } from '../shared/log';
import type { ContainerRuntime, RuntimeContainer } from './runtime/interface';
import type { StatsCollector } from './stats';

export interface ContainerLocator {
  /** The attempts of a pod's container, newest first. */
  attempts(namespace: string, pod: string, container: string): Promise<RuntimeContainer[]>;
}

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(message);
}

export function createKubeletServer(runtime: ContainerRuntime, locator: ContainerLocator, stats: StatsCollector, log: Logger): http.Server {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') return void res.end('ok');
    if (url.pathname === '/stats/summary') {
      res.setHeader('Content-Type', 'application/json');
      return void res.end(JSON.stringify(stats.summary()));
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return fail(res, 404, 'not found');
    const [namespace, pod, container] = m.slice(1).map(decodeURIComponent);
    const q = url.searchParams;
    try {
      const attempts = await locator.attempts(namespace, pod, container);
      const previous = q.get('previous') === 'true';
      const target = previous ? attempts[1] : attempts[0];
      if (!target) {
        return fail(res, 400, previous ? `previous terminated container "${container}" in pod "${pod}" not found` : `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
      }
      const stream = await runtime.logs(target.id, {
        follow: q.get('follow') === 'true' && !previous,
        tail: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
        timestamps: q.get('timestamps') === 'true',
        sinceSeconds: q.has('sinceSeconds') ? Number(q.get('sinceSeconds')) : undefined,
      });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.flushHeaders();
      stream.pipe(res);
      res.on('close', () => stream.destroy());
    } catch (err) {
      log.warn({ pod: `${namespace}/${pod}`, container, err: String(err) }, 'log request failed');
      if (!res.headersSent) fail(res, 500, String(err));
      else res.end();
    }
  });
}
