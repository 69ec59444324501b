// Persistent storage with the real kubectl (1.27, 1.30 and 1.33 run directly) and real Docker: a claim of
// the default class local-path is provisioned on the node of its first pod, a pod writes a file into it,
// a new pod after the first is deleted reads it back (read-only, as its volume says), `kubectl get
// pv,pvc` shows kubectl's columns and phases, and deleting the claim removes the volume and its
// directory on the host. A static hostPath volume with Retain goes Released when its claim is deleted,
// and a pod whose claim no volume can satisfy gets the scheduler's message.
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];
const STORAGE_ROOT = path.join(DATA_DIR, 'storage');

const claim = (name: string, extra = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
${extra}`;

const podWith = (name: string, command: string, readOnly = false) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, '${command}']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data, readOnly: ${readOnly}}
`;

/** The table kubectl prints, as rows of cells (its columns are separated by 3 or more spaces, or 2 at least). */
const table = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

const phaseOf = (ns: string, pod: string, version: number) =>
  kubectl(['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}'], { version }).stdout;

/** Waits for the pod to succeed; if it does not, the failure shows what kubectl describe says of it. */
async function succeeded(ns: string, pod: string, version: number): Promise<void> {
  try {
    await waitFor(() => phaseOf(ns, pod, version) === 'Succeeded', { what: `pod ${pod} to succeed`, timeoutMs: 120_000 });
  } catch (err) {
    const describe = kubectl(['-n', ns, 'describe', 'pod', pod], { version }).stdout;
    const claims = kubectl(['-n', ns, 'get', 'pvc', '-o', 'yaml'], { version }).stdout;
    throw new Error(`${(err as Error).message}\n${describe}\n${claims}`, { cause: err });
  }
}

describe.each(VERSIONS)('kubectl 1.%i with a local-path claim', (version) => {
  let ns: string;
  const run = (args: string[], input?: string) => kubectlOk(['-n', ns, ...args], { version, input });
  beforeAll(() => {
    ns = uniqueNamespace(`pv${version}`);
  });
  afterAll(() => kubectl(['delete', 'namespace', ns, '--wait=false']));

  it('keeps a file across pods, shows pv and pvc as kubectl does, and removes the directory with the claim', async () => {
    run(['apply', '-f', '-'], claim('data'));
    // WaitForFirstConsumer: nothing happens before a pod uses the claim.
    expect(table(run(['get', 'pvc', 'data']))[1].slice(0, 2)).toEqual(['data', 'Pending']);
    run(['apply', '-f', '-'], podWith('writer', `echo hello-${version} > /data/file && sync`));
    await succeeded(ns, 'writer', version);

    const pvc = JSON.parse(run(['get', 'pvc', 'data', '-o', 'json']));
    const volumeName: string = pvc.spec.volumeName;
    expect(volumeName).toBe(`pvc-${pvc.metadata.uid}`);
    expect(pvc.metadata.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'volume.kubernetes.io/selected-node': JSON.parse(run(['get', 'pod', 'writer', '-o', 'json'])).spec.nodeName,
    });
    const pvcRows = table(run(['get', 'pvc']));
    expect(pvcRows[0]).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    expect(pvcRows[1].slice(0, 7)).toEqual(['data', 'Bound', volumeName, '64Mi', 'RWO', 'local-path', '<unset>']);
    const pvRows = table(kubectlOk(['get', 'pv', volumeName], { version }));
    expect(pvRows[0]).toEqual([
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
    ]);
    // REASON is empty: kubectl's columns leave a wider gap there.
    expect(pvRows[1].slice(0, 8)).toEqual([volumeName, '64Mi', 'RWO', 'Delete', 'Bound', `${ns}/data`, 'local-path', '<unset>']);

    // On the host: the directory under the local-path root, with the file.
    const dir = path.join(STORAGE_ROOT, `${volumeName}_${ns}_data`);
    expect(fs.readFileSync(path.join(dir, 'file'), 'utf8')).toBe(`hello-${version}\n`);

    run(['delete', 'pod', 'writer']);
    run(['apply', '-f', '-'], podWith('reader', 'cat /data/file; touch /data/other 2>/dev/null && echo writable || echo read-only', true));
    await succeeded(ns, 'reader', version);
    expect(run(['logs', 'reader'])).toBe(`hello-${version}\nread-only\n`);

    // The claim stays while a pod uses it (pvc-protection), then goes, and with it the volume and directory.
    run(['delete', 'pod', 'reader']);
    run(['delete', 'pvc', 'data', '--wait=false']);
    await waitFor(() => kubectl(['get', 'pv', volumeName], { version }).code !== 0, {
      what: 'the volume to be deleted',
      timeoutMs: 120_000,
    });
    await waitFor(() => !fs.existsSync(dir), { what: 'the directory to be removed on the host', timeoutMs: 60_000 });
  });
});

describe('static volumes and the scheduler', () => {
  const version = 33;
  let ns: string;
  let hostDir: string;
  const run = (args: string[], input?: string) => kubectlOk(['-n', ns, ...args], { version, input });
  beforeAll(() => {
    ns = uniqueNamespace('pvstatic');
    hostDir = path.join(DATA_DIR, `static-${ns}`);
  });
  afterAll(() => {
    kubectl(['delete', 'pv', `static-${ns}`, '--wait=false']);
    kubectl(['delete', 'namespace', ns, '--wait=false']);
    kubectl(['delete', 'storageclass', `none-${ns}`]);
    fs.rmSync(hostDir, { recursive: true, force: true });
  });

  it('binds a claim to a static volume, which goes Released and keeps its data when the claim is deleted (Retain)', async () => {
    kubectlOk(['apply', '-f', '-'], {
      version,
      input: `apiVersion: v1
kind: PersistentVolume
metadata: {name: static-${ns}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: ${hostDir}, type: DirectoryOrCreate}
`,
    });
    run(['apply', '-f', '-'], claim('data', '  storageClassName: manual\n'));
    const bound = () => table(kubectlOk(['get', 'pv', `static-${ns}`], { version }))[1];
    await waitFor(() => bound()[4] === 'Bound', { what: 'the static volume to be bound' });
    expect(bound().slice(0, 7)).toEqual([`static-${ns}`, '1Gi', 'RWO', 'Retain', 'Bound', `${ns}/data`, 'manual']);
    run(['apply', '-f', '-'], podWith('writer', 'echo kept > /data/file'));
    await succeeded(ns, 'writer', version);
    run(['delete', 'pod', 'writer']);
    run(['delete', 'pvc', 'data']);
    await waitFor(() => bound()[4] === 'Released', { what: 'the volume to be Released' });
    expect(fs.readFileSync(path.join(hostDir, 'file'), 'utf8')).toBe('kept\n');
  });

  it("says why a pod whose claim no volume satisfies waits: node(s) didn't find available persistent volumes to bind", async () => {
    kubectlOk(['apply', '-f', '-'], {
      version,
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: none-${ns}}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
`,
    });
    run(['apply', '-f', '-'], claim('unsatisfied', `  storageClassName: none-${ns}\n`));
    run(['apply', '-f', '-'], podWith('waiting', 'true').replace('claimName: data', 'claimName: unsatisfied'));
    const message = () => run(['get', 'pod', 'waiting', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);
    await waitFor(() => message() !== '', { what: 'the pod to be marked unschedulable' });
    expect(message()).toMatch(/^0\/\d+ nodes are available: \d+ node\(s\) didn't find available persistent volumes to bind\. preemption: /);
  });
});
