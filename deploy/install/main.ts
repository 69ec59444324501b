// The installer's engine (deploy/install.sh calls it with the machine's role):
//   control-plane          credentials for the cluster and the listed nodes, units, join commands
//   publish-cluster-info   once the apiserver answers: kube-public/cluster-info for joining workers
//   worker                 join with a node token; kubelet and kube-proxy units
// Units are written to --units-dir; install.sh then enables and starts them. Running it again keeps the
// credentials and rewrites the units.
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '../../shared/client';
import { parseFlags } from '../../shared/flags';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { newLogger } from '../../shared/log';
import { tokensByUser } from '../../apiserver/auth/tokenfile';
import { credentialPaths, ensureClusterCredentials, writeUserKubeconfigs } from '../pki/credentials';
import { caCertHash, join, publishClusterInfo } from './join';
import { controlPlaneUnits, MachineLayout, unitFile, Unit, workerKubeconfig, workerUnits } from './units';

const [role, ...argv] = process.argv.slice(2);
const flags = parseFlags(
  {
    'data-dir': { default: '/var/lib/mini-kubernetes', help: 'credentials, etcd data, kubelet state' },
    'install-dir': { default: path.resolve(__dirname, '..', '..', '..'), help: 'where dist/ and node_modules/ are' },
    'units-dir': { default: '/etc/systemd/system', help: 'where the systemd units go' },
    'advertise-address': { default: '', help: "this machine's IP on the cluster network" },
    'cluster-cidr': { default: '10.244.0.0/16', help: 'the pod network; each node gets a /24 of it' },
    nodes: { default: '', help: 'control-plane: the worker names to make node tokens for (comma-separated)' },
    'apiserver-cert-extra-sans': { default: '', help: 'control-plane: more names/IPs for the apiserver certificate' },
    server: { default: '', help: 'worker: the apiserver, https://IP:6443' },
    token: { default: '', help: 'worker: its node token (printed by the control-plane step)' },
    'ca-cert-hash': { default: '', help: 'worker: sha256:<hex> pin of the cluster CA (printed by the control-plane step)' },
    'node-name': { default: '', help: 'worker: the Node name (must match the token)' },
    'docker-endpoint': { default: 'unix:///var/run/docker.sock', help: 'worker: the Docker engine' },
    'image-dir': { default: '', help: 'worker: image tarballs to load at start' },
  },
  argv,
);

const log = newLogger('install');
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const layout = (): MachineLayout => {
  if (!flags['advertise-address']) throw new Error('--advertise-address is required');
  return {
    installDir: flags['install-dir']!,
    node: process.execPath,
    dataDir: flags['data-dir']!,
    ip: flags['advertise-address'],
    clusterCIDR: flags['cluster-cidr']!,
  };
};

function writeUnits(units: Unit[]): void {
  fs.mkdirSync(flags['units-dir']!, { recursive: true });
  for (const u of units) fs.writeFileSync(path.join(flags['units-dir']!, `${u.name}.service`), unitFile(u));
  process.stdout.write(`units: ${units.map((u) => u.name).join(' ')}\n`);
}

async function controlPlane(): Promise<void> {
  const l = layout();
  const server = `https://${l.ip}:6443`;
  const options = {
    dataDir: l.dataDir,
    server,
    extraSANs: [l.ip, ...list(flags['apiserver-cert-extra-sans'])],
    kubernetesServiceIP: '10.96.0.1',
    nodes: list(flags.nodes),
  };
  const creds = ensureClusterCredentials(options);
  writeUserKubeconfigs(options);
  writeUnits(controlPlaneUnits(l));
  const hash = caCertHash(fs.readFileSync(creds.caFile));
  const tokens = tokensByUser(creds.tokenFile);
  // One join command per node, also kept in <data>/join/<node>.sh (mode 0600: it holds the node's token).
  fs.mkdirSync(path.join(l.dataDir, 'join'), { recursive: true, mode: 0o700 });
  for (const node of options.nodes) {
    const token = tokens.get(`system:node:${node}`)!;
    const command = `deploy/install.sh --role worker --server ${server} --token ${token} --ca-cert-hash ${hash} --node-name ${node}`;
    fs.writeFileSync(path.join(l.dataDir, 'join', `${node}.sh`), `${command} --advertise-address "$1"\n`, { mode: 0o600 });
    process.stdout.write(`join ${node}: ${command} --advertise-address <its IP>\n`);
  }
}

async function publish(): Promise<void> {
  const creds = credentialPaths(flags['data-dir']!);
  const config = loadKubeconfig(creds.adminKubeconfig);
  const client = new Client(config);
  for (let attempt = 0; ; attempt++) {
    try {
      await publishClusterInfo(client, config.server, fs.readFileSync(creds.caFile, 'utf8'));
      process.stdout.write('published kube-public/cluster-info\n');
      return;
    } catch (err) {
      if (attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function worker(): Promise<void> {
  const l = layout();
  for (const required of ['server', 'token', 'node-name'] as const)
    if (!flags[required]) throw new Error(`--${required} is required for a worker`);
  const hash = await join(
    { server: flags.server!, token: flags.token!, caCertHash: flags['ca-cert-hash'] || undefined, dataDir: l.dataDir },
    workerKubeconfig(l.dataDir),
  );
  log.info({ server: flags.server, ca: hash, pinned: !!flags['ca-cert-hash'] }, 'joined');
  writeUnits(workerUnits(l, { nodeName: flags['node-name']!, dockerEndpoint: flags['docker-endpoint']!, imageDir: flags['image-dir']! }));
}

const roles: Record<string, () => Promise<void>> = { 'control-plane': controlPlane, 'publish-cluster-info': publish, worker };
if (!roles[role]) {
  process.stderr.write(`usage: main.js control-plane|publish-cluster-info|worker [flags]\n`);
  process.exit(2);
}
roles[role]().catch((err) => {
  process.stderr.write(`${role}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
