// Every parser that user input reaches, fed a ~3 MiB hostile input at a real apiserver: each request is
// answered with the status Kubernetes gives, costs the apiserver little CPU (read from /proc, so a loaded
// machine does not fail the test, while a super-linear parser would cost seconds to minutes), and the
// apiserver stays ready. The unit tests next to each parser hold the parser itself to HOSTILE_INPUT_CPU_SECONDS (2 s).
import { processCpuSeconds } from '../cputime';
import { ControlPlane, startControlPlane } from '../processes';
import { api, ApiResponse } from './api';

const MiB = 1024 * 1024;
const NS = '/api/v1/namespaces/default';
/**
 * The apiserver's CPU for one ~3 MiB request, decoding, validation and the answer's encoding included
 * (250,000 invalid labels make a 150 MB Status, as in Kubernetes); a super-linear step costs minutes.
 */
const CPU_BOUND_SECONDS = 5;
const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

let cp: ControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp?.stop());

/** Sends one request and reports the answer and the CPU the apiserver spent on it; then checks readiness. */
async function hostile(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
  const pid = cp.apiserver.child.pid!;
  const before = processCpuSeconds(pid);
  const res = await api(cp.config, method, path, body, contentType);
  const spent = processCpuSeconds(pid) - before;
  expect(spent).toBeLessThan(CPU_BOUND_SECONDS);
  expect(res.code).toBeLessThan(500);
  if (res.code >= 400) expect(res.body).toMatchObject({ kind: 'Status', code: res.code });
  expect((await api(cp.config, 'GET', '/readyz')).code).toBe(200);
  return res;
}

const pod = (name: string, resources: unknown) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox', resources }] },
});

describe('quantities', () => {
  it('refuses 200,000 digits followed by an x with 400, as Kubernetes fails decoding the Pod', async () => {
    const res = await hostile('POST', `${NS}/pods`, pod('q1', { limits: { cpu: '9'.repeat(200_000) + 'x' } }));
    expect(res.code).toBe(400);
    expect(res.body.message).toBe(`Pod in version "v1" cannot be handled as a Pod: ${QUANTITY_FORMAT}`);
  });

  it('refuses 3 MiB of digits followed by an x', async () => {
    const res = await hostile('POST', `${NS}/pods`, pod('q2', { requests: { memory: '1'.repeat(3 * MiB - 200) + 'x' } }));
    expect(res.code).toBe(400);
  });

  it('accepts a huge but valid quantity, as Kubernetes does', async () => {
    const res = await hostile('POST', `${NS}/pods`, pod('q4', { limits: { cpu: '1'.repeat(1_000_000) } }));
    expect(res.code).toBe(201);
  });

  it('gives a request over its limit Kubernetes field error', async () => {
    const res = await hostile('POST', `${NS}/pods`, pod('q3', { requests: { cpu: '2' }, limits: { cpu: '1' } }));
    expect(res.code).toBe(422);
    expect(res.body.message).toBe(
      'Pod "q3" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    );
  });
});

describe('names, labels and annotations', () => {
  it('answers a 3 MiB name with Kubernetes length and format errors', async () => {
    const res = await hostile('POST', `${NS}/configmaps`, { metadata: { name: 'a'.repeat(3 * MiB - 100) + '-' } });
    expect(res.code).toBe(422);
    expect(res.body.details.causes.map((c: { message: string }) => c.message.replace(/"a+-"/, '"…"'))).toEqual([
      'Invalid value: "…": must be no more than 253 characters',
      expect.stringMatching(/^Invalid value: "…": a lowercase RFC 1123 subdomain must consist of/),
    ]);
  });

  it('answers a 3 MiB annotation with Too long', async () => {
    const res = await hostile('POST', `${NS}/configmaps`, { metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * MiB - 100) } } });
    expect(res.code).toBe(422);
    expect(res.body.message).toBe('ConfigMap "big" is invalid: metadata.annotations: Too long: must have at most 262144 bytes');
  });

  it('answers 3 MiB of invalid labels', async () => {
    const labels = Object.fromEntries(Array.from({ length: 250_000 }, (_, i) => [`-${i.toString(36)}`, '']));
    const res = await hostile('POST', `${NS}/configmaps`, { metadata: { name: 'labels', labels } });
    expect(res.code).toBe(422);
    expect(res.body.details.causes).toHaveLength(250_000);
  });
});

describe('YAML bodies', () => {
  const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
  const REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

  it('answers 3 MiB of distinct keys posted to selfsubjectaccessreviews (any signed-in user can)', async () => {
    const body = `apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n${lines((3 * MiB) / 14, (i) => `  k${i.toString(36)}: 1`)}`;
    const res = await hostile('POST', REVIEWS, body, 'application/yaml');
    expect(res.code).toBe(400);
    expect(res.body.message).toBe('error converting YAML to JSON: yaml: document contains more than 250000 nodes');
  });

  it('answers 100,000 duplicate keys with the line of the first', async () => {
    const res = await hostile('POST', REVIEWS, `spec:\n${lines(100_000, () => '  verb: get')}`, 'application/yaml');
    expect(res.code).toBe(400);
    expect(res.body.message).toBe('error converting YAML to JSON: yaml: line 3: duplicated mapping key');
  });

  it('refuses a billion laughs in a Pod', async () => {
    const laughs = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      laughs.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const body = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\n  annotations: {}\nx:\n${laughs.map((l) => `  ${l}`).join('\n')}\n`;
    const res = await hostile('POST', `${NS}/pods`, body, 'application/yaml');
    expect(res.code).toBe(400);
    expect(res.body.message).toBe('error converting YAML to JSON: yaml: document contains excessive aliasing');
  });

  it('creates from YAML with aliases within go-yaml limits', async () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aliased\n  labels: &l {app: web}\n  annotations: *l\ndata: *l\n`;
    const res = await hostile('POST', `${NS}/configmaps`, body, 'application/yaml');
    expect(res.code).toBe(201);
    expect(res.body.data).toEqual({ app: 'web' });
  });
});

describe('selectors and query strings', () => {
  // Node's HTTP parser takes headers (the URL among them) of up to 16 KiB; it answers 431 beyond.
  const url = (query: string) => `${NS}/pods?${query}`;

  it('answers a label selector of 15,000 blanks with Kubernetes parse error', async () => {
    const res = await hostile('GET', url(`labelSelector=a${'%20'.repeat(5000)}b`));
    expect(res.code).toBe(400);
    expect(res.body.message).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  });

  it('lists with a selector of thousands of values', async () => {
    const res = await hostile(
      'GET',
      url(`labelSelector=${encodeURIComponent(`a in (${Array.from({ length: 2000 }, (_, i) => `v${i}`).join(',')})`)}`),
    );
    expect(res.code).toBe(200);
  });

  it('answers a field selector of blanks and escapes', async () => {
    expect((await hostile('GET', url(`fieldSelector=metadata.name${'%20'.repeat(4000)}=x`))).code).toBe(200);
    const res = await hostile('GET', url(`fieldSelector=metadata.name=${'%5C'.repeat(3)}x`));
    expect(res.code).toBe(400);
    expect(res.body.message).toBe('invalid field selector: invalid escape sequence: \\x');
  });

  it('reads brackets in parameter names as plain characters, and more than a thousand parameters', async () => {
    expect((await hostile('GET', url(`labelSelector[a][b]=c&${'a[0]'.repeat(500)}=1`))).code).toBe(200);
    expect((await hostile('GET', url(Array.from({ length: 1200 }, (_, i) => `p${i}=${i}`).join('&')))).code).toBe(200);
  });

  // Node's parser refuses the request line after 16 KiB, with most of the request still unread: the
  // answer must reach the client before the connection is reset (Node's own handler lost it in 17 of 160
  // tries, shared/clienterror.ts).
  it('answers a 3 MiB query string with 431 every time, as Node HTTP parser refuses it before the apiserver sees it', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await api(cp.config, 'GET', url(`labelSelector=${'a'.repeat(3 * MiB)}`))).code);
    expect(codes).toEqual(Array(40).fill(431));
    expect((await api(cp.config, 'GET', '/readyz')).code).toBe(200);
  });
});

// etcd stores at most 1.5 MiB a request (kube-apiserver answers 500 beyond, as here): the patched
// objects stay under it, managedFields included (each finalizer is also a `v:` entry there), while the
// patches themselves are hostile.
describe('patches', () => {
  const CM = `${NS}/configmaps/patched`;
  beforeAll(async () => {
    const finalizers = Array.from({ length: 16_000 }, (_, i) => `example.com/f${i}`);
    expect((await api(cp.config, 'POST', `${NS}/configmaps`, { metadata: { name: 'patched', finalizers }, data: { a: 'b' } })).code).toBe(
      201,
    );
  });

  it('refuses a JSON patch of more than 10,000 operations with 413, as kube-apiserver does', async () => {
    const ops = Array.from({ length: 60_000 }, () => ({ op: 'test', path: '/data/a', value: 'b' }));
    const res = await hostile('PATCH', CM, ops, 'application/json-patch+json');
    expect(res.code).toBe(413);
    expect(res.body.message).toBe('The allowed maximum operations in a JSON patch is 10000, got 60000');
  });

  it.each([
    ['inserts at the front of 16,000 finalizers', { op: 'add', path: '/metadata/finalizers/0', value: 'example.com/x' }],
    ['copies of the object into itself', { op: 'copy', from: '/metadata', path: '/metadata/annotations' }],
  ])('answers 10,000 %s with 422', async (_what, op) => {
    const res = await hostile('PATCH', CM, Array(10_000).fill(op), 'application/json-patch+json');
    expect(res.code).toBe(422);
    expect(res.body.message).toBe('the server rejected our request due to an error in our request');
  });

  it('merges 8,000 finalizers into 16,000 as a set with a strategic merge patch', async () => {
    const finalizers = Array.from({ length: 8_000 }, (_, i) => `example.com/g${i}`);
    const res = await hostile('PATCH', CM, { metadata: { finalizers } }, 'application/strategic-merge-patch+json');
    expect(res.code).toBe(200);
    expect(res.body.metadata.finalizers).toHaveLength(24_000);
  });

  it('merges 3 MiB of data keys with a merge patch, deleting most of them', async () => {
    const data = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i % 100 ? null : 'v']));
    const res = await hostile('PATCH', CM, { data }, 'application/merge-patch+json');
    expect(res.code).toBe(200);
    expect(Object.keys(res.body.data)).toHaveLength(2_001);
  });
});

describe('URL paths', () => {
  it('answers a malformed escape in a path segment with 400, as Go HTTP server refuses the request', async () => {
    for (const segment of ['%zz', '%E0%A4%A', '%']) {
      const res = await hostile('GET', `${NS}/configmaps/${segment}`);
      expect(res.code).toBe(400);
      expect(res.body.message).toBe(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
    }
  });

  it('answers a 12,000-character name with 404', async () => {
    expect((await hostile('GET', `${NS}/configmaps/${'x'.repeat(12_000)}`)).code).toBe(404);
  });
});
