// A minimal HTTPS helper for integration tests: raw requests with the admin's token, so the tests see
// exactly what kubectl would (status codes, Status bodies), and a raw watch reader.
import http from 'node:http';
import https from 'node:https';
import type { ClientConfig } from '../../shared/kubeconfig';

export interface ApiResponse<T = any> {
  code: number;
  body: T;
  contentType: string;
}

/** Sends one request; `config.token` (and `cert`) undefined means anonymous. */
export function send(
  config: ClientConfig,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<http.IncomingMessage> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, config.server),
      {
        method,
        ca: config.ca,
        cert: config.cert,
        key: config.key,
        // Node frames no body on DELETE unless told its length.
        headers: {
          ...(config.token ? { Authorization: `Bearer ${config.token}` } : {}),
          ...(payload !== undefined ? { 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
          ...headers,
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function api<T = any>(
  config: ClientConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  accept = 'application/json',
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const res = await send(config, method, path, body, { 'Content-Type': contentType, Accept: accept, ...headers });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { code: res.statusCode ?? 0, body: parsed as T, contentType: String(res.headers['content-type'] ?? '') };
}

/** Reads a watch stream until `count` events arrived or the timeout passed. */
export async function watchEvents(config: ClientConfig, path: string, count: number, timeoutMs = 10_000): Promise<any[]> {
  const events: any[] = [];
  const res = await send(config, 'GET', path);
  const timer = setTimeout(() => res.destroy(), timeoutMs);
  let buf = '';
  try {
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (events.length >= count) break;
    }
  } catch {
    // destroyed at the timeout: return what arrived
  } finally {
    clearTimeout(timer);
    res.destroy();
  }
  return events;
}

export const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'test' } },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
  ...extra,
});
