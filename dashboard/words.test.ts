import type { Pod } from '../shared/api/core';
import { containerStateWords, whyNotReady } from './words';

const pod = (spec: Partial<Pod['spec']>, status: Pod['status'], deleting = false): Pod => ({
  metadata: { name: 'p', namespace: 'default', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'web', image: 'busybox' }], ...spec },
  status,
});

describe('pods in plain words', () => {
  it("gives the scheduler's reason for a pod no node fits", () => {
    const message = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.";
    const p = pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });
    expect(whyNotReady(p)).toBe(`The scheduler cannot place it on any node: ${message}`);
    expect(whyNotReady(pod({}, { phase: 'Pending' }))).toBe('Waiting for the scheduler to choose a node.');
  });

  it('explains image pulls, crash loops and readiness probes', () => {
    const bound = { nodeName: 'node-1' };
    const pull = pod(bound, {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'web',
          ready: false,
          restartCount: 0,
          image: 'nope:1',
          imageID: '',
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } },
        },
      ],
    });
    expect(whyNotReady(pull)).toBe(
      'Container "web" is waiting: the image cannot be pulled; the kubelet tries again after a back-off (Back-off pulling image "nope:1").',
    );
    const crash = pod(bound, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          ready: false,
          restartCount: 3,
          image: 'busybox',
          imageID: '',
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    });
    expect(whyNotReady(crash)).toBe(
      'Container "web" keeps crashing: it has restarted 3 times, last exited with code 1 (failed); the kubelet waits longer before each new start.',
    );
    const unready = pod(bound, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'web', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: 'x' } } },
      ],
    });
    expect(whyNotReady(unready, 'Readiness probe failed: HTTP probe failed with statuscode: 503')).toBe(
      'Running but not ready: container "web" not ready, so Services send it no traffic. The kubelet says: Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
    const ready = pod(bound, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: {} } }],
    });
    expect(whyNotReady(ready)).toBeUndefined();
    expect(whyNotReady(ready.status ? { ...ready, metadata: { ...ready.metadata, deletionTimestamp: 'x' } } : ready)).toMatch(
      /^Being deleted/,
    );
  });

  it('words container states', () => {
    expect(containerStateWords({ terminated: { exitCode: 137, reason: 'OOMKilled' } })).toBe(
      'exited with code 137 (was killed for using more memory than its limit)',
    );
    expect(containerStateWords(undefined)).toBe('not created yet');
  });
});
