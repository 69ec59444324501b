// The secure ports of kube-scheduler and kube-controller-manager, run as real processes against a real
// apiserver: /metrics asks the apiserver about each caller (401 without a token, 403 for the viewer, 200
// for the admin), the scheduler counts its attempts, the controller-manager reports its work queues, and
// a second replica that finds the port taken runs on without it.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { ControlPlane, DIST, freePort, httpStatus, Proc, startControlPlane, startProcess, waitFor } from '../processes';
import { api, pod } from './api';

let cp: ControlPlane;
const procs: Proc[] = [];
let schedulerPort: number;
let controllerManagerPort: number;

/** GET https://127.0.0.1:<port>/metrics, trusting the component's self-signed certificate. */
function scrape(port: number, token?: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
    https
      .get({ host: '127.0.0.1', port, path: '/metrics', headers, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function start(component: 'scheduler' | 'controller-manager', port: number, log: string): Proc {
  const proc = startProcess(
    process.execPath,
    [
      path.join(DIST, component, 'main.js'),
      `--kubeconfig=${cp.componentKubeconfig(component)}`,
      '--leader-elect=false',
      `--secure-port=${port}`,
    ],
    path.join(cp.dir, log),
  );
  procs.push(proc);
  return proc;
}

beforeAll(async () => {
  cp = await startControlPlane();
  [schedulerPort, controllerManagerPort] = [await freePort(), await freePort()];
  start('scheduler', schedulerPort, 'scheduler.log');
  start('controller-manager', controllerManagerPort, 'controller-manager.log');
  await waitFor(async () => (await httpStatus(`https://127.0.0.1:${schedulerPort}/healthz`)) === 200, {
    what: "the scheduler's secure port",
  });
  await waitFor(async () => (await httpStatus(`https://127.0.0.1:${controllerManagerPort}/healthz`)) === 200, {
    what: "the controller-manager's secure port",
  });
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await cp?.stop();
});

describe("the scheduler's /metrics", () => {
  it('answers 401 without a token, 403 to the viewer and 200 to the admin', async () => {
    expect((await scrape(schedulerPort)).code).toBe(401);
    expect((await scrape(schedulerPort, 'not-a-token')).code).toBe(401);
    const viewer = await scrape(schedulerPort, loadKubeconfig(cp.viewerKubeconfig).token);
    expect(viewer).toEqual({ code: 403, body: 'forbidden: User "viewer" cannot get path "/metrics"' });
    const admin = await scrape(schedulerPort, cp.config.token);
    expect(admin.code).toBe(200);
    expect(admin.body).toContain('scheduler_schedule_attempts_total');
  });

  it('counts a pod that fits nowhere as unschedulable and reports it pending', async () => {
    expect((await api(cp.config, 'POST', '/api/v1/namespaces/default/pods', pod('nowhere'))).code).toBe(201);
    const body = await waitFor(
      async () => {
        const { body } = await scrape(schedulerPort, cp.config.token);
        return /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/.test(body) && body;
      },
      { what: 'the unschedulable attempt to be counted' },
    );
    expect(body).toContain('scheduler_pending_pods{queue="unschedulable"} 1');
    expect(body).toMatch(/scheduler_scheduling_attempt_duration_seconds_count\{result="unschedulable",profile="default-scheduler"\} [1-9]/);
    expect(body).not.toContain('result="scheduled"');
  });

  it('lets a second replica whose port is taken run on without it', async () => {
    const second = start('scheduler', schedulerPort, 'scheduler-2.log');
    await waitFor(() => fs.readFileSync(path.join(cp.dir, 'scheduler-2.log'), 'utf8').includes('secure port not served'), {
      what: 'the warning',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(second.child.exitCode).toBeNull();
  });
});

describe("the controller-manager's /metrics", () => {
  it('reports the work queues by name, to authorized callers only', async () => {
    expect((await scrape(controllerManagerPort)).code).toBe(401);
    const body = await waitFor(
      async () => {
        const { code, body } = await scrape(controllerManagerPort, cp.config.token);
        return code === 200 && body.includes('workqueue_work_duration_seconds_count{name="endpoint"} 1') && body; // the kubernetes Service
      },
      { what: 'the endpoint queue to be counted' },
    );
    expect(body).toContain('workqueue_adds_total{name="endpoint"} 1');
    expect(body).toContain('workqueue_depth{name="replicaset"} 0');
    expect(body).toContain('workqueue_retries_total{name="namespace"} 0');
  });
});
