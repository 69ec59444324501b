import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { toStatus } from '../../shared/errors';
import { KubeletClient } from '../kubeletclient';
import { backendRequestHeaders, clientResponseHeaders, proxyRequest, rewriteURL } from './handler';
import type { ProxyLocation } from './location';

const PREFIX = '/api/v1/namespaces/default/services/web:80/proxy';

describe('rewriteURL', () => {
  it.each([
    // The backend's own host, or a bare absolute path: through the proxy.
    ['http://10.244.0.7:8080/login?next=/x#top', `${PREFIX}/login?next=/x#top`],
    ['/login/', `${PREFIX}/login/`],
    ['/a/../b', `${PREFIX}/b`],
    // The host the client asked for keeps its scheme and host.
    ['https://localhost:8001/login', `https://localhost:8001${PREFIX}/login`],
    // Already through the proxy, another host, a relative reference: as they are.
    [`${PREFIX}/x`, `${PREFIX}/x`],
    ['https://example.com/login', 'https://example.com/login'],
    ['login', 'login'],
  ])('%s → %s', (target, want) => {
    expect(rewriteURL(target, '10.244.0.7:8080', 'localhost:8001', PREFIX)).toBe(want);
  });
});

describe('headers', () => {
  it("drops hop-by-hop headers, Host and the caller's credentials, and says who forwarded", () => {
    const sent = backendRequestHeaders(
      [
        'Host',
        'apiserver:6443',
        'Authorization',
        'Bearer secret',
        'Impersonate-User',
        'jane',
        'Connection',
        'keep-alive, X-Private',
        'X-Private',
        'p',
        'Transfer-Encoding',
        'chunked',
        'Accept',
        'text/html',
        'X-Forwarded-For',
        '10.0.0.1',
      ],
      '127.0.0.1',
      `${PREFIX}/x`,
    );
    expect(sent).toEqual([
      ['Accept', 'text/html'],
      ['X-Forwarded-For', '10.0.0.1, 127.0.0.1'],
      ['X-Forwarded-Uri', `${PREFIX}/x`],
    ]);
  });

  it('drops CORS and hop-by-hop headers from the answer and rewrites Location', () => {
    const back = clientResponseHeaders(
      ['Location', '/next', 'Access-Control-Allow-Origin', '*', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'],
      (url) => `${PREFIX}${url}`,
    );
    expect(back).toEqual([
      ['Location', `${PREFIX}/next`],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });
});

describe('proxyRequest', () => {
  let backend: http.Server;
  let apiserver: http.Server;
  let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string };
  let target: ProxyLocation;

  const listen = (server: http.Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
        if (req.url === '/moved') res.writeHead(302, { Location: `http://127.0.0.1:${target.port}/there` }).end();
        else res.writeHead(201, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' }).end('hello');
      });
    });
    target = { scheme: 'http', host: '127.0.0.1', port: await listen(backend), transport: 'direct' };
    const app = express();
    app.use(async (req, res) => {
      const backendPath = req.path.slice(PREFIX.length);
      try {
        await proxyRequest(
          req,
          res,
          req.headers['x-target'] === 'closed' ? { ...target, port: 1 } : target,
          backendPath,
          PREFIX,
          new KubeletClient({}),
        );
      } catch (err) {
        res.status(toStatus(err).code).json(toStatus(err));
      }
    });
    apiserver = http.createServer(app);
    await listen(apiserver);
  });
  afterAll(() => {
    backend.close();
    apiserver.close();
  });

  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ code: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const port = (apiserver.address() as AddressInfo).port;
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ code: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('forwards method, path, query and body, and streams the answer back without CORS headers', async () => {
    const res = await call('POST', `${PREFIX}/submit?a=1&b=%2F`, 'payload', {
      Authorization: 'Bearer secret',
      'Content-Type': 'text/plain',
    });
    expect(res).toMatchObject({ code: 201, body: 'hello' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(seen).toMatchObject({ method: 'POST', url: '/submit?a=1&b=%2F', body: 'payload' });
    expect(seen.headers).toMatchObject({
      'content-type': 'text/plain',
      'x-forwarded-uri': `${PREFIX}/submit`,
      'x-forwarded-for': '127.0.0.1',
    });
    expect(seen.headers?.authorization).toBeUndefined();
  });

  it('redirects the bare proxy path to its slash, and rewrites a redirect of the backend', async () => {
    expect(await call('GET', `${PREFIX}?x=1`)).toMatchObject({ code: 301, headers: { location: `${PREFIX}/?x=1` } });
    expect(await call('GET', `${PREFIX}/moved`)).toMatchObject({ code: 302, headers: { location: `${PREFIX}/there` } });
    await call('DELETE', PREFIX);
    expect(seen).toMatchObject({ method: 'DELETE', url: '/' });
  });

  it("answers 503 in Go's words when the backend cannot be reached", async () => {
    const res = await call('GET', `${PREFIX}/`, undefined, { 'X-Target': 'closed' });
    expect(res.code).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({
      reason: 'ServiceUnavailable',
      message: 'error trying to reach service: dial tcp 127.0.0.1:1: connect: connection refused',
    });
  });
});
