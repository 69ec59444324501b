import type { KubeObject } from '../../shared/api/meta';
import { DEFINITIONS } from '../../shared/api/openapi';
import { ConfigMaps, Deployments, Services } from '../../shared/api/resources';
import { StatusError } from '../../shared/errors';
import { FieldManager, LAST_APPLIED, MAX_UPDATE_MANAGERS } from './fieldmanager';
import type { ManagedFieldsEntry } from './managedfields';

const NOW = new Date('2026-01-02T03:04:05Z');
const deployments = () => new FieldManager(Deployments, DEFINITIONS, { now: () => NOW });

function deployment(
  replicas: number,
  containers: Record<string, unknown>[] = [{ name: 'web', image: 'busybox:1.36' }],
  labels = { app: 'web' },
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
  };
}

/** What a stored object looks like: the system's metadata set. */
function stored(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  Object.assign(out.metadata, { uid: 'u-1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 });
  return out;
}

const entries = (obj: KubeObject) => (obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
const entry = (obj: KubeObject, manager: string) => entries(obj).find((e) => e.manager === manager);

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    return err as StatusError;
  }
  throw new Error('no conflict');
}

describe('server-side apply', () => {
  it('gives the applier exactly the fields it applied, in the FieldsV1 Kubernetes writes', () => {
    const obj = deployments().apply(undefined, deployment(2), 'kubectl', false);
    expect(entries(obj)).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
    expect((obj as unknown as ReturnType<typeof deployment>).spec.replicas).toBe(2);
  });

  it('refuses to change a field another manager set, naming it as Kubernetes does', () => {
    const fm = deployments();
    const created = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-client-side-apply'));
    const err = conflictOf(() => fm.apply(created, deployment(3), 'ci', false));
    expect(err.status.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(err.status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
  });

  it('applies the same values as another manager without a conflict: both own them', () => {
    const fm = deployments();
    const created = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-create'));
    const applied = fm.apply(created, deployment(1), 'ci', false);
    expect(entry(applied, 'ci')?.fieldsV1).toHaveProperty(['f:spec', 'f:replicas']);
    expect(entry(applied, 'kubectl-create')?.fieldsV1).toHaveProperty(['f:spec', 'f:replicas']);
  });

  it('lists several conflicts by manager', () => {
    const fm = deployments();
    const created = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-create'));
    const err = conflictOf(() => fm.apply(created, deployment(3, [{ name: 'web', image: 'busybox:1.37' }]), 'ci', false));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it('with force takes the field over: the other manager no longer owns it', () => {
    const fm = deployments();
    const created = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-client-side-apply'));
    const forced = fm.apply(created, deployment(3), 'ci', true);
    expect((forced as unknown as ReturnType<typeof deployment>).spec.replicas).toBe(3);
    expect(entry(forced, 'ci')?.fieldsV1).toHaveProperty(['f:spec', 'f:replicas']);
    expect(entry(forced, 'kubectl-client-side-apply')?.fieldsV1).not.toHaveProperty(['f:spec', 'f:replicas']);
  });

  it('removes what the applier dropped when no one else owns it, and keeps what others own', () => {
    const fm = deployments();
    const first = stored(fm.apply(undefined, deployment(2, undefined, { app: 'web', tier: 'front' } as never), 'kubectl', false));
    // Someone else also sets the tier label; the applier then drops both labels but app.
    const labelled = stored(
      fm.update(
        first,
        { ...structuredClone(first), metadata: { ...first.metadata, labels: { app: 'web', tier: 'front', team: 'a' } } },
        'kubectl-label',
      ),
    );
    const dropped = fm.apply(labelled, deployment(2, undefined, { app: 'web' }), 'kubectl', false);
    expect(dropped.metadata.labels).toEqual({ app: 'web', team: 'a' });

    const shared = stored(fm.apply(first, deployment(2, undefined, { app: 'web', tier: 'front' } as never), 'other', false));
    const kept = fm.apply(shared, deployment(2, undefined, { app: 'web' }), 'kubectl', false);
    expect(kept.metadata.labels).toEqual({ app: 'web', tier: 'front' });
  });

  it('removes a container the applier dropped, keeping the others in order', () => {
    const fm = deployments();
    const two = [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ];
    const first = stored(fm.apply(undefined, deployment(1, two), 'kubectl', false));
    const next = fm.apply(first, deployment(1, [{ name: 'b', image: 'y' }]), 'kubectl', false) as unknown as ReturnType<typeof deployment>;
    expect(next.spec.template.spec.containers).toEqual([{ name: 'b', image: 'y' }]);
  });

  it('merges lists by their keys and keeps items others added', () => {
    const fm = deployments();
    const first = stored(fm.apply(undefined, deployment(1, [{ name: 'a', image: 'x' }]), 'kubectl', false));
    const added = structuredClone(first) as unknown as ReturnType<typeof deployment>;
    added.spec.template.spec.containers.push({ name: 'sidecar', image: 'z' });
    const withSidecar = stored(fm.update(first, added as unknown as KubeObject, 'kubectl-edit'));
    const next = fm.apply(withSidecar, deployment(1, [{ name: 'a', image: 'x2' }]), 'kubectl', false) as unknown as ReturnType<
      typeof deployment
    >;
    expect(next.spec.template.spec.containers).toEqual([
      { name: 'a', image: 'x2' },
      { name: 'sidecar', image: 'z' },
    ]);
  });

  it('answers the live object when an apply changes nothing, without a new time', () => {
    const fm = new FieldManager(Deployments, DEFINITIONS, { now: () => new Date('2026-05-05T00:00:00Z') });
    const first = stored(deployments().apply(undefined, deployment(2), 'kubectl', false));
    const again = fm.apply(first, deployment(2), 'kubectl', false);
    expect(again).toEqual(first);
  });

  it('needs keys on the items of keyed lists', () => {
    expect(() => deployments().apply(undefined, deployment(1, [{ image: 'x' }]), 'kubectl', false)).toThrow(
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });

  it("uses a key field's default: ports without a protocol are TCP", () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    };
    const obj = new FieldManager(Services, DEFINITIONS, { now: () => NOW }).apply(undefined, svc, 'kubectl', false);
    expect(entries(obj)[0].fieldsV1).toEqual({ 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } });
  });

  it('refuses managedFields in the applied configuration', () => {
    const cfg = deployment(1) as Record<string, unknown>;
    (cfg.metadata as Record<string, unknown>).managedFields = [];
    expect(() => deployments().apply(undefined, cfg, 'kubectl', false)).toThrow('metadata.managedFields must be nil');
  });

  it('lets kubectl take over what its client-side apply set, with the same values', () => {
    const fm = deployments();
    const manifest = deployment(1);
    const live = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-client-side-apply'));
    live.metadata.annotations = { [LAST_APPLIED]: JSON.stringify(manifest) };
    const applied = fm.apply(live, deployment(1), 'kubectl', false);
    expect(entry(applied, 'kubectl')?.operation).toBe('Apply');
    // and keeps the annotation in step with what it applied
    expect(JSON.parse(applied.metadata.annotations![LAST_APPLIED])).toEqual(deployment(1));
  });
});

describe('updates', () => {
  it('record the fields a create sets, defaults included, as kubectl create shows them', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } };
    const obj = new FieldManager(ConfigMaps, DEFINITIONS, { now: () => NOW }).update(undefined, cm, 'kubectl-create');
    expect(entries(obj)).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
      },
    ]);
  });

  it('mark only the containers that appeared, not the structs Go always has', () => {
    const obj = deployments().update(undefined, deployment(1) as KubeObject, 'kubectl-create');
    expect(entry(obj, 'kubectl-create')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });

  it('take changed fields from other managers and give them to the writer', () => {
    const fm = deployments();
    const applied = stored(fm.apply(undefined, deployment(2), 'kubectl', false));
    const scaled = structuredClone(applied) as unknown as ReturnType<typeof deployment>;
    scaled.spec.replicas = 5;
    const out = fm.update(applied, scaled as unknown as KubeObject, 'kubectl', 'scale');
    expect(entry(out, 'kubectl')?.fieldsV1).not.toHaveProperty(['f:spec', 'f:replicas']);
    const scale = entries(out).find((e) => e.subresource === 'scale');
    expect(scale).toMatchObject({ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    // and the applier now conflicts with the scale
    const err = conflictOf(() => fm.apply(stored(out), deployment(2), 'kubectl', false));
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });

  it('own nothing of status through the main resource, and only status through /status', () => {
    const fm = deployments();
    const live = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-create'));
    const withStatus = { ...structuredClone(live), status: { replicas: 1 } } as KubeObject;
    const out = fm.update(live, withStatus, 'kube-controller-manager', 'status');
    expect(entries(out).find((e) => e.subresource === 'status')?.fieldsV1).toEqual({ 'f:status': { '.': {}, 'f:replicas': {} } });
    const main = fm.update(live, withStatus, 'someone');
    expect(entry(main, 'someone')).toBeUndefined();
  });

  it('keep managedFields a write sets itself, and reset them on [{}]', () => {
    const fm = deployments();
    const live = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-create'));
    const given = structuredClone(live);
    (given.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields = entries(live).map((e) => ({ ...e, manager: 'renamed' }));
    expect(entries(fm.update(live, given, 'kubectl-edit')).map((e) => e.manager)).toEqual(['renamed']);
    const reset = structuredClone(live);
    (reset.metadata as { managedFields?: unknown[] }).managedFields = [{}];
    expect(entries(fm.update(live, reset, 'kubectl-edit'))).toEqual([]);
  });

  it('change nothing when nothing changed', () => {
    const fm = deployments();
    const live = stored(fm.update(undefined, deployment(1) as KubeObject, 'kubectl-create'));
    expect(fm.update(live, structuredClone(live), 'other')).toEqual(live);
  });

  it(`fold the oldest of more than ${MAX_UPDATE_MANAGERS} updaters into ancient-changes`, () => {
    let t = 0;
    const fm = new FieldManager(ConfigMaps, DEFINITIONS, { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++)) });
    let obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } as KubeObject;
    for (let i = 0; i < MAX_UPDATE_MANAGERS + 2; i++) {
      const next = structuredClone(obj) as KubeObject & { data: Record<string, string> };
      next.data[`k${i}`] = 'v';
      obj = fm.update(obj, next, `m${i}`);
    }
    const managers = entries(obj).map((e) => e.manager);
    expect(managers).toHaveLength(MAX_UPDATE_MANAGERS);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(entry(obj, 'ancient-changes')?.fieldsV1).toEqual({ 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  });
});
