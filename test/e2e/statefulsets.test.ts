// StatefulSets with the real kubectl (1.27, 1.30 and 1.33 run directly): three pods created in order,
// each once the previous is ready; a pod deleted by hand comes back with its name; every pod resolves by
// <pod>.<service>.<namespace>.svc.cluster.local from another pod through the headless Service; `get sts`
// columns; rollout status, history and undo through ControllerRevisions; scale down from the highest ordinal.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];

const manifest = (greeting: string) => `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080, name: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 3
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox
        env: [{name: GREETING, value: ${greeting}}]
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && echo ok > /www/ready && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
`;

interface PodInfo {
  metadata: { name: string; uid: string; creationTimestamp: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { hostname?: string; subdomain?: string; containers: { env?: { value: string }[] }[] };
  status: { podIP?: string; conditions?: { type: string; status: string; lastTransitionTime: string }[] };
}

describe.each(VERSIONS)('kubectl 1.%i and StatefulSets', (version) => {
  let ns: string;
  beforeAll(() => {
    ns = uniqueNamespace(`sts${version}`);
  });
  afterAll(() => {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
  });
  const k = (args: string[], input?: string) => kubectlOk(['-n', ns, ...args], { version, input });
  const pods = (): PodInfo[] =>
    (JSON.parse(k(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as PodInfo[])
      .filter((p) => !p.metadata.deletionTimestamp)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const readySince = (p: PodInfo) =>
    Date.parse(p.status.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ?? '');

  it('creates web-0, web-1, web-2 in order, each once the one before is ready', () => {
    k(['apply', '-f', '-'], manifest('one'));
    // kubectl reports a "partitioned" rollout whenever rollingUpdate.partition is set, and it defaults to 0.
    expect(k(['rollout', 'status', 'sts/web', '--timeout=180s'])).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
    const list = pods();
    expect(list.map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
    for (let i = 1; i < 3; i++)
      expect(Date.parse(list[i].metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(readySince(list[i - 1]) / 1000) * 1000);
    expect(list.map((p) => [p.spec.hostname, p.spec.subdomain, p.metadata.labels['statefulset.kubernetes.io/pod-name']])).toEqual([
      ['web-0', 'web', 'web-0'],
      ['web-1', 'web', 'web-1'],
      ['web-2', 'web', 'web-2'],
    ]);
    const table = k(['get', 'sts', 'web']).trim().split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual(['NAME', 'READY', 'AGE']);
    expect(table[1].split(/\s+/).slice(0, 2)).toEqual(['web', '3/3']);
  });

  it('answers <pod>.web.<namespace>.svc.cluster.local for every pod, from another pod', async () => {
    const list = pods();
    for (const p of list) {
      const other = list.find((o) => o.metadata.name !== p.metadata.name)!.metadata.name;
      const name = `${p.metadata.name}.web.${ns}.svc.cluster.local`;
      await waitFor(
        () => kubectl(['-n', ns, 'exec', other, '--', 'nslookup', name], { version }).stdout.includes(`Address: ${p.status.podIP}`),
        {
          what: `${name} resolving to ${p.status.podIP} in ${other}`,
        },
      );
      const page = kubectl(['-n', ns, 'exec', other, '--', 'wget', '-q', '-O', '-', `http://${name}:8080/index.html`], { version });
      expect(page.stdout.trim()).toBe(p.metadata.name);
      // The pod knows its own name too: /etc/hosts has its FQDN, as the kubelet writes it in Kubernetes.
      const hosts = kubectl(['-n', ns, 'exec', p.metadata.name, '--', 'cat', '/etc/hosts'], { version }).stdout;
      expect(hosts).toMatch(
        new RegExp(`^${p.status.podIP!.replace(/\./g, '\\.')}\\s+${name.replace(/\./g, '\\.')}\\s+${p.metadata.name}$`, 'm'),
      );
    }
  });

  it('brings a pod deleted by hand back with the same name', async () => {
    const before = pods().find((p) => p.metadata.name === 'web-1')!;
    k(['delete', 'pod', 'web-1', '--wait=false']);
    await waitFor(
      () => {
        const now = pods().find((p) => p.metadata.name === 'web-1');
        return now && now.metadata.uid !== before.metadata.uid && readySince(now) > 0;
      },
      { what: 'web-1 back and ready', timeoutMs: 90_000 },
    );
    expect(pods().map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('rolls a template change out from the highest ordinal, and back with rollout undo', async () => {
    k(['apply', '-f', '-'], manifest('two'));
    expect(k(['rollout', 'status', 'sts/web', '--timeout=180s'])).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
    expect(pods().map((p) => p.spec.containers[0].env?.[0].value)).toEqual(['two', 'two', 'two']);
    const updated = pods();
    // From the highest ordinal down: web-2 was replaced first.
    expect(Date.parse(updated[2].metadata.creationTimestamp)).toBeLessThanOrEqual(Date.parse(updated[1].metadata.creationTimestamp));
    expect(Date.parse(updated[1].metadata.creationTimestamp)).toBeLessThanOrEqual(Date.parse(updated[0].metadata.creationTimestamp));
    expect(k(['rollout', 'history', 'sts/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(k(['rollout', 'undo', 'sts/web'])).toContain('statefulset.apps/web rolled back');
    expect(k(['rollout', 'status', 'sts/web', '--timeout=180s'])).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
    await waitFor(() => pods().every((p) => p.spec.containers[0].env?.[0].value === 'one'), {
      what: 'every pod back on the first template',
    });
    expect(k(['rollout', 'history', 'sts/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  });

  it('scales down from the highest ordinal', async () => {
    k(['scale', 'sts/web', '--replicas=1']);
    await waitFor(
      () =>
        pods()
          .map((p) => p.metadata.name)
          .join() === 'web-0',
      { what: 'only web-0 left', timeoutMs: 90_000 },
    );
    await waitFor(() => k(['get', 'sts', 'web', '-o', 'jsonpath={.status.replicas}/{.status.readyReplicas}']) === '1/1', {
      what: 'the status counting one pod',
    });
  });
});
