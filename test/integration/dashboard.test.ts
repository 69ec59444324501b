// The dashboard's server at a real apiserver, as the read-only viewer: the event stream's snapshot and
// live deltas, a pending pod's scheduler reason in plain words, the apiserver's health, the YAML view, kube-proxy's counters per endpoint, and actions sent with the pasted
// token (none: 401; the viewer's: the apiserver's 403; the admin's: done).
import http from 'node:http';
import path from 'node:path';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { ControlPlane, DIST, freePort, Proc, startControlPlane, startProcess, waitFor } from '../processes';
import { api, pod } from './api';

let cp: ControlPlane;
let dashboard: Proc;
let base: string;
let metrics: http.Server;
let metricsText = '';
const NS = '/api/v1/namespaces/default';

/** The dashboard's event stream: every message so far, parsed. */
function stream(): { messages: { event: string; data: any }[]; close(): void } {
  const messages: { event: string; data: any }[] = [];
  let buf = '';
  const req = http.get(`${base}events`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) messages.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  return { messages, close: () => req.destroy() };
}

const post = async (p: string, body: unknown, token?: string) => {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { code: res.status, body: (await res.json()) as { message: string } };
};

beforeAll(async () => {
  cp = await startControlPlane();
  metrics = http.createServer((_req, res) => res.end(metricsText));
  await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', () => r()));
  const port = await freePort();
  base = `http://127.0.0.1:${port}/`;
  dashboard = startProcess(
    process.execPath,
    [
      path.join(DIST, 'dashboard', 'main.js'),
      `--kubeconfig=${cp.viewerKubeconfig}`,
      `--port=${port}`,
      `--kube-proxy-metrics=http://127.0.0.1:${(metrics.address() as { port: number }).port}/metrics`,
    ],
    path.join(cp.dir, 'dashboard.log'),
  );
  await waitFor(() => fetch(`${base}healthz`).then((r) => r.ok), { what: 'the dashboard' });
});
afterAll(async () => {
  await dashboard?.stop();
  metrics?.close();
  await cp?.stop();
});

describe('dashboard server', () => {
  it('serves the page with relative links only, so it works under the apiserver proxy path', async () => {
    const html = await (await fetch(base)).text();
    expect(html).toContain('src="app.js"');
    expect(html).not.toMatch(/(src|href)="\//);
    expect((await fetch(`${base}app.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('streams a snapshot, then each change as a batched delta, and says why a pod no node fits is pending', async () => {
    const s = stream();
    try {
      await waitFor(() => s.messages.some((m) => m.event === 'snapshot'), { what: 'the snapshot' });
      const snapshot = s.messages.find((m) => m.event === 'snapshot')!.data;
      expect(snapshot.workloadKinds).toEqual(expect.arrayContaining(['Deployment', 'ReplicaSet']));
      // The viewer reads every kind shown (Leases through mini-kubernetes:cluster-reader); the apiserver is ready.
      expect(snapshot.problems).toEqual({});
      await waitFor(
        () =>
          s.messages
            .flatMap((m) => (m.event === 'snapshot' ? m.data.views.components : (m.data.upsert.components ?? [])))
            .find((c: any) => c.name === 'kube-apiserver' && c.healthy && c.message === '/readyz: ok'),
        { what: 'the apiserver healthy' },
      );

      const created = await api(
        cp.config,
        'POST',
        `${NS}/pods`,
        pod('picky', { spec: { nodeSelector: { disk: 'none-such' }, containers: [{ name: 'main', image: 'busybox' }] } }),
      );
      expect(created.code).toBe(201);
      const message = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";
      const status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] };
      expect((await api(cp.config, 'PUT', `${NS}/pods/picky/status`, { ...created.body, status })).code).toBe(200);
      const view = await waitFor(
        () =>
          s.messages
            .filter((m) => m.event === 'delta')
            .flatMap((m) => m.data.upsert.pods ?? [])
            .find((p: any) => p.name === 'picky' && p.why?.includes(message)),
        { what: 'the pod with the scheduler reason' },
      );
      expect(view.why).toBe(`The scheduler cannot place it on any node: ${message}`);
      expect(view).toMatchObject({ namespace: 'default', phase: 'Pending', status: 'Pending', ready: false });

      expect((await api(cp.config, 'DELETE', `${NS}/pods/picky`)).code).toBe(200);
      await waitFor(() => s.messages.some((m) => m.event === 'delta' && (m.data.remove.pods ?? []).includes('default/picky')), {
        what: 'the removal',
      });
    } finally {
      s.close();
    }
  });

  it('shows an object as YAML, read with its own credentials', async () => {
    await api(cp.config, 'POST', `${NS}/pods`, pod('yaml-me'));
    const res = await fetch(`${base}api/yaml?kind=Pod&namespace=default&name=yaml-me`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^apiVersion: v1\nkind: Pod\n/);
    expect(text).toContain('name: yaml-me');
    expect(text).not.toContain('managedFields');
  });

  it("sums kube-proxy's counters per endpoint and streams the ones that move", async () => {
    metricsText = [
      'kubeproxy_connections_total{service="default/web:",endpoint="10.244.0.5:80"} 3',
      'kubeproxy_bytes_total{service="default/web:",endpoint="10.244.0.5:80",direction="to_endpoint"} 210',
      'kubeproxy_bytes_total{service="default/web:",endpoint="10.244.0.5:80",direction="from_endpoint"} 900',
    ].join('\n');
    const s = stream();
    try {
      const traffic = await waitFor(
        () =>
          s.messages
            .flatMap((m) => (m.event === 'snapshot' ? m.data.views.traffic : (m.data.upsert.traffic ?? [])))
            .find((t: any) => t.connections === 3),
        { what: 'the traffic view' },
      );
      expect(traffic).toEqual({
        key: 'default/web:|10.244.0.5:80',
        service: 'default/web:',
        endpoint: '10.244.0.5:80',
        connections: 3,
        active: 0,
        bytesIn: 210,
        bytesOut: 900,
      });
      metricsText = metricsText.replace('} 3', '} 4');
      await waitFor(
        () => s.messages.some((m) => m.event === 'delta' && (m.data.upsert.traffic ?? []).some((t: any) => t.connections === 4)),
        {
          what: 'the counter to move',
        },
      );
    } finally {
      s.close();
    }
  });

  it("sends actions with the pasted token, so the apiserver's RBAC decides", async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    };
    expect((await api(cp.config, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).code).toBe(201);
    const scale = { kind: 'Deployment', namespace: 'default', name: 'web', replicas: 4 };
    expect(await post('api/scale', scale)).toMatchObject({ code: 401 });
    const viewerToken = loadKubeconfig(cp.viewerKubeconfig).token;
    const refused = await post('api/scale', scale, viewerToken);
    expect(refused.code).toBe(403);
    expect(refused.body.message).toContain('User "viewer" cannot patch resource "deployments/scale" in API group "apps"');
    expect(await post('api/scale', scale, cp.config.token)).toEqual({ code: 200, body: { message: 'deployment.apps/web scaled' } });
    expect((await api(cp.config, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.spec.replicas).toBe(4);
    expect(await post('api/delete', { kind: 'Deployment', namespace: 'default', name: 'web' }, cp.config.token)).toEqual({
      code: 200,
      body: { message: 'deployment.apps "web" deleted' },
    });
    expect(await post('api/delete', { kind: 'Secret', namespace: 'default', name: 'x' }, cp.config.token)).toMatchObject({ code: 400 });
  });
});
