// kubectl drain, cordon and uncordon (1.27, 1.30 and 1.33 run directly) against a Deployment of 3 with a
// PodDisruptionBudget: with minAvailable 2 drain evicts the pods one at a time as their replacements
// become ready elsewhere, retrying the refused ones as kubectl does, and completes; with minAvailable 3
// it keeps being refused until its --timeout. The pods start on node-1 (node-2 cordoned meanwhile), and
// --pod-selector keeps the drain to this test's pods: the Deployment is named (and its pods labelled
// app=) after the test's namespace, since drain lists the pods of every namespace on the node, and other
// tests' `app=web` pods may still be terminating there.
import { spawnSync } from 'node:child_process';
import { httpApp, kubectl, kubectlOk, KUBECONFIG, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];

function run(version: number, args: string[], timeoutMs = 180_000) {
  const r = spawnSync(`/usr/lib/google-cloud-sdk/bin/kubectl.1.${version}`, args, {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG },
    timeout: timeoutMs,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const podsOf = (ns: string) =>
  JSON.parse(kubectlOk(['-n', ns, 'get', 'pods', '-l', `app=${ns}`, '-o', 'json'])).items as {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: { conditions?: { type: string; status: string }[] };
  }[];
const ready = (p: ReturnType<typeof podsOf>[number]) =>
  !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Three ready pods of a Deployment on node-1, and a budget over them. */
async function deployOnNode1(ns: string, minAvailable: number): Promise<void> {
  kubectlOk(['cordon', 'node-2']);
  try {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: httpApp(ns, 3) });
    kubectlOk(['-n', ns, 'rollout', 'status', `deployment/${ns}`, '--timeout=90s']);
  } finally {
    kubectlOk(['uncordon', 'node-2']);
  }
  expect(podsOf(ns).map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-1', 'node-1']);
  kubectlOk(['-n', ns, 'apply', '-f', '-'], {
    input: `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: ${minAvailable}\n  selector: {matchLabels: {app: ${ns}}}\n`,
  });
  // The disruption controller has counted the pods once the budget shows them.
  await waitFor(
    () => kubectlOk(['-n', ns, 'get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}/{.status.observedGeneration}']) === '3/1',
    {
      what: 'the budget counted',
    },
  );
}

afterAll(() => {
  kubectl(['uncordon', 'node-1']);
  kubectl(['uncordon', 'node-2']);
});

describe.each(VERSIONS)('kubectl 1.%i drain', (version) => {
  let ns: string;
  beforeEach(() => {
    ns = uniqueNamespace(`drain${version}`);
  });
  afterEach(() => {
    kubectl(['uncordon', 'node-1']);
    kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('evicts within the budget, one at a time, waits for the pods to go, and completes', async () => {
    await deployOnNode1(ns, 2);
    const kubectlPdb = run(version, ['-n', ns, 'get', 'pdb']);
    expect(kubectlPdb.stdout).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+1\s+\S+\n$/);

    const r = run(version, [
      'drain',
      'node-1',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      `--pod-selector=app=${ns}`,
      '--timeout=150s',
    ]);
    expect(r.stderr).toContain(`Cannot evict pod as it would violate the pod's disruption budget.`);
    expect(r.stderr).toMatch(
      new RegExp(`error when evicting pods/"${ns}-[a-z0-9-]+" -n "${ns}" \\(will retry after 5s\\): Cannot evict pod`),
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('node/node-1 cordoned');
    // kubectl says "evicting pod" again at each retry of a refused one.
    const evicting = lines.filter((l) => l.startsWith(`evicting pod ${ns}/${ns}-`));
    expect(new Set(evicting).size).toBe(3);
    expect(evicting.length).toBeGreaterThan(3);
    expect(lines.filter((l) => l.startsWith(`pod/${ns}-`) && l.endsWith(' evicted'))).toHaveLength(3);
    expect(lines[lines.length - 1]).toBe('node/node-1 drained');

    const after = podsOf(ns).filter((p) => !p.metadata.deletionTimestamp);
    expect(after.map((p) => p.spec.nodeName)).toEqual(['node-2', 'node-2', 'node-2']);
    expect(run(version, ['get', 'node', 'node-1']).stdout).toMatch(/node-1\s+Ready,SchedulingDisabled/);
    expect(run(version, ['uncordon', 'node-1']).stdout).toBe('node/node-1 uncordoned\n');
    expect(run(version, ['get', 'node', 'node-1']).stdout).toMatch(/node-1\s+Ready\s/);
    await waitFor(() => podsOf(ns).filter(ready).length === 3, { what: '3 ready pods again' });
  });

  it('keeps retrying while the budget allows nothing, until its timeout', async () => {
    await deployOnNode1(ns, 3);
    const r = run(version, ['drain', 'node-1', '--ignore-daemonsets', `--pod-selector=app=${ns}`, '--timeout=12s']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('node/node-1 cordoned');
    expect(r.stderr.split(`Cannot evict pod as it would violate the pod's disruption budget.`).length).toBeGreaterThan(3);
    expect(r.stderr).toContain('global timeout reached: 12s');
    expect(podsOf(ns).filter(ready)).toHaveLength(3); // nothing was taken down
  });
});
