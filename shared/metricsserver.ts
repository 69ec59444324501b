// The secure port of kube-scheduler (10259) and kube-controller-manager (10257): HTTPS with a
// self-signed certificate made at start-up (as they do without --tls-cert-file), serving /healthz to
// anyone and /metrics, the process's Prometheus registry, to callers the apiserver allows to get the
// non-resource path /metrics (shared/delegatedauth.ts; RBAC's system:monitoring role allows it).
// A port that cannot be opened (a standby replica on the same host already holds it) is only a warning:
// the component runs on without it.
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import type { Registry } from 'prom-client';
import { asyncHandler } from './asynchandler';
import type { DelegatedAuth } from './delegatedauth';
import type { FlagSpec, FlagValues } from './flags';
import type { Logger } from './log';
import { selfSignedServingCertificate } from './pki';

/** The flags of the secure port, as kube-scheduler and kube-controller-manager name them. */
export function secureServingFlags(defaultPort: number) {
  return {
    'secure-port': { default: String(defaultPort), help: 'the HTTPS port of /metrics and /healthz; 0 disables it' },
    'bind-address': { default: '127.0.0.1', help: 'the address the secure port listens on' },
    'client-ca-file': { help: 'accept client certificates signed by this CA on the secure port' },
  } satisfies Record<string, FlagSpec>;
}

export interface SecureServingOptions {
  /** The component's name, the common name of its certificate (`kube-scheduler`). */
  component: string;
  /** --secure-port; 0 serves nothing. */
  port: number;
  /** --bind-address. */
  bindAddress: string;
  /** --client-ca-file: client certificates it signed are accepted. */
  clientCAFile?: string;
}

/** The options of secureServingFlags' values. */
export function secureServingOptions(component: string, flags: FlagValues<ReturnType<typeof secureServingFlags>>): SecureServingOptions {
  return { component, port: Number(flags['secure-port']), bindAddress: flags['bind-address'], clientCAFile: flags['client-ca-file'] };
}

/** Writes the registry in Prometheus' text format. */
export async function writeMetrics(res: http.ServerResponse, registry: Registry): Promise<void> {
  const body = await registry.metrics();
  res.writeHead(200, { 'Content-Type': registry.contentType });
  res.end(body);
}

function fail(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(message);
}

function handler(registry: Registry, auth: DelegatedAuth, log: Logger): http.RequestListener {
  return asyncHandler(async (req, res) => {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (path === '/healthz') return void res.end('ok');
    const verdict = await auth.check(req, { nonResourceAttributes: { verb: 'get', path } });
    if (!verdict.ok) return fail(res, verdict.code, verdict.message);
    if (path !== '/metrics' || req.method !== 'GET') return fail(res, 404, 'not found');
    await writeMetrics(res, registry);
  }, log);
}

/** The addresses the certificate names: loopback, and the bind address unless it means "every address". */
function servingIPs(bindAddress: string): string[] {
  return [...new Set(['127.0.0.1', bindAddress])].filter((ip) => ip !== '0.0.0.0' && ip !== '::');
}

/** Starts the secure port; resolves with the listening server, or undefined when there is none. */
export function serveMetrics(
  opts: SecureServingOptions,
  registry: Registry,
  auth: DelegatedAuth,
  log: Logger,
): Promise<https.Server | undefined> {
  if (opts.port === 0) return Promise.resolve(undefined);
  const pair = selfSignedServingCertificate({
    commonName: `${opts.component}@${Math.floor(Date.now() / 1000)}`,
    dnsNames: ['localhost', os.hostname()],
    ips: servingIPs(opts.bindAddress),
  });
  const clientAuth = opts.clientCAFile ? { ca: fs.readFileSync(opts.clientCAFile), requestCert: true, rejectUnauthorized: false } : {};
  const tls: https.ServerOptions = { cert: pair.cert, key: pair.key, ...clientAuth };
  const server = https.createServer(tls, handler(registry, auth, log));
  return new Promise((resolve) => {
    server.once('error', (err) => {
      log.warn({ err, port: opts.port }, 'secure port not served; running without /metrics');
      resolve(undefined);
    });
    server.listen(opts.port, opts.bindAddress, () => {
      log.info({ port: opts.port, address: opts.bindAddress }, 'serving securely');
      resolve(server);
    });
  });
}
