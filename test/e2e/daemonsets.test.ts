// DaemonSets with the real kubectl (1.27, 1.30 and 1.33 run directly) on the two nodes of the e2e cluster:
// one pod per node, `get ds` columns, rollout status after a template change, rollout history and undo
// (ControllerRevisions), and kubectl drain skipping daemon pods with --ignore-daemonsets. A third kubelet
// started by the test (node-3, as node-2 is started, but with the admin's credentials, since the cluster
// made node identities for two nodes only) gets its daemon pod when it joins and loses it when its Node goes.
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startProcess } from '../processes';
import { DATA_DIR, KUBECONFIG, kubectl, kubectlOk, logOf, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];

const daemonSet = (greeting: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: agent
        image: busybox
        env: [{name: GREETING, value: ${greeting}}]
        command: ["sh", "-c", "mkdir -p /www && echo ok > /www/ready && exec httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1, failureThreshold: 1}
`;

interface PodInfo {
  metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { env?: { value: string }[] }[] };
}

const agents = (ns: string): PodInfo[] =>
  (JSON.parse(kubectlOk(['-n', ns, 'get', 'pods', '-l', 'app=agent', '-o', 'json'])).items as PodInfo[]).filter(
    (p) => !p.metadata.deletionTimestamp,
  );

afterAll(() => {
  kubectl(['uncordon', 'node-2']);
});

describe.each(VERSIONS)('kubectl 1.%i and DaemonSets', (version) => {
  let ns: string;
  beforeAll(() => {
    ns = uniqueNamespace(`ds${version}`);
  });
  afterAll(() => {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
  });
  const k = (args: string[], input?: string) => kubectlOk(['-n', ns, ...args], { version, input });

  it('runs one pod on each node and rolls a template change out, back and forth', async () => {
    k(['apply', '-f', '-'], daemonSet('one'));
    expect(k(['rollout', 'status', 'ds/agent', '--timeout=120s'])).toContain('daemon set "agent" successfully rolled out');
    const first = agents(ns);
    expect(first.map((p) => p.spec.nodeName).sort()).toEqual(['node-1', 'node-2']);
    const table = k(['get', 'ds', 'agent']).trim().split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(table[1].split(/\s+/).slice(0, 7)).toEqual(['agent', '2', '2', '2', '2', '2', '<none>']);

    k(['apply', '-f', '-'], daemonSet('two'));
    expect(k(['rollout', 'status', 'ds/agent', '--timeout=180s'])).toContain('daemon set "agent" successfully rolled out');
    await waitFor(() => agents(ns).length === 2 && agents(ns).every((p) => p.spec.containers[0].env?.[0].value === 'two'), {
      what: 'both daemon pods replaced by the new template',
      timeoutMs: 60_000,
    });
    expect(
      agents(ns)
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(['node-1', 'node-2']);
    expect(
      k(['get', 'controllerrevisions'])
        .split('\n')[0]
        .split(/\s{2,}/),
    ).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(k(['get', 'controllerrevisions'])).toContain('daemonset.apps/agent');
    const history = k(['rollout', 'history', 'ds/agent']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect(k(['rollout', 'undo', 'ds/agent'])).toContain('daemonset.apps/agent rolled back');
    expect(k(['rollout', 'status', 'ds/agent', '--timeout=180s'])).toContain('successfully rolled out');
    await waitFor(() => agents(ns).length === 2 && agents(ns).every((p) => p.spec.containers[0].env?.[0].value === 'one'), {
      what: 'the daemon pods back on the first template',
      timeoutMs: 60_000,
    });
    expect(k(['get', 'ds', 'agent', '-o', 'jsonpath={.spec.template.spec.containers[0].env[0].value}'])).toBe('one');
    // The first revision became the newest: the history is 2, 3.
    expect(k(['rollout', 'history', 'ds/agent'])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  });

  it('is left alone by kubectl drain --ignore-daemonsets, which drain refuses without it', () => {
    const selector = ['--pod-selector', 'app=agent'];
    const refused = kubectl(['drain', 'node-2', ...selector, '--timeout=30s'], { version });
    try {
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)');
      const drained = kubectl(['drain', 'node-2', '--ignore-daemonsets', ...selector, '--timeout=30s'], { version });
      expect(drained.code).toBe(0);
      expect(drained.stderr + drained.stdout).toContain(`ignoring DaemonSet-managed Pods: ${ns}/agent-`);
      expect(
        agents(ns)
          .map((p) => p.spec.nodeName)
          .sort(),
      ).toEqual(['node-1', 'node-2']);
    } finally {
      kubectlOk(['uncordon', 'node-2']);
    }
  });
});

describe('a DaemonSet and a node that joins, then goes', () => {
  let ns: string;
  beforeAll(() => {
    ns = uniqueNamespace('dsjoin');
  });
  afterAll(() => {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
    kubectl(['delete', 'node', 'node-3', '--ignore-not-found']);
  });

  it('runs a pod on node-3 once it is Ready, and removes it when the Node is deleted', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: daemonSet('one') });
    kubectlOk(['-n', ns, 'rollout', 'status', 'ds/agent', '--timeout=120s']);
    const node2 = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'run', 'kubelet-node-2.json'), 'utf8')) as {
      command: string;
      args: string[];
    };
    const port = await freePort();
    const args = node2.args.map((a) =>
      a.startsWith('--kubeconfig=')
        ? `--kubeconfig=${KUBECONFIG}`
        : a === '--node-name=node-2'
          ? '--node-name=node-3'
          : a.startsWith('--port=')
            ? `--port=${port}`
            : a.startsWith('--root-dir=')
              ? a.replace(/node-2$/, 'node-3')
              : a,
    );
    const kubelet = startProcess(node2.command, [...args, '--cleanup-on-stop=true'], logOf('kubelet-node-3'));
    try {
      await waitFor(
        () => {
          const pods = agents(ns);
          return pods.length === 3 && pods.some((p) => p.spec.nodeName === 'node-3');
        },
        { what: 'a daemon pod on node-3', timeoutMs: 120_000 },
      );
      expect(kubectlOk(['-n', ns, 'rollout', 'status', 'ds/agent', '--timeout=120s'])).toContain('successfully rolled out');
      expect(kubectlOk(['-n', ns, 'get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}/{.status.numberReady}'])).toBe(
        '3/3',
      );
    } finally {
      await kubelet.stop();
    }
    kubectlOk(['delete', 'node', 'node-3']);
    await waitFor(() => agents(ns).length === 2 && !agents(ns).some((p) => p.spec.nodeName === 'node-3'), {
      what: "node-3's daemon pod gone with its Node",
      timeoutMs: 60_000,
    });
    await waitFor(
      () =>
        kubectlOk(['-n', ns, 'get', 'ds', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}/{.status.currentNumberScheduled}']) ===
        '2/2',
      { what: 'the status back to two nodes' },
    );
  });
});
