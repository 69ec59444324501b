// Bounded fuzzing of the apiserver's edge (decoding, validation, patching, query parsing) on a real etcd:
// ~400 seeded random writes (mutated manifests, random JSON and bytes, wrong content types, random
// patches against live objects, garbage query strings) each get a 2xx, or a 4xx whose body is a
// Status carrying the same code; never a 5xx or a dropped connection. The server keeps serving after.
// A second run sends adversarial inputs aimed at each parser (paths, quantities, YAML keys and
// aliases, ExternalNames, URL segments): each is answered the same way within a bound, and /readyz
// answers between batches. FUZZ_SEED=<n> replays a run.
import { ControlPlane, startControlPlane } from '../processes';
import { api, ApiResponse } from './api';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const REQUESTS = 400;
const PARALLEL = 16;
const HOSTILE_REQUESTS = 150;
const HOSTILE_PARALLEL = 4;
/** Each adversarial request's answer, wall clock on a loaded machine: a super-linear parser takes minutes. */
const HOSTILE_BOUND_MS = 15_000;
/** Marks a string that jsonText expands into deep nesting. */
const DEEP = '\u0001deep';

/** mulberry32: a tiny, good-enough seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface FuzzRequest {
  method: string;
  path: string;
  body: string | Buffer;
  contentType: string;
}

/** A resource the fuzzer writes to: its collection, and a fresh valid manifest for a name. */
interface Target {
  collection: string;
  manifest(name: string): Record<string, Json>;
}

const NS = '/api/v1/namespaces/fuzz';
const podSpec = {
  containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m' } } }],
};
const TARGETS: Target[] = [
  {
    collection: `${NS}/pods`,
    manifest: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'f' } }, spec: podSpec }),
  },
  {
    collection: '/apis/apps/v1/namespaces/fuzz/deployments',
    manifest: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'f' } },
        template: { metadata: { labels: { app: 'f' } }, spec: podSpec },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      },
    }),
  },
  {
    collection: `${NS}/services`,
    manifest: (name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { type: 'NodePort', selector: { app: 'f' }, ports: [{ port: 80, targetPort: 8080 }] },
    }),
  },
  {
    collection: `${NS}/configmaps`,
    manifest: (name) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, annotations: { 'example.com/a': 'b' } },
      data: { key: 'value' },
    }),
  },
  {
    collection: '/api/v1/namespaces',
    manifest: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: 'f' } } }),
  },
  {
    collection: '/apis/rbac.authorization.k8s.io/v1/namespaces/fuzz/roles',
    manifest: (name) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    }),
  },
];

class Fuzzer {
  readonly next: () => number;
  private serial = 0;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  name(): string {
    return `f${this.serial++}`;
  }

  string(): string {
    return this.pick([
      () => '',
      () => 'x'.repeat(this.pick([64, 254, 70_000])),
      () => '日本語-ü-🚀',
      () => '\u0000\ud800\udfff\u202e',
      () => String.fromCharCode(...Array.from({ length: 12 }, () => this.int(0x10000))),
      () => '../../etc/passwd',
      () => 'UPPER_case.name',
    ])();
  }

  number(): number {
    return this.pick([0, -1, 1.5, 65536, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MIN_VALUE]);
  }

  json(depth = 0): Json {
    const leaf = depth > 3 || this.next() < 0.5;
    if (leaf) return this.pick<() => Json>([() => null, () => this.next() < 0.5, () => this.number(), () => this.string()])();
    if (this.next() < 0.5) return Array.from({ length: this.int(4) }, () => this.json(depth + 1));
    return Object.fromEntries(
      Array.from({ length: this.int(4) }, () => [
        this.pick(['metadata', 'spec', 'name', 'kind', '$patch', 'x', this.string()]),
        this.json(depth + 1),
      ]),
    );
  }

  /** A placeholder that jsonText expands to arrays or objects nested `depth` levels deep. */
  deep(depth: number): Json {
    return `${DEEP}${this.pick(['[', '{'])}${depth}`;
  }

  /** A wrong value for any field: a wrong type, a huge string, deep nesting, null, unicode, odd numbers. */
  replacement(): Json {
    return this.pick<() => Json>([
      () => this.json(),
      () => this.string(),
      () => this.number(),
      () => null,
      () => [],
      () => ({}),
      () => this.deep(this.pick([100, 5_000, 50_000])),
    ])();
  }

  /** Every path to a value inside `obj`. */
  private paths(obj: Json, prefix: (string | number)[] = []): (string | number)[][] {
    if (obj === null || typeof obj !== 'object') return [prefix];
    const entries: [string | number, Json][] = Array.isArray(obj) ? obj.map((v, i) => [i, v]) : Object.entries(obj);
    return [prefix, ...entries.flatMap(([k, v]) => this.paths(v, [...prefix, k]))];
  }

  /** A copy of `manifest` with one to three fields deleted or replaced. */
  mutate(manifest: Record<string, Json>): Json {
    let doc: Json = structuredClone(manifest);
    for (let i = 0, n = 1 + this.int(3); i < n; i++) {
      const path = this.pick(this.paths(doc));
      if (path.length === 0) {
        doc = this.replacement();
        continue;
      }
      const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], doc);
      const key = path[path.length - 1];
      if (this.next() < 0.3) {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      } else {
        parent[key] = this.replacement();
      }
    }
    return doc;
  }

  /** A JSON patch (RFC 6902) of random operations, some aimed at real paths. */
  jsonPatch(): Json {
    const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'];
    const paths = [
      '/metadata/name',
      '/metadata/labels/a',
      '/spec',
      '/spec/containers/-',
      '/spec/containers/0/image',
      '/data/key',
      '/metadata/resourceVersion',
      '',
      '/',
      '/~2',
      '/status/phase',
      this.string(),
    ];
    return Array.from({ length: 1 + this.int(3) }, () => {
      const op: Record<string, Json> = { op: this.pick(ops), path: this.pick(paths) };
      if (this.next() < 0.7) op.value = this.replacement();
      if (this.next() < 0.4) op.from = this.pick(paths);
      return this.next() < 0.1 ? this.replacement() : op;
    });
  }

  /**
   * A query string of garbage selectors and parameters, within Node's 16 KiB header limit (beyond it
   * Node's HTTP parser answers 431 before the apiserver sees the request).
   */
  query(): string {
    const params = [
      ['labelSelector', this.pick(['a in (b', '!!', 'a=b,c!=d', 'x'.repeat(300), '=', 'a notin ()', '日本語=🚀'])],
      ['fieldSelector', this.pick(['metadata.name=', 'spec.nodeName==x', 'bogus.field=1', ',,', '\u0000\ud800'])],
      ['limit', this.pick(['-1', 'abc', '1e99', '0'])],
      ['resourceVersion', this.pick(['abc', '-5', '99999999999999999999', ''])],
      ['resourceVersionMatch', this.pick(['Exact', 'NotOlderThan', 'nope'])],
      ['dryRun', this.pick(['All', 'Some', ''])],
      ['gracePeriodSeconds', this.pick(['x', '-1', '1.5'])],
      ['timeoutSeconds', this.pick(['x', '99999999999'])],
      ['fieldManager', this.pick(['日本語-ü-🚀', '\u0000\ud800', '../x'])],
      ['watch', this.pick(['0', 'false'])],
      ['labelSelector[a][b]', '%zz'],
    ];
    const chosen = Array.from({ length: 1 + this.int(3) }, () => this.pick(params));
    return `?${chosen.map(([k, v]) => `${k}=${percentEncode(v)}`).join('&')}`;
  }

  /** A `subPath` or a key-to-path `path`: climbing out, absolute, long, odd bytes. */
  hostilePath(): string {
    return this.pick([
      () => '../..',
      () => '../'.repeat(this.pick([1, 50, 20_000])) + 'etc/passwd',
      () => '/etc/shadow',
      () => 'a/../../b',
      () => 'a/./b/..',
      () => '..',
      () => '.',
      () => '',
      () => 'x'.repeat(this.pick([256, 4096, 300_000])),
      () => 'a/'.repeat(this.pick([100, 100_000])),
      () => 'a\u0000b',
      () => '%2e%2e/x',
      () => '..\\..\\windows',
      () => this.string(),
    ])();
  }

  /** A resource quantity: malformed, huge, at the int32 exponent edge, or valid but odd. */
  hostileQuantity(): string | number {
    return this.pick<() => string | number>([
      () => '9'.repeat(this.pick([200_000, 1_000_000])) + 'x',
      () => '1'.repeat(this.pick([30, 200_000])),
      () => '1'.repeat(100_000) + '.' + '1'.repeat(100_000) + 'Ki',
      () => '1e2147483647',
      () => '1e2147483648',
      () => '1' + 'mKi'.repeat(this.pick([3, 100_000])),
      () => this.pick(['.', '-', '+', 'Mi', 'Ei', 'e-20', '1.1.1', '--1', '0x10', '１', ' 7 ', '1e', '-3.01e-', '9Ei']),
      () => this.pick([0.5, -1, 1e308, 2 ** 63]),
      () => this.string(),
    ])();
  }

  /** YAML text: billion laughs, aliases of big anchors, duplicate keys by the thousand, deep flows, tags, documents. */
  hostileYaml(): string {
    const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
    const laughs = (depth: number) =>
      [
        'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
        ...Array.from({ length: depth }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
      ].join('\n');
    return this.pick([
      () => laughs(this.pick([3, 6, 9, 30])),
      () =>
        `big: &b [${Array(this.pick([10, 5_000]))
          .fill('x')
          .join(', ')}]\n${lines(this.pick([10, 500]), (i) => `k${i}: *b`)}`,
      () => lines(this.pick([2, 20_000, 300_000]), () => 'apiVersion: v1'),
      () => lines(this.pick([1000, 300_000]), (i) => `k${i.toString(36)}: ${i}`),
      () => `a: &a [*a]`,
      () => `a: *missing`,
      () => `a: ${'['.repeat(this.pick([99, 101, 100_000]))}`,
      () => `a: ${'{b: '.repeat(this.pick([99, 101, 50_000]))}1${'}'.repeat(99)}`,
      () => lines(this.pick([100, 5_000]), (i) => `${' '.repeat(i)}a:`),
      () => '---\n'.repeat(this.pick([2, 500_000])),
      () => `a: !!binary aGk=\nb: !!js/function "f"\nc: !<tag:x> y`,
      () => `<<: {a: 1}\n? [complex, key]\n: v`,
      () => `a: "${'\\u0041'.repeat(this.pick([10, 400_000]))}`,
      () => `metadata:\n  name: ${this.name()}\n  labels: &l {app: web}\n  annotations: *l\ndata: *l`,
    ])();
  }

  /** An ExternalName: over-long labels and names, odd bytes, an IP, an empty name. */
  hostileExternalName(): string {
    return this.pick([
      () => 'a'.repeat(this.pick([63, 64, 70_000])) + '.example.com',
      () =>
        Array(this.pick([127, 200, 100_000]))
          .fill('a')
          .join('.'),
      () => 'x'.repeat(this.pick([253, 254, 255, 256])),
      () => this.pick(['-bad.example.com', 'bad-.example.com', 'UPPER.example.com', 'a..b', '.', '..', '', '1.2.3.4', 'a_b.example.com']),
      () => 'ü.example.com',
      () => 'a\u0000b.example.com',
      () => 'a.'.repeat(this.pick([10, 1_000_000])) + '-',
      () => this.string(),
    ])();
  }

  /** A URL path segment: malformed or odd escapes, long (not `%2e%2e`: the client's URL would resolve it as `..`). */
  hostileSegment(): string {
    return this.pick(['%zz', '%E0%A4%A', '%', '%00', '%2F', 'a%2Fb', '..%2F..', 'x'.repeat(this.pick([300, 12_000])), '%C0%AE', '~', '*']);
  }

  bytes(): Buffer {
    return Buffer.from(Array.from({ length: this.int(200) }, () => this.int(256)));
  }

  contentType(): string {
    return this.pick([
      'application/json',
      'application/yaml',
      'text/plain',
      'application/xml',
      'application/vnd.kubernetes.protobuf',
      '',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
    ]);
  }
}

/** Every UTF-8 byte as %XX (lone surrogates become U+FFFD, as any client would send them). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** One random request against `live`, the objects created before fuzzing (collection and name). */
function randomRequest(f: Fuzzer, live: { target: Target; name: string }[]): FuzzRequest {
  const target = f.pick(TARGETS);
  const object = f.pick(live);
  const objectPath = `${object.target.collection}/${object.name}`;
  const query = f.next() < 0.25 ? f.query() : '';
  switch (f.int(8)) {
    case 0:
      return { method: 'POST', path: target.collection + query, body: jsonText(f.json()), contentType: 'application/json' };
    case 1:
    case 2:
      return {
        method: 'POST',
        path: target.collection + query,
        body: jsonText(f.mutate(target.manifest(f.name()))),
        contentType: f.pick(['application/json', 'application/yaml']),
      };
    case 3:
      return {
        method: f.pick(['POST', 'PUT', 'PATCH']),
        path: (f.next() < 0.5 ? target.collection : objectPath) + query,
        body: f.bytes(),
        contentType: f.contentType(),
      };
    case 4:
      return {
        method: 'POST',
        path: target.collection + query,
        body: JSON.stringify(target.manifest(f.name())),
        contentType: f.contentType(),
      };
    case 5:
      return {
        method: 'PUT',
        path: objectPath + query,
        body: jsonText(f.mutate(object.target.manifest(f.next() < 0.8 ? object.name : f.name()))),
        contentType: 'application/json',
      };
    case 6:
      return { method: 'PATCH', path: objectPath + query, body: jsonText(f.jsonPatch()), contentType: 'application/json-patch+json' };
    default:
      return {
        method: 'PATCH',
        path: objectPath + query,
        body: jsonText(f.mutate(object.target.manifest(object.name))),
        contentType: f.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']),
      };
  }
}

/** One adversarial request aimed at a parser. */
function hostileRequest(f: Fuzzer): FuzzRequest {
  const name = f.name();
  switch (f.int(5)) {
    case 0: {
      const volumes = [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: f.hostilePath() }] } }];
      const container = { name: 'c', image: 'busybox', volumeMounts: [{ name: 'cfg', mountPath: '/m', subPath: f.hostilePath() }] };
      const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [container], volumes } };
      return { method: 'POST', path: `${NS}/pods`, body: JSON.stringify(body), contentType: 'application/json' };
    }
    case 1: {
      const resources = { [f.pick(['limits', 'requests'])]: { [f.pick(['cpu', 'memory', 'ephemeral-storage'])]: f.hostileQuantity() } };
      const body = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'busybox', resources }] },
      };
      return {
        method: 'POST',
        path: f.pick([`${NS}/pods`, `${NS}/pods?dryRun=All`]),
        body: JSON.stringify(body),
        contentType: 'application/json',
      };
    }
    case 2:
      return {
        method: f.pick(['POST', 'POST', 'PATCH']),
        path: f.pick([`${NS}/configmaps`, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', `${NS}/configmaps/live-configmaps`]),
        body: f.hostileYaml(),
        contentType: f.pick(['application/yaml', 'application/apply-patch+yaml']),
      };
    case 3: {
      const spec = { type: 'ExternalName', externalName: f.hostileExternalName() };
      const body = { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
      return { method: 'POST', path: `${NS}/services`, body: JSON.stringify(body), contentType: 'application/json' };
    }
    default: {
      const segment = f.hostileSegment();
      const path = f.pick([
        `/api/v1/namespaces/${segment}/pods`,
        `${NS}/configmaps/${segment}`,
        `/apis/${segment}/v1/x`,
        `${NS}/pods/${segment}/log`,
      ]);
      return { method: f.pick(['GET', 'DELETE', 'PUT']), path, body: '{}', contentType: 'application/json' };
    }
  }
}

/**
 * JSON text, with deep-nesting placeholders expanded (JSON.stringify cannot nest that deep) and sometimes
 * a number no double holds (JSON.parse turns it into Infinity).
 */
function jsonText(value: Json): string {
  return JSON.stringify(value)
    .replace(/"\\u0001deep([[{])(\d+)"/g, (_m, open: string, depth: string) => {
      const n = Number(depth);
      return open === '[' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    })
    .replace(/:1\.5([,}])/, ':1e400$1');
}

/** Why an answer breaks the contract, or undefined when it keeps it. */
function violation(res: ApiResponse): string | undefined {
  if (res.code >= 200 && res.code < 300) return undefined;
  if (res.code >= 500 || res.code < 400) return `HTTP ${res.code}: ${JSON.stringify(res.body).slice(0, 300)}`;
  const status = res.body as { kind?: string; code?: number };
  if (status?.kind !== 'Status' || status.code !== res.code)
    return `HTTP ${res.code} without a matching Status: ${String(JSON.stringify(res.body)).slice(0, 300)}`;
  return undefined;
}

let cp: ControlPlane;
const live: { target: Target; name: string }[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  expect((await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: 'fuzz' } })).code).toBe(201);
  for (const target of TARGETS) {
    const name = `live-${target.collection.split('/').pop()}`;
    expect((await api(cp.config, 'POST', target.collection, target.manifest(name))).code).toBe(201);
    live.push({ target, name });
  }
});
afterAll(async () => {
  await cp?.stop();
});

it(`answers ${REQUESTS} random writes (seed ${SEED}) with a 2xx or a 4xx Status, never a 5xx or a dropped connection`, async () => {
  const f = new Fuzzer(SEED);
  const requests = Array.from({ length: REQUESTS }, () => randomRequest(f, live));
  const failures: string[] = [];
  for (let i = 0; i < requests.length; i += PARALLEL) {
    await Promise.all(
      requests.slice(i, i + PARALLEL).map(async (r, j) => {
        const what = `#${i + j} ${r.method} ${r.path.slice(0, 120)} (${r.contentType || 'no content type'}, ${r.body.length} bytes)`;
        const problem = await api(cp.config, r.method, r.path, r.body, r.contentType).then(
          violation,
          (err: Error) => `connection failed: ${err.message}`,
        );
        if (problem) failures.push(`${what}: ${problem}`);
      }),
    );
  }
  expect(failures).toEqual([]);
});

it(`answers ${HOSTILE_REQUESTS} adversarial inputs (seed ${SEED}) with a 2xx or a 4xx Status within ${HOSTILE_BOUND_MS / 1000} s, ready in between`, async () => {
  const f = new Fuzzer(SEED ^ 0x5eed);
  const requests = Array.from({ length: HOSTILE_REQUESTS }, () => hostileRequest(f));
  const failures: string[] = [];
  for (let i = 0; i < requests.length; i += HOSTILE_PARALLEL) {
    await Promise.all(
      requests.slice(i, i + HOSTILE_PARALLEL).map(async (r, j) => {
        const what = `#${i + j} ${r.method} ${r.path.slice(0, 120)} (${r.contentType}, ${r.body.length} bytes)`;
        const start = Date.now();
        const problem = await api(cp.config, r.method, r.path, r.body, r.contentType).then(
          violation,
          (err: Error) => `connection failed: ${err.message}`,
        );
        const ms = Date.now() - start;
        if (problem) failures.push(`${what}: ${problem}`);
        else if (ms > HOSTILE_BOUND_MS) failures.push(`${what}: answered after ${ms} ms`);
      }),
    );
    const ready = await api(cp.config, 'GET', '/readyz');
    if (ready.code !== 200) failures.push(`after #${i}: /readyz answered ${ready.code}`);
  }
  expect(failures).toEqual([]);
});

it('is still ready and creates a normal object after the fuzzing', async () => {
  expect((await api(cp.config, 'GET', '/readyz')).code).toBe(200);
  const created = await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'after-fuzz' }, data: { ok: 'yes' } });
  expect(created.code).toBe(201);
  expect((await api(cp.config, 'GET', `${NS}/configmaps/after-fuzz`)).body.data).toEqual({ ok: 'yes' });
});
