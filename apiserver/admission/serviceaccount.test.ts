import type { Pod, ServiceAccount } from '../../shared/api/core';
import { Pods, Services } from '../../shared/api/resources';
import { notFound, StatusError } from '../../shared/errors';
import type { AdmissionAttributes } from './admission';
import { API_TOKEN_MOUNT_PATH, serviceAccountAdmission } from './serviceaccount';

const serviceAccounts = new Map<string, ServiceAccount>([
  ['team/default', { metadata: { name: 'default', namespace: 'team', uid: 'sa-1' } }],
  ['team/robot', { metadata: { name: 'robot', namespace: 'team', uid: 'sa-2' }, automountServiceAccountToken: false }],
]);
const plugin = serviceAccountAdmission(async (namespace, name) => {
  const sa = serviceAccounts.get(`${namespace}/${name}`);
  if (!sa) throw notFound('serviceaccounts', name);
  return structuredClone(sa);
});

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'web', namespace: 'team', annotations },
  spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
});

const attrs = (object: Pod, operation: 'CREATE' | 'UPDATE' = 'CREATE'): AdmissionAttributes => ({
  operation,
  resource: Pods,
  subresource: '',
  namespace: 'team',
  name: 'web',
  object,
  user: { username: 'alice', groups: ['system:authenticated'] },
  dryRun: false,
});

async function admitted(p: Pod): Promise<Pod> {
  await plugin.admit(attrs(p));
  return p;
}

describe('ServiceAccount admission', () => {
  it('runs a pod that names no ServiceAccount as default, with the kube-api-access projected volume mounted read-only in every container', async () => {
    const p = await admitted(
      pod({
        initContainers: [{ name: 'setup', image: 'busybox' }],
        containers: [
          { name: 'app', image: 'busybox' },
          { name: 'side', image: 'busybox' },
        ],
      }),
    );
    expect(p.spec.serviceAccountName).toBe('default');
    expect(p.spec.serviceAccount).toBe('default'); // the deprecated name, as the API serves it
    const volume = p.spec.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...p.spec.initContainers!, ...p.spec.containers])
      expect(c.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH }]);
  });

  it("refuses a pod whose ServiceAccount does not exist, in Kubernetes' words", async () => {
    const err = await Promise.resolve(plugin.admit(attrs(pod({ serviceAccountName: 'ghost' })))).catch((e: StatusError) => e);
    expect((err as StatusError).status).toMatchObject({
      code: 403,
      message: 'pods "web" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found',
    });
  });

  it('mounts no token when the pod says automountServiceAccountToken: false, or its ServiceAccount does and the pod does not say otherwise', async () => {
    expect((await admitted(pod({ automountServiceAccountToken: false }))).spec.volumes).toBeUndefined();
    expect((await admitted(pod({ serviceAccountName: 'robot' }))).spec.volumes).toBeUndefined();
    const optedIn = await admitted(pod({ serviceAccountName: 'robot', automountServiceAccountToken: true }));
    expect(optedIn.spec.volumes?.map((v) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
  });

  it('leaves a container that already mounts something at the token path alone, and adds no volume when no container needs it', async () => {
    const own = { name: 'mine', mountPath: API_TOKEN_MOUNT_PATH };
    const p = await admitted(
      pod({ volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'app', image: 'busybox', volumeMounts: [own] }] }),
    );
    expect(p.spec.volumes).toEqual([{ name: 'mine', emptyDir: {} }]);
    expect(p.spec.containers[0].volumeMounts).toEqual([own]);
  });

  it('leaves mirror pods, updates and other resources alone', async () => {
    const mirror = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
    await plugin.admit(attrs(mirror));
    expect(mirror.spec).toEqual(pod().spec);
    const updated = pod();
    await plugin.admit(attrs(updated, 'UPDATE'));
    expect(updated.spec.serviceAccountName).toBeUndefined();
    const service = { metadata: { name: 'web', namespace: 'team' }, spec: { ports: [{ port: 80 }] } };
    await plugin.admit({ ...attrs(pod()), resource: Services, object: service });
    expect(service).toEqual({ metadata: { name: 'web', namespace: 'team' }, spec: { ports: [{ port: 80 }] } });
  });
});
