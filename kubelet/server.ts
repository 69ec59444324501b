// The kubelet's HTTPS server: container logs for `kubectl logs` (the apiserver proxies pods/log here),
// exec, attach and port-forward (upgrade requests, see streaming.ts), resource usage (`/stats/summary`,
// read by the apiserver's metrics API), Prometheus metrics (`/metrics`) and health. Every path but
// /healthz needs an authenticated, authorized caller (see auth.ts).
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/log';
import { asyncHandler } from '../shared/asynchandler';
import { answerParserErrors } from '../shared/clienterror';
import { writeMetrics } from '../shared/metricsserver';
import { refuseUpgrade } from '../shared/streaming/httpstream';
import type { KubeletAuth } from './auth';
import type { ContainerRuntime, RuntimeContainer } from './runtime/interface';
import type { StatsCollector } from './stats';
import { PodLocator, StreamingServer } from './streaming';

export interface ContainerLocator extends PodLocator {
  /** The attempts of a pod's container, newest first. */
  attempts(namespace: string, pod: string, container: string): Promise<RuntimeContainer[]>;
}

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(message);
}

export interface ServingTLS {
  cert: string | Buffer;
  key: string | Buffer;
  /** The CA whose client certificates are accepted (--client-ca-file). */
  clientCA?: Buffer;
}

export function createKubeletServer(
  runtime: ContainerRuntime,
  locator: ContainerLocator,
  stats: StatsCollector,
  metrics: Registry,
  auth: KubeletAuth,
  tls: ServingTLS,
  log: Logger,
): https.Server {
  const options: https.ServerOptions = {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCA ? { ca: tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}),
  };
  const streaming = new StreamingServer(runtime, locator, log);
  const server = https.createServer(
    options,
    asyncHandler(async (req, res) => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      if (url.pathname === '/healthz') return void res.end('ok');
      const verdict = await auth.check(req, url.pathname);
      if (!verdict.ok) return fail(res, verdict.code, verdict.message);
      if (url.pathname === '/stats/summary') {
        res.setHeader('Content-Type', 'application/json');
        return void res.end(JSON.stringify(stats.summary()));
      }
      if (url.pathname === '/metrics') return writeMetrics(res, metrics);
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || req.method !== 'GET') return fail(res, 404, 'not found');
      const [namespace, pod, container] = m.slice(1).map(decodeURIComponent);
      const q = url.searchParams;
      try {
        const attempts = await locator.attempts(namespace, pod, container);
        const previous = q.get('previous') === 'true';
        const target = previous ? attempts[1] : attempts[0];
        if (!target) {
          return fail(
            res,
            400,
            previous
              ? `previous terminated container "${container}" in pod "${pod}" not found`
              : `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`,
          );
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
        log.warn({ pod: `${namespace}/${pod}`, container, err }, 'log request failed');
        if (!res.headersSent) fail(res, 500, String(err));
        else res.end();
      }
    }, log),
  );
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log.debug({ err }, 'streaming connection failed'));
    const url = new URL(req.url ?? '/', 'https://kubelet');
    void (async () => {
      const verdict = await auth.check(req, url.pathname);
      if (!verdict.ok) return refuseUpgrade(req, socket, verdict.code, verdict.message);
      if (!(await streaming.serve(req, socket, head, url))) refuseUpgrade(req, socket, 404, 'not found');
    })().catch((err) => {
      log.error({ err, path: url.pathname }, 'streaming request failed');
      socket.destroy();
    });
  });
  answerParserErrors(server);
  return server;
}
