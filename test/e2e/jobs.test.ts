// Jobs with the real kubectl and Docker: `kubectl create job` (protobuf from 1.32 on), `wait
// --for=condition=complete`, `logs job/x` and the Job columns from 1.27, 1.30 and 1.33; a Job of 3
// completions 2 at a time; an Indexed Job whose pods print their JOB_COMPLETION_INDEX and which the
// ttl-after-finished controller deletes with its pods.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('jobs');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const k = (args: string[], version?: number, input?: string) => kubectlOk(['-n', ns, ...args], { version, input });
const podsOf = (job: string) =>
  JSON.parse(k(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${job}`, '-o', 'json'])).items as {
    metadata: { name: string; finalizers?: string[]; annotations?: Record<string, string> };
    status: { phase: string };
  }[];

describe.each([27, 30, 33])('kubectl 1.%i', (version) => {
  it('create job, wait --for=condition=complete, logs job/x, get job', () => {
    const name = `hello${version}`;
    expect(k(['create', 'job', name, '--image=busybox', '--', 'sh', '-c', `echo hello from ${name}`], version).trim()).toBe(
      `job.batch/${name} created`,
    );
    expect(k(['wait', '--for=condition=complete', `job/${name}`, '--timeout=120s'], version).trim()).toBe(
      `job.batch/${name} condition met`,
    );
    expect(k(['logs', `job/${name}`], version).trim()).toBe(`hello from ${name}`);
    expect(k(['get', 'job', name], version)).toMatch(
      new RegExp(`^NAME\\s+STATUS\\s+COMPLETIONS\\s+DURATION\\s+AGE\\n${name}\\s+Complete\\s+1/1\\s+\\d+s\\s+\\d+s\\n$`),
    );
    const job = JSON.parse(k(['get', 'job', name, '-o', 'json'], version));
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    expect(job.metadata.labels['batch.kubernetes.io/job-name']).toBe(name);
    expect(job.status.conditions.map((c: { type: string }) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    // The counted pod no longer holds the tracking finalizer.
    expect(podsOf(name).map((p) => [p.status.phase, p.metadata.finalizers ?? []])).toEqual([['Succeeded', []]]);
  });
});

it('a Job of 3 completions, 2 at a time, completes with 3 succeeded pods', () => {
  k(
    ['apply', '-f', '-'],
    undefined,
    `apiVersion: batch/v1
kind: Job
metadata: {name: three}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox, command: ["sh", "-c", "sleep 1; echo done"]}]
`,
  );
  expect(k(['get', 'job', 'three', '-o', 'jsonpath={.spec.parallelism}/{.spec.completions}/{.spec.backoffLimit}'])).toBe('2/3/6');
  k(['wait', '--for=condition=complete', 'job/three', '--timeout=150s']);
  expect(k(['get', 'job', 'three', '-o', 'jsonpath={.status.succeeded}/{.status.active}'])).toBe('3/');
  expect(k(['get', 'job', 'three'])).toMatch(/\nthree\s+Complete\s+3\/3\s+/);
  const pods = podsOf('three');
  expect(pods.map((p) => p.status.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
  const events = k([
    'get',
    'events',
    '--field-selector',
    'involvedObject.name=three',
    '-o',
    'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
  ]);
  expect(events.split('\n').filter((r) => r === 'SuccessfulCreate')).toHaveLength(3);
  expect(events).toContain('Completed');
});

it('an Indexed Job: each pod knows its index; ttlSecondsAfterFinished then deletes the Job and its pods', async () => {
  k(
    ['apply', '-f', '-'],
    undefined,
    `apiVersion: batch/v1
kind: Job
metadata: {name: idx}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  ttlSecondsAfterFinished: 5
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox, command: ["sh", "-c", "echo index $JOB_COMPLETION_INDEX of $(hostname)"]}]
`,
  );
  k(['wait', '--for=condition=complete', 'job/idx', '--timeout=150s']);
  expect(k(['get', 'job', 'idx', '-o', 'jsonpath={.status.completedIndexes}'])).toBe('0-2');
  const logs = k(['logs', '-l', 'batch.kubernetes.io/job-name=idx', '--prefix=false']).trim().split('\n').sort();
  expect(logs).toEqual(['index 0 of idx-0', 'index 1 of idx-1', 'index 2 of idx-2']);
  // Deleted by the ttl-after-finished controller, with its pods (foreground), no finalizer holding them.
  await waitFor(() => kubectl(['-n', ns, 'get', 'job', 'idx']).code !== 0 && podsOf('idx').length === 0, {
    timeoutMs: 90_000,
    what: 'the Indexed Job deleted after its TTL',
  });
});
