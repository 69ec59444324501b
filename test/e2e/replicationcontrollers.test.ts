// The seeds' rc-definition.yml with the real kubectl 1.27, 1.30 and 1.33: create, get rc (kubectl's columns),
// scale (through the scale subresource), describe, and delete, whose pods the garbage collector removes.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../processes';
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

// The e2e cluster has the machine's busybox as busybox:latest (deploy/airgap/prepare.sh tags busybox:1.36).
// httpd as PID 1 ignores SIGTERM: a short grace period keeps the scale-downs quick.
const RC = fs
  .readFileSync(path.join(ROOT, 'deploy', 'examples', 'rc-definition.yml'), 'utf8')
  .replace('busybox:1.36', 'busybox')
  .replace('    spec:\n      containers:', '    spec:\n      terminationGracePeriodSeconds: 1\n      containers:');

describe.each([27, 30, 33])('kubectl 1.%i and a ReplicationController', (version) => {
  let ns: string;
  beforeAll(() => {
    ns = uniqueNamespace(`rc${version}`);
  });
  afterAll(() => {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
  });
  const k = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version });
  /** The RC's pods, those being deleted included (kubectl describe counts them too). */
  const running = () => (JSON.parse(k('get', 'pods', '-l', 'type=front-end', '-o', 'json')).items as unknown[]).length;
  const readyIs = async (n: number) =>
    waitFor(() => k('get', 'rc', 'myapp-rc', '-o', 'jsonpath={.status.readyReplicas}') === String(n) && running() === n, {
      timeoutMs: 120_000,
      what: `${n} ready pods of myapp-rc`,
    });

  it('creates, lists, scales, describes and deletes with its pods', async () => {
    expect(kubectlOk(['-n', ns, 'create', '-f', '-'], { version, input: RC }).trim()).toBe('replicationcontroller/myapp-rc created');
    await readyIs(3);
    expect(k('get', 'replicationcontroller')).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nmyapp-rc\s+3\s+3\s+3\s+\d+s\n$/);
    expect(k('get', 'rc', '-o', 'wide')).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nmyapp-rc\s+3\s+3\s+3\s+\S+\s+nginx-container\s+busybox\s+app=myapp,type=front-end\n$/,
    );
    // The pods are the RC's, named after it.
    const owners = k(
      'get',
      'pods',
      '-l',
      'type=front-end',
      '-o',
      'jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.name} {end}',
    );
    expect(owners.trim().split(' ')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ReplicationController\/myapp-rc-[a-z0-9]{5}$/)]),
    );

    expect(k('scale', '--replicas=5', 'rc/myapp-rc').trim()).toBe('replicationcontroller/myapp-rc scaled');
    await readyIs(5);
    expect(kubectlOk(['-n', ns, 'scale', '--replicas=2', '-f', '-'], { version, input: RC }).trim()).toBe(
      'replicationcontroller/myapp-rc scaled',
    );
    await readyIs(2);

    const described = k('describe', 'rc', 'myapp-rc');
    expect(described).toMatch(/^Name:\s+myapp-rc$/m);
    expect(described).toMatch(/^Selector:\s+app=myapp,type=front-end$/m);
    expect(described).toMatch(/^Replicas:\s+2 current \/ 2 desired$/m);
    expect(described).toMatch(/^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    expect(described).toMatch(/SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: myapp-rc-/);
    expect(described).toMatch(/SuccessfulDelete\s+\S+\s+replication-controller\s+Deleted pod: myapp-rc-/);

    expect(k('delete', 'rc', 'myapp-rc').trim()).toBe('replicationcontroller "myapp-rc" deleted');
    await waitFor(() => running() === 0, { timeoutMs: 90_000, what: 'the pods of the deleted RC gone' });
  });
});
