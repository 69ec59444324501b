// A kube-proxy in iptables mode in place of a local cluster's own (userspace) one, for the e2e test of the
// mode and the kube-proxy benchmark: the launcher's kube-proxy is held with SIGSTOP (so the launcher does
// not start another one), and a second one runs with the command line the launcher recorded plus
// --proxy-mode=iptables, its own metrics port (the held one keeps 10249) and no DNS server (the held one
// keeps the DNS ClusterIP's port 53). iptables DNAT happens before any socket is looked up, so the held
// proxy's listeners never see a connection. `giveBack` lets the launcher's proxy go and restarts it (the
// iptables one's clean stop removed kube-ipvs0, which the restarted one makes again).
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { httpStatus, processAlive, waitFor } from './processes';

export const IPTABLES_PROXY_METRICS = '127.0.0.1:10256';
const USERSPACE_METRICS = '127.0.0.1:10249';

interface Recorded {
  command: string;
  args: string[];
  log: string;
}

/** The recorded arguments with these flags replaced (`--name=value` each). */
export function withFlags(args: string[], flags: string[]): string[] {
  const name = (a: string) => a.split('=')[0];
  const replaced = new Set(flags.map(name));
  return [...args.filter((a) => !replaced.has(name(a))), ...flags];
}

export class IptablesKubeProxy {
  private child?: ChildProcess;

  private constructor(
    private readonly runDir: string,
    private readonly spec: Recorded,
    private readonly heldPid: number,
  ) {}

  /** Holds the launcher's kube-proxy (`<runDir>/kube-proxy.pid`) and starts one in iptables mode. */
  static async takeOver(runDir: string, flags: string[] = []): Promise<IptablesKubeProxy> {
    const spec = JSON.parse(fs.readFileSync(path.join(runDir, 'kube-proxy.json'), 'utf8')) as Recorded;
    const heldPid = Number(fs.readFileSync(path.join(runDir, 'kube-proxy.pid'), 'utf8'));
    process.kill(heldPid, 'SIGSTOP');
    const args = withFlags(spec.args, [
      '--proxy-mode=iptables',
      `--metrics-bind-address=${IPTABLES_PROXY_METRICS}`,
      '--cluster-dns=',
      ...flags,
    ]);
    const proxy = new IptablesKubeProxy(runDir, { ...spec, args, log: spec.log.replace(/\.log$/, '-iptables.log') }, heldPid);
    await proxy.start();
    return proxy;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it (again) and waits for its /healthz, served once its caches have synced. */
  async start(): Promise<void> {
    const out = fs.openSync(this.spec.log, 'a');
    this.child = spawn(this.spec.command, this.spec.args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    await waitFor(async () => (await httpStatus(`http://${IPTABLES_PROXY_METRICS}/healthz`)) === 200, {
      timeoutMs: 30_000,
      what: 'the iptables kube-proxy',
    });
  }

  /** SIGTERM is a clean stop (every rule removed); SIGKILL a crash (the rules stay behind). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** Stops this one cleanly, then lets the launcher's go and has the launcher start it afresh. */
  async giveBack(): Promise<void> {
    await this.stop('SIGTERM');
    process.kill(this.heldPid, 'SIGCONT');
    process.kill(this.heldPid, 'SIGTERM');
    await waitFor(
      async () => {
        const pid = Number(fs.readFileSync(path.join(this.runDir, 'kube-proxy.pid'), 'utf8'));
        return pid !== this.heldPid && processAlive(pid) && (await httpStatus(`http://${USERSPACE_METRICS}/healthz`)) === 200;
      },
      { timeoutMs: 60_000, what: "the launcher's kube-proxy back" },
    );
  }
}
