// The dashboard in a real browser (Debian's Chromium, headless) against the end-to-end cluster, exactly
// the checks its issue lists: both nodes and the seed Deployment's pods are shown; scaling 2 -> 4 shows
// two more pods within 2 s without a reload; a deleted pod is shown replaced; 30 curls of the NodePort
// raise kube-proxy's per-endpoint counters on at least two endpoints; a pod no node fits shows the
// scheduler's reason. The dashboard is the add-on pod `npm run up` runs (deploy/addons/dashboard.yaml), and
// the page is loaded as a user reaches it: through the real `kubectl proxy` and the apiserver's service proxy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { dashboardProxyURL } from '../../deploy/local/components';
import { kubectl, kubectlOk, kubectlStream, uniqueNamespace, waitFor } from '../e2e/cluster';
import { freePort, ROOT } from '../processes';
import { launch, podsShown, screenshot, waitInPage } from './page';

let ns: string;
let browser: Browser;
let page: Page;
let url: string;
let proxy: ReturnType<typeof kubectlStream> | undefined;

const k = (...args: string[]) => kubectlOk(['-n', ns, ...args]);
const curl = (u: string) => spawnSync('curl', ['-s', '-m', '3', u], { encoding: 'utf8' });
/**
 * The seed Deployment and Service of the README's quick start, in this test's namespace, with 2 replicas, a
 * free NodePort, and the busybox image deploy/images/build.sh makes (deploy/airgap/prepare.sh also tags it 1.36).
 */
const seed = () =>
  [
    fs
      .readFileSync(path.join(ROOT, 'deploy/examples/deployment-definition.yml'), 'utf8')
      .replace('replicas: 3', 'replicas: 2')
      .replace('image: busybox:1.36', 'image: busybox'),
    fs.readFileSync(path.join(ROOT, 'deploy/examples/service-definition.yml'), 'utf8').replace(/\n\s*nodePort: 30008/, ''),
  ].join('\n---\n');

beforeAll(async () => {
  ns = uniqueNamespace('dash');
  // The add-on pod, then `kubectl proxy` on a free port (ended by its PID in afterAll).
  kubectlOk(['-n', 'kube-system', 'rollout', 'status', 'deployment/dashboard', '--timeout=55s']);
  const port = await freePort();
  proxy = kubectlStream(['proxy', `--port=${port}`]);
  url = dashboardProxyURL(port);
  await waitFor(
    () =>
      fetch(`${url}healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    { what: 'the dashboard through kubectl proxy', timeoutMs: 30_000 },
  );
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: seed() });
  k('rollout', 'status', 'deployment/myapp-deployment', '--timeout=55s');
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('#live.tone-good', { timeout: 30_000 });
});
afterAll(async () => {
  await browser?.close();
  proxy?.stop();
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

/** The seed Deployment's pods that are not being deleted. */
const podNames = (): string[] =>
  JSON.parse(k('get', 'pods', '-l', 'type=front-end', '-o', 'json'))
    .items.filter((p: any) => !p.metadata.deletionTimestamp)
    .map((p: any) => p.metadata.name);

describe('the dashboard in Chromium', () => {
  it("shows both nodes and the seed Deployment's pods", async () => {
    await page.waitForSelector('[data-node="node-1"]');
    await page.waitForSelector('[data-node="node-2"]');
    const pods = podNames();
    expect(pods).toHaveLength(2);
    await waitFor(async () => (await podsShown(page, ns)).sort().join() === pods.sort().join(), {
      what: `the pods ${pods.join(', ')} on the page`,
    });
    await screenshot(page, 'cluster');
  });

  it('shows two more pods within 2 s of scaling from 2 to 4, without a reload', async () => {
    const before = await podsShown(page, ns);
    expect(before).toHaveLength(2);
    await page.evaluate('window.__notReloaded = true');
    k('scale', 'deployment/myapp-deployment', '--replicas=4');
    const scaled = Date.now();
    await waitInPage(
      page,
      `new Set([...document.querySelectorAll('#panel-cluster .pod-chip')].map((b) => b.dataset.pod).filter((k) => k.startsWith(${JSON.stringify(`${ns}/`)}))).size >= 4`,
      10_000,
      'four pods on the page',
    );
    const elapsed = Date.now() - scaled;
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    expect(elapsed).toBeLessThan(2000);
    k('rollout', 'status', 'deployment/myapp-deployment', '--timeout=55s');
  });

  it('shows a deleted pod replaced', async () => {
    const before = podNames();
    expect(before).toHaveLength(4);
    const victim = before[0];
    k('delete', 'pod', victim, '--wait=false');
    // The victim leaves (Terminating, then gone) and a new pod of the ReplicaSet takes its place.
    const after = await waitFor(
      async () => {
        const shown = await podsShown(page, ns);
        const terminating = await page.evaluate(`document.querySelector('[data-pod="${ns}/${victim}"]')?.dataset.status`);
        return !shown.includes(victim) || terminating === 'Terminating'
          ? shown.filter((p) => p !== victim).length === 4
            ? shown
            : undefined
          : undefined;
      },
      { what: `a replacement for ${victim} on the page`, timeoutMs: 30_000 },
    );
    expect(after.filter((p) => !before.includes(p))).toHaveLength(1);
    k('rollout', 'status', 'deployment/myapp-deployment', '--timeout=55s');
  });

  it("raises kube-proxy's counters on at least two endpoints when the NodePort is curled 30 times", async () => {
    const nodePort = JSON.parse(k('get', 'svc', 'myapp-service', '-o', 'json')).spec.ports[0].nodePort;
    await page.click('#tab-services');
    const row = `[data-service="${ns}/myapp-service"]`;
    await page.waitForSelector(`${row} tbody tr`);
    const counters = async () =>
      (await page.evaluate(
        `[...document.querySelectorAll('${row} td[data-connections]')].map((td) => Number(td.dataset.connections))`,
      )) as number[];
    const before = await counters();
    await waitFor(() => curl(`http://127.0.0.1:${nodePort}/`).stdout.startsWith('hello from'), { what: 'the NodePort answering' });
    const start = (await counters()).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 30; i++) expect(curl(`http://127.0.0.1:${nodePort}/`).stdout).toMatch(/^hello from myapp-deployment-/);
    await waitFor(async () => (await counters()).reduce((a, b) => a + b, 0) >= start + 30, {
      what: '30 more connections counted',
      timeoutMs: 15_000,
    });
    const after = await counters();
    const raised = after.filter((n, i) => n > (before[i] ?? 0));
    expect(raised.length).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'services');
  });

  it("shows the scheduler's reason for a pod no node fits", async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Pod\nmetadata: {name: picky}\nspec:\n  nodeSelector: {disktype: none-such}\n  containers: [{name: c, image: busybox:1.36}]\n',
    });
    await page.click('#tab-cluster');
    const chip = `#panel-cluster [data-pod="${ns}/picky"]`;
    await page.waitForSelector(chip);
    await waitInPage(
      page,
      `document.querySelector('${chip}').parentElement.textContent.includes("didn't match Pod's node affinity/selector")`,
      30_000,
      "the scheduler's reason beside the pod",
    );
    await page.click(chip);
    await page.waitForSelector('.details .why');
    expect(await page.textContent('.details .why')).toMatch(
      /^The scheduler cannot place it on any node: 0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector/,
    );
    await screenshot(page, 'pending-pod');
    await page.click('#tab-workloads');
    await page.waitForSelector(`#panel-workloads [aria-label="Deployment ${ns}/myapp-deployment"]`);
    await screenshot(page, 'workloads');
  });
});
