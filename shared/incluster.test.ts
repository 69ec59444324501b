import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from './client';
import { FakeClock } from './clock';
import { buildConfigFromFlags, inClusterConfig, inClusterNamespace, NOT_IN_CLUSTER } from './incluster';
import { CachedFileToken } from './tokensource';

describe('in-cluster configuration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serviceaccount-'));
  fs.writeFileSync(path.join(dir, 'token'), 'first-token\n');
  fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
  fs.writeFileSync(path.join(dir, 'namespace'), 'kube-system');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the kubernetes Service from the kubelet-set environment, the cluster CA and the token file', () => {
    const config = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(config).toEqual({
      server: 'https://10.96.0.1:443',
      ca: Buffer.from('CA'),
      tokenFile: path.join(dir, 'token'),
      discoverServers: false,
    });
    expect(inClusterNamespace(dir)).toBe('kube-system');
  });

  it('puts an IPv6 service address in brackets', () => {
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir).server).toBe(
      'https://[fd00::1]:443',
    );
  });

  it("fails outside a pod with client-go's message, and at start when the token is missing", () => {
    expect(() => inClusterConfig({}, dir)).toThrow(NOT_IN_CLUSTER);
    expect(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, path.join(dir, 'none'))).toThrow(
      /ENOENT/,
    );
  });

  it('takes --kubeconfig when given, else the in-cluster configuration', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(buildConfigFromFlags('', env, dir).server).toBe('https://10.96.0.1:443');
    expect(() => buildConfigFromFlags(undefined, {}, dir)).toThrow(`--kubeconfig is required outside a pod: ${NOT_IN_CLUSTER}`);
    expect(() => buildConfigFromFlags(path.join(dir, 'no-such-kubeconfig'), env, dir)).toThrow(/ENOENT/);
  });
});

describe('CachedFileToken', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfile-'));
  const file = path.join(dir, 'token');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the refreshed token once the one read last is a minute old, and keeps the last good one', () => {
    fs.writeFileSync(file, 'one\n');
    const clock = new FakeClock();
    const token = new CachedFileToken(file, clock);
    expect(token.get()).toBe('one');
    fs.writeFileSync(file, 'two');
    clock.step(59_000);
    expect(token.get()).toBe('one');
    clock.step(1000);
    expect(token.get()).toBe('two');
    fs.rmSync(file); // the kubelet swaps the file: a read in between finds none
    clock.step(60_000);
    expect(token.get()).toBe('two');
  });

  it('throws when the file never held a token', () => {
    expect(() => new CachedFileToken(path.join(dir, 'missing')).get()).toThrow(/ENOENT/);
  });

  it("sends the file's current token with each request of a client", async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      fs.writeFileSync(file, 'old');
      const clock = new FakeClock();
      const client = new Client({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokenFile: file }, clock);
      await client.request('GET', '/version');
      fs.writeFileSync(file, 'new');
      clock.step(60_000);
      await client.request('GET', '/version');
      expect(seen).toEqual(['Bearer old', 'Bearer new']);
    } finally {
      server.close();
    }
  });
});
