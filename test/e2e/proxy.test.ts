// The apiserver's proxy subresources as a user reaches them: `kubectl proxy` (1.27, 1.30 and 1.33 run
// directly) and curl to a Service port and to a pod port, `kubectl get --raw` to a kubelet's summary
// through nodes/<name>/proxy, and the viewer refused.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { DATA_DIR, httpApp, kubectl, kubectlOk, KUBECONFIG, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];
const VIEWER = path.join(DATA_DIR, 'kubeconfig-viewer');

let ns: string;
beforeAll(async () => {
  ns = uniqueNamespace('proxy');
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: httpApp('web', 2) });
  kubectlOk(['-n', ns, 'apply', '-f', '-'], {
    input:
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n',
  });
  kubectlOk(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
  await waitFor(
    () => (JSON.parse(kubectlOk(['-n', ns, 'get', 'endpoints', 'web', '-o', 'json'])).subsets?.[0]?.addresses ?? []).length === 2,
    {
      what: 'two ready endpoints',
    },
  );
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const curl = (url: string) => spawnSync('curl', ['-s', '-m', '5', '-w', '\n%{http_code}', url], { encoding: 'utf8' }).stdout;

/** Runs `kubectl proxy --port=0` and resolves with the address it serves on, once it says so. */
function kubectlProxy(version: number): Promise<{ url: string; stop(): void }> {
  const child = spawn(`/usr/lib/google-cloud-sdk/bin/kubectl.1.${version}`, ['proxy', '--port=0'], { env: { ...process.env, KUBECONFIG } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Starting to serve on (\S+)/.exec(out);
      if (m) resolve({ url: `http://${m[1]}`, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`kubectl proxy exited ${code}: ${out}`)));
  });
}

describe.each(VERSIONS)('kubectl 1.%i proxy', (version) => {
  it('reaches a Service by port and name, and a pod by its port, through the apiserver', async () => {
    const proxy = await kubectlProxy(version);
    try {
      const base = `${proxy.url}/api/v1/namespaces/${ns}`;
      expect(curl(`${base}/services/web:80/proxy/index.html`)).toMatch(/^web-\S+\n\n200$/);
      expect(curl(`${base}/services/http:web:http/proxy/index.html`)).toMatch(/^web-\S+\n\n200$/);
      const pod = kubectlOk(['-n', ns, 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']);
      expect(curl(`${base}/pods/${pod}:8080/proxy/index.html`)).toBe(`${pod}\n\n200`);
      // The bare proxy path redirects to the one with a slash, as Kubernetes answers it.
      expect(curl(`${base}/services/web:80/proxy`)).toMatch(/301$/);
      const missing = curl(`${base}/services/web:81/proxy/`);
      expect(missing).toMatch(/"message":"no service port 81 found for service \\"web\\""/);
      expect(missing).toMatch(/503$/);
    } finally {
      proxy.stop();
    }
  });

  it("gets a kubelet's summary with get --raw through nodes/<name>/proxy", () => {
    const summary = JSON.parse(kubectlOk(['get', '--raw', '/api/v1/nodes/node-1/proxy/stats/summary'], { version }));
    expect(summary.node.nodeName).toBe('node-1');
    expect(Array.isArray(summary.pods)).toBe(true);
  });

  it('refuses the viewer, who may not proxy', () => {
    const r = spawnSync(
      `/usr/lib/google-cloud-sdk/bin/kubectl.1.${version}`,
      ['--kubeconfig', VIEWER, 'get', '--raw', `/api/v1/namespaces/${ns}/services/web:80/proxy/`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `Error from server (Forbidden): services "web:80" is forbidden: User "viewer" cannot get resource "services/proxy" in API group "" in the namespace "${ns}"`,
    );
  });
});
