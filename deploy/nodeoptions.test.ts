import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { controlPlaneUnits, MachineLayout, workerUnits } from './install/units';
import { clusterComponents } from './local/components';
import { NodeComponent, nodeOptions } from './nodeoptions';

const ROOT = path.join(__dirname, '..');

/** The component a command line runs (its dist/<component>/main.js) and what comes before that script. */
function split(commandLine: string[]): { component: NodeComponent; options: string[] } | undefined {
  const script = commandLine.findIndex((a) => /(^|\/)dist\/[\w-]+\/main\.js$/.test(a));
  if (script < 0) return undefined;
  const component = /dist\/([\w-]+)\/main\.js$/.exec(commandLine[script])![1] as NodeComponent;
  return { component, options: commandLine.slice(0, script) };
}

describe('node options', () => {
  it('are what the local launcher starts every Node component with, before its script', () => {
    const components = clusterComponents({
      root: ROOT,
      dataDir: '/tmp/data',
      apiserverPort: 6443,
      etcdClientPort: 2379,
      etcdPeerPort: 2380,
      nodes: 1,
      proxyMode: 'userspace',
    }).filter((c) => c.command === process.execPath);
    expect(components.map((c) => split(c.args)?.component).sort()).toEqual([
      'apiserver',
      'controller-manager',
      'kube-proxy',
      'kubelet',
      'scheduler',
    ]);
    for (const c of components) expect(split(c.args)!.options).toEqual(nodeOptions(split(c.args)!.component));
  });

  it('are what the install units start every Node component with, before its script', () => {
    const l: MachineLayout = {
      installDir: '/opt/mini-kubernetes',
      node: '/usr/bin/node',
      dataDir: '/var/lib/mini-kubernetes',
      ip: '192.168.56.10',
      clusterCIDR: '10.244.0.0/16',
      proxyMode: 'userspace',
    };
    const units = [
      ...controlPlaneUnits(l, {
        etcd: { name: 'cp', ip: l.ip, initialCluster: 'cp=https://192.168.56.10:2380', initialClusterState: 'new' },
        etcdServers: ['https://192.168.56.10:2379'],
      }),
      ...workerUnits(l, { nodeName: 'worker', dockerEndpoint: 'unix:///var/run/docker.sock', imageDir: '' }),
    ].filter((u) => u.command[0] === l.node);
    expect(new Set(units.map((u) => split(u.command)?.component))).toEqual(
      new Set(['apiserver', 'scheduler', 'controller-manager', 'kube-proxy', 'kubelet']),
    );
    for (const u of units) expect(split(u.command)!.options).toEqual([l.node, ...nodeOptions(split(u.command)!.component)]);
  });

  it("are what docker-compose.yml's services (and docker-compose.ha.yml's) start every Node component with, in NODE_OPTIONS", () => {
    interface Service {
      '<<'?: Service;
      command?: string[];
      environment?: Record<string, string>;
    }
    const services = (file: string) =>
      (yaml.load(fs.readFileSync(path.join(ROOT, file), 'utf8')) as { services: Record<string, Service> }).services;
    // YAML merge keys (<<: *component), which js-yaml leaves to the reader: the service's own keys win.
    const merged = (s: Service): Service => (s['<<'] ? { ...merged(s['<<']), ...s } : s);
    const base = services('docker-compose.yml');
    const ha = services('docker-compose.ha.yml');
    // The HA file is laid over the first: a service named in both keeps the first file's keys it does not set.
    const all = [...Object.values(base), ...Object.entries(ha).map(([name, s]) => ({ ...base[name], ...s }))].map(merged);
    const started = all.flatMap((s) => {
      const run = s.command && split(s.command);
      return run ? [{ ...run, nodeOptions: (s.environment?.NODE_OPTIONS ?? '').split(' ').filter(Boolean) }] : [];
    });
    expect(new Set(started.map((s) => s.component))).toEqual(
      new Set(['apiserver', 'scheduler', 'controller-manager', 'kube-proxy', 'kubelet']),
    );
    for (const s of started) expect([s.component, s.options, s.nodeOptions]).toEqual([s.component, [], nodeOptions(s.component)]);
  });
});
