// Several "machines" on one host, for the multi-host test: each is a network namespace with one veth on
// a shared bridge (one L2 network, like VirtualBox's host-only network), and a worker also gets its own
// Docker engine (dockerd started with nsenter --net, not `ip netns exec`, which would hide the cgroup
// mounts; its own data root, exec root, socket and bridge address). Everything is named with the mkmh
// prefix and removed by tearDown, which also runs first to clear what a crashed run left.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execStartOf } from '../../deploy/install/units';
import { DIST, waitFor } from '../processes';

export const PREFIX = 'mkmh';
export const BRIDGE = `${PREFIX}-br0`;
/** The machines' network: 198.18.0.0/15 is set aside for tests (RFC 2544), never routed anywhere. */
export const SUBNET_PREFIX = '198.18.77';
const STATE = `/tmp/${PREFIX}`;
const DOCKER_ROOT = `/var/lib/${PREFIX}`;
const RUN = `/run/${PREFIX}`;
const FORWARD_RULE = [
  'FORWARD',
  '-i',
  BRIDGE,
  '-o',
  BRIDGE,
  '-m',
  'comment',
  '--comment',
  'mini-kubernetes multihost test',
  '-j',
  'ACCEPT',
];

/** The pod network of the test clusters (not the default, to show the flag reaches the controller-manager). */
export const CLUSTER_CIDR = '10.245.0.0/16';
const INSTALLER = path.join(DIST, 'deploy', 'install', 'main.js');

export interface Machine {
  name: string;
  netns: string;
  ip: string;
  /** Its state directory (credentials, units, kubelet root). */
  dir: string;
  /** Its Docker engine's socket, for workers. */
  dockerSocket?: string;
  processes: ChildProcess[];
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (cmd: string, args: string[]) => {
  try {
    sh(cmd, args);
  } catch {
    // already gone
  }
};

export function machine(name: string, hostPart: number): Machine {
  return { name, netns: `${PREFIX}-${name}`, ip: `${SUBNET_PREFIX}.${hostPart}`, dir: path.join(STATE, name), processes: [] };
}

/** The bridge, and one namespace per machine plugged into it with its address; forwarding on. */
export function setUpNetwork(machines: Machine[]): void {
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  sh('ip', ['link', 'set', BRIDGE, 'up']);
  // Bridged frames pass the host's iptables FORWARD chain (br_netfilter), where Docker's policy drops them.
  sh('iptables', ['-I', ...FORWARD_RULE]);
  for (const m of machines) {
    const host = `${PREFIX}-${m.name}`;
    sh('ip', ['netns', 'add', m.netns]);
    sh('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.netns]);
    sh('ip', ['link', 'set', host, 'master', BRIDGE, 'up']);
    sh('ip', ['-n', m.netns, 'addr', 'add', `${m.ip}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', m.netns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', m.netns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['netns', 'exec', m.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    fs.mkdirSync(m.dir, { recursive: true });
  }
}

/** The host's own address on the machines' network (the test's own clients reach the machines from there). */
const HOST_IP = `${SUBNET_PREFIX}.1`;

/** Gives the host HOST_IP on the bridge (gone with the bridge). */
export function joinHostToNetwork(): void {
  sh('ip', ['addr', 'add', `${HOST_IP}/24`, 'dev', BRIDGE]);
}

/** Runs a command inside a machine's network namespace and returns its stdout. */
export function inMachine(m: Machine, cmd: string, args: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', m.netns, cmd, ...args], {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

/** Starts a long-running process in a machine (nsenter --net, so it sees the host's cgroups and mounts). */
export function startIn(m: Machine, name: string, command: string[]): ChildProcess {
  const out = fs.openSync(path.join(m.dir, `${name}.log`), 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${m.netns}`, ...command], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  m.processes.push(child);
  return child;
}

/** Runs the installer (deploy/install/main.js, what install.sh runs) in a machine with its data and units folders; its stdout. */
export function runInstaller(m: Machine, role: string, args: string[], dataDir = path.join(m.dir, 'data')): string {
  return inMachine(m, process.execPath, [
    INSTALLER,
    role,
    `--data-dir=${dataDir}`,
    `--units-dir=${path.join(m.dir, 'units')}`,
    `--advertise-address=${m.ip}`,
    `--cluster-cidr=${CLUSTER_CIDR}`,
    ...args,
  ]);
}

/** Starts a unit the installer wrote: its ExecStart line, in the machine. */
export const startUnit = (m: Machine, unit: string) =>
  startIn(m, unit, execStartOf(fs.readFileSync(path.join(m.dir, 'units', `${unit}.service`), 'utf8')));

/** Writes the machine's units with the installer, then starts each unit's command in the machine; the installer's stdout. */
export function install(m: Machine, role: string, args: string[]): string {
  const out = runInstaller(m, role, args);
  for (const unit of /^units: (.*)$/m.exec(out)![1].split(' ')) startUnit(m, unit);
  return out;
}

/** A Docker engine of the machine's own, with images loaded from `imagesTar`. */
export async function startDocker(m: Machine, bridgeIP: string, imagesTar: string): Promise<void> {
  const run = path.join(RUN, m.name);
  fs.mkdirSync(run, { recursive: true });
  m.dockerSocket = path.join(run, 'docker.sock');
  startIn(m, 'dockerd', [
    'dockerd',
    '--data-root',
    path.join(DOCKER_ROOT, m.name),
    '--exec-root',
    path.join(run, 'exec'),
    '-H',
    `unix://${m.dockerSocket}`,
    '--pidfile',
    path.join(run, 'docker.pid'),
    '--bip',
    bridgeIP,
    '--iptables=false',
  ]);
  await waitFor(() => fs.existsSync(m.dockerSocket!) && docker(m, ['version', '--format', '{{.Server.Version}}']).trim().length > 0, {
    timeoutMs: 60_000,
    what: `dockerd in ${m.name}`,
  });
  docker(m, ['load', '-i', imagesTar]);
}

export function docker(m: Machine, args: string[]): string {
  return sh('docker', ['-H', `unix://${m.dockerSocket}`, ...args]);
}

/** Stops a machine's processes (SIGTERM, then SIGKILL), newest first. */
export async function stopProcesses(m: Machine, which: ChildProcess[] = [...m.processes]): Promise<void> {
  for (const child of which.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The containerd shims of engines this harness started (their -address is under RUN) that outlived
 * their engine, and the containers' processes they hold: an engine that was killed leaves them running.
 */
function orphanedShims(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv[0].endsWith('containerd-shim-runc-v2') && argv.some((a) => a.startsWith(`${RUN}/`));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Removes everything this harness creates, whether or not it exists. */
export function tearDown(machines: Machine[]): void {
  for (const shim of orphanedShims()) {
    let children: string[] = [];
    try {
      children = fs.readFileSync(`/proc/${shim}/task/${shim}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      // gone meanwhile
    }
    for (const pid of [...children, String(shim)]) quiet('kill', ['-KILL', pid]);
  }
  for (const m of machines) {
    quiet('ip', ['link', 'del', `${PREFIX}-${m.name}`]);
    quiet('ip', ['netns', 'del', m.netns]);
  }
  quiet('ip', ['link', 'del', BRIDGE]);
  while (true) {
    try {
      sh('iptables', ['-D', ...FORWARD_RULE]);
    } catch {
      break;
    }
  }
  // Mounts a killed engine left behind must go before its data root can.
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((p) => p && (p.startsWith(DOCKER_ROOT) || p.startsWith(RUN) || p.startsWith(STATE)));
  for (const p of mounts.reverse()) quiet('umount', ['-l', p]);
  for (const dir of [STATE, DOCKER_ROOT, RUN]) fs.rmSync(dir, { recursive: true, force: true });
}
