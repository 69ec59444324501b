// A StatefulSet's pods and their own volumes (the test): three pods each write their ordinal into
// the claim of their volumeClaimTemplate; a pod deleted by hand comes back with the same name, the same
// claim and the same data; scaling down keeps the claims of the pods it removes, and scaling up again
// gives each returning pod its old data.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('stsdata');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});
const k = (args: string[], input?: string) => kubectlOk(['-n', ns, ...args], { input });

const manifest = `apiVersion: v1
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 3
  serviceName: db
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
        image: busybox
        # Each start appends the pod's ordinal (from the pod-index label, through the downward API) to its volume.
        command: [sh, -c, 'echo "$ORDINAL" >> /var/lib/db/ordinals && cat /var/lib/db/ordinals && exec sleep 3600']
        env: [{name: ORDINAL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']"}}}]
        volumeMounts: [{name: data, mountPath: /var/lib/db}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
`;

const logsOf = (pod: string) => kubectl(['-n', ns, 'logs', pod]).stdout;
const uidOf = (pod: string) => kubectl(['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.metadata.uid}']).stdout;
const claims = () =>
  k(['get', 'pvc', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}']).trim().split('\n').sort();

it('gives each pod its own claim, and its data to the pod that replaces it', async () => {
  k(['apply', '-f', '-'], manifest);
  for (const ordinal of [0, 1, 2])
    await waitFor(() => logsOf(`db-${ordinal}`) === `${ordinal}\n`, { timeoutMs: 120_000, what: `db-${ordinal} writing its ordinal` });
  expect(claims()).toEqual(['data-db-0=Bound', 'data-db-1=Bound', 'data-db-2=Bound']);
  const volume = k(['get', 'pvc', 'data-db-1', '-o', 'jsonpath={.spec.volumeName}']);

  const uid = uidOf('db-1');
  k(['delete', 'pod', 'db-1']);
  await waitFor(() => uidOf('db-1') !== uid && logsOf('db-1') === '1\n1\n', { timeoutMs: 120_000, what: 'a new db-1 reading the old one' });
  expect(k(['get', 'pvc', 'data-db-1', '-o', 'jsonpath={.spec.volumeName}'])).toBe(volume);
  expect(logsOf('db-0')).toBe('0\n');
});

it('keeps the claims of the pods a scale down removes, for the pods a scale up brings back', async () => {
  k(['scale', 'statefulset', 'db', '--replicas=1']);
  await waitFor(() => k(['get', 'pods', '-l', 'app=db', '-o', 'name']).trim() === 'pod/db-0', {
    timeoutMs: 60_000,
    what: 'db-1 and db-2 gone',
  });
  expect(claims()).toEqual(['data-db-0=Bound', 'data-db-1=Bound', 'data-db-2=Bound']);
  k(['scale', 'statefulset', 'db', '--replicas=3']);
  await waitFor(() => logsOf('db-2') === '2\n2\n', { timeoutMs: 120_000, what: 'db-2 back with its old data' });
  expect(logsOf('db-1')).toBe('1\n1\n1\n');
});
