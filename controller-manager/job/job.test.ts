import type { Job } from '../../shared/api/batch';
import type { Pod } from '../../shared/api/core';
import { FakePodControl } from '../podcontrol';
import { clockAt, fakeInformers, fakeRecorder, synced } from '../testing';
import { JobController } from './job';

const NOW = '2026-01-01T00:10:00Z';
const at = (secondsBeforeNow: number) => new Date(Date.parse(NOW) - secondsBeforeNow * 1000).toISOString();

const job = (spec: Partial<Job['spec']> = {}, status: Job['status'] = {}): Job => ({
  metadata: { name: 'pi', namespace: 'default', uid: 'job-uid', generation: 1 },
  spec: {
    completions: 3,
    parallelism: 2,
    backoffLimit: 6,
    completionMode: 'NonIndexed',
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
    template: {
      metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] },
    },
    ...spec,
  },
  status: { startTime: at(60), ...status },
});

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
const pod = (
  name: string,
  phase: Phase,
  opts: { finishedAgo?: number; exitCode?: number; index?: number; finalizer?: boolean } = {},
): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    creationTimestamp: at(100),
    finalizers: opts.finalizer === false ? [] : ['batch.kubernetes.io/job-tracking'],
    ...(opts.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(opts.index) } } : {}),
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true }],
  },
  spec: { containers: [{ name: 'pi', image: 'busybox' }], nodeName: 'node-1' },
  status: {
    phase,
    containerStatuses:
      phase === 'Succeeded' || phase === 'Failed'
        ? [
            {
              name: 'pi',
              ready: false,
              restartCount: 0,
              image: 'busybox',
              imageID: '',
              state: { terminated: { exitCode: opts.exitCode ?? (phase === 'Failed' ? 1 : 0), finishedAt: at(opts.finishedAgo ?? 30) } },
            },
          ]
        : [],
  },
});

async function setup(j: Job, pods: Pod[] = []) {
  const informers = fakeInformers({ jobs: [j], pods });
  const control = new FakePodControl();
  const statuses: Job['status'][] = [];
  const freed: string[] = [];
  const recorder = fakeRecorder();
  const clock = clockAt(NOW);
  const c = new JobController(
    informers,
    control,
    {
      updateStatus: async (x) => {
        statuses.push(structuredClone(x.status));
        return x;
      },
      removeFinalizer: async (p) => void freed.push(p.metadata.name!),
    },
    recorder,
    clock,
  );
  await synced(informers);
  const last = () => statuses[statuses.length - 1]!;
  return { c, control, statuses, last, freed, recorder, clock, informers };
}

const conditions = (s: Job['status']) => (s?.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason}`);

describe('Job controller', () => {
  it('runs parallelism pods at a time, each owned by the Job and held by the tracking finalizer', async () => {
    const { c, control, last, recorder } = await setup(job());
    await c.sync('default/pi');
    expect(control.created).toHaveLength(2);
    expect(control.created[0].metadata).toMatchObject({
      generateName: 'pi-',
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(recorder.events).toEqual(['SuccessfulCreate: Created pod: pi-0', 'SuccessfulCreate: Created pod: pi-1']);
    expect(last()).toEqual(expect.objectContaining({ ready: 0, terminating: 0 }));
    expect(last()!.active).toBeUndefined();
  });

  it('records a finished pod as uncounted, frees it of the finalizer, then counts it, and creates what is still needed', async () => {
    const { c, control, statuses, freed, last } = await setup(job(), [pod('a', 'Succeeded'), pod('b', 'Running')]);
    await c.sync('default/pi');
    expect(statuses[0]!.uncountedTerminatedPods).toEqual({ succeeded: ['uid-a'], failed: [] });
    expect(freed).toEqual(['a']);
    expect(last()).toMatchObject({ succeeded: 1, active: 1 });
    expect(last()!.uncountedTerminatedPods).toEqual({});
    expect(control.created).toHaveLength(1); // 3 - 1 succeeded = 2 wanted, 1 running
    // The cache still shows the finalizer on the freed pod: it is not counted twice.
    await c.sync('default/pi');
    expect(statuses.every((s) => (s!.succeeded ?? 0) <= 1)).toBe(true);
  });

  it('counts the pod it just counted when deciding what to create: 3 completions, 1 counted, 1 just done, 1 running -> none', async () => {
    // The second of two pods finishing apart: the Job's status still says 1 succeeded until this sync writes 2.
    const pods = [pod('a', 'Succeeded', { finalizer: false }), pod('b', 'Succeeded'), pod('c', 'Running')];
    const { c, control, last } = await setup(job({}, { succeeded: 1 }), pods);
    await c.sync('default/pi');
    expect(last()).toMatchObject({ succeeded: 2, active: 1 });
    expect(control.created).toHaveLength(0);
  });

  it('does not count from a Job cache that does not show its own last status write yet (the freed pod would be lost)', async () => {
    const b = pod('b', 'Succeeded');
    const { c, control, last, informers } = await setup(job({}, { succeeded: 1 }), [
      pod('a', 'Succeeded', { finalizer: false }),
      b,
      pod('c', 'Running'),
    ]);
    await c.sync('default/pi');
    expect(last()).toMatchObject({ succeeded: 2, active: 1 });
    // The pod watch shows b freed of its finalizer; the Job watch has not yet delivered succeeded: 2.
    informers.deliver('pods', 'MODIFIED', { ...b, metadata: { ...b.metadata, finalizers: [], resourceVersion: '2' } });
    await c.sync('default/pi');
    expect(control.created).toHaveLength(0);
    expect(last()).toMatchObject({ succeeded: 2 });
    // Once the Job shows it, syncs go on as usual.
    informers.deliver('jobs', 'MODIFIED', { ...job({}, last()), metadata: { ...job().metadata, resourceVersion: '3' } });
    await c.sync('default/pi');
    expect(control.created).toHaveLength(0);
    expect(last()).toMatchObject({ succeeded: 2, active: 1 });
  });

  it('is Complete once completions pods succeeded: SuccessCriteriaMet, then Complete, with a completion time', async () => {
    const pods = ['a', 'b', 'c'].map((n) => pod(n, 'Succeeded', { finalizer: false }));
    const { c, last, recorder } = await setup(job({}, { succeeded: 3 }), pods);
    await c.sync('default/pi');
    expect(conditions(last())).toEqual(['SuccessCriteriaMet=True:CompletionsReached', 'Complete=True:CompletionsReached']);
    expect(last()!.conditions![1].message).toBe('Reached expected number of succeeded pods');
    expect(last()!.completionTime).toBe('2026-01-01T00:10:00Z');
    expect(recorder.events).toContain('Completed: Job completed');
  });

  it('backs off before replacing failed pods: 10s after one failure, 20s after two, counted from the last', async () => {
    const one = await setup(job({ completions: 1, parallelism: 1 }, { failed: 1 }), [
      pod('a', 'Failed', { finalizer: false, finishedAgo: 4 }),
    ]);
    one.c.queue.done((await one.c.queue.get())!); // the informer's add
    await one.c.sync('default/pi');
    expect(one.control.created).toHaveLength(0);
    expect(one.c.queue.len()).toBe(0);
    one.clock.step(6_000);
    await Promise.resolve();
    expect(one.c.queue.len()).toBe(1); // requeued when the back-off ends
    await one.c.sync('default/pi');
    expect(one.control.created).toHaveLength(1);

    const pods = [pod('a', 'Failed', { finalizer: false, finishedAgo: 40 }), pod('b', 'Failed', { finalizer: false, finishedAgo: 15 })];
    const two = await setup(job({ completions: 1, parallelism: 1 }, { failed: 2 }), pods);
    await two.c.sync('default/pi');
    expect(two.control.created).toHaveLength(0); // 15s since the last failure < 20s
    two.clock.step(5_000);
    await two.c.sync('default/pi');
    expect(two.control.created).toHaveLength(1);
  });

  it('fails once failures pass backoffLimit: FailureTarget while pods still run (they are deleted), then Failed', async () => {
    const pods = [pod('a', 'Failed'), pod('b', 'Failed', { finalizer: false }), pod('c', 'Running')];
    const { c, control, last, recorder } = await setup(job({ backoffLimit: 1 }, { failed: 1 }), pods);
    await c.sync('default/pi');
    expect(last()!.failed).toBe(2);
    expect(conditions(last())).toEqual(['FailureTarget=True:BackoffLimitExceeded']);
    expect(control.deleted).toEqual(['c']);
    expect(control.created).toHaveLength(0);

    const gone = await setup(job({ backoffLimit: 1 }, { failed: 2, conditions: last()!.conditions }), pods.slice(0, 2));
    await gone.c.sync('default/pi');
    expect(conditions(gone.last())).toEqual(['FailureTarget=True:BackoffLimitExceeded', 'Failed=True:BackoffLimitExceeded']);
    expect(gone.last()!.conditions![1].message).toBe('Job has reached the specified backoff limit');
    expect(gone.last()!.completionTime).toBeUndefined();
    expect(gone.recorder.events).toContain('BackoffLimitExceeded: Job has reached the specified backoff limit');
    void recorder;
  });

  it('fails when activeDeadlineSeconds has passed since the start, and otherwise looks again when it will', async () => {
    const late = await setup(job({ activeDeadlineSeconds: 30 }), [pod('a', 'Running')]);
    await late.c.sync('default/pi');
    expect(conditions(late.last())).toEqual(['FailureTarget=True:DeadlineExceeded']);
    expect(late.last()!.conditions![0].message).toBe('Job was active longer than specified deadline');
    expect(late.control.deleted).toEqual(['a']);
  });

  it('applies podFailurePolicy by exit code: FailJob fails the Job at once, Ignore does not count', async () => {
    const rules = [
      { action: 'FailJob' as const, onExitCodes: { containerName: 'pi', operator: 'In' as const, values: [42] } },
      { action: 'Ignore' as const, onExitCodes: { operator: 'In' as const, values: [3] } },
    ];
    const fail = await setup(job({ podFailurePolicy: { rules } }), [pod('a', 'Failed', { exitCode: 42 })]);
    await fail.c.sync('default/pi');
    expect(conditions(fail.last())).toEqual(['FailureTarget=True:PodFailurePolicy', 'Failed=True:PodFailurePolicy']);
    expect(fail.last()!.conditions![0].message).toBe(
      'Container pi for pod default/a failed with exit code 42 matching FailJob rule at index 0',
    );

    const ignore = await setup(job({ podFailurePolicy: { rules } }), [pod('a', 'Failed', { exitCode: 3 })]);
    await ignore.c.sync('default/pi');
    expect(ignore.freed).toEqual(['a']);
    expect(ignore.last()!.failed ?? 0).toBe(0);
    expect(conditions(ignore.last())).toEqual([]);
    expect(ignore.control.created).toHaveLength(2); // no back-off for an ignored failure
  });

  it('Indexed: one pod per index not done, with its index as annotation, label, env and hostname; completedIndexes as ranges', async () => {
    const j = job({ completionMode: 'Indexed', completions: 5, parallelism: 5 });
    const { c, control, last } = await setup(j, [pod('pi-1', 'Succeeded', { index: 1 }), pod('pi-3', 'Running', { index: 3 })]);
    await c.sync('default/pi');
    expect(last()).toMatchObject({ completedIndexes: '1', succeeded: 1, active: 1 });
    const created = control.created.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']);
    expect(created).toEqual(['0', '2', '4']);
    const p0 = control.created[0];
    expect(p0.metadata.generateName).toBe('pi-0-');
    expect(p0.metadata.labels!['batch.kubernetes.io/job-completion-index']).toBe('0');
    expect(p0.spec.hostname).toBe('pi-0');
    expect(p0.spec.containers[0].env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      },
    ]);
  });

  it('Indexed: is Complete when every index succeeded once', async () => {
    const pods = [0, 1, 2].map((i) => pod(`pi-${i}`, 'Succeeded', { index: i }));
    const { c, last } = await setup(job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }), pods);
    await c.sync('default/pi');
    expect(last()).toMatchObject({ completedIndexes: '0-2', succeeded: 3 });
    expect(conditions(last())).toContain('Complete=True:CompletionsReached');
  });

  it('suspended: deletes its running pods, creates none, and says Suspended', async () => {
    const { c, control, last, recorder } = await setup(job({ suspend: true }), [pod('a', 'Running')]);
    await c.sync('default/pi');
    expect(control.deleted).toEqual(['a']);
    expect(control.created).toHaveLength(0);
    expect(conditions(last())).toEqual(['Suspended=True:JobSuspended']);
    expect(recorder.events).toContain('Suspended: Job suspended');
  });

  it('frees the pods of a Job that is gone from the finalizer', async () => {
    const informers = fakeInformers({ jobs: [], pods: [pod('a', 'Running')] });
    const freed: string[] = [];
    const c = new JobController(
      informers,
      new FakePodControl(),
      { updateStatus: async (x) => x, removeFinalizer: async (p) => void freed.push(p.metadata.name!) },
      fakeRecorder(),
      clockAt(NOW),
    );
    await synced(informers);
    await c.sync('default/pi');
    expect(freed).toEqual(['a']);
  });
});
