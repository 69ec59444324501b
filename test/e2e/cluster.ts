// Helpers for end-to-end tests against the cluster started by global-setup.ts: run the real kubectl,
// poll, and signal a component through its pid file (the launcher starts one that exits again; SIGSTOP
// holds one down).
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kubectlBinary, processAlive, ROOT, waitFor } from '../processes';

export { waitFor };

export const DATA_DIR = path.join(ROOT, '.data', 'e2e');
export const KUBECONFIG = path.join(DATA_DIR, 'kubeconfig');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl (the newest, or a given minor version's binary). */
export function kubectl(
  args: string[],
  opts: { input?: string; version?: number; timeoutMs?: number; env?: Record<string, string> } = {},
): KubectlResult {
  const r = spawnSync(kubectlBinary(opts.version), args, {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG, ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs kubectl and fails the test (with its stderr) when it exits non-zero. */
export function kubectlOk(args: string[], opts: { input?: string; version?: number } = {}): string {
  const r = kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Starts kubectl (get -w, logs -f) and collects its stdout and stderr lines as they come. */
export function kubectlStream(args: string[], opts: { version?: number } = {}): { lines: string[]; errors: string[]; stop(): void } {
  const child = spawn(kubectlBinary(opts.version), args, { env: { ...process.env, KUBECONFIG } });
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      into.push(...parts);
    });
  };
  const lines: string[] = [];
  const errors: string[] = [];
  collect(child.stdout, lines);
  collect(child.stderr, errors);
  return { lines, errors, stop: () => child.kill('SIGTERM') };
}

/**
 * How many PLEG relists the node's kubelet has done since it started (kubelet_pleg_relist_duration_seconds_count
 * on its /metrics, read through the apiserver's node proxy): after a restart, a positive sign that the new
 * kubelet has looked at its containers and synced the pods that changed.
 */
export function kubeletRelists(node: string, run: (args: string[]) => string = kubectlOk): number {
  const m = /^kubelet_pleg_relist_duration_seconds_count (\d+)$/m.exec(run(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics`]));
  return m ? Number(m[1]) : 0;
}

let counter = 0;
/**
 * The kubectl arguments that wait for a new namespace's `default` ServiceAccount: until the
 * serviceaccount controller has made it, the ServiceAccount admission refuses pods there (Kubernetes'
 * e2e framework waits for it the same way).
 */
export const waitForDefaultServiceAccount = (namespace: string) => [
  'wait',
  '--for=create',
  'serviceaccount/default',
  '-n',
  namespace,
  '--timeout=60s',
];

/** Creates a fresh namespace for a test file and returns its name, once pods can be created in it. */
export function uniqueNamespace(prefix: string): string {
  const name = `${prefix}-${process.pid}-${++counter}`;
  kubectlOk(['create', 'namespace', name]);
  kubectlOk(waitForDefaultServiceAccount(name));
  return name;
}

export function pidOf(component: string): number {
  return Number(fs.readFileSync(path.join(DATA_DIR, 'run', `${component}.pid`), 'utf8'));
}

/** The log file of a component (pino JSON lines, appended across restarts). */
export const logOf = (component: string) => path.join(DATA_DIR, 'logs', `${component}.log`);

export function killComponent(component: string, signal: NodeJS.Signals = 'SIGKILL'): void {
  process.kill(pidOf(component), signal);
}

/** Waits for the launcher to start a component again after `oldPid` exited (its back-off is 1 s at first). */
export function waitForRestart(component: string, oldPid: number): Promise<number> {
  return waitFor(
    () => {
      const pid = pidOf(component);
      return pid !== oldPid && processAlive(pid) ? pid : undefined;
    },
    { timeoutMs: 30_000, what: `the launcher to restart ${component}` },
  );
}

/**
 * A second replica of a component, with the command line the launcher recorded. The launcher does not
 * know it (no pid file): the caller stops it.
 */
export function startReplica(component: string): ChildProcess {
  const spec = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'run', `${component}.json`), 'utf8')) as {
    command: string;
    args: string[];
    log: string;
  };
  const out = fs.openSync(spec.log, 'a');
  const child = spawn(spec.command, spec.args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return child;
}

/**
 * A Deployment of busybox httpd pods that serve their own hostname on port 8080 ("http") and are ready
 * once serving: the workload of the Service and restart tests.
 */
export const httpApp = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && echo ok > /www/ready && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
${extra}`;

/**
 * A StatefulSet of two busybox pods, each with a claim `data` of the default class at /data, that append
 * their hostname to /data/starts at every start and print the file: a pod's logs show the starts its
 * volume has seen (the storage tests of compose and multihost).
 */
export const startsCounter = (name: string, podManagementPolicy: 'OrderedReady' | 'Parallel') => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  replicas: 2
  serviceName: ${name}
  podManagementPolicy: ${podManagementPolicy}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: ${name}
        image: busybox
        command: [sh, -c, 'hostname >> /data/starts && cat /data/starts && exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;
