// The installer's engine (deploy/install.sh calls it), kubeadm's commands for this cluster:
//   control-plane          credentials and units of the control plane (kubeadm init's certs, kubeconfig,
//                          control-plane phases); with --join, of another control plane of that cluster
//                          (kubeadm join --control-plane); with --leave, its etcd member removed (kubeadm
//                          reset's etcd phase: install.sh then removes the units and the data)
//   bootstrap-token        once the apiserver answers: cluster-info, the RBAC joining needs, a first
//                          bootstrap token and the join command (kubeadm init phase bootstrap-token);
//                          with --upload-certs also the certificates and the control-plane join command
//   token create|list|delete   bootstrap tokens (kubeadm token)
//   upload-certs           the CA and keys, encrypted under a printed certificate key for two hours, for a
//                          control-plane machine that joins later (kubeadm init phase upload-certs)
//   worker                 join with a bootstrap token: discovery, TLS bootstrap, kubelet and kube-proxy units
// Units are written to --units-dir; install.sh then enables and starts them. Running it again keeps the
// credentials and rewrites the units.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KNOWN_USAGES, TokenUsage } from '../../shared/bootstraptoken';
import { Client } from '../../shared/client';
import { FlagSpec, parseDuration, parseFlags } from '../../shared/flags';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { newLogger } from '../../shared/log';
import { etcdPeerURL, etcdURL } from '../etcd';
import { CredentialOptions, credentialPaths, ensureClusterCredentials, writeUserKubeconfigs } from '../pki/credentials';
import { setUpBootstrapTokenAccess } from './clusterinfo';
import { APISERVER_PORT, joinControlPlane } from './controlplanejoin';
import { listMembers, removeMember, retryWhileReconfigurationRefused } from './etcdmembers';
import { caCertHash, join } from './join';
import { generateCertificateKey, HANDED_OVER_FILES, uploadCerts } from './uploadcerts';
import { createToken, DEFAULT_TTL_MS, deleteToken, listTokens, TokenOptions } from './tokens';
import {
  ControlPlaneOptions,
  controlPlaneUnits,
  ETCD_CLIENT_PORT,
  ETCD_PEER_PORT,
  MachineLayout,
  unitFile,
  Unit,
  workerKubeconfig,
  workerUnits,
} from './units';

const SPECS = {
  'data-dir': { default: '/var/lib/mini-kubernetes', help: 'credentials, etcd data, kubelet state' },
  'install-dir': { default: path.resolve(__dirname, '..', '..', '..'), help: 'where dist/ and node_modules/ are' },
  'units-dir': { default: '/etc/systemd/system', help: 'where the systemd units go' },
  'advertise-address': { default: '', help: "this machine's IP on the cluster network" },
  'cluster-cidr': { default: '10.244.0.0/16', help: 'the pod network; each node gets a /24 of it' },
  'proxy-mode': { default: 'userspace', help: "this machine's kube-proxy: userspace or iptables (the kernel forwards)" },
  'apiserver-cert-extra-sans': { default: '', help: 'control-plane: more names/IPs for the apiserver certificate' },
  server: { default: '', help: 'worker: the apiserver to discover the cluster at, https://IP:6443' },
  token: {
    default: '',
    help: 'worker, control-plane --join: the bootstrap token to join with; bootstrap-token: the first token to make (else random)',
  },
  'discovery-token-ca-cert-hash': {
    default: '',
    help: 'worker, control-plane --join: sha256:<hex> pin(s) of the cluster CA, comma-separated (printed by the control plane)',
  },
  'discovery-token-unsafe-skip-ca-verification': {
    boolean: true,
    default: 'false',
    help: 'worker, control-plane --join: join without a CA pin (unsafe)',
  },
  'node-name': { default: os.hostname(), help: "worker: the Node name; control-plane: its etcd member's name" },
  join: { default: '', help: 'control-plane: join the cluster of this apiserver, https://IP:6443, as another control plane' },
  leave: { boolean: true, default: 'false', help: "control-plane: remove this machine's etcd member (before its units go)" },
  'upload-certs': {
    boolean: true,
    default: 'false',
    help: 'bootstrap-token: also upload the certificates and print the control-plane join command',
  },
  'discovery-timeout': { default: '5m', help: 'worker: how long to wait for the apiserver and a signed cluster-info' },
  'docker-endpoint': { default: 'unix:///var/run/docker.sock', help: 'worker: the Docker engine' },
  'image-dir': { default: '', help: 'worker: image tarballs to load at start' },
  'token-ttl': { default: '24h', help: 'bootstrap-token: how long the first token lives (0: forever)' },
  ttl: { default: '24h', help: 'token create: how long the token lives (0: forever)' },
  description: { default: '', help: 'token create: what the token is for' },
  groups: { default: 'system:bootstrappers:kubeadm:default-node-token', help: 'token create: extra groups it authenticates in' },
  usages: { default: 'signing,authentication', help: 'token create: signing, authentication' },
  'certificate-key': {
    default: '',
    help: 'upload-certs: the key to encrypt with, 64 hex characters (else random); control-plane --join: the key to decrypt with',
  },
  'print-join-command': { boolean: true, default: 'false', help: 'token create: print the whole join command, not only the token' },
} satisfies Record<string, FlagSpec>;

/** Splits the words that are not flags or flag values (`token create|list|delete <id>`) from the flags. */
function splitArguments(argv: string[]): { positional: string[]; flagArgs: string[] } {
  const positional: string[] = [];
  const flagArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    flagArgs.push(arg);
    const spec = (SPECS as Record<string, FlagSpec>)[arg.slice(2)];
    if (spec && !spec.boolean && !arg.includes('=') && i + 1 < argv.length) flagArgs.push(argv[++i]);
  }
  return { positional, flagArgs };
}

const [role, ...rest] = process.argv.slice(2);
const { positional, flagArgs } = role === 'token' ? splitArguments(rest) : { positional: [], flagArgs: rest };
const flags = parseFlags(SPECS, flagArgs);

const log = newLogger('install');
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const layout = (): MachineLayout => {
  if (!flags['advertise-address']) throw new Error('--advertise-address is required');
  return {
    installDir: flags['install-dir'],
    node: process.execPath,
    dataDir: flags['data-dir'],
    ip: flags['advertise-address'],
    clusterCIDR: flags['cluster-cidr'],
    proxyMode: flags['proxy-mode'],
  };
};
const ttl = (flag: 'ttl' | 'token-ttl') => (flags[flag] === '0' ? 0 : parseDuration(flags[flag] ?? '') || DEFAULT_TTL_MS);

function writeUnits(units: Unit[]): void {
  fs.mkdirSync(flags['units-dir'], { recursive: true });
  for (const u of units) fs.writeFileSync(path.join(flags['units-dir'], `${u.name}.service`), unitFile(u));
  process.stdout.write(`units: ${units.map((u) => u.name).join(' ')}\n`);
}

const discoveryOptions = (server: string) => ({
  server,
  token: flags.token,
  caCertHashes: list(flags['discovery-token-ca-cert-hash']),
  skipCAVerification: flags['discovery-token-unsafe-skip-ca-verification'] === 'true',
  timeoutMs: parseDuration(flags['discovery-timeout']),
});

async function controlPlane(): Promise<void> {
  if (flags.leave === 'true') return leave();
  const l = layout();
  const name = flags['node-name'];
  const credentials: CredentialOptions = {
    dataDir: l.dataDir,
    server: `https://${l.ip}:${APISERVER_PORT}`,
    extraSANs: [l.ip, ...list(flags['apiserver-cert-extra-sans'])],
    kubernetesServiceIP: '10.96.0.1',
    nodes: [],
    etcdAddresses: [l.ip],
  };
  let units: ControlPlaneOptions;
  if (flags.join) {
    for (const required of ['token', 'certificate-key'] as const)
      if (!flags[required]) throw new Error(`--${required} is required to join a control plane`);
    const joined = await joinControlPlane(
      { ...discoveryOptions(flags.join), certificateKey: flags['certificate-key'], name, ip: l.ip },
      credentials,
      (line) => process.stdout.write(`${line}\n`),
    );
    credentials.servers = joined.otherApiservers;
    units = joined;
  } else {
    ensureClusterCredentials(credentials);
    const peerURL = etcdPeerURL(l.ip, ETCD_PEER_PORT);
    units = {
      etcd: { name, ip: l.ip, initialCluster: `${name}=${peerURL}`, initialClusterState: 'new' },
      etcdServers: [etcdURL(ETCD_CLIENT_PORT, l.ip)],
    };
  }
  writeUserKubeconfigs(credentials);
  writeUnits(controlPlaneUnits(l, units));
}

/** `--leave`: this machine's etcd member removed, asking its own etcd (the one that answers on loopback). */
async function leave(): Promise<void> {
  const paths = credentialPaths(flags['data-dir']);
  const client = paths.certificate('apiserver-etcd-client');
  const tls = { ca: fs.readFileSync(paths.caFile), cert: fs.readFileSync(client.cert), key: fs.readFileSync(client.key) };
  const endpoint = etcdURL(ETCD_CLIENT_PORT);
  const { self, members } = await listMembers(endpoint, tls);
  const me = members.find((m) => m.id === self)!;
  if (members.length === 1) throw new Error(`${me.name} is the last etcd member: removing it would end the cluster`);
  // etcd refuses while a member (one restarted a moment ago) is not yet connected long enough.
  const left = await retryWhileReconfigurationRefused(() => removeMember(endpoint, tls, self));
  process.stdout.write(
    `[etcd] removed member ${me.name} (${self}): ${left
      .map((m) => m.name)
      .sort()
      .join(', ')} remain\n`,
  );
  const units = fs.existsSync(flags['units-dir'])
    ? fs
        .readdirSync(flags['units-dir'])
        .filter((f) => f.startsWith('mini-kubernetes-') && f.endsWith('.service'))
        .map((f) => f.slice(0, -'.service'.length))
    : [];
  process.stdout.write(`units: ${units.join(' ')}\n`);
}

/** The cluster admin's client, once the apiserver answers (it may just have been started). */
async function adminClient(): Promise<{ client: Client; server: string }> {
  const config = loadKubeconfig(credentialPaths(flags['data-dir']).adminKubeconfig);
  const client = new Client(config);
  for (let attempt = 0; ; attempt++) {
    try {
      (await client.stream('GET', '/readyz', { timeoutMs: 5000 })).resume(); // 200 `ok`, not JSON
      return { client, server: config.server };
    } catch (err) {
      if (attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** What a worker runs to join with `token`; with a certificate key, what a control plane runs. */
function joinCommand(server: string, token: string, certificateKey?: string): string {
  const hash = caCertHash(fs.readFileSync(credentialPaths(flags['data-dir']).caFile));
  return certificateKey
    ? `deploy/install.sh --role control-plane --join ${server} --token ${token} --discovery-token-ca-cert-hash ${hash} --certificate-key ${certificateKey}`
    : `deploy/install.sh --role worker --server ${server} --token ${token} --discovery-token-ca-cert-hash ${hash}`;
}

/** The CA and keys for two hours under the key (a new one unless given); the key. */
async function uploadClusterCerts(client: Client): Promise<string> {
  const { pkiDir } = credentialPaths(flags['data-dir']);
  const files = Object.fromEntries(
    HANDED_OVER_FILES.filter((f) => fs.existsSync(path.join(pkiDir, f))).map((f) => [f, fs.readFileSync(path.join(pkiDir, f))]),
  );
  const key = flags['certificate-key'] || generateCertificateKey();
  await uploadCerts(client, files, key);
  return key;
}

/** <data>/join/<name>: the command, taking the machine's address. It holds a secret: only root may read it (a 0700 folder, a 0600 file). */
function writeJoinScript(name: string, command: string): void {
  const dir = path.join(flags['data-dir'], 'join');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${command} --advertise-address "$1"\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

async function bootstrapToken(): Promise<void> {
  const { client, server } = await adminClient();
  if (flags.join) {
    // A control plane that joined: the cluster's cluster-info and tokens are the first machine's.
    process.stdout.write(`This machine is a control plane of the cluster: its apiserver answers at ${server}\n`);
    return;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await setUpBootstrapTokenAccess(client, server, fs.readFileSync(credentialPaths(flags['data-dir']).caFile, 'utf8'));
      break;
    } catch (err) {
      if (attempt >= 30) throw err; // the apiserver may still be reconciling the default roles
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const options: TokenOptions = {
    ttlMs: ttl('token-ttl'),
    usages: ['signing', 'authentication'],
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
    description: "The default bootstrap token generated by 'install.sh --role control-plane'.",
    token: flags.token || undefined,
  };
  const joinToken = await createToken(client, options);
  const command = joinCommand(server, joinToken);
  writeJoinScript('join.sh', command);
  process.stdout.write(`published kube-public/cluster-info\n`);
  if (flags['upload-certs'] === 'true') {
    const key = await uploadClusterCerts(client);
    const controlPlaneCommand = joinCommand(server, joinToken, key);
    writeJoinScript('control-plane-join.sh', controlPlaneCommand);
    process.stdout.write(
      `You can now join any number of control-plane machines by running the following on each as root (the certificates can be downloaded for two hours; "install.sh upload-certs" uploads them again under a new key):\n\n  ${controlPlaneCommand} --advertise-address <its IP>\n\n`,
    );
  } else {
    process.stdout.write(
      `To join control-plane machines, run "install.sh upload-certs" here, then on each as root:\n\n  ${joinCommand(server, joinToken, '<the printed key>')} --advertise-address <its IP>\n\n`,
    );
  }
  process.stdout.write(
    `Join any number of worker nodes by running the following on each as root (valid ${flags['token-ttl']}):\n\n  ${command} --advertise-address <its IP>\n\n`,
  );
}

async function token(): Promise<void> {
  const [verb, ...names] = positional;
  const { client, server } = await adminClient();
  if (verb === 'create') {
    const usages = list(flags.usages);
    for (const u of usages)
      if (!(KNOWN_USAGES as readonly string[]).includes(u)) throw new Error(`unknown usage ${u} (want ${KNOWN_USAGES.join(', ')})`);
    const t = await createToken(client, {
      ttlMs: ttl('ttl'),
      usages: usages as TokenUsage[],
      groups: list(flags.groups),
      description: flags.description || undefined,
      token: names[0],
    });
    process.stdout.write(`${flags['print-join-command'] === 'true' ? joinCommand(server, t) : t}\n`);
  } else if (verb === 'list') {
    process.stdout.write(await listTokens(client));
  } else if (verb === 'delete' && names.length) {
    for (const n of names) process.stdout.write(`${await deleteToken(client, n)}\n`);
  } else {
    throw new Error('usage: token create [token] [--ttl 24h] | token list | token delete <id>...');
  }
}

async function uploadCertificates(): Promise<void> {
  const { client } = await adminClient();
  const key = await uploadClusterCerts(client);
  // The key opens the CA's private key: it goes to stdout for the operator only, never to a log.
  process.stdout.write(
    `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}\n`,
  );
}

async function worker(): Promise<void> {
  const l = layout();
  for (const required of ['server', 'token'] as const) if (!flags[required]) throw new Error(`--${required} is required for a worker`);
  const nodeName = flags['node-name'];
  const hash = await join({ ...discoveryOptions(flags.server), nodeName, dataDir: l.dataDir }, workerKubeconfig(l.dataDir), (line) =>
    process.stdout.write(`${line}\n`),
  );
  log.info({ server: flags.server, ca: hash, node: nodeName }, 'joined');
  writeUnits(workerUnits(l, { nodeName, dockerEndpoint: flags['docker-endpoint'], imageDir: flags['image-dir'] }));
}

const roles: Record<string, () => Promise<void>> = {
  'control-plane': controlPlane,
  'bootstrap-token': bootstrapToken,
  token,
  'upload-certs': uploadCertificates,
  worker,
};
if (!roles[role]) {
  process.stderr.write(`usage: main.js control-plane|bootstrap-token|token|upload-certs|worker [flags]\n`);
  process.exit(2);
}
roles[role]().catch((err) => {
  process.stderr.write(`${role}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
