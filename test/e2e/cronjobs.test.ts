// CronJobs with the real kubectl and Docker: a CronJob firing every minute with concurrencyPolicy Forbid
// creates Jobs named <cronjob>-<scheduled minute> that complete, its status and columns follow them, and
// successfulJobsHistoryLimit prunes the older one; a suspended CronJob (in its time zone) creates none meanwhile;
// `kubectl create cronjob` and `kubectl create job --from=cronjob/x` from 1.27, 1.30 and 1.33.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('cronjobs');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const k = (args: string[], version?: number, input?: string) => kubectlOk(['-n', ns, ...args], { version, input });

interface JobItem {
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  status?: { conditions?: { type: string; status: string }[] };
}
const jobsOf = (cronJob: string): JobItem[] =>
  (JSON.parse(k(['get', 'jobs', '-o', 'json'])).items as JobItem[]).filter((j) =>
    j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === cronJob),
  );
const complete = (j: JobItem) => j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ?? false;
const reasonsFor = (name: string) =>
  k([
    'get',
    'events',
    '--field-selector',
    `involvedObject.name=${name}`,
    '-o',
    'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
  ]);

const cronJobYaml = (name: string, extra: string) => `apiVersion: batch/v1
kind: CronJob
metadata: {name: ${name}}
spec:
  schedule: "*/1 * * * *"
${extra}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: work, image: busybox, command: ["sh", "-c", "echo tick"]}]
`;

it('every minute, Forbid: Jobs <name>-<minute> complete, status and columns follow, the history limit prunes; suspend stops it', async () => {
  k(['apply', '-f', '-'], undefined, cronJobYaml('paused', '  suspend: true\n  timeZone: Europe/Berlin'));
  k(['apply', '-f', '-'], undefined, cronJobYaml('tick', '  concurrencyPolicy: Forbid\n  successfulJobsHistoryLimit: 1'));
  expect(k(['get', 'cronjob', 'tick'])).toMatch(
    /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\ntick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s\n$/,
  );

  // The first run: a Job named after its scheduled minute, annotated with that time, completes.
  const seen = new Set<string>();
  await waitFor(
    () => {
      for (const j of jobsOf('tick')) if (complete(j)) seen.add(j.metadata.name);
      return seen.size >= 1;
    },
    { timeoutMs: 100_000, what: 'the first Job of the CronJob complete' },
  );
  const [first] = [...seen];
  const scheduled = jobsOf('tick').find((j) => j.metadata.name === first)!.metadata.annotations![
    'batch.kubernetes.io/cronjob-scheduled-timestamp'
  ];
  expect(first).toBe(`tick-${Date.parse(scheduled) / 60_000}`);
  await waitFor(() => !!k(['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastSuccessfulTime}']), {
    timeoutMs: 20_000,
    what: 'lastSuccessfulTime',
  });
  expect(k(['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}'])).toBe(scheduled);

  // The second run completes too; with successfulJobsHistoryLimit 1 only it is kept.
  await waitFor(
    () => {
      const jobs = jobsOf('tick');
      return jobs.length === 1 && jobs[0].metadata.name !== first && complete(jobs[0]);
    },
    { timeoutMs: 90_000, what: 'the second Job complete and the first deleted' },
  );
  const events = reasonsFor('tick');
  expect(events).toContain(`SuccessfulCreate: Created job ${first}`);
  expect(events).toContain(`SawCompletedJob: Saw completed job: ${first}, condition: Complete`);
  expect(events).toContain(`SuccessfulDelete: Deleted job ${first}`);
  expect(k(['get', 'cronjob', 'tick'])).toMatch(/\ntick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+\d+s\s+\d+(s|m\d*s?)\n$/);

  // Two minutes and more have passed: the suspended CronJob created nothing.
  expect(jobsOf('paused')).toEqual([]);
  expect(k(['get', 'cronjob', 'paused', '-o', 'jsonpath={.status.lastScheduleTime}'])).toBe('');
  expect(k(['get', 'cronjob', 'paused'])).toMatch(/\npaused\s+\*\/1 \* \* \* \*\s+Europe\/Berlin\s+True\s+0\s+<none>\s+/);
}, 240_000); // two firings a minute apart, each up to ~70 s after its minute

describe.each([27, 30, 33])('kubectl 1.%i', (version) => {
  it('create cronjob, then create job --from=cronjob/x, which completes', () => {
    const name = `yearly${version}`;
    expect(
      k(['create', 'cronjob', name, '--image=busybox', '--schedule=0 0 1 1 *', '--', 'sh', '-c', 'echo by hand'], version).trim(),
    ).toBe(`cronjob.batch/${name} created`);
    expect(k(['get', 'cronjob', name], version)).toMatch(
      new RegExp(`\\n${name}\\s+0 0 1 1 \\*\\s+<none>\\s+False\\s+0\\s+<none>\\s+\\d+s\\n$`),
    );
    expect(k(['create', 'job', `${name}-manual`, `--from=cronjob/${name}`], version).trim()).toBe(`job.batch/${name}-manual created`);
    expect(k(['wait', '--for=condition=complete', `job/${name}-manual`, '--timeout=120s'], version).trim()).toBe(
      `job.batch/${name}-manual condition met`,
    );
    expect(k(['logs', `job/${name}-manual`], version).trim()).toBe('by hand');
    const described = k(['describe', 'cronjob', name], version);
    expect(described).toMatch(/^Schedule:\s+0 0 1 1 \*$/m);
    expect(described).toMatch(/^Concurrency Policy:\s+Allow$/m);
    expect(described).toMatch(/^Suspend:\s+False$/m);
    // A Job it controls but did not create: the controller says so, as Kubernetes' does (1.27's Job it does not control).
    if (version === 27) expect(described).toMatch(/^Events:\s+<none>$/m);
    else
      expect(described).toMatch(
        new RegExp(`Warning\\s+UnexpectedJob\\s.*Saw a job that the controller did not create or forgot: ${name}-manual`),
      );
    const job = JSON.parse(k(['get', 'job', `${name}-manual`, '-o', 'json'], version)) as JobItem;
    const cj = JSON.parse(k(['get', 'cronjob', name, '-o', 'json'], version)) as { metadata: { uid: string } };
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    // kubectl writes the owner reference itself (the apiserver adds nothing): 1.27 without controller, 1.30 and 1.33 with it.
    const [owner] = job.metadata.ownerReferences!;
    expect(owner).toMatchObject({ kind: 'CronJob', name, uid: cj.metadata.uid });
    expect(owner.controller).toBe(version === 27 ? undefined : true);
  });
});
