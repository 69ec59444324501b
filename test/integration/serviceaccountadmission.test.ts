// The ServiceAccount admission plugin at a real apiserver: a pod runs as `default` unless it names
// another ServiceAccount, which must exist (a pod created before the serviceaccount controller made
// `default` is refused, and its ReplicaSet tries again), and it gets the kube-api-access projected
// volume unless automountServiceAccountToken says no. No controller-manager runs here, so the test makes
// the ServiceAccounts itself.
import { ControlPlane, startControlPlane } from '../processes';
import { api } from './api';

const NS = 'admitted';
let cp: ControlPlane;

const podsPath = `/api/v1/namespaces/${NS}/pods`;
const podBody = (metadata: object, spec: object = {}) => ({ metadata, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const createServiceAccount = (name: string, automount?: boolean) =>
  api(cp.config, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
    metadata: { name },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  });

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1'], { serviceAccountAdmission: true });
  expect((await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).code).toBe(201);
}, 60_000);
afterAll(() => cp?.stop());

describe('ServiceAccount admission', () => {
  it("refuses a pod while its namespace has no default ServiceAccount, in Kubernetes' words, naming a generated pod by its prefix", async () => {
    const named = await api(cp.config, 'POST', podsPath, podBody({ name: 'early' }));
    expect(named.code).toBe(403);
    expect(named.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message: `pods "early" is forbidden: error looking up service account ${NS}/default: serviceaccount "default" not found`,
    });
    const generated = await api(cp.config, 'POST', podsPath, podBody({ generateName: 'web-7c5d8-' }));
    expect(generated.body.message).toBe(
      `pods "web-7c5d8-" is forbidden: error looking up service account ${NS}/default: serviceaccount "default" not found`,
    );
  });

  it('gives a pod the default ServiceAccount and the kube-api-access volume once it exists, dry run included', async () => {
    expect((await createServiceAccount('default')).code).toBe(201);
    const dry = await api(cp.config, 'POST', `${podsPath}?dryRun=All`, podBody({ name: 'dry' }));
    expect(dry.code).toBe(201);
    expect(dry.body.spec.serviceAccountName).toBe('default');
    const res = await api(cp.config, 'POST', podsPath, podBody({ name: 'app' }));
    expect(res.code).toBe(201);
    const volume = res.body.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    expect(volume.projected.sources.map((s: object) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    expect(res.body.spec.containers[0].volumeMounts).toEqual([
      { name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ]);
    const stored = await api(cp.config, 'GET', `${podsPath}/app`);
    expect(stored.body.spec.volumes).toEqual(res.body.spec.volumes);
  });

  it('mounts no token when the pod, or else its ServiceAccount, says automountServiceAccountToken: false', async () => {
    expect((await createServiceAccount('quiet', false)).code).toBe(201);
    const optedOut = await api(cp.config, 'POST', podsPath, podBody({ name: 'opted-out' }, { automountServiceAccountToken: false }));
    expect(optedOut.code).toBe(201);
    expect(optedOut.body.spec.volumes).toBeUndefined();
    const quiet = await api(cp.config, 'POST', podsPath, podBody({ name: 'quiet' }, { serviceAccountName: 'quiet' }));
    expect(quiet.code).toBe(201);
    expect(quiet.body.spec.volumes).toBeUndefined();
  });

  it('refuses a pod that names a ServiceAccount that does not exist', async () => {
    const res = await api(cp.config, 'POST', podsPath, podBody({ name: 'ghostly' }, { serviceAccountName: 'ghost' }));
    expect(res.code).toBe(403);
    expect(res.body.message).toBe(
      `pods "ghostly" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`,
    );
  });
});
