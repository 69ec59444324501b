// The example operator of deploy/examples/website-operator, run as its own user (`--as=website-operator`,
// bound by its rbac.yaml) against the cluster: a Website applied with kubectl becomes a Deployment and a
// Service it owns, whose ClusterIP serves the page; the Website's status and printer columns report the
// available pods; `kubectl scale` on the Website reaches the Deployment; deleting the Website deletes both
// children (the garbage collector follows ownerReferences to a custom resource).
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, ROOT } from '../processes';
import { DATA_DIR, KUBECONFIG, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const EXAMPLE = path.join(ROOT, 'deploy', 'examples', 'website-operator');
const curl = (url: string) => spawnSync('curl', ['-s', '-m', '3', url], { encoding: 'utf8' });
let operator: ChildProcess;
let ns: string;

beforeAll(async () => {
  kubectlOk(['apply', '-f', path.join(EXAMPLE, 'crd.yaml'), '-f', path.join(EXAMPLE, 'rbac.yaml')]);
  kubectlOk(['wait', '--for=condition=established', '--timeout=60s', 'crd/websites.examples.mini-kubernetes.io']);
  ns = uniqueNamespace('operator');
  const log = fs.openSync(path.join(DATA_DIR, 'logs', 'website-operator.log'), 'a');
  operator = spawn(
    process.execPath,
    [path.join(DIST, 'deploy', 'examples', 'website-operator', 'main.js'), `--kubeconfig=${KUBECONFIG}`, '--as=website-operator'],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
});

afterAll(async () => {
  operator?.kill('SIGTERM');
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  kubectl(['delete', '-f', path.join(EXAMPLE, 'crd.yaml'), '-f', path.join(EXAMPLE, 'rbac.yaml'), '--wait=false']);
});

describe('the website operator', () => {
  it('turns a Website into a Deployment and a Service that serve its page, and reports them', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', path.join(EXAMPLE, 'website.yaml')]);
    const status = await waitFor(
      () => {
        const out = kubectlOk(['-n', ns, 'get', 'website', 'hello', '-o', 'json']);
        const site = JSON.parse(out);
        return site.status?.availableReplicas === 2 && site.status;
      },
      { timeoutMs: 120_000, what: 'the Website to have 2 available replicas' },
    );
    expect(status.url).toBe(`http://hello.${ns}.svc.cluster.local`);
    const lines = kubectlOk(['-n', ns, 'get', 'ws']).trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +REPLICAS +AVAILABLE +URL +AGE$/);
    expect(lines[1].split(/ {2,}/).slice(0, 4)).toEqual(['hello', '2', '2', `http://hello.${ns}.svc.cluster.local`]);

    const deployment = JSON.parse(kubectlOk(['-n', ns, 'get', 'deployment', 'hello', '-o', 'json']));
    expect(deployment.metadata.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: 'examples.mini-kubernetes.io/v1', kind: 'Website', name: 'hello', controller: true }),
    ]);
    const clusterIP = kubectlOk(['-n', ns, 'get', 'service', 'hello', '-o', 'jsonpath={.spec.clusterIP}']);
    await waitFor(() => curl(`http://${clusterIP}/`).stdout.includes('Hello from a custom resource'), {
      timeoutMs: 60_000,
      what: "the Service to serve the Website's page",
    });
  });

  it('follows kubectl scale on the Website', async () => {
    expect(kubectlOk(['-n', ns, 'scale', 'website', 'hello', '--replicas=1']).trim()).toBe(
      'website.examples.mini-kubernetes.io/hello scaled',
    );
    await waitFor(() => kubectlOk(['-n', ns, 'get', 'deployment', 'hello', '-o', 'jsonpath={.spec.replicas}']) === '1', {
      timeoutMs: 60_000,
      what: 'the Deployment to follow the Website',
    });
    await waitFor(() => kubectlOk(['-n', ns, 'get', 'ws', 'hello', '-o', 'jsonpath={.status.availableReplicas}']) === '1', {
      timeoutMs: 120_000,
      what: 'the status to show 1 available pod',
    });
  });

  it('leaves nothing behind when the Website is deleted', async () => {
    kubectlOk(['-n', ns, 'delete', 'website', 'hello']);
    await waitFor(
      () => {
        const r = kubectl(['-n', ns, 'get', 'deployments,services', '-o', 'name']);
        return r.code === 0 && r.stdout.trim() === '';
      },
      { timeoutMs: 60_000, what: 'the garbage collector to delete the Deployment and the Service' },
    );
  });
});
