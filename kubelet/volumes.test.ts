// setUpVolumes on a real directory: what lands on the node for each volume type, with which modes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from '../shared/api/core';
import { remountVolumes, setUpVolumes, VolumeSources } from './volumes';

let root: string;
let outside: string;
beforeEach(() => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'volumes-'));
  root = path.join(base, 'kubelet');
  outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

const configMaps: Record<string, ConfigMap> = {
  app: {
    metadata: { name: 'app' },
    data: { 'app.conf': 'a=1', other: 'o' },
    binaryData: { 'logo.png': Buffer.from([0, 1, 2]).toString('base64') },
  },
};
const secrets: Record<string, Secret> = {
  creds: { metadata: { name: 'creds' }, data: { password: Buffer.from('hunter2').toString('base64') } },
};
const sources: VolumeSources = { configMap: async (_ns, n) => configMaps[n], secret: async (_ns, n) => secrets[n] };

const pod = (volumes: Volume[]): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'uid-1', labels: { app: 'web', tier: 'front' } },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' } } }], volumes },
});
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const podDir = () => path.join(root, 'pods', 'uid-1');

describe('setUpVolumes', () => {
  it('writes a configMap through the atomic layout, read-only, data and binaryData alike', async () => {
    const volumes = await setUpVolumes(root, pod([{ name: 'cfg', configMap: { name: 'app' } }]), sources);
    const cfg = volumes.get('cfg')!;
    expect(cfg).toEqual({ path: path.join(podDir(), 'volumes/kubernetes.io~configmap/cfg'), readOnly: true });
    expect(fs.readFileSync(path.join(cfg.path, 'app.conf'), 'utf8')).toBe('a=1');
    expect([...fs.readFileSync(path.join(cfg.path, 'logo.png'))]).toEqual([0, 1, 2]);
    expect(fs.readlinkSync(path.join(cfg.path, 'app.conf'))).toBe('..data/app.conf');
    expect(mode(path.join(cfg.path, 'app.conf'))).toBe(0o644);
  });

  it("keeps secrets from the node's other users, and gives the files the modes asked for", async () => {
    const volumes = await setUpVolumes(
      root,
      pod([
        { name: 's', secret: { secretName: 'creds' } },
        { name: 't', secret: { secretName: 'creds', defaultMode: 0o400, items: [{ key: 'password', path: 'db/pass', mode: 0o440 }] } },
        { name: 'u', secret: { secretName: 'creds', defaultMode: 0o400 } },
      ]),
      sources,
    );
    expect(mode(podDir())).toBe(0o750);
    expect(mode(path.join(podDir(), 'volumes'))).toBe(0o750);
    expect(mode(path.join(podDir(), 'volumes/kubernetes.io~secret'))).toBe(0o700);
    expect(mode(path.join(volumes.get('s')!.path, 'password'))).toBe(0o644);
    expect(mode(path.join(volumes.get('t')!.path, 'db/pass'))).toBe(0o440);
    expect(mode(path.join(volumes.get('u')!.path, 'password'))).toBe(0o400);
    expect(fs.readFileSync(path.join(volumes.get('t')!.path, 'db/pass'), 'utf8')).toBe('hunter2');
  });

  it('narrows the mode of a pod directory an older kubelet left world-readable', async () => {
    fs.mkdirSync(podDir(), { recursive: true, mode: 0o755 });
    await setUpVolumes(root, pod([]), sources);
    expect(mode(podDir())).toBe(0o750);
  });

  it('refuses missing sources and keys unless optional', async () => {
    await expect(setUpVolumes(root, pod([{ name: 'x', secret: { secretName: 'nope' } }]), sources)).rejects.toThrow(
      'secret "nope" not found',
    );
    await expect(
      setUpVolumes(root, pod([{ name: 'x', configMap: { name: 'app', items: [{ key: 'gone', path: 'g' }] } }]), sources),
    ).rejects.toThrow('configmap references non-existent configmap key: gone');
    const volumes = await setUpVolumes(
      root,
      pod([
        { name: 'x', secret: { secretName: 'nope', optional: true } },
        { name: 'y', configMap: { name: 'app', optional: true, items: [{ key: 'gone', path: 'g' }] } },
      ]),
      sources,
    );
    for (const name of ['x', 'y']) expect(fs.readdirSync(volumes.get(name)!.path).filter((f) => !f.startsWith('..'))).toEqual([]);
  });

  it('refuses an item path out of the volume even when the apiserver let it through', async () => {
    // An object stored before validation existed: items[].path `../../../../outside/x`.
    const escape = path.relative(path.join(podDir(), 'volumes/kubernetes.io~configmap/cfg'), path.join(outside, 'x'));
    await expect(
      setUpVolumes(root, pod([{ name: 'cfg', configMap: { name: 'app', items: [{ key: 'app.conf', path: escape }] } }]), sources),
    ).rejects.toThrow(/invalid path .*must not contain '\.\.'/);
    await expect(
      setUpVolumes(
        root,
        pod([{ name: 'cfg', configMap: { name: 'app', items: [{ key: 'app.conf', path: path.join(outside, 'x') }] } }]),
        sources,
      ),
    ).rejects.toThrow(/must be relative path/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('makes emptyDir volumes writable by anyone in the pod, and mounted read-write', async () => {
    const volumes = await setUpVolumes(root, pod([{ name: 'scratch', emptyDir: {} }]), sources);
    expect(volumes.get('scratch')).toEqual({ path: path.join(podDir(), 'volumes/kubernetes.io~empty-dir/scratch'), readOnly: false });
    expect(mode(volumes.get('scratch')!.path)).toBe(0o777);
  });

  it('writes downwardAPI and projected volumes', async () => {
    const volumes = await setUpVolumes(
      root,
      pod([
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o600 },
              { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory' } },
            ],
          },
        },
        {
          name: 'all',
          projected: {
            defaultMode: 0o440,
            sources: [
              { configMap: { name: 'app', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
              { secret: { name: 'creds' } },
              { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ]),
      sources,
    );
    const info = volumes.get('info')!.path;
    expect(fs.readFileSync(path.join(info, 'labels'), 'utf8')).toBe('app="web"\ntier="front"');
    expect(fs.readFileSync(path.join(info, 'name'), 'utf8')).toBe('web');
    expect(mode(path.join(info, 'name'))).toBe(0o600);
    expect(fs.readFileSync(path.join(info, 'mem'), 'utf8')).toBe('64Mi');
    const all = volumes.get('all')!;
    expect(all.readOnly).toBe(true);
    expect(['conf/app.conf', 'password', 'ns'].map((f) => fs.readFileSync(path.join(all.path, f), 'utf8'))).toEqual([
      'a=1',
      'hunter2',
      'default',
    ]);
    expect(mode(path.join(all.path, 'password'))).toBe(0o440);
  });

  it("projects the pod's ServiceAccount token with the cluster CA and the namespace (kube-api-access-*), and the new token once it changes", async () => {
    const cas: Record<string, ConfigMap> = { 'kube-root-ca.crt': { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA' } } };
    let token = 'token-1';
    const asked: unknown[] = [];
    const withTokens: VolumeSources = {
      ...sources,
      configMap: async (_ns, n) => cas[n],
      serviceAccountToken: async (p, projection) => (asked.push([p.metadata.name, projection]), token),
    };
    const v: Volume[] = [
      {
        name: 'kube-api-access-x7k2p',
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ];
    const dir = (await setUpVolumes(root, pod(v), withTokens)).get('kube-api-access-x7k2p')!.path;
    expect(['token', 'ca.crt', 'namespace'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))).toEqual(['token-1', 'CA', 'default']);
    expect(mode(path.join(dir, 'token'))).toBe(0o644);
    expect(asked).toEqual([['web', { expirationSeconds: 3607, path: 'token' }]]);
    expect(await remountVolumes(root, pod(v), withTokens)).toEqual([]);
    token = 'token-2';
    expect(await remountVolumes(root, pod(v), withTokens)).toEqual(['kube-api-access-x7k2p']);
    expect(fs.readFileSync(path.join(dir, 'token'), 'utf8')).toBe('token-2');
    await expect(
      setUpVolumes(root, pod(v), {
        ...withTokens,
        serviceAccountToken: () => Promise.reject(new Error('failed to fetch token: forbidden')),
      }),
    ).rejects.toThrow('failed to fetch token: forbidden');
  });

  it('follows its source on the next sync', async () => {
    const v = [{ name: 'cfg', configMap: { name: 'app' } }];
    const first = (await setUpVolumes(root, pod(v), sources)).get('cfg')!.path;
    const changed: VolumeSources = { ...sources, configMap: async () => ({ metadata: { name: 'app' }, data: { 'app.conf': 'a=2' } }) };
    await setUpVolumes(root, pod(v), changed);
    expect(fs.readFileSync(path.join(first, 'app.conf'), 'utf8')).toBe('a=2');
    expect(fs.existsSync(path.join(first, 'other'))).toBe(false);
  });

  describe('remountVolumes', () => {
    const v: Volume[] = [
      { name: 'cfg', configMap: { name: 'app' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'scratch', emptyDir: {} },
    ];
    const changed = (data: Record<string, string>): VolumeSources => ({
      ...sources,
      configMap: async () => ({ metadata: { name: 'app' }, data }),
    });

    it('rewrites the files that follow their sources, through a new version, and leaves emptyDirs alone', async () => {
      const volumes = await setUpVolumes(root, pod(v), sources);
      const cfg = volumes.get('cfg')!.path;
      fs.writeFileSync(path.join(volumes.get('scratch')!.path, 'kept'), 'x');
      const before = fs.readlinkSync(path.join(cfg, '..data'));
      const relabelled = pod(v);
      relabelled.metadata.labels = { app: 'web', tier: 'back' };
      expect(await remountVolumes(root, relabelled, changed({ 'app.conf': 'a=2' }))).toEqual(['cfg', 'info']);
      expect(fs.readFileSync(path.join(cfg, 'app.conf'), 'utf8')).toBe('a=2');
      expect(fs.existsSync(path.join(cfg, 'other'))).toBe(false);
      expect(fs.readlinkSync(path.join(cfg, '..data'))).not.toBe(before);
      expect(fs.readFileSync(path.join(volumes.get('info')!.path, 'labels'), 'utf8')).toBe('app="web"\ntier="back"');
      expect(fs.readFileSync(path.join(volumes.get('scratch')!.path, 'kept'), 'utf8')).toBe('x');
      expect(await remountVolumes(root, relabelled, changed({ 'app.conf': 'a=2' }))).toEqual([]);
    });

    it('leaves the files as they were when the source is gone, and skips volumes not set up yet', async () => {
      expect(await remountVolumes(root, pod(v), sources)).toEqual([]);
      expect(fs.existsSync(podDir())).toBe(false);
      const cfg = (await setUpVolumes(root, pod(v), sources)).get('cfg')!.path;
      await expect(remountVolumes(root, pod(v), { ...sources, configMap: async () => undefined })).rejects.toThrow(
        'configmap "app" not found',
      );
      expect(fs.readFileSync(path.join(cfg, 'app.conf'), 'utf8')).toBe('a=1');
    });
  });
});
