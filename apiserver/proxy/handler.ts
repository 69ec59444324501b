// The proxy subresources' handler (apimachinery's UpgradeAwareHandler with its rewriting Transport):
// the request goes on to the location (method, headers without the caller's credentials, body, query)
// and the answer comes back as it is, streamed, with three changes Kubernetes makes too: hop-by-hop and
// CORS headers are dropped, and a Location pointing at the backend is rewritten to go through the proxy.
//
//   GET /api/v1/namespaces/default/services/web:80/proxy/index.html?x=1  →  GET http://10.244.0.7:8080/index.html?x=1
//
// A request for the bare `.../proxy` is redirected to `.../proxy/` first, as Kubernetes does.
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Request, Response } from 'express';
import { dialErrorText } from '../../shared/dialerror';
import { serviceUnavailable } from '../../shared/errors';
import type { KubeletClient } from '../kubeletclient';
import type { ProxyLocation } from './location';

/** How long a backend has to accept the connection, as Go's default dialer allows. */
const DIAL_TIMEOUT_MS = 30_000;

/** Headers that belong to one hop (RFC 9110 §7.6.1), never forwarded by a proxy either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers that stay here: the caller's credentials are for the apiserver, not the backend. */
const CREDENTIALS = /^(authorization|impersonate-.*)$/i;

/** CORS answers of a backend: the apiserver's origin is not the backend's to grant (corsRemovingTransport). */
const CORS = new Set([
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-allow-origin',
]);

/** A raw header list (`[name, value, name, value, ...]`) as pairs. */
function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
}

/** The hop-by-hop headers of a message: the fixed ones and those its Connection header names. */
function hopByHop(headers: [string, string][]): (name: string) => boolean {
  const named = new Set(
    headers
      .filter(([k]) => k.toLowerCase() === 'connection')
      .flatMap(([, v]) => v.split(','))
      .map((t) => t.trim().toLowerCase()),
  );
  return (name) => HOP_BY_HOP.has(name) || named.has(name);
}

/** The request headers sent on: all but hop-by-hop, Host (the backend's own) and credentials; X-Forwarded-* added. */
export function backendRequestHeaders(raw: string[], clientAddress: string | undefined, forwardedUri: string): [string, string][] {
  const headers = pairs(raw);
  const isHopByHop = hopByHop(headers);
  const kept = headers.filter(([k]) => {
    const name = k.toLowerCase();
    return !isHopByHop(name) && name !== 'host' && !CREDENTIALS.test(name) && name !== 'x-forwarded-uri';
  });
  const prior = kept.filter(([k]) => k.toLowerCase() === 'x-forwarded-for').map(([, v]) => v);
  const out = kept.filter(([k]) => k.toLowerCase() !== 'x-forwarded-for');
  if (clientAddress) out.push(['X-Forwarded-For', [...prior, clientAddress].join(', ')]);
  out.push(['X-Forwarded-Uri', forwardedUri]);
  return out;
}

/** RFC 3986's reference pattern: scheme, authority, path, query and fragment of an absolute or relative URL. */
const URL_PARTS = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/;

/**
 * proxy.Transport's rewriteURL: a URL on the backend's host (or the host the client asked) with an
 * absolute path is made to go through the proxy, `pathPrepend` being the apiserver path up to `/proxy`.
 * Other hosts and relative references stay as they are.
 */
export function rewriteURL(target: string, backendHost: string, requestHost: string | undefined, pathPrepend: string): string {
  const m = URL_PARTS.exec(target);
  if (!m) return target;
  const [, scheme, authority, urlPath, query = '', fragment = ''] = m;
  const host = authority?.replace(/^[^@]*@/, '') ?? '';
  if ((host !== '' && host !== backendHost && host !== requestHost) || !urlPath.startsWith('/')) return target;
  // The server-side request has no scheme or host of its own, so only the client's host keeps them.
  const origin = host !== '' && host === requestHost ? `${scheme ? `${scheme}:` : ''}//${authority}` : '';
  if (urlPath.startsWith(pathPrepend)) return `${origin}${urlPath}${query}${fragment}`;
  let joined = path.posix.join(pathPrepend, urlPath);
  if (urlPath.endsWith('/') && !joined.endsWith('/')) joined += '/';
  return `${origin}${joined}${query}${fragment}`;
}

/** The response headers passed back: all but hop-by-hop and CORS ones, with Location rewritten. */
export function clientResponseHeaders(raw: string[], rewrite: (url: string) => string): [string, string][] {
  const headers = pairs(raw);
  const isHopByHop = hopByHop(headers);
  return headers
    .filter(([k]) => !isHopByHop(k.toLowerCase()) && !CORS.has(k.toLowerCase()))
    .map(([k, v]) => [k, k.toLowerCase() === 'location' ? rewrite(v) : v]);
}

const directHttp = new http.Agent({ keepAlive: true });
// Kubernetes' proxy transport does not verify a pod's serving certificate either (InsecureSkipVerify).
const directHttps = new https.Agent({ keepAlive: true, rejectUnauthorized: false });

function hostPort(location: ProxyLocation): string {
  const host = location.host.includes(':') ? `[${location.host}]` : location.host;
  return location.port === undefined ? host : `${host}:${location.port}`;
}

/** Pairs as Node's header object: a repeated header becomes a list, sent as one line per value. */
function headerObject(headers: [string, string][]): http.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const prior = out[key];
    out[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return out;
}

/** Starts the request to the backend (Node adds the backend's Host); the caller ends it. */
function dial(
  location: ProxyLocation,
  kubelets: KubeletClient,
  method: string,
  target: string,
  headers: [string, string][],
): http.ClientRequest {
  if (location.transport === 'kubelet')
    return kubelets.request({ host: location.host, port: location.port! }, method, target, headerObject(headers));
  const options = { host: location.host, port: location.port, method, path: target, headers: headerObject(headers) };
  return location.scheme === 'https' ? https.request({ ...options, agent: directHttps }) : http.request({ ...options, agent: directHttp });
}

/** Go's words for a failed connection, as the proxy reports it: `dial tcp 10.244.0.7:80: connect: connection refused`. */
function reachError(location: ProxyLocation, err: NodeJS.ErrnoException): string {
  const port = location.port ?? (location.scheme === 'https' ? 443 : 80);
  if (err.code === 'ETIMEDOUT' && err.syscall === 'connect') return `dial tcp ${hostPort({ ...location, port })}: i/o timeout`;
  if (err.syscall === 'connect') return dialErrorText('tcp', location.host, port, err);
  return err.message;
}

/**
 * Serves a proxy request: `backendPath` is what follows `/proxy` in the request's path ('' for none),
 * `pathPrepend` the request's path up to and including `/proxy`.
 */
export function proxyRequest(
  req: Request,
  res: Response,
  location: ProxyLocation,
  backendPath: string,
  pathPrepend: string,
  kubelets: KubeletClient,
): Promise<void> {
  const queryAt = req.originalUrl.indexOf('?');
  const query = queryAt < 0 ? '' : req.originalUrl.slice(queryAt);
  if (backendPath === '' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.redirect(301, `${req.path}/${query}`);
    return Promise.resolve();
  }
  const headers = backendRequestHeaders(req.rawHeaders, req.socket.remoteAddress, req.path);
  return new Promise<void>((resolve, reject) => {
    const backend = dial(location, kubelets, req.method, `${backendPath || '/'}${query}`, headers);
    const dialTimer = setTimeout(() => {
      const err = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'connect' });
      backend.destroy(err);
    }, DIAL_TIMEOUT_MS);
    backend.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(dialTimer);
      else socket.once('connect', () => clearTimeout(dialTimer));
    });
    backend.on('response', (answer) => {
      clearTimeout(dialTimer);
      const rewrite = (url: string) => rewriteURL(url, hostPort(location), req.headers.host, pathPrepend);
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, clientResponseHeaders(answer.rawHeaders, rewrite).flat());
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    backend.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(dialTimer);
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else {
        reject(serviceUnavailable(`error trying to reach service: ${reachError(location, err)}`));
      }
    });
    res.on('close', () => {
      if (!res.writableFinished) backend.destroy();
    });
    // The body streams through as it arrives (the apiserver does not parse a proxied request's body).
    req.pipe(backend);
  });
}
