import type { ControllerRevision, DaemonSet, StatefulSet } from '../apps';
import type { StatusCause } from '../meta';
import { defaultDaemonSet, defaultStatefulSet } from '../defaults/apps';
import { validateControllerRevision, validateDaemonSet, validateStatefulSet } from './apps';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const messages = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

function ds(update?: DaemonSet['spec']['updateStrategy']): DaemonSet {
  const d: DaemonSet = {
    metadata: { name: 'x', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template) },
  };
  if (update) d.spec.updateStrategy = update;
  defaultDaemonSet(d);
  return d;
}

function sts(spec: Partial<StatefulSet['spec']> = {}): StatefulSet {
  const s: StatefulSet = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: structuredClone(template), serviceName: 'web', ...spec },
  };
  defaultStatefulSet(s);
  return s;
}

describe('DaemonSet validation and defaults', () => {
  it('defaults a rolling update of one node at a time and keeps 10 revisions', () => {
    expect(ds().spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds().spec.revisionHistoryLimit).toBe(10);
    expect(messages(validateDaemonSet(ds()))).toEqual([]);
  });

  it('refuses surge with unavailability, both zero, pods that do not restart, as Kubernetes words it', () => {
    const both = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    expect(messages(validateDaemonSet(both))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ]);
    const none = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } });
    expect(messages(validateDaemonSet(none))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
    const never = ds();
    never.spec.template.spec.restartPolicy = 'Never';
    expect(messages(validateDaemonSet(never))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
    const odd = ds({ type: 'Sometimes' as 'OnDelete' });
    expect(messages(validateDaemonSet(odd))).toEqual([
      'spec.updateStrategy: Unsupported value: "Sometimes": supported values: "RollingUpdate", "OnDelete"',
    ]);
  });
});

describe('StatefulSet validation and defaults', () => {
  it('defaults OrderedReady, a rolling update from partition 0 and claims that are retained', () => {
    const s = sts();
    expect(s.spec.podManagementPolicy).toBe('OrderedReady');
    expect(s.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(messages(validateStatefulSet(s))).toEqual([]);
  });

  it('refuses a negative partition, an unknown policy, and changes of fixed fields', () => {
    expect(messages(validateStatefulSet(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } })))).toEqual([
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(messages(validateStatefulSet(sts({ podManagementPolicy: 'Random' as 'Parallel' })))).toEqual([
      'spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"',
    ]);
    const old = sts();
    expect(messages(validateStatefulSet(sts({ replicas: 5 }), old))).toEqual([]);
    expect(messages(validateStatefulSet(sts({ serviceName: 'other' }), old))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe('a StatefulSet template mounting its claim templates', () => {
  const mounting = (volume: string, claims: string[]) => {
    const t = structuredClone(template) as StatefulSet['spec']['template'];
    t.spec.containers[0].volumeMounts = [{ name: volume, mountPath: '/data' }];
    return sts({
      template: t,
      volumeClaimTemplates: claims.map((name) => ({
        metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })),
    });
  };
  it('may mount a claim template by its name, as each pod gets that claim as a volume', () => {
    expect(messages(validateStatefulSet(mounting('data', ['data'])))).toEqual([]);
  });
  it('may not mount a volume that is neither in the template nor a claim template', () => {
    expect(messages(validateStatefulSet(mounting('logs', ['data'])))).toEqual([
      'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "logs"',
    ]);
  });
});

describe('ControllerRevision validation', () => {
  const cr = (data?: Record<string, unknown>): ControllerRevision => ({
    metadata: { name: 'x-1', namespace: 'default' },
    data,
    revision: 1,
  });
  it('needs data, which never changes', () => {
    expect(messages(validateControllerRevision(cr()))).toEqual(['data: Required value: data is mandatory']);
    expect(messages(validateControllerRevision(cr({ a: 2 }), cr({ a: 1 })))).toEqual(['data: Invalid value: {"a":2}: field is immutable']);
  });
});
