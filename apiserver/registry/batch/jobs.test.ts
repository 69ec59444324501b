import type { Job } from '../../../shared/api/batch';
import type { KubeObject } from '../../../shared/api/meta';
import { toTable } from '../../printers';
import type { Printer } from '../../printers/table';
import { jobStrategy as strategy } from './jobs';

/** What `kubectl create job pi --image=busybox` sends. */
const created = (): Job => ({
  metadata: { name: 'pi', namespace: 'default', uid: 'the-uid' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] } } },
});

const messages = (job: Job, old?: Job) => strategy.validate(job, old).map((c) => `${c.field}: ${c.message}`);

describe('Job strategy', () => {
  it("defaults as Kubernetes does, and generates the selector from the Job's uid", () => {
    const job = created();
    strategy.defaults!(job);
    strategy.prepareForCreate!(job);
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'the-uid' } },
    });
    const labels = {
      'batch.kubernetes.io/controller-uid': 'the-uid',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'the-uid',
      'job-name': 'pi',
    };
    expect(job.spec.template.metadata!.labels).toEqual(labels);
    expect(job.metadata.labels).toEqual(labels);
    expect(messages(job)).toEqual([]);
  });

  it('refuses what Kubernetes refuses, in its words', () => {
    const job = created();
    job.spec.template.spec.restartPolicy = undefined;
    job.spec.completionMode = 'Indexed';
    job.spec.parallelism = 2;
    job.spec.backoffLimit = -1;
    strategy.defaults!(job); // restartPolicy becomes Always, as for any pod template
    strategy.prepareForCreate!(job);
    delete job.spec.completions;
    expect(messages(job)).toEqual([
      'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Required value: when completion mode is Indexed',
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
    const manual = created();
    manual.spec.manualSelector = true;
    strategy.defaults!(manual);
    expect(messages(manual)).toEqual(['spec.selector: Required value']);
    const foreign = created();
    foreign.spec.selector = { matchLabels: { app: 'x' } };
    strategy.defaults!(foreign);
    strategy.prepareForCreate!(foreign);
    expect(messages(foreign)[0]).toMatch(/^spec\.selector: Invalid value: .*: `selector` not auto-generated$/);
  });

  it('keeps the template and completions of a started Job', () => {
    const old = created();
    strategy.defaults!(old);
    strategy.prepareForCreate!(old);
    old.status = { startTime: '2026-01-01T00:00:00Z' };
    const next = structuredClone(old);
    next.spec.template.spec.containers[0].image = 'other';
    next.spec.completions = 2;
    expect(messages(next, old).map((m) => m.split(':')[0])).toEqual(['spec.completions', 'spec.template']);
  });

  it('prints NAME STATUS COMPLETIONS DURATION AGE as kubectl 1.31 shows them', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const job = (name: string, spec: Partial<Job['spec']>, status: Job['status']): KubeObject =>
      ({
        metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { template: { spec: { containers: [] } }, ...spec },
        status,
      }) as KubeObject;
    const table = toTable(
      strategy.printer as Printer,
      [
        job(
          'done',
          { completions: 3 },
          {
            succeeded: 3,
            startTime: '2026-01-01T00:00:00Z',
            completionTime: '2026-01-01T00:00:42Z',
            conditions: [
              { type: 'SuccessCriteriaMet', status: 'True' },
              { type: 'Complete', status: 'True' },
            ],
          },
        ),
        job('running', { parallelism: 2 }, { succeeded: 0, startTime: '2026-01-01T00:05:00Z' }),
        job(
          'failed',
          { completions: 1 },
          { failed: 7, startTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Failed', status: 'True' }] },
        ),
        job('suspended', { completions: 1, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }),
      ],
      { now },
    );
    expect(table.columnDefinitions.slice(0, 5).map((c) => c.name)).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    expect(table.rows.map((r) => r.cells.slice(0, 5))).toEqual([
      ['done', 'Complete', '3/3', '42s', '10m'],
      ['running', 'Running', '0/1 of 2', '5m', '10m'],
      ['failed', 'Failed', '0/1', '10m', '10m'],
      ['suspended', 'Suspended', '0/1', '', '10m'],
    ]);
  });
});
