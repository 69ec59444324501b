// The REST client every component uses to talk to the apiserver: JSON requests, Status errors, and a
// streaming watch. Plain node:http/https with keep-alive, so TLS and bearer tokens need no extra library.
import http from 'node:http';
import https from 'node:https';
import type { KubeList, KubeObject, DeleteOptions, Status, WatchEvent } from './api/meta';
import { resourcePath, ResourceInfo } from './api/resources';
import { StatusError, statusFailure } from './errors';
import type { ClientConfig } from './kubeconfig';

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

export class Client {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;

  constructor(readonly config: ClientConfig) {
    this.base = new URL(config.server);
    const tls = this.base.protocol === 'https:';
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
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, item));
      else url.searchParams.set(k, String(v));
    }
    return url;
  }

  /** Sends a request and returns the raw response once its headers arrive; non-2xx rejects with a StatusError. */
  stream(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const url = this.url(path, opts.query);
    const body = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    const headers: Record<string, string | number> = { ...this.headers, Accept: opts.accept ?? 'application/json' };
    if (body) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, signal: opts.signal }, (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new StatusError(statusFromResponse(code, Buffer.concat(chunks).toString()))));
        res.on('error', reject);
      });
      if (opts.timeoutMs)
        req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no response within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
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
