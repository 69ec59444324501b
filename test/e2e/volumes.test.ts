// Volumes as a pod author meets them, with the real kubectl and real Docker: the paths that would escape
// a volume onto the node are refused at the API, a link a container plants in its emptyDir keeps the
// container from starting again (with the event Kubernetes gives), and files on the node outside the
// pod's directories never change. ConfigMap and Secret volumes are read-only, with Kubernetes' modes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const KUBECTL = 33; // the real kubectl 1.33, run directly
const run = (args: string[], input?: string) => kubectl(args, { version: KUBECTL, input });
const runOk = (args: string[], input?: string) => kubectlOk(args, { version: KUBECTL, input });

let ns: string;
/** Stands for /etc on the node: a container that escaped its volume would write here. */
let sentinel: string;
const sentinelContent = () => fs.readdirSync(sentinel).map((f) => `${f}=${fs.readFileSync(path.join(sentinel, f), 'utf8')}`);

beforeAll(() => {
  ns = uniqueNamespace('volumes');
  sentinel = fs.mkdtempSync(path.join(os.tmpdir(), 'mk-sentinel-'));
  fs.writeFileSync(path.join(sentinel, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  fs.rmSync(sentinel, { recursive: true, force: true });
});
afterEach(() => expect(sentinelContent()).toEqual(['passwd=root:x:0:0:root:/root:/bin/sh\n']));

const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${spec
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

describe('paths that leave their volume are refused at the API', () => {
  const mountPod = (name: string, subPath: string) =>
    pod(
      name,
      `
containers:
- name: app
  image: busybox:1.36
  command: [sleep, "3600"]
  volumeMounts:
  - {name: data, mountPath: /data, subPath: "${subPath}"}
volumes:
- {name: data, emptyDir: {}}`,
    );

  it.each([
    ['subpath-dotdot', '..', `Invalid value: "..": must not contain '..'`],
    ['subpath-up', '../../../../etc', `Invalid value: "../../../../etc": must not contain '..'`],
    ['subpath-absolute', '/etc', 'Invalid value: "/etc": must be a relative path'],
  ])('%s: a subPath of %j is a 422', (name, subPath, why) => {
    const r = run(['-n', ns, 'create', '-f', '-', '-v=6'], mountPod(name, subPath));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"Response" verb="POST" url="https:\S+\/pods\?\S*" status="422 Unprocessable Entity"/);
    expect(r.stderr).toContain(`The Pod "${name}" is invalid: spec.containers[0].volumeMounts.subPath: ${why}`);
  });

  it('refuses configMap items, secret items and keys that name files out of the volume', () => {
    const items = run(
      ['-n', ns, 'create', '-f', '-'],
      pod(
        'items-escape',
        `
containers:
- {name: app, image: "busybox:1.36", command: [sleep, "3600"], volumeMounts: [{name: cfg, mountPath: /cfg}, {name: s, mountPath: /s}]}
volumes:
- {name: cfg, configMap: {name: settings, items: [{key: a, path: ../../x}]}}
- {name: s, secret: {secretName: creds, items: [{key: a, path: ${sentinel}/passwd}]}}`,
      ),
    );
    expect(items.stderr.trim().split('\n')).toEqual([
      'The Pod "items-escape" is invalid: ',
      `* spec.volumes[0].configMap.items[0].path: Invalid value: "../../x": must not contain '..'`,
      `* spec.volumes[1].secret.items[0].path: Invalid value: "${sentinel}/passwd": must be a relative path`,
    ]);
    const cm = run(
      ['-n', ns, 'create', '-f', '-'],
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keys}\ndata: {ok: "1"}\nbinaryData: {"..data": "AA=="}\n`,
    );
    expect(cm.stderr.trim()).toBe(`The ConfigMap "keys" is invalid: binaryData[..data]: Invalid value: "..data": must not start with '..'`);
    expect(run(['-n', ns, 'get', 'pods', '-o', 'name']).stdout).toBe('');
  });
});

describe('a link planted in an emptyDir', () => {
  it("keeps the container from starting again, with a Failed event, and the node's files unchanged", async () => {
    // The container mounts its emptyDir twice: whole at /data, and its `link` subdirectory at /mnt. On
    // its first run it replaces `link` by a symlink to a host directory and exits; were the kubelet to
    // follow it on the restart, the container would see the host directory at /mnt and write there.
    runOk(
      ['-n', ns, 'create', '-f', '-'],
      pod(
        'planter',
        `
containers:
- name: app
  image: busybox:1.36
  command: [sh, -c, 'if [ -L /data/link ]; then echo owned > /mnt/passwd; sleep 3600; fi; mv /data/link /data/was-link; ln -s ${sentinel} /data/link; exit 1']
  volumeMounts:
  - {name: data, mountPath: /data}
  - {name: data, mountPath: /mnt, subPath: link}
volumes:
- {name: data, emptyDir: {}}`,
      ),
    );
    const failed = 'Error: failed to prepare subPath for volumeMount "data" of container "app"';
    await waitFor(
      () =>
        runOk([
          '-n',
          ns,
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=planter',
          '-o',
          'jsonpath={range .items[*]}{.type} {.reason} {.message}{"\\n"}{end}',
        ])
          .split('\n')
          .includes(`Warning Failed ${failed}`),
      { timeoutMs: 60_000, what: 'the Failed event of the restart' },
    );
    const status = JSON.parse(runOk(['-n', ns, 'get', 'pod', 'planter', '-o', 'json'])).status.containerStatuses[0];
    expect(status.state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: failed.replace('Error: ', '') });
    expect(status.restartCount).toBe(0); // the first run, which exited: no second run was created
    const describe = runOk(['-n', ns, 'describe', 'pod', 'planter']);
    expect(describe).toMatch(/Warning\s+Failed\s+.*Error: failed to prepare subPath for volumeMount "data" of container "app"/);
  });
});

describe('containers sharing an emptyDir', () => {
  it('pauses the ones that could rewrite it only while a subPath container starts', async () => {
    const since = Math.floor(Date.now() / 1000);
    runOk(
      ['-n', ns, 'create', '-f', '-'],
      pod(
        'shared',
        `
containers:
- name: writer
  image: busybox:1.36
  command: [sh, -c, 'while true; do date > /data/tick; sleep 0.2; done']
  volumeMounts: [{name: data, mountPath: /data}]
- name: victim
  image: busybox:1.36
  command: [sh, -c, 'ls /logs; exit 1']
  volumeMounts: [{name: data, mountPath: /logs, subPath: logs}]
volumes:
- {name: data, emptyDir: {}}`,
      ),
    );
    const statuses = () =>
      new Map<string, any>(
        (JSON.parse(runOk(['-n', ns, 'get', 'pod', 'shared', '-o', 'json'])).status.containerStatuses ?? []).map((c: any) => [c.name, c]),
      );
    await waitFor(() => (statuses().get('victim')?.restartCount ?? 0) >= 1, { timeoutMs: 60_000, what: 'the victim to start again' });
    const writer = statuses().get('writer');
    expect(writer.state.running).toBeDefined();
    const id = writer.containerID.replace('docker://', '');
    const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
    const actions = docker(
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000)),
      '--filter',
      `container=${id}`,
      '--format',
      '{{.Action}}',
    );
    expect(
      actions
        .split('\n')
        .filter((a) => a === 'pause' || a === 'unpause')
        .slice(0, 2),
    ).toEqual(['pause', 'unpause']);
    const dockerState = { stdout: docker('inspect', '-f', '{{.State.Status}}', id) };
    expect(dockerState.stdout.trim()).toBe('running'); // not left `paused`
  });
});

describe('configMap and secret volumes', () => {
  it('are read-only in the container, with files 0644 by default, defaultMode honoured, in a pod directory only root reads', async () => {
    runOk(['-n', ns, 'create', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {app.conf: "a=1"}\n`);
    runOk(['-n', ns, 'create', '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {password: hunter2}\n`);
    runOk(
      ['-n', ns, 'create', '-f', '-'],
      pod(
        'reader',
        `
restartPolicy: Never
containers:
- name: app
  image: busybox:1.36
  command: [sh, -c, 'stat -L -c "%a %n" /cfg/app.conf /s/password /strict/password /one/app.conf; cat /one/app.conf; echo; touch /cfg/new /s/new 2>&1 | sed "s/^touch: //"; true']
  volumeMounts:
  - {name: cfg, mountPath: /cfg, readOnly: false}
  - {name: cfg, mountPath: /one/app.conf, subPath: app.conf}
  - {name: s, mountPath: /s}
  - {name: strict, mountPath: /strict}
volumes:
- {name: cfg, configMap: {name: app}}
- {name: s, secret: {secretName: creds}}
- {name: strict, secret: {secretName: creds, defaultMode: 0400}}`,
      ),
    );
    await waitFor(() => runOk(['-n', ns, 'get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}']) === 'Succeeded', {
      timeoutMs: 60_000,
      what: 'the reader pod to finish',
    });
    expect(runOk(['-n', ns, 'logs', 'reader']).trim().split('\n')).toEqual([
      '644 /cfg/app.conf',
      '644 /s/password',
      '400 /strict/password',
      '644 /one/app.conf',
      'a=1',
      '/cfg/new: Read-only file system',
      '/s/new: Read-only file system',
    ]);
    const p = JSON.parse(runOk(['-n', ns, 'get', 'pod', 'reader', '-o', 'json']));
    const podDir = path.join(DATA_DIR, 'kubelet', p.spec.nodeName, 'pods', p.metadata.uid);
    expect(fs.statSync(podDir).mode & 0o777).toBe(0o750);
    expect(fs.statSync(path.join(podDir, 'volumes', 'kubernetes.io~secret')).mode & 0o777).toBe(0o700);
  });
});
