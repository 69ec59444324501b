// Paths inside volumes (subPath, items[].path) and the keys that become file names (ConfigMap and Secret
// data): what the apiserver refuses, with Kubernetes' field paths and messages.
import { decodeObject } from './decode';
import { ConfigMaps, Deployments, Pods, Secrets } from './resources';
import { applyDefaults, messages } from './validation/testing';

const pod = (volumes: unknown[], volumeMounts: unknown[] = []) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts }], volumes },
});
const podErrors = (volumes: unknown[], volumeMounts: unknown[] = []) => messages(Pods, pod(volumes, volumeMounts));
const emptyDir = { name: 'data', emptyDir: {} };

describe('volumeMounts subPath and subPathExpr', () => {
  it('accepts relative paths that stay inside the volume', () => {
    expect(
      podErrors(
        [emptyDir],
        [
          { name: 'data', mountPath: '/a', subPath: 'a/b/c' },
          { name: 'data', mountPath: '/b', subPath: '..x/y..' }, // names starting with '..' are fine for a subPath
          { name: 'data', mountPath: '/c', subPathExpr: '$(POD_NAME)/logs' },
        ],
      ),
    ).toEqual([]);
  });

  it.each([
    ['..', `spec.containers[0].volumeMounts.subPath: Invalid value: "..": must not contain '..'`],
    ['../../etc', `spec.containers[0].volumeMounts.subPath: Invalid value: "../../etc": must not contain '..'`],
    ['a/../../b', `spec.containers[0].volumeMounts.subPath: Invalid value: "a/../../b": must not contain '..'`],
    ['a/..', `spec.containers[0].volumeMounts.subPath: Invalid value: "a/..": must not contain '..'`],
    ['/etc', `spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path`],
  ])('refuses subPath %j', (subPath, message) => {
    expect(podErrors([emptyDir], [{ name: 'data', mountPath: '/d', subPath }])).toEqual([message]);
  });

  it('reports both problems of an absolute path with `..`, once each', () => {
    expect(podErrors([emptyDir], [{ name: 'data', mountPath: '/d', subPath: '/../..' }])).toEqual([
      'spec.containers[0].volumeMounts.subPath: Invalid value: "/../..": must be a relative path',
      `spec.containers[0].volumeMounts.subPath: Invalid value: "/../..": must not contain '..'`,
    ]);
  });

  it('checks subPathExpr the same way, and refuses it next to subPath', () => {
    expect(podErrors([emptyDir], [{ name: 'data', mountPath: '/d', subPathExpr: '$(X)/../..' }])).toEqual([
      `spec.containers[0].volumeMounts.subPathExpr: Invalid value: "$(X)/../..": must not contain '..'`,
    ]);
    expect(podErrors([emptyDir], [{ name: 'data', mountPath: '/d', subPath: 'a', subPathExpr: 'b' }])).toEqual([
      'spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive',
    ]);
  });

  it('checks init containers and pod templates too', () => {
    const spec = {
      initContainers: [{ name: 'i', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/d', subPath: '/etc' }] }],
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: [emptyDir],
    };
    expect(messages(Pods, { kind: 'Pod', metadata: { name: 'p' }, spec })).toEqual([
      'spec.initContainers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path',
    ]);
    const deployment = {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec } },
    };
    expect(messages(Deployments, deployment)).toEqual([
      'spec.template.spec.initContainers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path',
    ]);
  });

  it('refuses two mounts at one mountPath', () => {
    expect(
      podErrors(
        [emptyDir],
        [
          { name: 'data', mountPath: '/d' },
          { name: 'data', mountPath: '/d' },
        ],
      ),
    ).toEqual(['spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique']);
  });

  it('validates on update: an escaping subPath cannot be patched in either', () => {
    const good = decodeObject(Pods, pod([emptyDir], [{ name: 'data', mountPath: '/d', subPath: 'x' }]));
    applyDefaults(Pods, good);
    expect(messages(Pods, pod([emptyDir], [{ name: 'data', mountPath: '/d', subPath: '../x' }]), good)).toContain(
      `spec.containers[0].volumeMounts.subPath: Invalid value: "../x": must not contain '..'`,
    );
  });
});

describe('items[].path of configMap, secret, downwardAPI and projected volumes', () => {
  it('accepts nested relative paths', () => {
    expect(
      podErrors([
        { name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path: 'dir/file', mode: 0o400 }] } },
        { name: 'b', secret: { secretName: 's', items: [{ key: 'k', path: 'x..y' }], defaultMode: 0o440 } },
        { name: 'c', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      ]),
    ).toEqual([]);
  });

  it.each([
    ['../x', `must not contain '..'`],
    ['a/../../x', `must not contain '..'`],
    ['/etc/passwd', 'must be a relative path'],
    ['..data', `must not start with '..'`],
  ])('refuses configMap and secret item path %j', (path, why) => {
    expect(
      podErrors([
        { name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path }] } },
        {
          name: 'b',
          secret: {
            secretName: 's',
            items: [
              { key: 'k', path: 'ok' },
              { key: 'k', path },
            ],
          },
        },
      ]),
    ).toEqual([
      `spec.volumes[0].configMap.items[0].path: Invalid value: ${JSON.stringify(path)}: ${why}`,
      `spec.volumes[1].secret.items[1].path: Invalid value: ${JSON.stringify(path)}: ${why}`,
    ]);
  });

  it('reports `..` both as a `..` element and as a reserved name, as Kubernetes does', () => {
    expect(podErrors([{ name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path: '..' }] } }])).toEqual([
      `spec.volumes[0].configMap.items[0].path: Invalid value: "..": must not contain '..'`,
      `spec.volumes[0].configMap.items[0].path: Invalid value: "..": must not start with '..'`,
    ]);
  });

  it('requires the key and path of an item, and a source name', () => {
    expect(podErrors([{ name: 'a', configMap: { name: '', items: [{ key: '', path: '' }] } }])).toEqual([
      'spec.volumes[0].configMap.name: Required value',
      'spec.volumes[0].configMap.items[0].key: Required value',
      'spec.volumes[0].configMap.items[0].path: Required value',
    ]);
    expect(podErrors([{ name: 'a', secret: {} }])).toEqual(['spec.volumes[0].secret.secretName: Required value']);
  });

  it('reports downwardAPI file errors under the volume, as Kubernetes does', () => {
    expect(
      podErrors([
        {
          name: 'a',
          downwardAPI: {
            items: [
              { path: '../../x', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'y', fieldRef: { fieldPath: 'spec.nodeName' } },
              { path: 'z' },
            ],
          },
        },
      ]),
    ).toEqual([
      `spec.volumes[0].downwardAPI.path: Invalid value: "../../x": must not contain '..'`,
      'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required',
    ]);
  });

  it('checks every source of a projected volume, and paths that collide', () => {
    expect(
      podErrors([
        {
          name: 'a',
          projected: {
            sources: [
              { configMap: { name: 'cm', items: [{ key: 'k', path: '/abs' }] } },
              { secret: { name: 's', items: [{ key: 'k', path: 'same' }] } },
              { downwardAPI: { items: [{ path: 'same', fieldRef: { fieldPath: 'metadata.uid' } }] } },
              { downwardAPI: { items: [{ path: 'dir/../../x', fieldRef: { fieldPath: 'metadata.uid' } }] } },
              { serviceAccountToken: { path: '../token' } },
            ],
          },
        },
      ]),
    ).toEqual([
      'spec.volumes[0].projected.sources[0].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
      'spec.volumes[0].projected: Invalid value: "same": conflicting duplicate paths',
      `spec.volumes[0].projected.sources[3].downwardAPI.path: Invalid value: "dir/../../x": must not contain '..'`,
      `spec.volumes[0].projected.path: Invalid value: "../token": must not contain '..'`,
    ]);
  });

  it('keeps file modes within 0..0777', () => {
    expect(
      podErrors([
        { name: 'a', configMap: { name: 'cm', defaultMode: 0o1777, items: [{ key: 'k', path: 'p', mode: -1 }] } },
        { name: 'b', secret: { secretName: 's', defaultMode: 512 } },
        { name: 'c', projected: { defaultMode: 0o777, sources: [] } },
        { name: 'd', downwardAPI: { defaultMode: 1000, items: [] } },
      ]),
    ).toEqual([
      'spec.volumes[0].configMap.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].configMap.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[1].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[3].downwardAPI.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive',
    ]);
  });

  it('refuses a volume of two types', () => {
    expect(podErrors([{ name: 'a', emptyDir: {}, hostPath: { path: '/' } }])).toEqual([
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
    ]);
  });

  it('refuses a mode that is not an integer before validation', () => {
    expect(() => decodeObject(Pods, pod([{ name: 'a', secret: { secretName: 's', defaultMode: '0644' } }]))).toThrow(
      'json: cannot unmarshal string into Go struct field SecretVolumeSource.spec.volumes.secret.defaultMode of type int32',
    );
  });

  it('defaults the file mode of every projecting volume to 0644', () => {
    const p = decodeObject(
      Pods,
      pod([
        { name: 'a', downwardAPI: { items: [] } },
        { name: 'b', projected: { sources: [] } },
      ]),
    ) as any;
    applyDefaults(Pods, p);
    expect(p.spec.volumes.map((v: any) => (v.downwardAPI ?? v.projected).defaultMode)).toEqual([0o644, 0o644]);
  });
});

describe('ConfigMap and Secret keys', () => {
  const configMap = (data?: Record<string, string>, binaryData?: Record<string, string>) => ({
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'cm' },
    data,
    binaryData,
  });
  const secret = (data?: Record<string, string>, stringData?: Record<string, string>) => ({
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 's' },
    data,
    stringData,
  });
  const KEY_FORMAT =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

  it('accepts keys made of alphanumerics, -, _ and .', () => {
    expect(messages(ConfigMaps, configMap({ 'app.properties': 'x', KEY_1: 'y', '.hidden': 'z' }, { 'logo.png': 'AA==' }))).toEqual([]);
    expect(messages(Secrets, secret({ 'tls.crt': 'AA==' }, { password: 'p' }))).toEqual([]);
  });

  it.each([
    ['../../etc/passwd', [KEY_FORMAT, "must not start with '..'"]],
    ['a/b', [KEY_FORMAT]],
    ['.', ["must not be '.'"]],
    ['..', ["must not be '..'"]],
    ['..data', ["must not start with '..'"]],
    ['k'.repeat(254), ['must be no more than 253 characters']],
  ])('refuses the key %j in data and binaryData', (key, why) => {
    const expected = (field: string) => why.map((w) => `${field}[${key}]: Invalid value: ${JSON.stringify(key)}: ${w}`);
    expect(messages(ConfigMaps, configMap({ [key]: 'x' }))).toEqual(expected('data'));
    expect(messages(ConfigMaps, configMap(undefined, { [key]: 'AA==' }))).toEqual(expected('binaryData'));
    expect(messages(Secrets, secret({ [key]: 'AA==' }))).toEqual(expected('data'));
    expect(messages(Secrets, secret(undefined, { [key]: 'x' }))).toEqual(expected('data')); // stringData becomes data
  });

  it('refuses a key present in both data and binaryData', () => {
    expect(messages(ConfigMaps, configMap({ k: 'x' }, { k: 'AA==' }))).toEqual([
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
    ]);
  });

  it('validates on update too', () => {
    const old = decodeObject(ConfigMaps, configMap({ k: 'x' }));
    expect(messages(ConfigMaps, configMap({ k: 'x' }, { '../x': 'AA==' }), old)).toEqual([
      `binaryData[../x]: Invalid value: "../x": ${KEY_FORMAT}`,
      `binaryData[../x]: Invalid value: "../x": must not start with '..'`,
    ]);
  });
});
