// The protobuf decoder against the bodies the real kubectl binaries send (testdata/, captured by
// testdata/capture.ts): each decodes into the JSON object kubectl 1.31 sends for the same command.
import { decodeBody } from '../http/body';
import { decodeProtobuf, messageOf, PROTOBUF } from './decode';
import { fixture, fixtures, fromHexDump, isProtobuf } from './testdata/fixtures';

/** kubectl 1.33's `autoscale` creates an autoscaling/v2 HorizontalPodAutoscaler, not a v1 one. */
const AUTOSCALE_V2 = {
  kind: 'HorizontalPodAutoscaler',
  apiVersion: 'autoscaling/v2',
  metadata: { name: 'web', creationTimestamp: null },
  spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
    minReplicas: 1,
    maxReplicas: 3,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  },
  status: { desiredReplicas: 0 },
};

describe('protobuf bodies captured from kubectl 1.32 and 1.33', () => {
  const cases = fixtures.flatMap((f) =>
    (['1.32', '1.33'] as const).flatMap((version) =>
      f.requests[version].flatMap((r, i) =>
        isProtobuf(r) ? [{ name: f.name, version, command: f.command, body: r.body, json: f.requests['1.31'][i].body }] : [],
      ),
    ),
  );

  it('covers every command of the issue', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const name of [
      'create-configmap',
      'create-secret-generic',
      'create-secret-tls',
      'create-secret-docker-registry',
      'create-service-clusterip',
      'create-service-nodeport',
      'create-serviceaccount',
      'create-namespace',
      'create-deployment',
      'create-job',
      'create-cronjob',
      'create-role',
      'create-rolebinding',
      'create-clusterrole',
      'create-clusterrolebinding',
      'create-quota',
      'create-pdb',
      'create-priorityclass',
      'create-token',
      'auth-can-i',
      'auth-whoami',
      'autoscale',
    ])
      expect(names).toContain(name);
  });

  it.each(cases.map((c) => [`${c.version} ${c.command}`, c] as const))('%s', (_title, c) => {
    const expected = c.name === 'autoscale' && c.version === '1.33' ? AUTOSCALE_V2 : c.json;
    expect(decodeProtobuf(fromHexDump(c.body))).toStrictEqual(expected);
  });

  it('keeps a pointer field that was set to its zero value (--replicas=0)', () => {
    const f = fixture('create-deployment');
    const decoded = decodeProtobuf(fromHexDump(f.requests['1.33'][0].body as string[])) as {
      spec: { replicas?: number; paused?: boolean };
    };
    expect(decoded.spec.replicas).toBe(0);
    expect(decoded.spec).not.toHaveProperty('paused'); // a plain bool on the wire as false
  });

  it('decodes through decodeBody by the Content-Type', () => {
    const f = fixture('create-configmap');
    expect(decodeBody(fromHexDump(f.requests['1.33'][0].body as string[]), `${PROTOBUF}; charset=utf-8`)).toStrictEqual(
      f.requests['1.31'][0].body,
    );
  });

  it('finds that `kubectl delete` sends its DeleteOptions as JSON in every version', () => {
    const f = fixture('delete');
    for (const version of ['1.31', '1.32', '1.33'] as const)
      expect(f.requests[version]).toEqual([
        { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/foo', body: expect.objectContaining({ gracePeriodSeconds: 1 }) },
      ]);
  });
});

/** A body as client-go frames it: the magic, then runtime.Unknown around the kind's message. */
function envelope(apiVersion: string, kind: string, object: Record<string, unknown>): Buffer {
  const type = messageOf(apiVersion, kind)!;
  const raw = type.encode(type.fromObject(object)).finish();
  const Unknown = type.root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish(),
  ]);
}

describe('Go JSON of special types', () => {
  it('writes times as RFC 3339, MicroTime with microseconds, and an empty Time as null', () => {
    const lease = decodeProtobuf(
      envelope('coordination.k8s.io/v1', 'Lease', {
        metadata: { name: 'l', creationTimestamp: {} },
        spec: { holderIdentity: 'me', renewTime: { seconds: 1714557600, nanos: 123456789 }, leaseDurationSeconds: 0 },
      }),
    );
    expect(lease).toStrictEqual({
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'l', creationTimestamp: null },
      spec: { holderIdentity: 'me', renewTime: '2024-05-01T10:00:00.123456Z', leaseDurationSeconds: 0 },
    });
    const pod = decodeProtobuf(
      envelope('v1', 'Pod', { metadata: { name: 'p', deletionTimestamp: { seconds: 1714557600 } }, spec: { containers: [] } }),
    ) as { metadata: Record<string, unknown> };
    expect(pod.metadata.deletionTimestamp).toBe('2024-05-01T10:00:00Z');
  });

  it('inlines embedded structs (a volume source, a probe handler) and writes int-or-strings and quantities', () => {
    const pod = decodeProtobuf(
      envelope('v1', 'Pod', {
        metadata: { name: 'p' },
        spec: {
          volumes: [{ name: 'data', volumeSource: { emptyDir: { sizeLimit: { string: '1Gi' } } } }],
          containers: [
            {
              name: 'c',
              image: 'busybox',
              readinessProbe: { handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } }, periodSeconds: 5 },
              livenessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
            },
          ],
        },
      }),
    );
    expect(pod).toStrictEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'p' },
      spec: {
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
        containers: [
          {
            name: 'c',
            image: 'busybox',
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
      },
    });
  });

  it('writes a DeleteOptions body, which any group version accepts', () => {
    expect(
      decodeProtobuf(envelope('v1', 'DeleteOptions', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] })),
    ).toStrictEqual({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
    expect(decodeProtobuf(envelope('apps/v1', 'DeleteOptions', { orphanDependents: false }))).toMatchObject({ orphanDependents: false });
  });
});

describe('bodies it cannot decode', () => {
  const status = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as { status: { code: number; reason: string; message: string } }).status;
    }
    throw new Error('no error');
  };

  it('answers 415 for a kind it has no message for, saying which', () => {
    const Unknown = messageOf('v1', 'Pod')!.root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const body = Buffer.concat([
      Buffer.from('k8s\0', 'latin1'),
      Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion: 'example.com/v1', kind: 'Widget' }, raw: Buffer.from([]) })).finish(),
    ]);
    expect(status(() => decodeProtobuf(body))).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: expect.stringMatching(
        /^the body of the request was in an unknown format - accepted media types include: .*\(this server cannot decode the protobuf message of example.com\/v1, Kind=Widget\)$/,
      ),
    });
  });

  it('answers 400 for a body without the magic, a truncated one, and an empty one', () => {
    expect(status(() => decodeProtobuf(Buffer.from('{"kind":"Pod"}')))).toMatchObject({
      code: 400,
      message: expect.stringContaining('expected prefix'),
    });
    const f = fixture('create-deployment');
    const whole = fromHexDump(f.requests['1.33'][0].body as string[]);
    expect(status(() => decodeProtobuf(whole.subarray(0, whole.length - 20)))).toMatchObject({ code: 400 });
    expect(status(() => decodeProtobuf(Buffer.alloc(0)))).toMatchObject({ code: 400, message: 'the body of the request was empty' });
  });
});
