// Jobs at a real apiserver with the real job controller (no kubelet: the test writes each pod's status as
// a kubelet would): the generated selector and defaults, the job-tracking finalizer taken off a finished
// pod by a JSON patch, the counts and the 1.31 conditions, the Table kubectl prints, and validation in
// Kubernetes' words.
import { realClock } from '../../shared/clock';
import { Client } from '../../shared/client';
import { EventRecorder } from '../../shared/events';
import { SharedInformerFactory } from '../../shared/informer';
import { newLogger } from '../../shared/log';
import { runController } from '../../controller-manager/controller';
import { JobController } from '../../controller-manager/job/job';
import { realJobWriter } from '../../controller-manager/job/jobcontrol';
import { RealPodControl } from '../../controller-manager/podcontrol';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
const stop = new AbortController();
let informers: SharedInformerFactory;
const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const PODS = '/api/v1/namespaces/default/pods';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

beforeAll(async () => {
  cp = await startControlPlane();
  const client = new Client(cp.config);
  const log = newLogger('test').child({ level: 'silent' });
  informers = new SharedInformerFactory(client, { logger: log });
  const controller = new JobController(
    informers,
    new RealPodControl(client),
    realJobWriter(client),
    new EventRecorder(client, { component: 'job-controller' }, { logger: log }),
    realClock,
  );
  informers.start();
  await informers.waitForSync();
  void runController(controller, 2, log, stop.signal);
});
afterAll(async () => {
  stop.abort();
  informers?.stop();
  await cp?.stop();
});

const podsOf = async (job: string) =>
  (await api(cp.config, 'GET', `${PODS}?labelSelector=batch.kubernetes.io/job-name=${job}`)).body.items as any[];

/** What a kubelet writes when the pod's container exits. */
async function finish(pod: any, exitCode: number): Promise<void> {
  const now = new Date().toISOString();
  const status = {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    containerStatuses: [
      { name: 'pi', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode, finishedAt: now } } },
    ],
  };
  const r = await api(cp.config, 'PUT', `${PODS}/${pod.metadata.name}/status`, { ...pod, status });
  expect(r.code).toBe(200);
}

describe('Jobs with the job controller', () => {
  it('runs pods one at a time to 2 completions, frees each of the finalizer, and completes', async () => {
    const body = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi' },
      spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] } } },
    };
    const created = await api(cp.config, 'POST', JOBS, body);
    expect(created.code).toBe(201);
    const uid = created.body.metadata.uid;
    expect(created.body.spec).toMatchObject({
      completions: 2,
      parallelism: 1,
      backoffLimit: 6,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    expect(created.body.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    });

    for (let done = 0; done < 2; done++) {
      await waitFor(async () => (await podsOf('pi')).filter((p) => !p.status?.phase || p.status.phase === 'Pending').length === 1, {
        what: `pod ${done + 1} of the Job`,
      });
      const pod = (await podsOf('pi')).find((p) => !p.status?.phase || p.status.phase === 'Pending');
      expect(pod.metadata.finalizers).toEqual(['batch.kubernetes.io/job-tracking']);
      expect(pod.metadata.ownerReferences).toMatchObject([{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid, controller: true }]);
      await finish(pod, 0);
      await waitFor(async () => (await api(cp.config, 'GET', `${JOBS}/pi`)).body.status?.succeeded === done + 1, {
        what: `${done + 1} succeeded`,
      });
      await waitFor(async () => !(await api(cp.config, 'GET', `${PODS}/${pod.metadata.name}`)).body.metadata.finalizers?.length, {
        what: 'the finalizer off the counted pod',
      });
    }
    await waitFor(async () => (await api(cp.config, 'GET', `${JOBS}/pi`)).body.status?.completionTime !== undefined, { what: 'Complete' });
    const job = (await api(cp.config, 'GET', `${JOBS}/pi`)).body;
    expect(job.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(job.status).toMatchObject({ succeeded: 2, ready: 0, terminating: 0 });
    expect(job.status.active).toBeUndefined(); // omitempty, as Go writes it
    expect(job.status.uncountedTerminatedPods).toEqual({}); // as Kubernetes shows it
    const table = (await api(cp.config, 'GET', `${JOBS}/pi`, undefined, 'application/json', TABLE)).body;
    expect(table.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['pi', 'Complete', '2/2']);
  });

  it('fails with BackoffLimitExceeded after backoffLimit+1 failures, and a failed pod is counted once', async () => {
    const body = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'flaky' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] } } },
    };
    expect((await api(cp.config, 'POST', JOBS, body)).code).toBe(201);
    await waitFor(async () => (await podsOf('flaky')).length === 1, { what: 'the pod of the Job' });
    await finish((await podsOf('flaky'))[0], 2);
    await waitFor(
      async () => (await api(cp.config, 'GET', `${JOBS}/flaky`)).body.status?.conditions?.some((c: any) => c.type === 'Failed'),
      {
        what: 'Failed',
      },
    );
    const job = (await api(cp.config, 'GET', `${JOBS}/flaky`)).body;
    expect(job.status.failed).toBe(1);
    expect(job.status.conditions.map((c: any) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect((await podsOf('flaky')).map((p) => p.metadata.finalizers ?? [])).toEqual([[]]);
  });

  it('refuses a Job whose pods would restart Always, in Kubernetes words', async () => {
    const r = await api(cp.config, 'POST', JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'bad' },
      spec: { template: { spec: { containers: [{ name: 'pi', image: 'busybox' }] } } },
    });
    expect(r.code).toBe(422);
    expect(r.body.message).toBe(
      'Job.batch "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
  });
});
