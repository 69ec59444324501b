// exec, attach, cp, run -it and port-forward with the real kubectl 1.27 (SPDY only), 1.30 (WebSocket
// exec) and 1.33 (WebSocket exec and port-forward tunnel), run directly, against real pods in Docker.
// TTYs come from `script`, which gives kubectl a pseudo-terminal. KUBECTL_VERSIONS=27,28,29,30,31,32,33
// runs every binary on the machine.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../processes';
import { DATA_DIR, KUBECONFIG, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = (process.env.KUBECTL_VERSIONS ?? '27,30,33').split(',').map(Number);
const bin = (minor: number) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;

let ns: string;
let tmp: string;

const podsYaml = `apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: busybox, command: ["sleep", "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    # 8080 on the pod's address; 8081 on its loopback only, which only the pod's network namespace reaches.
    command: ["sh", "-c", "mkdir /www && echo hello from web > /www/index.html && httpd -p 8080 -h /www && exec httpd -f -p 127.0.0.1:8081 -h /www"]
    ports: [{containerPort: 8080}]
`;

beforeAll(async () => {
  ns = uniqueNamespace('exec');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-e2e-'));
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: podsYaml });
  await waitFor(() => kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/shell', 'pod/web', '--timeout=5s']).code === 0, {
    timeoutMs: 60_000,
    what: 'the pods to be ready',
  });
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** kubectl under a pseudo-terminal (script -e returns kubectl's exit code). */
function underTerminal(minor: number, args: string[], input = '') {
  const command = [bin(minor), '-n', ns, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG },
    timeout: 60_000,
  });
  // At the end of its input, script writes the terminal's EOF character, a NUL once kubectl has made the
  // terminal raw; the container's terminal echoes it as ^@.
  return { code: r.status, output: r.stdout.replace(/\r\n/g, '\n').replace(/\^@/g, '') };
}

/** Starts `kubectl port-forward` and resolves once it listens on every local port. */
async function portForward(minor: number, mappings: string[]) {
  const child = spawn(bin(minor), ['-n', ns, 'port-forward', 'pod/web', ...mappings], { env: { ...process.env, KUBECONFIG } });
  let [out, err] = ['', ''];
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const locals = mappings.map((m) => m.split(':')[0]);
  await waitFor(() => locals.every((p) => out.includes(`Forwarding from 127.0.0.1:${p} `)) || child.exitCode !== null, {
    what: 'port-forward to listen',
  });
  if (child.exitCode !== null) throw new Error(`kubectl port-forward exited ${child.exitCode}: ${err}`);
  return { child, stderr: () => err };
}

const curl = (port: number) =>
  new Promise<string>((resolve) => {
    const c = spawn('curl', ['-s', '--max-time', '10', `http://127.0.0.1:${port}/`]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(out));
  });

describe.each(VERSIONS)('kubectl 1.%i', (minor) => {
  const run = (args: string[], input?: string) => kubectl(['-n', ns, ...args], { version: minor, input });

  it('exec prints the output of a command in the container', () => {
    expect(run(['exec', 'shell', '--', 'cat', '/etc/hostname'])).toEqual({ code: 0, stdout: 'shell\n', stderr: '' });
  });

  it('exec -i passes stdin to the command', () => {
    expect(run(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z'], 'hello\nworld\n')).toEqual({
      code: 0,
      stdout: 'HELLO\nWORLD\n',
      stderr: '',
    });
  });

  it("exec reports the command's exit code as Kubernetes does", () => {
    expect(run(['exec', 'shell', '--', 'sh', '-c', 'echo to stderr >&2; exit 3'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'to stderr\ncommand terminated with exit code 3\n',
    });
  });

  // (The terminal's size reaching the runtime is tested with kubectl's own bytes in kubelet/streaming.test.ts:
  // busybox's stty cannot read it here.)
  it('exec -it runs the command on a terminal', () => {
    const r = underTerminal(minor, ['exec', '-it', 'shell', '--', 'sh', '-c', 'tty; exit 3']);
    expect(r.code).toBe(3);
    expect(r.output).toMatch(/\/dev\/pts\/\d+\ncommand terminated with exit code 3\n$/);
  });

  it('cp copies a file into the pod and back', () => {
    const file = path.join(tmp, `in-${minor}`);
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256)));
    expect(run(['cp', file, `shell:/tmp/copy-${minor}`]).code).toBe(0);
    expect(run(['exec', 'shell', '--', 'wc', '-c', `/tmp/copy-${minor}`]).stdout).toBe(`100000 /tmp/copy-${minor}\n`);
    const back = path.join(tmp, `out-${minor}`);
    expect(run(['cp', `shell:/tmp/copy-${minor}`, back]).code).toBe(0);
    expect(fs.readFileSync(back).equals(fs.readFileSync(file))).toBe(true);
  });

  it('run -i --rm attaches to the new pod and deletes it afterwards', () => {
    const name = `once-${minor}`;
    const r = run(
      ['run', name, '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'read line; echo got $line'],
      'hello\n',
    );
    expect(r.stdout).toContain('got hello');
    expect(r.stdout).toContain(`pod "${name}" deleted`);
    expect(r.code).toBe(0);
  });

  it('run -it --rm gives the shell a terminal', () => {
    const name = `term-${minor}`;
    const r = underTerminal(minor, ['run', name, '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'sh'], 'tty\nexit\n');
    expect(r.output).toMatch(/\/dev\/pts\/\d+/);
    expect(r.output).toContain(`pod "${name}" deleted`);
  });

  it('port-forward forwards concurrent connections, to the pod address and to its loopback', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const { child } = await portForward(minor, [`${a}:8080`, `${b}:8081`]);
    try {
      const answers = await Promise.all([a, a, a, b, b, b].map(curl));
      expect(answers).toEqual(Array(6).fill('hello from web\n'));
    } finally {
      child.kill('SIGINT');
    }
  });
});

describe('attach and errors', () => {
  it('attach -i joins the main process of a container that keeps stdin open', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, stdin: true, stdinOnce: true, command: ["sh", "-c", "read line; echo got $line"]}
`,
    });
    await waitFor(() => kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod/reader', '--timeout=5s']).code === 0, { what: 'reader' });
    const r = kubectl(['-n', ns, 'attach', '-i', 'reader'], { version: 33, input: 'hello\n' });
    expect(r.stdout).toContain('got hello');
    expect(r.code).toBe(0);
  });

  it('a port nothing listens on is reported by kubectl in the kubelet words', async () => {
    const local = await freePort();
    const { child, stderr } = await portForward(33, [`${local}:9999`]);
    try {
      await curl(local);
      await waitFor(() => stderr().includes('error forwarding port 9999'), { what: 'the error line' });
      expect(stderr()).toMatch(
        new RegExp(
          `an error occurred forwarding ${local} -> 9999: error forwarding port 9999 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"[^"\\\\]+\\\\": failed to connect to localhost:9999 inside namespace \\\\"[0-9a-f]{64}\\\\", IPv4: dial tcp4 127\\.0\\.0\\.1:9999: connect: connection refused`,
        ),
      );
    } finally {
      child.kill('SIGINT');
    }
  });

  it('the viewer may not exec', () => {
    const r = spawnSync(bin(33), ['--kubeconfig', path.join(DATA_DIR, 'kubeconfig-viewer'), '-n', ns, 'exec', 'shell', '--', 'true'], {
      encoding: 'utf8',
    });
    expect(r.stderr.trim()).toBe(
      `Error from server (Forbidden): pods "shell" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "${ns}"`,
    );
  });
});
