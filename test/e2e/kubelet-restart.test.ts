// A kubelet that restarts adopts its running containers; one that was down cleans up after pods deleted
// meanwhile.
import { execFileSync } from 'node:child_process';
import { killComponent, kubectl, kubeletRelists, kubectlOk, pidOf, uniqueNamespace, waitFor, waitForRestart } from './cluster';
import { processAlive } from '../processes';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('restart');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: busybox, command: ["sleep", "3600"]}]
`;
const statusOf = (name: string) => JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', name, '-o', 'json'])).status;

it('keeps the containers (same IDs, same restart count) across a kubelet restart', async () => {
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: pod('steady') });
  const before = await waitFor(() => (statusOf('steady').containerStatuses?.[0]?.state?.running ? statusOf('steady') : undefined), {
    timeoutMs: 60_000,
    what: 'running',
  });
  const pid = pidOf('kubelet-node-1');
  killComponent('kubelet-node-1', 'SIGTERM');
  await waitFor(() => !processAlive(pid), { what: 'the kubelet to stop' });
  const id = before.containerStatuses[0].containerID.replace('docker://', '');
  expect(docker('inspect', '--format', '{{.State.Running}}', id)).toBe('true'); // pods outlive their kubelet
  await waitForRestart('kubelet-node-1', pid);
  await waitFor(() => kubectlOk(['get', 'node', 'node-1']).includes(' Ready '), { what: 'node-1 Ready' });
  await waitFor(() => kubeletRelists('node-1') >= 3, { what: 'three relists of the new kubelet' });
  const after = statusOf('steady');
  expect(after.containerStatuses[0].containerID).toBe(before.containerStatuses[0].containerID);
  expect(after.containerStatuses[0].restartCount).toBe(0);
  expect(after.podIP).toBe(before.podIP);
});

it('removes the containers of a pod deleted while its kubelet was down', async () => {
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: pod('orphaned') });
  const s = await waitFor(() => (statusOf('orphaned').containerStatuses?.[0]?.state?.running ? statusOf('orphaned') : undefined), {
    timeoutMs: 60_000,
    what: 'running',
  });
  const uid = JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', 'orphaned', '-o', 'json'])).metadata.uid;
  const pid = pidOf('kubelet-node-1');
  killComponent('kubelet-node-1', 'SIGSTOP'); // down, and not restarted by the launcher while we delete
  kubectlOk(['-n', ns, 'delete', 'pod', 'orphaned', '--grace-period=0', '--force']);
  expect(docker('ps', '-q', '--filter', `label=io.kubernetes.pod.uid=${uid}`)).not.toBe('');
  killComponent('kubelet-node-1', 'SIGKILL'); // the launcher starts a new one, which finds the orphan
  await waitForRestart('kubelet-node-1', pid);
  await waitFor(() => docker('ps', '-aq', '--filter', `label=io.kubernetes.pod.uid=${uid}`) === '', {
    timeoutMs: 30_000,
    what: 'orphan cleanup',
  });
  expect(s.podIP).toBeDefined();
});
