// The REST client every component uses to talk to the apiserver: JSON requests, Status errors, and a
// streaming watch. Plain node:http/https with keep-alive, so TLS and bearer tokens need no extra library.
// With several apiservers (the kubeconfig's extra servers, and those the `kubernetes` Service's endpoints
// name) it balances over them as the k3s agent does (loadbalancer.ts): a request whose connection fails
// goes to the next one, and a watch that breaks is resumed by its informer on another one, from its
// resourceVersion.
import http from 'node:http';
import https from 'node:https';
import type { Endpoints } from './api/core';
import type { KubeList, KubeObject, DeleteOptions, Status, WatchEvent } from './api/meta';
import { resourcePath, ResourceInfo } from './api/resources';
import { realClock } from './clock';
import type { Clock } from './clock';
import { StatusError, statusFailure } from './errors';
import type { ClientConfig } from './kubeconfig';
import { LoadBalancer } from './loadbalancer';
import { CachedFileToken } from './tokensource';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** At most this many items; the list's metadata.continue then asks for the next page. */
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Milliseconds before a request without a response is abandoned (not for streams). */
  timeoutMs?: number;
}

const PATCH_CONTENT_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Status from an error response: the body when it is one, else one made from the HTTP code. */
function statusFromResponse(code: number, body: string): Status {
  try {
    const parsed = JSON.parse(body) as Status;
    if (parsed?.kind === 'Status') return parsed;
  } catch {
    // not JSON
  }
  return statusFailure(code, REASONS[code] ?? 'Unknown', body.trim() || `the server responded with HTTP ${code}`);
}

/** How long a connection may take to open before the apiserver counts as unreachable (Go's dial timeout). */
const CONNECT_TIMEOUT_MS = 5_000;
/** How often the servers are read again from the `kubernetes` endpoints (at most; only while requests are made). */
const SERVER_REFRESH_MS = 30_000;
/** Failures where nothing reached the server: any request may be sent to another one. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT']);
/** Failures of a connection the request may have reached the server on: only reads are sent again. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERESPONSETIMEOUT']);
const SAFE_TO_REPEAT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a failed request may go to another apiserver: undefined when the failure was no connection's. */
export function failoverOf(method: string, err: unknown): 'retry' | 'fail' | undefined {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (NOT_CONNECTED.has(code)) return 'retry';
  if (CONNECTION_LOST.has(code) || e?.message === 'socket hang up') return SAFE_TO_REPEAT.has(method) ? 'retry' : 'fail';
  return undefined;
}

/** `https://ip:port` for every address of the `kubernetes` Endpoints. */
export function serversOf(endpoints: Endpoints): string[] {
  return (endpoints.subsets ?? []).flatMap((s) =>
    (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `https://${a.ip.includes(':') ? `[${a.ip}]` : a.ip}:${p.port}`)),
  );
}

const isLoopback = (url: URL) => ['localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');

const errorWithCode = (message: string, code: string) => Object.assign(new Error(message), { code });

export class Client {
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly tokenFile: CachedFileToken | undefined;
  readonly balancer: LoadBalancer;
  /** Whether the servers are refreshed from the `kubernetes` endpoints. */
  private readonly discover: boolean;
  private lastRefresh = -Infinity;
  private refreshing = false;

  constructor(
    readonly config: ClientConfig,
    private readonly clock: Clock = realClock,
  ) {
    const base = new URL(config.server);
    this.balancer = new LoadBalancer([config.server, ...(config.servers ?? [])], clock);
    // A loopback server is this machine's own apiserver (or a local balancer): the endpoints name others.
    this.discover = config.discoverServers ?? (base.protocol === 'https:' && !isLoopback(base));
    const tls = base.protocol === 'https:';
    this.agent = tls
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 64,
          ca: config.ca,
          cert: config.cert,
          key: config.key,
          rejectUnauthorized: !config.insecureSkipTLSVerify,
        })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.headers = { 'User-Agent': config.userAgent ?? 'mini-kubernetes' };
    if (config.token) this.headers.Authorization = `Bearer ${config.token}`;
    else if (config.tokenFile) this.tokenFile = new CachedFileToken(config.tokenFile, clock);
    if (config.impersonate) this.headers['Impersonate-User'] = config.impersonate;
  }

  private url(server: string, path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path, server);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, item));
      else url.searchParams.set(k, String(v));
    }
    return url;
  }

  /**
   * Sends a request and returns the raw response once its headers arrive; non-2xx rejects with a
   * StatusError. A request whose connection fails goes to the next apiserver (a write only when it
   * cannot have reached the first), until each was tried once.
   */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    this.maybeRefreshServers();
    const tried = new Set<string>();
    for (;;) {
      const server = this.balancer.pick();
      try {
        return await this.send(server, method, path, opts);
      } catch (err) {
        const failover = opts.signal?.aborted ? undefined : failoverOf(method, err);
        if (!failover) throw err;
        this.balancer.failed(server);
        tried.add(server);
        if (failover === 'fail' || tried.size >= this.balancer.servers.length) throw err;
      }
    }
  }

  private send(server: string, method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    const url = this.url(server, path, opts.query);
    const body = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    const headers: Record<string, string | number> = { ...this.headers, Accept: opts.accept ?? 'application/json' };
    if (this.tokenFile) headers.Authorization = `Bearer ${this.tokenFile.get()}`;
    if (body) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, signal: opts.signal }, (res) => {
        this.balancer.succeeded(server);
        // A response that breaks off (the apiserver died mid-watch) sends the next request elsewhere.
        res.once('close', () => {
          if (!res.complete && !opts.signal?.aborted) this.balancer.failed(server);
        });
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new StatusError(statusFromResponse(code, Buffer.concat(chunks).toString()))));
        res.on('error', reject);
      });
      // An apiserver whose machine is gone answers nothing: give up on it after a dial timeout.
      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => req.destroy(errorWithCode(`dial tcp ${url.host}: i/o timeout`, 'ETIMEDOUT')), CONNECT_TIMEOUT_MS);
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      if (opts.timeoutMs)
        req.setTimeout(opts.timeoutMs, () =>
          req.destroy(errorWithCode(`${method} ${url.pathname}: no response within ${opts.timeoutMs} ms`, 'ERESPONSETIMEOUT')),
        );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Reads the servers from the `kubernetes` endpoints now and then, in the background. */
  private maybeRefreshServers(): void {
    if (!this.discover || this.refreshing || this.clock.now() - this.lastRefresh < SERVER_REFRESH_MS) return;
    this.refreshing = true;
    this.lastRefresh = this.clock.now();
    this.refreshServers()
      .catch(() => undefined) // a client that may not read them (a bootstrap token) keeps its servers
      .finally(() => (this.refreshing = false));
  }

  /** Makes the servers the `kubernetes` endpoints name (and the configured ones) those it balances over. */
  async refreshServers(): Promise<void> {
    const endpoints = await this.request<Endpoints>('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    const servers = serversOf(endpoints);
    if (servers.length) this.balancer.setDiscovered(servers);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.stream(method, path, { timeoutMs: 30_000, ...opts });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  resource<T extends KubeObject>(info: ResourceInfo): ResourceClient<T> {
    return new ResourceClient<T>(this, info);
  }
}

export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly client: Client,
    readonly info: ResourceInfo,
  ) {}

  list(namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.client.request('GET', resourcePath(this.info, namespace), { query: { ...opts } });
  }

  get(namespace: string | undefined, name: string): Promise<T> {
    return this.client.request('GET', resourcePath(this.info, namespace, name));
  }

  create(obj: T): Promise<T> {
    return this.client.request('POST', resourcePath(this.info, obj.metadata.namespace), { body: obj });
  }

  update(obj: T): Promise<T> {
    return this.client.request('PUT', resourcePath(this.info, obj.metadata.namespace, obj.metadata.name), { body: obj });
  }

  updateStatus(obj: T): Promise<T> {
    return this.client.request('PUT', resourcePath(this.info, obj.metadata.namespace, obj.metadata.name, 'status'), { body: obj });
  }

  patch(
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: keyof typeof PATCH_CONTENT_TYPES = 'merge',
    subresource?: string,
  ): Promise<T> {
    return this.client.request('PATCH', resourcePath(this.info, namespace, name, subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    await this.client.request('DELETE', resourcePath(this.info, namespace, name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts },
    });
  }

  subresource<R>(method: string, namespace: string | undefined, name: string, subresource: string, body?: unknown): Promise<R> {
    return this.client.request(method, resourcePath(this.info, namespace, name, subresource), { body });
  }

  /**
   * Streams watch events until the server ends the response or `signal` aborts. Lines may arrive split
   * across chunks; each complete line is one event.
   */
  async watch(namespace: string | undefined, opts: ListOptions, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void> {
    let res: http.IncomingMessage;
    try {
      res = await this.client.stream('GET', resourcePath(this.info, namespace), { query: { ...opts, watch: true }, signal });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    let buffered = '';
    try {
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  }
}
