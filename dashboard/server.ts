// The dashboard's HTTP side: the page (index.html, app.js, app.css, all linked by relative URLs, so it
// works under the apiserver's proxy path /api/v1/namespaces/kube-system/services/http:dashboard:/proxy/),
// the live stream (`events`: server-sent events, a snapshot then batched deltas), an object's YAML read
// with the dashboard's own credentials, and the two actions (scale, delete), which are sent to the
// apiserver with the token the user pasted, never the dashboard's: RBAC decides what the user may do.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ResourceInfo } from '../shared/api/resources';
import { resourcePath } from '../shared/api/resources';
import { asyncHandler } from '../shared/asynchandler';
import { Client } from '../shared/client';
import type { ClientConfig } from '../shared/kubeconfig';
import { StatusError } from '../shared/errors';
import type { Logger } from '../shared/log';
import type { DashboardState } from './state';

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/** A client that reads this much slower than the cluster changes is dropped; its EventSource reconnects. */
const MAX_BUFFERED = 16 << 20;
const HEARTBEAT_MS = 15_000;

export interface DashboardServerOptions {
  state: DashboardState;
  /** The dashboard's own client (read-only: `view`). */
  client: Client;
  /** Where the apiserver is and how to trust it: the base of the clients made from users' tokens. */
  apiserver: Pick<ClientConfig, 'server' | 'ca' | 'insecureSkipTLSVerify'>;
  /** The API resource of a kind the page names (Pod, Deployment, ...), if the apiserver serves it. */
  resourceOf(kind: string): ResourceInfo | undefined;
  webDir: string;
  log: Logger;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit = 64 << 10): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) return reject(new HttpError(413, 'request body too large'));
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      } catch {
        reject(new HttpError(400, 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** How kubectl names a kind in its messages: `pod`, `deployment.apps`. */
const kubectlKind = (r: ResourceInfo) => `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}`;

function sendJSON(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createDashboardServer(o: DashboardServerOptions): http.Server {
  const files = new Map<string, Buffer>();
  const file = (name: string): Buffer | undefined => {
    if (!files.has(name)) {
      const p = path.join(o.webDir, name);
      if (!fs.existsSync(p)) return undefined;
      files.set(name, fs.readFileSync(p));
    }
    return files.get(name);
  };

  /** The object a request names: `{kind, namespace, name}` from the query or the body. */
  const target = (q: { kind?: unknown; namespace?: unknown; name?: unknown }) => {
    const kind = String(q.kind ?? '');
    const resource = o.resourceOf(kind);
    if (!resource) throw new HttpError(400, `unknown kind ${JSON.stringify(kind)}`);
    const name = String(q.name ?? '');
    if (!name) throw new HttpError(400, 'name is required');
    const namespace = resource.namespaced ? String(q.namespace ?? '') : undefined;
    if (resource.namespaced && !namespace) throw new HttpError(400, 'namespace is required');
    return { resource, namespace, name };
  };

  /** A client acting as the user whose bearer token came with the request. */
  const userClient = (req: http.IncomingMessage): Client => {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/.exec(auth);
    if (!m) throw new HttpError(401, 'paste a token first: actions are sent to the apiserver as the token’s user');
    return new Client({ ...o.apiserver, token: m[1], userAgent: 'mini-kubernetes-dashboard' });
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: string, data: unknown) => {
      if (res.writableLength > MAX_BUFFERED) {
        o.log.warn('a page reads too slowly: dropping its stream (it reconnects with a snapshot)');
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 2000\n\n');
    send('snapshot', o.state.snapshot());
    const unsubscribe = o.state.subscribe((delta) => send('delta', delta));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
    });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'");
    try {
      if (req.method === 'GET' && STATIC[url.pathname]) {
        const name = STATIC[url.pathname];
        const body = file(name);
        if (!body) throw new HttpError(404, `${name} is not built: npm run build`);
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)], 'Cache-Control': 'no-cache' });
        return void res.end(body);
      }
      if (req.method === 'GET' && url.pathname === '/events') return events(req, res);
      if (req.method === 'GET' && url.pathname === '/healthz') return void res.end('ok');
      if (req.method === 'GET' && url.pathname === '/api/yaml') {
        const t = target(Object.fromEntries(url.searchParams));
        const obj = await o.client.request<Record<string, unknown>>('GET', resourcePath(t.resource, t.namespace, t.name));
        const metadata = obj.metadata as Record<string, unknown> | undefined;
        if (metadata) delete metadata.managedFields;
        res.writeHead(200, { 'Content-Type': 'text/yaml; charset=utf-8', 'Cache-Control': 'no-store' });
        return void res.end(stringify(obj));
      }
      if (req.method === 'POST' && url.pathname === '/api/scale') {
        const body = (await readBody(req)) as { replicas?: unknown };
        const t = target(body as Record<string, unknown>);
        const replicas = Number(body.replicas);
        if (!Number.isInteger(replicas) || replicas < 0) throw new HttpError(400, 'replicas must be a whole number, 0 or more');
        const client = userClient(req);
        await client.resource(t.resource).patch(t.namespace, t.name, { spec: { replicas } }, 'merge', 'scale');
        return sendJSON(res, 200, { message: `${kubectlKind(t.resource)}/${t.name} scaled` });
      }
      if (req.method === 'POST' && url.pathname === '/api/delete') {
        const t = target((await readBody(req)) as Record<string, unknown>);
        const client = userClient(req);
        await client.resource(t.resource).delete(t.namespace, t.name);
        return sendJSON(res, 200, { message: `${kubectlKind(t.resource)} "${t.name}" deleted` });
      }
      throw new HttpError(404, `${req.method} ${url.pathname}: not found`);
    } catch (err) {
      if (err instanceof StatusError)
        return sendJSON(res, err.status.code ?? 500, { message: err.status.message, reason: err.status.reason });
      if (err instanceof HttpError) return sendJSON(res, err.code, { message: err.message });
      o.log.error({ err }, 'request failed');
      return sendJSON(res, 500, { message: (err as Error).message });
    }
  };
  return http.createServer(asyncHandler(handle, o.log));
}
