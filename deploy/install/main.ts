// The installer's engine (deploy/install.sh calls it), kubeadm's commands for this cluster:
//   control-plane          credentials and units of the control plane (kubeadm init's certs, kubeconfig,
//                          control-plane phases)
//   bootstrap-token        once the apiserver answers: cluster-info, the RBAC joining needs, a first
//                          bootstrap token and the join command (kubeadm init phase bootstrap-token)
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
import { credentialPaths, ensureClusterCredentials, writeUserKubeconfigs } from '../pki/credentials';
import { setUpBootstrapTokenAccess } from './clusterinfo';
import { caCertHash, join } from './join';
import { generateCertificateKey, HANDED_OVER_FILES, uploadCerts } from './uploadcerts';
import { createToken, DEFAULT_TTL_MS, deleteToken, listTokens, TokenOptions } from './tokens';
import { controlPlaneUnits, MachineLayout, unitFile, Unit, workerKubeconfig, workerUnits } from './units';

const SPECS = {
  'data-dir': { default: '/var/lib/mini-kubernetes', help: 'credentials, etcd data, kubelet state' },
  'install-dir': { default: path.resolve(__dirname, '..', '..', '..'), help: 'where dist/ and node_modules/ are' },
  'units-dir': { default: '/etc/systemd/system', help: 'where the systemd units go' },
  'advertise-address': { default: '', help: "this machine's IP on the cluster network" },
  'cluster-cidr': { default: '10.244.0.0/16', help: 'the pod network; each node gets a /24 of it' },
  'proxy-mode': { default: 'userspace', help: "this machine's kube-proxy: userspace or iptables (the kernel forwards)" },
  'apiserver-cert-extra-sans': { default: '', help: 'control-plane: more names/IPs for the apiserver certificate' },
  server: { default: '', help: 'worker: the apiserver to discover the cluster at, https://IP:6443' },
  token: { default: '', help: 'worker: the bootstrap token to join with; bootstrap-token: the first token to make (else random)' },
  'discovery-token-ca-cert-hash': {
    default: '',
    help: 'worker: sha256:<hex> pin(s) of the cluster CA, comma-separated (printed by the control plane)',
  },
  'discovery-token-unsafe-skip-ca-verification': { boolean: true, default: 'false', help: 'worker: join without a CA pin (unsafe)' },
  'node-name': { default: os.hostname(), help: 'worker: the Node name' },
  'discovery-timeout': { default: '5m', help: 'worker: how long to wait for the apiserver and a signed cluster-info' },
  'docker-endpoint': { default: 'unix:///var/run/docker.sock', help: 'worker: the Docker engine' },
  'image-dir': { default: '', help: 'worker: image tarballs to load at start' },
  'token-ttl': { default: '24h', help: 'bootstrap-token: how long the first token lives (0: forever)' },
  ttl: { default: '24h', help: 'token create: how long the token lives (0: forever)' },
  description: { default: '', help: 'token create: what the token is for' },
  groups: { default: 'system:bootstrappers:kubeadm:default-node-token', help: 'token create: extra groups it authenticates in' },
  usages: { default: 'signing,authentication', help: 'token create: signing, authentication' },
  'certificate-key': { default: '', help: 'upload-certs: the key to encrypt with, 64 hex characters (else random)' },
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

async function controlPlane(): Promise<void> {
  const l = layout();
  const options = {
    dataDir: l.dataDir,
    server: `https://${l.ip}:6443`,
    extraSANs: [l.ip, ...list(flags['apiserver-cert-extra-sans'])],
    kubernetesServiceIP: '10.96.0.1',
    nodes: [],
  };
  ensureClusterCredentials(options);
  writeUserKubeconfigs(options);
  writeUnits(controlPlaneUnits(l));
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

/** What a worker runs to join with `token`. */
function joinCommand(server: string, token: string): string {
  const hash = caCertHash(fs.readFileSync(credentialPaths(flags['data-dir']).caFile));
  return `deploy/install.sh --role worker --server ${server} --token ${token} --discovery-token-ca-cert-hash ${hash}`;
}

async function bootstrapToken(): Promise<void> {
  const { client, server } = await adminClient();
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
  const command = joinCommand(server, await createToken(client, options));
  // The command holds a secret: only root may read it (a 0700 folder, a 0600 file), and it goes to no log.
  const dir = path.join(flags['data-dir'], 'join');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'join.sh');
  fs.writeFileSync(file, `${command} --advertise-address "$1"\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  process.stdout.write(
    `published kube-public/cluster-info\nJoin any number of worker nodes by running the following on each as root (valid ${flags['token-ttl']}):\n\n  ${command} --advertise-address <its IP>\n\n`,
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
  const { pkiDir } = credentialPaths(flags['data-dir']);
  const files = Object.fromEntries(
    HANDED_OVER_FILES.filter((f) => fs.existsSync(path.join(pkiDir, f))).map((f) => [f, fs.readFileSync(path.join(pkiDir, f))]),
  );
  const key = flags['certificate-key'] || generateCertificateKey();
  await uploadCerts(client, files, key);
  // The key opens the CA's private key: it goes to stdout for the operator only, never to a log.
  process.stdout.write(
    `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}\n`,
  );
}

async function worker(): Promise<void> {
  const l = layout();
  for (const required of ['server', 'token'] as const) if (!flags[required]) throw new Error(`--${required} is required for a worker`);
  const nodeName = flags['node-name'];
  const hash = await join(
    {
      server: flags.server,
      token: flags.token,
      caCertHashes: list(flags['discovery-token-ca-cert-hash']),
      skipCAVerification: flags['discovery-token-unsafe-skip-ca-verification'] === 'true',
      timeoutMs: parseDuration(flags['discovery-timeout']),
      nodeName,
      dataDir: l.dataDir,
    },
    workerKubeconfig(l.dataDir),
    (line) => process.stdout.write(`${line}\n`),
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
